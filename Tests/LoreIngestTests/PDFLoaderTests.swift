import Foundation
import LoreCore
import Testing
@testable import LoreIngest

/// The PDFs made by scripts/make-test-pdfs.py, committed beside the tests.
private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/pdf").path

private func fixture(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: fixtures + "/" + name)))
}

private func load(_ name: String) throws -> BinaryLoadResult {
    let bytes = try fixture(name)
    return bytes.withUnsafeBytes { DocumentLoader.load(bytes: $0, path: name, format: .pdf) }
}

private func loaded(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> LoadedDocument {
    guard case .loaded(let document) = try load(name) else {
        Issue.record("\(name) was not loaded", sourceLocation: sourceLocation)
        throw CancellationError()
    }
    return document
}

private func chunk(containing words: String, in chunks: [ChunkDraft],
                   sourceLocation: SourceLocation = #_sourceLocation) throws -> ChunkDraft {
    try #require(chunks.first { $0.text.contains(words) }, "no passage has \"\(words)\"", sourceLocation: sourceLocation)
}

@Suite struct PDFLoaderTests {
    @Test func outlineGivesTitleHeadingsAndPages() throws {
        let doc = try loaded("with-outline.pdf")
        #expect(doc.title == "Widget Handbook")
        #expect(doc.format == .pdf)
        #expect(doc.pageStarts.count == 3)
        let headings = doc.blocks.compactMap { b -> String? in
            if case .heading(let level) = b.kind { "\(level) \(b.text)" } else { nil }
        }
        #expect(headings == ["1 1 Introduction", "2 1.1 Requirements", "1 2 Usage"])
        // The printed heading is the heading, not body text as well.
        #expect(!doc.blocks.contains { $0.kind == .paragraph && $0.text.contains("Requirements") })

        let chunks = Chunker.chunk(doc)
        let intro = try chunk(containing: "frobnicate", in: chunks)
        #expect(intro.headingPath == ["1 Introduction"])
        #expect(intro.pageStart == 1 && intro.pageEnd == 1)
        let requirements = try chunk(containing: "sprockets", in: chunks)
        #expect(requirements.headingPath == ["1 Introduction", "1.1 Requirements"])
        let start = try chunk(containing: "clockwise to start", in: chunks)
        #expect(start.headingPath == ["2 Usage"])
        #expect(start.pageStart == 2)
        let stop = try chunk(containing: "anticlockwise", in: chunks)
        #expect(stop.headingPath == ["2 Usage"])
        #expect(stop.pageEnd == 3)
    }

    @Test func linesCountInTheTextTheViewerShows() throws {
        let doc = try loaded("with-outline.pdf")
        let text = try #require(doc.text)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for block in doc.blocks where block.kind == .paragraph {
            let shown = lines[(block.lineStart - 1)..<block.lineEnd].joined(separator: "\n")
            #expect(shown == block.text)
            // A paragraph stays on one page.
            #expect(doc.page(ofLine: block.lineStart) == doc.page(ofLine: block.lineEnd))
        }
        #expect(lines[doc.pageStarts[2] - 1].contains("To stop the widget"))
    }

    @Test func withoutOutlineOrTitle() throws {
        let doc = try loaded("without-outline.pdf")
        #expect(doc.title == nil)
        #expect(!doc.blocks.contains { if case .heading = $0.kind { true } else { false } })
        let paragraphs = doc.blocks.filter { $0.kind == .paragraph }
        // poppler's page text has no blank line between paragraphs, so each page here is one block; what
        // matters is that no block spans the page break.
        #expect(paragraphs.count == 2)
        #expect(paragraphs.map { doc.page(ofLine: $0.lineStart) } == [1, 2])
        let pumpkin = try #require(paragraphs.first { $0.text.contains("pumpkin festival") })
        #expect(doc.page(ofLine: pumpkin.lineStart) == 2)
        #expect(Chunker.chunk(doc).allSatisfy { $0.pageStart != nil && $0.pageEnd != nil })
    }

    @Test func twoColumnsReadLeftColumnFirst() throws {
        let text = try #require(try loaded("two-columns.pdf").text)
        let order = ["Left column begins", "Apples", "autumn", "Left column ends", "Right column begins",
                     "Salmon", "gravel", "Right column ends"]
        let positions = try order.map { word in
            try #require(text.range(of: word)?.lowerBound, "\(word) is missing from \(text)")
        }
        #expect(positions == positions.sorted(), "\(text)")
    }

    @Test func unreadableFilesAreSkippedWithTheirReason() throws {
        #expect(try load("encrypted.pdf") == .skipped(.encrypted))
        #expect(try load("scanned.pdf") == .skipped(.noText))
        #expect(try load("truncated.pdf") == .skipped(.damaged))
        #expect(try load("garbage.pdf") == .skipped(.damaged))
        #expect([UInt8]().withUnsafeBytes { DocumentLoader.load(bytes: $0, path: "x.pdf", format: .pdf) } == .skipped(.damaged))
        // Cut short so that only the end-of-file marker is missing: poppler could open it, Lore refuses it.
        var cut = try fixture("with-outline.pdf")
        let marker = Array("%%EOF".utf8)
        let at = try #require((0...(cut.count - marker.count)).last { cut[$0..<($0 + marker.count)].elementsEqual(marker) })
        cut.removeSubrange(at...)
        #expect(cut.withUnsafeBytes { DocumentLoader.load(bytes: $0, path: "x.pdf", format: .pdf) } == .skipped(.damaged))
    }

    /// The indexer loads two documents at once. Many loads on several threads must give what one load
    /// gives alone: poppler-glib's shared state is guarded, and each load owns its document.
    @Test func concurrentLoadsAgree() async throws {
        let names = ["with-outline.pdf", "without-outline.pdf", "two-columns.pdf", "encrypted.pdf", "scanned.pdf", "garbage.pdf"]
        let files = try names.map { try fixture($0) }
        let expected = files.map { bytes in bytes.withUnsafeBytes { DocumentLoader.load(bytes: $0, path: "x.pdf", format: .pdf) } }
        let results = await withTaskGroup(of: (Int, BinaryLoadResult).self) { group in
            for round in 0..<24 {
                for (i, bytes) in files.enumerated() {
                    group.addTask {
                        // Each task runs the blocking C call on its own thread from the pool.
                        (i, bytes.withUnsafeBytes { DocumentLoader.load(bytes: $0, path: "r\(round).pdf", format: .pdf) })
                    }
                }
            }
            var all: [(Int, BinaryLoadResult)] = []
            for await r in group { all.append(r) }
            return all
        }
        #expect(results.count == 24 * files.count)
        for (i, result) in results { #expect(result == expected[i], "\(names[i])") }
    }
}

@Suite struct PDFPagesTests {
    @Test func pagesStartOnTheirOwnLinesEvenWhenEmpty() {
        let doc = PDFPages.document(title: "  ", pages: ["one\ntwo\n", "", "three\r\n\u{0C}\nfour"], outline: [])
        #expect(doc.title == nil)
        #expect(doc.text == "one\ntwo\n\nthree\n\nfour")
        #expect(doc.pageStarts == [1, 3, 4])
        #expect(doc.blocks.map(\.text) == ["one\ntwo", "three", "four"])
        #expect(doc.blocks.map(\.lineStart) == [1, 4, 6])
    }

    @Test func paragraphsNeverRunAcrossPages() {
        let doc = PDFPages.document(title: nil, pages: ["end of a sentence that", "goes on here"], outline: [])
        #expect(doc.blocks.count == 2)
        #expect(doc.blocks.map { doc.page(ofLine: $0.lineStart) } == [1, 2])
    }

    @Test func headingsGoWhereTheirTitleIsPrintedElseAtThePageStart() {
        let pages = ["Preface text.\n\n2.1 Setup\nInstall it.", "More setup.\nAppendix\nA Tables\nrows"]
        let outline = [
            PDFPages.OutlineEntry(title: "Preface", level: 1, page: 1),
            PDFPages.OutlineEntry(title: "Setup", level: 2, page: 1),
            PDFPages.OutlineEntry(title: "Tables", level: 1, page: 2),
            PDFPages.OutlineEntry(title: "Nowhere", level: 1, page: 9),
            PDFPages.OutlineEntry(title: "No destination", level: 1, page: nil),
        ]
        let doc = PDFPages.document(title: "T", pages: pages, outline: outline)
        let summary = doc.blocks.map { b -> String in
            if case .heading(let level) = b.kind { "h\(level)@\(b.lineStart) \(b.text)" } else { "p@\(b.lineStart)-\(b.lineEnd)" }
        }
        // "Preface" is not printed as a line of its own, so it opens page 1; "2.1 Setup" and "A Tables" are.
        #expect(summary == ["h1@1 Preface", "p@1-1", "h2@3 Setup", "p@4-4", "p@5-6", "h1@7 Tables", "p@8-8"])
        let chunks = Chunker.chunk(doc)
        #expect(chunks.first { $0.text.contains("Install") }?.headingPath == ["Preface", "Setup"])
        #expect(chunks.first { $0.text.contains("rows") }?.headingPath == ["Tables"])
    }

    @Test func aChildNeverLandsBeforeItsParent() {
        // The parent's title is printed mid-page; the child's is not printed at all.
        let doc = PDFPages.document(title: nil, pages: ["intro\n\nChapter Two\nbody"], outline: [
            PDFPages.OutlineEntry(title: "Chapter Two", level: 1, page: 1),
            PDFPages.OutlineEntry(title: "Unprinted", level: 2, page: 1),
        ])
        let headings = doc.blocks.compactMap { b -> Int? in if case .heading = b.kind { b.lineStart } else { nil } }
        #expect(headings == [3, 3])
        #expect(Chunker.chunk(doc).first { $0.text.contains("body") }?.headingPath == ["Chapter Two", "Unprinted"])
    }

    @Test func printedHeadingMatching() {
        #expect(PDFPages.prints("Usage", "Usage"))
        #expect(PDFPages.prints("Usage", "  2   usage "))
        #expect(PDFPages.prints("Usage", "3.4.1 Usage"))
        #expect(PDFPages.prints("Tables", "B. Tables"))
        #expect(!PDFPages.prints("Usage", "See Usage"))
        #expect(!PDFPages.prints("Usage", "The Usage of widgets in detail"))
    }

    @Test func endMarkerWithinTheLastKilobyte() {
        let tail = Array("%%EOF\n".utf8) + [UInt8](repeating: 0x20, count: 1000)
        #expect(tail.withUnsafeBytes { PDFLoader.hasEndMarker($0) })
        #expect(!(tail + [UInt8](repeating: 0x20, count: 100)).withUnsafeBytes { PDFLoader.hasEndMarker($0) })
        #expect(![UInt8]().withUnsafeBytes { PDFLoader.hasEndMarker($0) })
    }
}

@Suite struct PDFIndexingTests {
    @Test("a folder of PDFs: readable ones indexed with pages, the others counted by reason, also on a re-run")
    func indexesAFolderOfPDFs() throws {
        let sandbox = try IndexerSandbox()
        for name in ["with-outline.pdf", "without-outline.pdf", "two-columns.pdf", "encrypted.pdf", "scanned.pdf",
                     "truncated.pdf", "garbage.pdf"] {
            try sandbox.write(name, bytes: try fixture(name))
        }
        let summary = try sandbox.index()
        #expect(summary.added == 3)
        #expect(summary.skippedByReason == ["encrypted": 1, "noText": 1, "damaged": 2])
        let hit = try #require(try sandbox.search("anticlockwise").first)
        #expect(hit.passage.documentPath == sandbox.path("with-outline.pdf"))
        #expect(hit.passage.title == "Widget Handbook")
        #expect(hit.passage.headingPath == ["2 Usage"])
        #expect(hit.passage.pageEnd == 3)
        // Two short pages make one passage, which spans both.
        let pumpkin = try #require(try sandbox.search("pumpkin").first?.passage)
        #expect(pumpkin.pageStart == 1 && pumpkin.pageEnd == 2)
        let again = try sandbox.index()
        #expect(again.added == 0 && again.updated == 0)
        #expect(again.skippedByReason == ["encrypted": 1, "noText": 1, "damaged": 2])
        try sandbox.expectSound()
    }
}
