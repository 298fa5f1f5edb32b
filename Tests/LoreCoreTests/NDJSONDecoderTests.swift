import Testing
@testable import LoreCore

@Suite("NDJSON decoder")
struct NDJSONDecoderTests {
    @Test("LF, CRLF and blank lines: one string per record")
    func lineEndings() {
        let stream = "{\"a\":1}\n{\"b\":2}\r\n\n\r\n  \n{\"c\":3}\r{\"d\":4}\n"
        expectSameOutcomeForEverySplit(utf8(stream), expected: ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}", "{\"d\":4}"]) {
            decodeNDJSON($0)
        }
    }

    @Test("a final line without a line break is returned by finish")
    func finalLine() {
        expectSameOutcomeForEverySplit(utf8("{\"a\":1}\n{\"done\":true}"), expected: ["{\"a\":1}", "{\"done\":true}"]) {
            decodeNDJSON($0)
        }
        var decoder = NDJSONDecoder()
        #expect(decoder.feed(utf8("{\"done\":true}")).isEmpty)
        #expect(decoder.finish() == ["{\"done\":true}"])
    }

    @Test("a leading byte order mark is removed, also when split")
    func byteOrderMark() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + utf8("{\"a\":1}\n")
        expectSameOutcomeForEverySplit(bytes, expected: ["{\"a\":1}"]) { decodeNDJSON($0) }
    }

    @Test("split UTF-8 is reassembled, invalid bytes become U+FFFD, U+2028 stays inside the line")
    func unicode() {
        let bytes = utf8("{\"t\":\"日本 🎉 a\u{2028}b\"}\n{\"u\":\"") + [0xFF] + utf8("\"}\n")
        expectSameOutcomeForEverySplit(bytes, expected: ["{\"t\":\"日本 🎉 a\u{2028}b\"}", "{\"u\":\"\u{FFFD}\"}"]) {
            decodeNDJSON($0)
        }
    }

    @Test("blank lines in bulk hold no memory")
    func manyBlankLines() {
        var decoder = NDJSONDecoder()
        for _ in 0..<10_000 { #expect(decoder.feed(utf8("   \r\n")).isEmpty) }
        #expect(decoder.retainedCapacity < 1024)
        #expect(decoder.finish().isEmpty)
    }
}
