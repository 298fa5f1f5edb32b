import Foundation
import Testing
@testable import LoreCore

@Suite struct ChunkerTests {
    private func doc(_ blocks: [Block]) -> LoadedDocument { LoadedDocument(title: nil, format: .markdown, blocks: blocks) }
    private func para(_ text: String, _ a: Int, _ b: Int? = nil) -> Block {
        Block(kind: .paragraph, text: text, lineStart: a, lineEnd: b ?? a)
    }
    private func heading(_ level: Int, _ text: String, _ line: Int) -> Block {
        Block(kind: .heading(level: level), text: text, lineStart: line, lineEnd: line)
    }
    private func sentence(_ i: Int) -> String { "Sentence number \(i) talks about vacuuming tables and indexes." }

    @Test func emptyDocumentHasNoChunks() {
        #expect(Chunker.chunk(doc([])).isEmpty)
        #expect(Chunker.chunk(doc([para("   \n ", 1, 2)])).isEmpty)
    }

    @Test func headingPathFollowsNesting() {
        let chunks = Chunker.chunk(doc([
            heading(1, "Server Administration", 1),
            para("Intro.", 3),
            heading(2, "Routine Vacuuming", 5),
            para("Vacuum basics.", 7),
            heading(3, "Recovering Disk Space", 9),
            para("Space text.", 11),
            heading(2, "Backup", 13),
            para("Backup text.", 15),
        ]))
        #expect(chunks.map(\.headingPath) == [
            ["Server Administration"],
            ["Server Administration", "Routine Vacuuming"],
            ["Server Administration", "Routine Vacuuming", "Recovering Disk Space"],
            ["Server Administration", "Backup"],
        ])
        #expect(chunks[2].text == "Recovering Disk Space\n\nSpace text.")
        #expect(chunks[2].lineStart == 9 && chunks[2].lineEnd == 11)
        #expect(chunks[3].headingLabel == "Server Administration › Backup")
    }

    @Test func headingsWithoutBodyJoinTheNextChunk() {
        let chunks = Chunker.chunk(doc([heading(1, "Guide", 1), heading(2, "Install", 3), para("Run make.", 5)]))
        #expect(chunks.count == 1)
        #expect(chunks[0].headingPath == ["Guide", "Install"])
        #expect(chunks[0].text == "Guide\n\nInstall\n\nRun make.")
        #expect(chunks[0].lineStart == 1 && chunks[0].lineEnd == 5)
    }

    @Test func trailingHeadingIsKept() {
        let chunks = Chunker.chunk(doc([para("Body.", 1), heading(2, "Appendix", 3)]))
        #expect(chunks.map(\.text) == ["Body.", "Appendix"])
    }

    @Test func smallBlocksArePackedUpToTarget() {
        let options = ChunkingOptions(targetTokens: 40, overlapTokens: 0, maxTokens: 80)
        let blocks = (0..<10).map { para(sentence($0), $0 * 2 + 1) }
        let chunks = Chunker.chunk(doc(blocks), options: options)
        #expect(chunks.count > 1)
        for c in chunks { #expect(c.tokenEstimate <= 40) }
        #expect(chunks.map(\.text).joined(separator: "\n\n") == blocks.map(\.text).joined(separator: "\n\n"))
        #expect(chunks.first?.lineStart == 1 && chunks.last?.lineEnd == 19)
        for (a, b) in zip(chunks, chunks.dropFirst()) { #expect(a.lineEnd < b.lineStart) }
    }

    @Test func splitSectionsOverlapWithWholeBlocks() {
        let options = ChunkingOptions(targetTokens: 40, overlapTokens: 15, maxTokens: 80)
        let blocks = (0..<8).map { para(sentence($0), $0 + 1) }
        let chunks = Chunker.chunk(doc(blocks), options: options)
        #expect(chunks.count >= 3)
        for (a, b) in zip(chunks, chunks.dropFirst()) {
            let lastBlockOfA = a.text.components(separatedBy: "\n\n").last!
            #expect(b.text.hasPrefix(lastBlockOfA))
            #expect(b.lineStart == a.lineEnd)
            #expect(b.text != a.text)
        }
    }

    @Test func codeBlockIsNeverSplitBelowMax() {
        let options = ChunkingOptions(targetTokens: 30, overlapTokens: 8, maxTokens: 200)
        let code = (1...12).map { "let value\($0) = compute(\($0))" }.joined(separator: "\n")
        let chunks = Chunker.chunk(doc([
            para("Before the code there is some prose.", 1),
            Block(kind: .code, text: "```swift\n" + code + "\n```", lineStart: 3, lineEnd: 16),
            para("After.", 18),
        ]), options: options)
        let holding = chunks.filter { $0.text.contains("let value1 ") }
        #expect(holding.count == 1)
        #expect(holding[0].text.contains("let value12 = compute(12)\n```"))
        #expect(holding[0].lineStart == 3 && holding[0].lineEnd == 16)
    }

    @Test func oversizedCodeIsSplitAtLineBoundariesWithExactLines() {
        let options = ChunkingOptions(targetTokens: 32, overlapTokens: 8, maxTokens: 64)
        let lines = (1...60).map { "    call(\($0))" }
        let chunks = Chunker.chunk(doc([Block(kind: .code, text: lines.joined(separator: "\n"), lineStart: 101, lineEnd: 160)]),
                                   options: options)
        #expect(chunks.count > 2)
        var next = 101
        for c in chunks {
            let pieceLines = c.text.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(pieceLines.allSatisfy { $0.hasPrefix("    call(") })
            #expect(c.lineStart == next)
            #expect(c.lineEnd == c.lineStart + pieceLines.count - 1)
            #expect(pieceLines.first == Substring(lines[c.lineStart - 101]))
            next = c.lineEnd + 1
        }
        #expect(next == 161)
    }

    @Test func oversizedTableSplitsBetweenRowsWithoutRepeating() {
        let options = ChunkingOptions(targetTokens: 20, overlapTokens: 8, maxTokens: 40)
        let rows = (1...30).map { "name\($0) | value\($0) | note" }
        let chunks = Chunker.chunk(doc([Block(kind: .table, text: rows.joined(separator: "\n"), lineStart: 1, lineEnd: 30)]),
                                   options: options)
        #expect(chunks.count > 1)
        let all = chunks.flatMap { $0.text.split(separator: "\n").map(String.init) }
        #expect(all == rows)
    }

    @Test func giantSingleLineIsSplitInBoundedPieces() {
        let options = ChunkingOptions.default
        var line = ""
        line.reserveCapacity(5_300_000)
        var i = 0
        while line.utf8.count < 5_000_000 {
            line += "Word\(i % 97) and more words follow here"
            line += i % 9 == 0 ? ". " : " "
            i += 1
        }
        let chunks = Chunker.chunk(doc([heading(1, "Huge", 1), para(line, 2)]), options: options)
        #expect(chunks.count > 1000)
        for c in chunks {
            #expect(c.tokenEstimate <= options.targetTokens + 8)
            #expect(c.lineStart >= 1 && c.lineEnd <= 2)
            #expect(c.headingPath == ["Huge"])
        }
        #expect(chunks[0].text.hasPrefix("Huge\n\nWord0 and"))
        // Pieces overlap a little and cover the line from start to end.
        #expect(chunks.last.map { line.trimmingCharacters(in: .whitespaces).hasSuffix($0.text) } == true)
        let covered = chunks.dropFirst().reduce(0) { $0 + $1.text.utf8.count }
        #expect(covered < line.utf8.count + chunks.count * options.overlapTokens * 8)
    }

    @Test func lineWithoutSpacesIsCutOnCharacterBoundaries() {
        let options = ChunkingOptions(targetTokens: 16, overlapTokens: 4, maxTokens: 32)
        let text = String(repeating: "e\u{301}日本🇫🇷", count: 500)  // combining mark, CJK, flag
        let chunks = Chunker.chunk(doc([para(text, 7)]), options: options)
        #expect(chunks.count > 10)
        for c in chunks {
            #expect(!c.text.unicodeScalars.first!.properties.isGraphemeExtend)
            #expect(c.text.unicodeScalars.allSatisfy { $0 != "\u{FFFD}" })
            #expect(c.lineStart == 7 && c.lineEnd == 7)
        }
        // Without spaces there is no word to overlap at, so the pieces are exactly the text.
        #expect(chunks.map(\.text).joined() == text)
    }

    @Test func optionsAreClamped() {
        let o = ChunkingOptions(targetTokens: 0, overlapTokens: 1000, maxTokens: 1)
        #expect(o.targetTokens == 16 && o.maxTokens == 16 && o.overlapTokens == 8)
        #expect(ChunkingOptions.default.targetTokens == 256)
    }

    @Test func passagesOfAPagedDocumentSpanThePagesOfTheirLines() {
        // Three pages starting at lines 1, 10 and 20.
        let blocks = [
            Block(kind: .paragraph, text: String(repeating: "alpha ", count: 300), lineStart: 2, lineEnd: 8),
            Block(kind: .paragraph, text: String(repeating: "beta ", count: 300), lineStart: 9, lineEnd: 12),
            Block(kind: .paragraph, text: "gamma closes the document.", lineStart: 25, lineEnd: 25),
        ]
        let doc = LoadedDocument(title: "Manual", format: .pdf, blocks: blocks, pageStarts: [1, 10, 20])
        #expect(doc.page(ofLine: 1) == 1 && doc.page(ofLine: 9) == 1 && doc.page(ofLine: 10) == 2)
        #expect(doc.page(ofLine: 400) == 3)
        let chunks = Chunker.chunk(doc)
        #expect(!chunks.isEmpty)
        for c in chunks {
            #expect(c.pageStart == doc.page(ofLine: c.lineStart) && c.pageEnd == doc.page(ofLine: c.lineEnd))
        }
        #expect(chunks.last?.pageEnd == 3)
        #expect(Chunker.chunk(LoadedDocument(title: nil, format: .markdown, blocks: blocks)).allSatisfy { $0.pageStart == nil })
    }
}
