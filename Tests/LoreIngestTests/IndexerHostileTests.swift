import Foundation
import LoreCore
@testable import LoreIngest
@testable import LoreStore
import Testing

/// The ingestion cases of TESTING.md: every file is either indexed or skipped with a counted reason, the
/// run never fails, and the store passes SQLite's and FTS5's checks afterwards.
@Suite("Indexer: hostile files", .serialized)
struct IndexerHostileTests {
    private let sample = "# Fine\n\nA perfectly ordinary document about lanterns.\n"

    @Test("a binary file named .md is skipped as binary")
    func binary() throws {
        let s = try IndexerSandbox()
        try s.write("fine.md", sample)
        try s.write("image.md", bytes: Array("# Looks like Markdown\n\n".utf8) + [0x89, 0x50, 0x00, 0x00, 0x1A] + Array("IHDR".utf8))
        let summary = try s.index()
        #expect(summary.skippedByReason == ["binary": 1])
        #expect(summary.skipped == 1)
        #expect(summary.added == 1)
        #expect(try s.store.skippedDocuments().map(\.reason) == ["binary"])
        #expect(try s.searchPaths("IHDR") == [])
        try s.expectSound()
    }

    @Test("invalid UTF-8 is skipped as invalidUTF8, not indexed as mojibake")
    func invalidUTF8() throws {
        let s = try IndexerSandbox()
        try s.write("fine.md", sample)
        // "café crème" in Latin-1.
        try s.write("latin1.txt", bytes: Array("caf".utf8) + [0xE9] + Array(" cr".utf8) + [0xE8] + Array("me brulee\n".utf8))
        let summary = try s.index()
        #expect(summary.skippedByReason == ["invalidUTF8": 1])
        #expect(summary.added == 1)
        #expect(try s.searchPaths("brulee") == [])
        try s.expectSound()
    }

    @Test("empty and whitespace-only files are skipped as empty")
    func empty() throws {
        let s = try IndexerSandbox()
        try s.write("fine.md", sample)
        try s.write("empty.md", bytes: [])
        try s.write("blank.txt", " \n\t\r\n  \n")
        let summary = try s.index()
        #expect(summary.skippedByReason == ["empty": 2])
        #expect(summary.added == 1)
        try s.expectSound()
    }

    @Test("skipped files stay counted, with their reasons, on a run where nothing changed")
    func skippedReasonsOnRerun() throws {
        let s = try IndexerSandbox()
        try s.write("fine.md", sample)
        try s.write("empty.md", bytes: [])
        try s.write("binary.md", bytes: [0x41, 0x00, 0x42])
        let first = try s.index()
        #expect(first.skippedByReason == ["binary": 1, "empty": 1])
        let again = try s.index()
        #expect(again.skipped == 2)
        #expect(again.skippedByReason == ["binary": 1, "empty": 1])
        #expect(again.skippedByReason.values.reduce(0, +) == again.skipped)
        #expect(again.passagesWritten == 0)
    }

    @Test("BOM, CRLF and lone CR files get the same passages and line numbers as plain LF")
    func lineEndings() throws {
        let s = try IndexerSandbox()
        let lines = ["# Title", "", "first paragraph about alpacas", "", "## Second", "", "bravo text on line seven", ""]
        try s.write("lf.md", lines.joined(separator: "\n"))
        try s.write("crlf.md", lines.joined(separator: "\r\n"))
        try s.write("cr.md", lines.joined(separator: "\r"))
        try s.write("bom.md", bytes: [0xEF, 0xBB, 0xBF] + Array(lines.joined(separator: "\n").utf8))
        try s.write("bomcrlf.md", bytes: [0xEF, 0xBB, 0xBF] + Array(lines.joined(separator: "\r\n").utf8))
        let summary = try s.index()
        #expect(summary.added == 5)
        #expect(summary.skippedByReason == [:])

        let reference = try s.store.passages(ofDocument: s.path("lf.md"))
        let bravo = try #require(reference.first { $0.text.contains("bravo") })
        #expect(bravo.lineEnd == 7)
        #expect(bravo.lineStart == 5)
        #expect(bravo.headingPath == ["Title", "Second"])
        for name in ["crlf.md", "cr.md", "bom.md", "bomcrlf.md"] {
            let passages = try s.store.passages(ofDocument: s.path(name))
            #expect(passages.map(\.text) == reference.map(\.text), "\(name)")
            #expect(passages.map(\.lineStart) == reference.map(\.lineStart), "\(name)")
            #expect(passages.map(\.lineEnd) == reference.map(\.lineEnd), "\(name)")
            #expect(passages.map(\.headingPath) == reference.map(\.headingPath), "\(name)")
            #expect(passages.allSatisfy { $0.title == "Title" && !$0.text.contains("\r") && !$0.text.contains("\u{FEFF}") },
                    "\(name)")
        }
        try s.expectSound()
    }

    @Test("a 40 MB file with no line breaks is skipped as tooLarge under the default limit, without being read")
    func fortyMegabytesSkipped() throws {
        let s = try IndexerSandbox()
        try s.write("fine.md", sample)
        try writeOneLine(s.path("huge.md"), bytes: 40 << 20)
        let summary = try s.index()
        #expect(summary.skippedByReason == ["tooLarge": 1])
        #expect(summary.added == 1)
        #expect(summary.bytesRead == Int64(sample.utf8.count))
        try s.expectSound()
    }

    @Test("a long single-line file is indexed in bounded pieces once the limit is raised, in the same store")
    func longLineIndexedAfterRaisingTheLimit() throws {
        let s = try IndexerSandbox()
        let size = 6 << 20
        try writeOneLine(s.path("minified.txt"), bytes: size)
        let low = try s.index(IndexOptions(maxFileBytes: 4 << 20))
        #expect(low.skippedByReason == ["tooLarge": 1])

        let raised = IndexOptions(maxFileBytes: 8 << 20)
        let summary = try s.index(raised)
        #expect(summary.skippedByReason == [:], "raising the limit takes in a file that was too large before")
        #expect(summary.added == 1)
        let passages = try s.store.passages(ofDocument: s.path("minified.txt"))
        #expect(passages.count > 1000)
        let maxTokens = raised.chunking.maxTokens
        #expect(passages.allSatisfy { estimateTokens($0.text) <= maxTokens && $0.lineStart == 1 && $0.lineEnd == 1 })
        // Nothing is lost at the cuts: the words at both ends are found.
        #expect(try s.searchPaths("openingword") == [s.path("minified.txt")])
        #expect(try s.searchPaths("closingword") == [s.path("minified.txt")])
        try s.expectSound()
    }

    @Test("a single line without any space is cut into bounded pieces too")
    func noSpacesAtAll() throws {
        let s = try IndexerSandbox()
        let text = String(repeating: "0123456789abcdef", count: (1 << 20) / 16)
        try s.write("blob.txt", text)
        let summary = try s.index()
        #expect(summary.added == 1)
        let passages = try s.store.passages(ofDocument: s.path("blob.txt"))
        #expect(passages.count > 100)
        #expect(passages.allSatisfy { estimateTokens($0.text) <= IndexOptions.default.chunking.maxTokens })
        try s.expectSound()
    }

    @Test("symbolic link loops end the walk with the reason counted")
    func symlinkLoop() throws {
        let s = try IndexerSandbox()
        try s.write("sub/fine.md", sample)
        try FileManager.default.createSymbolicLink(atPath: s.path("sub/back-to-root"), withDestinationPath: s.root)
        try FileManager.default.createSymbolicLink(atPath: s.path("self.md"), withDestinationPath: s.path("self.md"))
        let summary = try s.index()
        #expect(summary.skippedByReason == ["symlinkLoop": 2])
        #expect(summary.added == 1)
        #expect(try s.store.storedDocuments().keys.sorted() == [s.path("sub/fine.md")])
        try s.expectSound()
    }

    @Test("a file deleted between listing and reading is not an error; one that was indexed is removed")
    func deletedBetweenListingAndReading() throws {
        let s = try IndexerSandbox()
        try s.write("stays.md", sample)
        try s.write("indexed-then-gone.md", "# Old\n\nsomething about periscopes\n")
        try s.index()
        try s.write("indexed-then-gone.md", "# Newer\n\nsomething else about periscopes\n")
        try s.setModified("indexed-then-gone.md", secondsFromNow: 5)
        try s.write("new-then-gone.md", "# New\n\ntext about gondolas\n")
        // `.listed` is sent after the walk and before any file is read.
        let summary = try s.index { event in
            if case .listed = event {
                try? s.remove("indexed-then-gone.md")
                try? s.remove("new-then-gone.md")
            }
        }
        #expect(summary.removed == 1)
        #expect(summary.added == 0)
        #expect(summary.skippedByReason == ["vanished": 1])
        #expect(try s.searchPaths("periscopes") == [])
        #expect(try s.store.storedDocuments().keys.sorted() == [s.path("stays.md")])
        try s.expectSound()

        // The same through the per-file step directly.
        try s.write("brief.md", sample)
        let listed = try #require(FileWalker(roots: [s.root]).walk().files.first { $0.relativePath == "brief.md" })
        try s.remove("brief.md")
        let outcome = Indexer.prepare(listed, options: .default, renameHashes: [], knownHash: nil)
        guard case .vanished = outcome else {
            Issue.record("expected .vanished, got \(outcome)")
            return
        }
    }

    @Test("a file rewritten between listing and reading is indexed with the bytes read, then settles")
    func rewrittenBetweenListingAndReading() throws {
        let s = try IndexerSandbox()
        try s.write("moving.md", "# First\n\nthe first draft mentions kumquats\n")
        let summary = try s.index { event in
            if case .listed = event {
                try? s.write("moving.md", "# Second\n\nthe rewritten draft, much longer, mentions persimmons instead\n")
            }
        }
        #expect(summary.added == 1)
        #expect(try s.searchPaths("persimmons") == [s.path("moving.md")])
        #expect(try s.searchPaths("kumquats") == [])
        // The listing's size no longer matches the file, so the next run looks again, finds the same
        // bytes, and keeps the passages.
        let ids = try s.passageIDs("moving.md")
        let again = try s.index()
        #expect(again.unchanged == 1)
        #expect(again.passagesWritten == 0)
        #expect(try s.passageIDs("moving.md") == ids)
        try s.expectSound()
    }

    @Test("20,000 tiny files are all indexed, and a second run finds them unchanged")
    func manyTinyFiles() throws {
        let s = try IndexerSandbox()
        let count = 20_000
        for i in 0..<count {
            try s.write("d\(i % 100)/note-\(i).md", "# Note \(i)\n\ntoken\(i) appears here only\n")
        }
        let summary = try s.index()
        #expect(summary.added == count)
        #expect(summary.skipped == 0)
        let statistics = try s.store.statistics()
        #expect(statistics.documents == count)
        #expect(statistics.passages == count)
        #expect(try s.searchPaths("token19999") == [s.path("d99/note-19999.md")])
        let again = try s.index()
        #expect(again.unchanged == count)
        #expect(again.bytesRead == 0)
        try s.expectSound()
    }
}

/// Writes `bytes` of space-separated words and no line break, starting with "openingword" and ending
/// with "closingword", without holding the whole file in memory.
private func writeOneLine(_ path: String, bytes: Int) throws {
    guard FileManager.default.createFile(atPath: path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    let words = ["lantern ", "harbour ", "cobalt ", "meridian ", "quartz ", "ember ", "saffron ", "tundra "]
    var block = ""
    var i = 0
    while block.utf8.count < 1 << 16 {
        block += words[i % words.count]
        i += 1
    }
    let blockBytes = Data(block.utf8)
    let opening = Data("openingword ".utf8)
    let closing = Data(" closingword".utf8)
    try handle.write(contentsOf: opening)
    var written = opening.count
    while written + blockBytes.count + closing.count <= bytes {
        try handle.write(contentsOf: blockBytes)
        written += blockBytes.count
    }
    let rest = bytes - written - closing.count
    try handle.write(contentsOf: Data(repeating: UInt8(ascii: "x"), count: max(0, rest)))
    try handle.write(contentsOf: closing)
}
