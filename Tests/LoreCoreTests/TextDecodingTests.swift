import Testing
@testable import LoreCore

@Suite struct TextDecodingTests {
    private func decode(_ s: String) -> Result<String, SkipReason> { TextDecoding.decode(Array(s.utf8)) }

    @Test func plainUTF8PassesThrough() throws {
        #expect(try decode("héllo\nwörld 日本語\n").get() == "héllo\nwörld 日本語\n")
    }

    @Test func leadingBOMIsRemovedOnce() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + Array("a".utf8)
        #expect(try TextDecoding.decode(bytes).get() == "\u{FEFF}a")
    }

    @Test func crlfAndLoneCRBecomeLFWithoutChangingLineCount() throws {
        let text = try decode("one\r\ntwo\rthree\nfour\r\n\r\nsix").get()
        #expect(text == "one\ntwo\nthree\nfour\n\nsix")
        #expect(TextDecoding.lineCount(text) == 6)
    }

    @Test func crAtTheVeryEndIsOneLineBreak() throws {
        #expect(try decode("a\r").get() == "a\n")
        #expect(try decode("a\r\r\n").get() == "a\n\n")
    }

    @Test func nulByteMeansBinary() {
        var bytes = Array(repeating: UInt8(0x61), count: 20_000)
        bytes[15_000] = 0
        #expect(TextDecoding.decode(bytes) == .failure(.binary))
    }

    @Test func invalidUTF8IsSkipped() {
        #expect(TextDecoding.decode([0x63, 0x61, 0x66, 0xE9, 0x0A]) == .failure(.invalidUTF8))  // Latin-1 "café"
        #expect(TextDecoding.decode([0xF0, 0x9F, 0x98]) == .failure(.invalidUTF8))  // truncated emoji
        #expect(TextDecoding.decode([0xED, 0xA0, 0x80]) == .failure(.invalidUTF8))  // surrogate
    }

    @Test func emptyAndWhitespaceOnlyAreEmpty() {
        #expect(TextDecoding.decode([]) == .failure(.empty))
        #expect(TextDecoding.decode([0xEF, 0xBB, 0xBF]) == .failure(.empty))
        #expect(decode(" \r\n\t\n") == .failure(.empty))
    }

    @Test func sizeLimitIsChecked() {
        #expect(TextDecoding.decode(Array("abcdef".utf8), maxBytes: 3) == .failure(.tooLarge))
    }

    @Test func controlCharactersOtherThanNULAreKept() throws {
        #expect(try decode("a\u{1B}[2Jb\u{7}").get() == "a\u{1B}[2Jb\u{7}")
    }

    @Test func lineCountIgnoresFinalLineBreak() {
        #expect(TextDecoding.lineCount("") == 0)
        #expect(TextDecoding.lineCount("a") == 1)
        #expect(TextDecoding.lineCount("a\n") == 1)
        #expect(TextDecoding.lineCount("a\n\nb") == 3)
    }

    @Test func everyReasonHasADescription() {
        for reason in SkipReason.allCases { #expect(!reason.description.isEmpty) }
        #expect(Set(SkipReason.allCases.map(\.description)).count == SkipReason.allCases.count)
    }
}

@Suite("formats by file name") struct DocumentFormatTests {
    @Test(arguments: [
        ("guide/intro.md", DocumentFormat.markdown), ("library/os.rst.txt", .restructuredText),
        ("notes/todo.md.txt", .markdown), ("plain.txt", .text), ("page.HTML", .html), ("main.swift", .code),
        ("README", .text),
    ])
    func formatFollowsTheName(_ path: String, _ format: DocumentFormat) {
        #expect(DocumentFormat.forPath(path) == format)
    }

    @Test func unknownKindsAreNotIndexed() {
        #expect(DocumentFormat.forPath("photo.jpeg") == nil)
        #expect(DocumentFormat.forPath("archive.tar.gz") == nil)
    }
}
