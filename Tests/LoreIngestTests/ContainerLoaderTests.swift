import Foundation
import LoreCore
import LoreTestSupport
import Testing
@testable import LoreIngest

private typealias F = ContainerFixtures

private func load(_ bytes: [UInt8], _ format: DocumentFormat) -> BinaryLoadResult {
    bytes.withUnsafeBytes { DocumentLoader.load(bytes: $0, path: "/docs/file", format: format) }
}

private func loaded(_ bytes: [UInt8], _ format: DocumentFormat,
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> LoadedDocument {
    guard case .loaded(let doc) = load(bytes, format) else {
        Issue.record("expected a document, got \(load(bytes, format))", sourceLocation: sourceLocation)
        throw CancellationError()
    }
    return doc
}

/// Every block's text is found at its lines in the rendered text, which is what the source viewer shows.
private func expectLinesMatch(_ doc: LoadedDocument, sourceLocation: SourceLocation = #_sourceLocation) {
    let lines = (doc.text ?? "").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    for block in doc.blocks {
        guard block.lineStart >= 1, block.lineEnd <= lines.count, block.lineStart <= block.lineEnd else {
            Issue.record("block \(block) outside the text's \(lines.count) lines", sourceLocation: sourceLocation)
            continue
        }
        #expect(lines[(block.lineStart - 1)...(block.lineEnd - 1)].joined(separator: "\n") == block.text,
                sourceLocation: sourceLocation)
    }
}

private func headingPaths(_ doc: LoadedDocument) -> [[String]] {
    Chunker.chunk(doc, options: .default).map(\.headingPath)
}

@Suite struct DOCXLoaderTests {
    static let styles = """
        <w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style>
        <w:style w:type="paragraph" w:styleId="Kop1"><w:name w:val="heading 1"/></w:style>
        <w:style w:type="paragraph" w:styleId="Kop2"><w:name w:val="heading 2"/></w:style>
        <w:style w:type="paragraph" w:styleId="Appendix"><w:name w:val="Appendix Heading"/><w:basedOn w:val="Kop2"/></w:style>
        <w:style w:type="paragraph" w:styleId="Bullets"><w:name w:val="List Bullet"/>\
        <w:pPr><w:numPr><w:numId w:val="3"/></w:numPr></w:pPr></w:style>
        """

    static var body: String {
        F.wordParagraph("Ranking Guide", style: "Title")
            + F.wordParagraph("Why ranking matters", style: "Kop1")
            + "<w:p><w:r><w:t xml:space=\"preserve\">BM25 scores </w:t></w:r><w:r><w:rPr><w:b/></w:rPr>"
            + "<w:t>terms</w:t></w:r><w:r><w:tab/><w:t>by rarity.</w:t><w:br/><w:t>Second line.</w:t></w:r>"
            + "<w:del><w:r><w:delText>removed words</w:delText></w:r></w:del></w:p>"
            + F.wordPicture
            + F.wordParagraph("Fusion", style: "Kop2")
            + F.wordParagraph("first item", list: 0)
            + F.wordParagraph("nested item", list: 1)
            + F.wordParagraph("styled item", style: "Bullets")
            + F.wordTable([["method", "signal"], ["BM25", "lexical"], ["vectors", "semantic"]])
            + F.wordParagraph("Extra notes", style: "Appendix")
            + F.wordParagraph("Closing words.")
    }

    @Test("paragraphs, runs, tabs, breaks; headings from styles.xml names; lists; a table kept whole; images skipped")
    func structure() throws {
        let file = try F.zip(F.docxParts(body: Self.body, styles: Self.styles, title: "The Ranking Guide",
                                         extra: [F.Part("word/media/image1.png", bytes: F.pngBytes, compressed: false)]))
        let doc = try loaded(file, .docx)
        #expect(doc.title == "The Ranking Guide")
        #expect(doc.format == .docx)
        #expect(doc.blocks.map(\.kind) == [.heading(level: 1), .heading(level: 1), .paragraph, .heading(level: 2),
                                           .list, .table, .heading(level: 2), .paragraph])
        #expect(doc.blocks[2].text == "BM25 scores terms\tby rarity.\nSecond line.")
        #expect(doc.blocks[4].text == "- first item\n  - nested item\n- styled item")
        #expect(doc.blocks[5].text == "method | signal\nBM25 | lexical\nvectors | semantic")
        #expect(!(doc.text ?? "").contains("removed words"))
        #expect(doc.pageStarts.isEmpty)
        expectLinesMatch(doc)
        let table = doc.blocks[5]
        #expect(table.lineEnd - table.lineStart == 2)
        #expect(headingPaths(doc).contains(["Why ranking matters", "Fusion"]))
    }

    @Test("without styles.xml or core.xml: built-in style ids count, and the Title paragraph is the title")
    func builtInStylesAndTitle() throws {
        let body = F.wordParagraph("Handbook", style: "Title") + F.wordParagraph("Setup", style: "Heading1")
            + F.wordParagraph("Details", style: "heading3") + F.wordParagraph("Text.")
        let doc = try loaded(try F.zip(F.docxParts(body: body)), .docx)
        #expect(doc.title == "Handbook")
        #expect(doc.blocks.map(\.kind) == [.heading(level: 1), .heading(level: 1), .heading(level: 3), .paragraph])
    }

    @Test("a document with only an image has no text and is skipped as such")
    func imageOnly() throws {
        let file = try F.zip(F.docxParts(body: F.wordPicture))
        #expect(load(file, .docx) == .skipped(.noText))
    }
}

@Suite struct ODTLoaderTests {
    @Test("text:h outline levels, paragraphs with spacing elements, nested lists, a whole table; title from meta.xml")
    func structure() throws {
        let text = """
            <text:sequence-decls/>
            <text:h text:outline-level="1">Chunking</text:h>
            <text:p>Passages   are <text:span>cut</text:span> at<text:s text:c="2"/>headings.<text:line-break/>Then \
            by size.<text:note><text:note-body><text:p>a footnote</text:p></text:note-body></text:note></text:p>
            <text:p><draw:frame draw:name="img"><draw:image xlink:href="Pictures/a.png"/></draw:frame></text:p>
            <text:h text:outline-level="2">Sizes</text:h>
            <text:list><text:list-item><text:p>small</text:p><text:list><text:list-item><text:p>tiny</text:p>\
            </text:list-item></text:list></text:list-item><text:list-item><text:p>large</text:p></text:list-item></text:list>
            <table:table table:name="T"><table:table-column/><table:table-header-rows><table:table-row>\
            <table:table-cell><text:p>size</text:p></table:table-cell><table:table-cell><text:p>tokens</text:p>\
            </table:table-cell></table:table-row></table:table-header-rows><table:table-row><table:table-cell>\
            <text:p>small</text:p></table:table-cell><table:table-cell><text:p>200</text:p></table:table-cell>\
            </table:table-row></table:table>
            <text:section><text:p>Inside a section.</text:p></text:section>
            """
        let file = try F.zip(F.odtParts(text: text, title: "Chunking notes",
                                        extra: [F.Part("Pictures/a.png", bytes: F.pngBytes, compressed: false)]))
        let doc = try loaded(file, .odt)
        #expect(doc.title == "Chunking notes")
        #expect(doc.blocks.map(\.kind) == [.heading(level: 1), .paragraph, .heading(level: 2), .list, .table, .paragraph])
        #expect(doc.blocks[1].text == "Passages are cut at  headings.\nThen by size.")
        #expect(doc.blocks[3].text == "- small\n  - tiny\n- large")
        #expect(doc.blocks[4].text == "size | tokens\nsmall | 200")
        #expect(!(doc.text ?? "").contains("footnote"))
        expectLinesMatch(doc)
        #expect(headingPaths(doc).contains(["Chunking", "Sizes"]))
    }
}

@Suite struct EPUBLoaderTests {
    static let chapters = [
        // Listed in the table of contents under a title of its own: that title leads, its h1 is below it.
        F.Chapter(file: "text/ch1.xhtml", tocTitle: "Part One: Retrieval",
                  body: "<h1>Lexical search</h1><p>BM25 weighs rare terms.</p><h2>Tokens</h2><p>Words split.</p>"),
        // Listed under the same title as its heading: no second heading.
        F.Chapter(file: "text/ch2.xhtml", tocTitle: "Fusion",
                  body: "<h2>Fusion</h2><p>Reciprocal rank fusion merges lists.</p><img src=\"../images/figure.png\"/>"),
        // Not listed: its first heading names it.
        F.Chapter(file: "text/ch3.xhtml", tocTitle: nil, body: "<h1>Reranking</h1><p>Cross-encoders rescore.</p>"),
        // Not listed and no heading: the file name is all there is.
        F.Chapter(file: "text/notes%20page.xhtml", tocTitle: nil, body: "<p>Loose notes without a heading.</p>"),
    ]

    @Test("spine order, chapter titles from the navigation document, lines counted in the joined text", arguments: [false, true])
    func structure(ncx: Bool) throws {
        var parts = F.epubParts(title: "A RAG Primer", chapters: Self.chapters, ncx: ncx)
        // The fourth chapter's file name is percent-escaped in the OPF, as the spec asks for a space.
        if let index = parts.firstIndex(where: { $0.name == "OEBPS/text/notes%20page.xhtml" }) {
            parts[index].name = "OEBPS/text/notes page.xhtml"
        }
        let doc = try loaded(try F.zip(parts), .epub)
        #expect(doc.title == "A RAG Primer")
        expectLinesMatch(doc)
        let headings = doc.blocks.compactMap { block -> String? in
            guard case .heading(let level) = block.kind else { return nil }
            return "\(level) \(block.text)"
        }
        #expect(headings == ["1 Part One: Retrieval", "2 Lexical search", "3 Tokens", "1 Fusion", "1 Reranking",
                             "1 notes page.xhtml"])
        let chunks = Chunker.chunk(doc, options: .default)
        let rrf = try #require(chunks.first { $0.text.contains("Reciprocal") })
        #expect(rrf.headingPath == ["Fusion"])
        let tokens = try #require(chunks.first { $0.text.contains("Words split") })
        #expect(tokens.headingPath == ["Part One: Retrieval", "Lexical search", "Tokens"])
        let notes = try #require(chunks.first { $0.text.contains("Loose notes") })
        #expect(notes.headingPath == ["notes page.xhtml"])
        #expect(!(doc.text ?? "").contains("Contents"), "the navigation document is not a chapter")
    }
}

@Suite struct ContainerSafetyTests {
    static var docx: [UInt8] {
        get throws { try F.zip(F.docxParts(body: F.wordParagraph("Safe text.", style: "Heading1"))) }
    }

    @Test("entry names that leave the archive refuse the whole file", arguments: [
        "../../evil.xml", "/etc/evil.xml", "word/../../evil.xml", "word\\..\\..\\evil.xml", "C:/evil.xml",
    ])
    func pathTraversal(name: String) throws {
        for format in [DocumentFormat.docx, .odt, .epub] {
            let parts: [F.Part] = switch format {
            case .docx: F.docxParts(body: F.wordParagraph("Safe text."))
            case .odt: F.odtParts(text: "<text:p>Safe text.</text:p>")
            default: F.epubParts(title: "T", chapters: [F.Chapter(file: "a.xhtml", tocTitle: nil, body: "<p>Safe.</p>")])
            }
            let file = try F.zip(parts + [F.Part(name, "<evil/>")])
            #expect(load(file, format) == .skipped(.unsafeArchive), "\(format) with \(name)")
        }
    }

    @Test("a zip bomb that declares its size is refused before anything is unpacked")
    func declaredBomb() throws {
        let parts = F.docxParts(body: "").filter { $0.name != "word/document.xml" }
        let bomb = try F.zipOfFiller(entry: "word/document.xml", size: 32 << 20, beside: parts)
        #expect(bomb.count < 1 << 20, "the bomb packs 32 MiB into \(bomb.count) bytes")
        #expect(load(bomb, .docx) == .skipped(.unsafeArchive))
    }

    @Test("a zip bomb that lies about its size is stopped while unpacking, at the limit")
    func lyingBomb() throws {
        let parts = F.docxParts(body: "").filter { $0.name != "word/document.xml" }
        let bomb = F.declaringSizes(try F.zipOfFiller(entry: "word/document.xml", size: 32 << 20, beside: parts),
                                    as: 1000)
        #expect(load(bomb, .docx) == .skipped(.unsafeArchive))
        bomb.withUnsafeBytes { raw in
            guard case .success(let zip) = ZipContainer.open(raw) else {
                Issue.record("the lying archive opens: its declared sizes are small")
                return
            }
            guard case .failure(.tooLarge) = zip.read("word/document.xml") else {
                Issue.record("reading the bomb stops with tooLarge")
                return
            }
        }
    }

    @Test("the limit: 100 times the file's size, at least 8 MiB, at most 100 MiB")
    func limit() {
        #expect(ZipContainer.limit(forArchiveOf: 10_000) == 8 << 20)
        #expect(ZipContainer.limit(forArchiveOf: 200_000) == 20_000_000)
        #expect(ZipContainer.limit(forArchiveOf: 5 << 20) == 100 << 20)
        #expect(ZipContainer.limit(forArchiveOf: .max) == 100 << 20)
    }

    @Test("truncated, garbage and incomplete archives are damaged")
    func damaged() throws {
        let file = try Self.docx
        #expect(try loaded(file, .docx).title == "Safe text.")
        #expect(load(Array(file.prefix(file.count / 2)), .docx) == .skipped(.damaged))
        #expect(load(Array(file.dropLast(10)), .docx) == .skipped(.damaged))
        #expect(load([], .docx) == .skipped(.damaged))
        #expect(load(Array("not a zip at all".utf8), .odt) == .skipped(.damaged))
        // A zip without the document's main part, and one whose main part is not XML.
        #expect(load(try F.zip([F.Part("other.txt", "x")]), .docx) == .skipped(.damaged))
        #expect(load(try F.zip([F.Part("content.xml", "<office:text>unclosed")]), .odt) == .skipped(.damaged))
        #expect(load(try F.zip([F.Part("mimetype", "application/epub+zip")]), .epub) == .skipped(.damaged))
        // Bytes flipped inside the main part's compressed data: inflating or the CRC check fails.
        var corrupt = file
        let name = Array("word/document.xml".utf8)
        let header = try #require(corrupt.indices.first { corrupt[$0...].starts(with: name) })
        let extra = Int(corrupt[header - 2]) | Int(corrupt[header - 1]) << 8
        let data = header + name.count + extra
        for at in data + 4..<data + 8 { corrupt[at] ^= 0x5A }
        #expect(load(corrupt, .docx) == .skipped(.damaged))
    }

    @Test("an external entity (XXE) is never fetched or expanded")
    func externalEntity() throws {
        let secret = NSTemporaryDirectory() + "lore-xxe-" + UUID().uuidString
        try "TOP SECRET".write(toFile: secret, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: secret) }
        var parts = F.docxParts(body: "")
        parts[parts.firstIndex { $0.name == "word/document.xml" }!] = F.Part("word/document.xml", """
            <?xml version="1.0"?>
            <!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://\(secret)">]>
            <w:document \(ContainerFixtures.wordNamespaceDeclarations)><w:body><w:p><w:r><w:t>Visible &xxe; text</w:t>\
            </w:r></w:p></w:body></w:document>
            """)
        let doc = try loaded(try F.zip(parts), .docx)
        #expect(!(doc.text ?? "").contains("SECRET"))
        #expect(doc.text?.contains("Visible") == true)
    }
}

@Suite struct ContainerIndexingTests {
    @Test("the indexer takes in the good files, counts the refused ones with their reasons, writes nothing outside")
    func indexFolder() throws {
        let s = try IndexerSandbox()
        try s.write("deep/er/guide.docx", bytes: try F.zip(F.docxParts(body: DOCXLoaderTests.body,
                                                                      styles: DOCXLoaderTests.styles)))
        try s.write("deep/er/notes.odt", bytes: try F.zip(F.odtParts(text: "<text:h>Odt heading</text:h><text:p>odtword</text:p>")))
        try s.write("deep/er/book.epub", bytes: try F.zip(F.epubParts(title: "Book", chapters: EPUBLoaderTests.chapters)))
        try s.write("deep/er/evil.docx", bytes: try F.zip(F.docxParts(body: F.wordParagraph("x"))
                                                            + [F.Part("../../evil.xml", "<evil/>")]))
        let parts = F.docxParts(body: "").filter { $0.name != "word/document.xml" }
        try s.write("deep/er/bomb.docx", bytes: try F.zipOfFiller(entry: "word/document.xml", size: 32 << 20, beside: parts))
        let good = try F.zip(F.docxParts(body: F.wordParagraph("whole")))
        try s.write("deep/er/cut.docx", bytes: Array(good.prefix(good.count - 30)))
        let summary = try s.index()
        #expect(summary.skippedByReason == ["unsafeArchive": 2, "damaged": 1])
        #expect(try s.searchPaths("reciprocal") == [s.path("deep/er/book.epub")])
        #expect(try s.searchPaths("odtword") == [s.path("deep/er/notes.odt")])
        let hit = try #require(try s.search("lexical semantic").first)
        #expect(hit.passage.documentPath == s.path("deep/er/guide.docx"))
        #expect(hit.passage.headingPath == ["Why ranking matters", "Fusion"])
        for folder in [s.base, s.root, s.root + "/deep", NSTemporaryDirectory()] {
            #expect(!FileManager.default.fileExists(atPath: folder + "/evil.xml"))
        }
    }
}
