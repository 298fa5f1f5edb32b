import CLoreZlib
import Foundation
import LoreCore
import LoreTestSupport
import Testing
import ZIPFoundation
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
        // Without a numbering part the kind of list is unknown: every item reads as a bullet.
        #expect(doc.blocks[4].text == "• first item\n  • nested item\n• styled item")
        #expect(doc.blocks[5].text == "method | signal\nBM25 | lexical\nvectors | semantic")
        #expect(!(doc.text ?? "").contains("removed words"))
        #expect(doc.pageStarts.isEmpty)
        expectLinesMatch(doc)
        let table = doc.blocks[5]
        #expect(table.lineEnd - table.lineStart == 2)
        #expect(headingPaths(doc).contains(["Why ranking matters", "Fusion"]))
    }

    /// A list paragraph of instance `num` at `level`, with `style` if given.
    static func item(_ text: String, num: Int, level: Int = 0, style: String? = nil) -> String {
        let pStyle = style.map { "<w:pStyle w:val=\"\($0)\"/>" } ?? ""
        return "<w:p><w:pPr>\(pStyle)<w:numPr><w:ilvl w:val=\"\(level)\"/><w:numId w:val=\"\(num)\"/></w:numPr></w:pPr>"
            + "<w:r><w:t>\(text)</w:t></w:r></w:p>"
    }

    static func level(_ index: Int, _ format: String, _ text: String, start: Int = 1) -> String {
        "<w:lvl w:ilvl=\"\(index)\"><w:start w:val=\"\(start)\"/><w:numFmt w:val=\"\(format)\"/>"
            + "<w:lvlText w:val=\"\(text)\"/></w:lvl>"
    }

    static let numbering = ContainerFixtures.Part("word/numbering.xml", """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <w:numbering \(F.wordNamespaceDeclarations)>\
        <w:abstractNum w:abstractNumId="0">\(level(0, "decimal", "%1."))\(level(1, "lowerLetter", "%2)"))\
        \(level(2, "bullet", "\u{F0B7}"))</w:abstractNum>\
        <w:abstractNum w:abstractNumId="1">\(level(0, "bullet", "o"))</w:abstractNum>\
        <w:abstractNum w:abstractNumId="2">\(level(0, "upperRoman", "%1."))\(level(1, "decimal", "%1.%2.", start: 3))\
        </w:abstractNum>\
        <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>\
        <w:num w:numId="2"><w:abstractNumId w:val="0"/>\
        <w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>\
        <w:num w:numId="3"><w:abstractNumId w:val="1"/></w:num>\
        <w:num w:numId="4"><w:abstractNumId w:val="2"/></w:num>\
        </w:numbering>
        """)

    @Test("list items carry Word's markers: numbers per level from numbering.xml, bullets as •, nesting indented")
    func numbering() throws {
        let body = Self.item("Install", num: 1) + Self.item("Download", num: 1, level: 1)
            + Self.item("Unpack", num: 1, level: 1) + Self.item("check the sum", num: 1, level: 2)
            + Self.item("Configure", num: 1) + Self.item("Edit the file", num: 1, level: 1)
            + F.wordParagraph("styled item", style: "Bullets")
            + F.wordParagraph("Between the lists.")
            // The same list goes on after a paragraph; a second instance with a start override restarts it.
            + Self.item("Test", num: 1) + Self.item("Again", num: 2)
            + F.wordParagraph("Two more.")
            + Self.item("Scope", num: 4) + Self.item("Terms", num: 4, level: 1) + Self.item("Symbols", num: 4, level: 1)
            // numId 0 switches a list style off for one paragraph; an unknown list reads as bullets.
            + Self.item("not an item", num: 0, style: "Bullets") + Self.item("unknown list", num: 42)
        let doc = try loaded(try F.zip(F.docxParts(body: body, styles: Self.styles, extra: [Self.numbering])), .docx)
        #expect(doc.text == """
            1. Install
              a) Download
              b) Unpack
                • check the sum
            2. Configure
              a) Edit the file
            • styled item

            Between the lists.

            3. Test
            1. Again

            Two more.

            I. Scope
              I.3. Terms
              I.4. Symbols

            not an item

            • unknown list

            """)
        #expect(doc.blocks.map(\.kind) == [.list, .paragraph, .list, .paragraph, .list, .paragraph, .list])
        expectLinesMatch(doc)
    }

    static func notesPart(_ element: String, _ notes: String) -> ContainerFixtures.Part {
        ContainerFixtures.Part("word/\(element)s.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <w:\(element)s \(F.wordNamespaceDeclarations)>\
            <w:\(element) w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:\(element)>\
            <w:\(element) w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>\
            </w:\(element)>\(notes)</w:\(element)s>
            """)
    }

    static func note(_ element: String, id: Int, _ paragraphs: [String]) -> String {
        "<w:\(element) w:id=\"\(id)\">" + paragraphs.map { text in
            "<w:p><w:pPr><w:pStyle w:val=\"FootnoteText\"/></w:pPr><w:r><w:\(element)Ref/></w:r>"
                + "<w:r><w:t xml:space=\"preserve\"> \(text)</w:t></w:r></w:p>"
        }.joined() + "</w:\(element)>"
    }

    static func reference(_ element: String, id: Int) -> String {
        "<w:r><w:rPr><w:rStyle w:val=\"FootnoteReference\"/></w:rPr><w:\(element)Reference w:id=\"\(id)\"/></w:r>"
    }

    @Test("footnotes and endnotes: a [^n] where referenced, the note as a paragraph at the end of its section")
    func notes() throws {
        let body = F.wordParagraph("Sources", style: "Heading1")
            + "<w:p><w:r><w:t>BM25 is a ranking function</w:t></w:r>\(Self.reference("footnote", id: 2))"
            + "<w:r><w:t xml:space=\"preserve\"> used widely.</w:t></w:r>\(Self.reference("endnote", id: 1))</w:p>"
            + F.wordParagraph("Second paragraph.")
            + F.wordParagraph("Next", style: "Heading1")
            // A note in a table cell, one with two paragraphs, and a reference to a note that is not there.
            + "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>k1</w:t></w:r>\(Self.reference("footnote", id: 4))</w:p></w:tc>"
            + "<w:tc><w:p><w:r><w:t>value</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
            + "<w:p><w:r><w:t>More text</w:t></w:r>\(Self.reference("footnote", id: 3))"
            + "\(Self.reference("footnote", id: 9))</w:p>"
        let footnotes = Self.notesPart("footnote", Self.note("footnote", id: 2, ["Robertson and Zaragoza, 2009."])
            + Self.note("footnote", id: 3, ["First part.", "Second part."])
            + Self.note("footnote", id: 4, ["A key."]))
        let endnotes = Self.notesPart("endnote", Self.note("endnote", id: 1, ["See the appendix."]))
        let doc = try loaded(try F.zip(F.docxParts(body: body, extra: [footnotes, endnotes])), .docx)
        #expect(doc.text == """
            Sources

            BM25 is a ranking function[^1] used widely.[^2]

            Second paragraph.

            [^1] Robertson and Zaragoza, 2009.

            [^2] See the appendix.

            Next

            k1[^3] | value

            More text[^4]

            [^3] A key.

            [^4] First part. Second part.

            """)
        expectLinesMatch(doc)
        // A note is cut into passages under the heading of the section that references it.
        let chunks = Chunker.chunk(doc, options: .default)
        #expect(chunks.first { $0.text.contains("Robertson") }?.headingPath == ["Sources"])
        #expect(chunks.first { $0.text.contains("Second part") }?.headingPath == ["Next"])

        // Without the notes parts the references leave no trace.
        let bare = try loaded(try F.zip(F.docxParts(body: body)), .docx)
        #expect(!(bare.text ?? "").contains("[^"))
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

/// Reading one entry: Lore finds its data from the local header and inflates it itself, bounded by what the
/// central directory says, so an entry whose data or headers lie is damaged and never stalls the indexer.
@Suite struct ZipEntryReadingTests {
    static let main = "word/document.xml"

    /// A Word document's entries as stored, and the index of its main part: 200 paragraphs, about 21 KB of
    /// XML in well under 1 KB of deflate, so that cutting the stream anywhere leaves it mid-way.
    static func docxEntries() throws -> (entries: [ContainerFixtures.RawEntry], main: Int) {
        let body = (1...200).map { F.wordParagraph("Paragraph \($0) about lexical and semantic retrieval.") }.joined()
        let entries = F.rawEntries(try F.zip(F.docxParts(body: body, title: "Raw")))
        return (entries, try #require(entries.firstIndex { $0.name == main }))
    }

    static func read(_ file: [UInt8], _ name: String = main) -> Result<[UInt8], ZipContainer.ReadFailure>? {
        file.withUnsafeBytes { raw in
            guard case .success(let zip) = ZipContainer.open(raw) else { return nil }
            return zip.read(name)
        }
    }

    @Test("the raw writer round-trips: a rewritten archive loads as the original does")
    func rawRoundTrip() throws {
        let (entries, _) = try Self.docxEntries()
        let doc = try loaded(F.rawZip(entries), .docx)
        #expect(doc.title == "Raw")
        #expect(doc.text?.contains("Paragraph 200 about") == true)
    }

    @Test("a deflate stream cut short, with sizes that agree with the cut, is damaged")
    func truncatedStream() throws {
        var (entries, main) = try Self.docxEntries()
        entries[main].data.removeLast(entries[main].data.count / 2)
        entries[main].compressedSize = UInt32(entries[main].data.count)
        let file = F.rawZip(entries)
        #expect(load(file, .docx) == .skipped(.damaged))
        guard case .failure(.damaged) = Self.read(file) else {
            Issue.record("reading the cut part fails as damaged")
            return
        }
    }

    /// A stored deflate block promises 65,535 bytes and the archive ends first. Every byte after it is valid
    /// block content, so no inflater sees an error: one that reads on to the end of the file and then waits
    /// for more (ZIPFoundation 0.9.20 on Linux) never returns.
    @Test("a deflate stream that runs on to the end of the file is damaged, and reading it returns")
    func streamRunningToEndOfFile() throws {
        var (entries, main) = try Self.docxEntries()
        var part = entries.remove(at: main)
        let xml = Array(F.docxParts(body: F.wordParagraph("cut")).first { $0.name == Self.main }!.bytes)
        part.data = [0x00, 0xFF, 0xFF, 0x00, 0x00] + xml
        part.compressedSize = UInt32(part.data.count)
        part.uncompressedSize = UInt32(xml.count)
        entries.append(part)
        let file = F.rawZip(entries)
        #expect(load(file, .docx) == .skipped(.damaged))
        guard case .failure(.damaged) = Self.read(file) else {
            Issue.record("reading the unfinished part fails as damaged")
            return
        }
    }

    @Test("a compressed size that claims more bytes than the file holds is damaged")
    func compressedSizePastEnd() throws {
        for claim: UInt32 in [1_000_000, 0xFFFF_FFFE] {
            var (entries, main) = try Self.docxEntries()
            entries[main].compressedSize = entries[main].compressedSize &+ claim
            let file = F.rawZip(entries)
            #expect(load(file, .docx) == .skipped(.damaged), "\(claim)")
            guard case .failure(.damaged) = Self.read(file) else {
                Issue.record("reading past the end fails as damaged")
                continue
            }
        }
    }

    @Test("a CRC-32 that does not match the unpacked bytes is damaged, deflated or stored")
    func crcMismatch() throws {
        var (entries, main) = try Self.docxEntries()
        entries[main].crc32 ^= 1
        #expect(load(F.rawZip(entries), .docx) == .skipped(.damaged))
        var parts = F.docxParts(body: F.wordParagraph("Stored text."))
        for index in parts.indices { parts[index].compressed = false }
        var stored = F.rawEntries(try F.zip(parts))
        let at = try #require(stored.firstIndex { $0.name == Self.main })
        #expect(stored[at].method == 0)
        stored[at].crc32 ^= 0x8000_0000
        #expect(load(F.rawZip(stored), .docx) == .skipped(.damaged))
    }

    @Test("stored (method 0) entries read byte for byte; a stored entry whose two sizes differ is damaged")
    func storedEntries() throws {
        var parts = F.docxParts(body: F.wordParagraph("Stored text.", style: "Heading1"))
        for index in parts.indices { parts[index].compressed = false }
        let file = try F.zip(parts)
        #expect(try loaded(file, .docx).title == "Stored text.")
        let expected = try #require(parts.first { $0.name == Self.main }).bytes
        guard case .success(let bytes) = Self.read(file) else {
            Issue.record("the stored part reads")
            return
        }
        #expect(bytes == expected)
        var entries = F.rawEntries(file)
        let at = try #require(entries.firstIndex { $0.name == Self.main })
        entries[at].uncompressedSize -= 1
        #expect(load(F.rawZip(entries), .docx) == .skipped(.damaged))
    }

    @Test("entries with data descriptors after their data, as LibreOffice and Java write them, read as usual")
    func dataDescriptors() throws {
        var (entries, _) = try Self.docxEntries()
        for index in entries.indices { entries[index].descriptor = true }
        let doc = try loaded(F.rawZip(entries), .docx)
        #expect(doc.title == "Raw")
        #expect(doc.text?.contains("Paragraph 200 about") == true)
    }

    @Test("unpacked sizes that disagree with the declared one are damaged: shorter, or longer within the budget")
    func sizeMismatch() throws {
        let (entries, main) = try Self.docxEntries()
        var shorter = entries
        shorter[main].uncompressedSize += 7
        #expect(load(F.rawZip(shorter), .docx) == .skipped(.damaged))
        var longer = entries
        longer[main].uncompressedSize -= 100
        let file = F.rawZip(longer)
        #expect(load(file, .docx) == .skipped(.damaged))
        guard case .failure(.damaged) = Self.read(file) else {
            Issue.record("a part longer than declared but far inside the budget is damaged, not a bomb")
            return
        }
    }

    @Test("encrypted entries and compression methods other than stored and deflate are damaged")
    func unsupportedEntries() throws {
        var (entries, main) = try Self.docxEntries()
        entries[main].flags |= 1
        #expect(load(F.rawZip(entries), .docx) == .skipped(.damaged))
        for method: UInt16 in [9, 12, 14, 93, 99] {
            var (other, at) = try Self.docxEntries()
            other[at].method = method
            #expect(load(F.rawZip(other), .docx) == .skipped(.damaged), "method \(method)")
        }
    }

    @Test("a local header that disagrees with the central directory about the method is damaged")
    func localHeaderMismatch() throws {
        var (entries, main) = try Self.docxEntries()
        entries.insert(entries.remove(at: main), at: 0)
        var file = F.rawZip(entries)
        // The first local header's compression method: stored, where the central directory says deflate.
        #expect(file[8] == 8)
        file[8] = 0
        #expect(load(file, .docx) == .skipped(.damaged))
    }

    @Test("ZIP64 sizes in extra fields read as usual, and so does a ZIP64 end record that agrees with the plain one")
    func zip64() throws {
        var (entries, main) = try Self.docxEntries()
        for index in entries.indices { entries[index].zip64 = true }
        for end in [F.EndRecord.plain, .zip64] {
            #expect(try loaded(F.rawZip(entries, end: end), .docx).title == "Raw", "\(end)")
        }
        // The 64-bit compressed size is the one that counts, and it too must stay inside the file.
        entries[main].compressedSize += 1_000_000
        #expect(load(F.rawZip(entries), .docx) == .skipped(.damaged))
    }

    /// ZIPFoundation follows these fields before Lore reads a byte of the entry, and its in-memory reader
    /// traps once sought past the end; a file under 4 GiB never needs them, so they are refused.
    @Test("saturated offsets, saturated end records, and data descriptors on ZIP64 entries are damaged, not a crash")
    func zip64Refused() throws {
        let (entries, _) = try Self.docxEntries()
        var offsets = entries
        for index in offsets.indices { offsets[index].zip64Offset = true }
        #expect(load(F.rawZip(offsets), .docx) == .skipped(.damaged))
        #expect(load(F.rawZip(entries, end: .zip64Saturated), .docx) == .skipped(.damaged))
        var streamed = entries
        for index in streamed.indices {
            streamed[index].zip64 = true
            streamed[index].descriptor = true
        }
        #expect(load(F.rawZip(streamed), .docx) == .skipped(.damaged))
    }

    @Test("offsets past the end of the file are damaged, never followed", arguments: ["local header", "directory"])
    func offsetsPastEnd(field: String) throws {
        var file = F.rawZip(try Self.docxEntries().entries)
        let eocd = file.count - 22
        let directory = Int(file[eocd + 16]) | Int(file[eocd + 17]) << 8 | Int(file[eocd + 18]) << 16
        // The first record's local header offset, or the end record's offset of the whole directory.
        let at = field == "local header" ? directory + 42 : eocd + 16
        for i in 0..<4 { file[at + i] = [0x00, 0x00, 0x00, 0x10][i] }
        #expect(load(file, .docx) == .skipped(.damaged))
    }

    @Test("a data descriptor that the sizes place past the end of the file is damaged, never looked for")
    func descriptorPastEnd() throws {
        var (entries, main) = try Self.docxEntries()
        for index in entries.indices { entries[index].descriptor = true }
        entries[main].compressedSize += 1_000_000
        #expect(load(F.rawZip(entries), .docx) == .skipped(.damaged))
    }

    @Test("the sample knowledge base's DOCX and EPUB: every entry reads exactly as ZIPFoundation extracts it",
          arguments: ["embeddings.docx", "rag-primer.epub"])
    func sampleDocuments(file: String) throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: packageRoot + "/sample-kb/primer/" + file)))
        let archive = try Archive(data: Data(bytes), accessMode: .read, pathEncoding: nil)
        var count = 0
        try bytes.withUnsafeBytes { raw in
            guard case .success(let zip) = ZipContainer.open(raw) else {
                Issue.record("\(file) opens")
                return
            }
            for entry in archive where entry.type == .file {
                var expected = Data()
                _ = try archive.extract(entry, skipCRC32: false) { expected.append($0) }
                guard case .success(let read) = zip.read(entry.path) else {
                    Issue.record("\(file): \(entry.path) reads")
                    continue
                }
                #expect(read == [UInt8](expected), "\(file): \(entry.path)")
                count += 1
            }
        }
        #expect(count > 3)
    }
}

/// The one inflate call into zlib, by itself: each way it can stop, and that it always does.
@Suite struct RawInflateTests {
    /// A part's raw deflate stream, its unpacked bytes and their CRC-32.
    static func stream() throws -> (deflated: [UInt8], text: [UInt8], crc: UInt32) {
        let text = Array((1...300).map { "line \($0) of a part\n" }.joined().utf8)
        let entry = try #require(F.rawEntries(try F.zip([F.Part("part.txt", bytes: text)])).first)
        #expect(entry.method == 8)
        return (entry.data, text, entry.crc32)
    }

    static func inflate(_ input: [UInt8], room: Int) -> (status: lore_inflate_status, bytes: [UInt8], crc: UInt32) {
        var status = LORE_INFLATE_OK
        var crc: UInt32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: room) { buffer, initialized in
            status = input.withUnsafeBytes { lore_inflate_raw($0.baseAddress, $0.count, buffer.baseAddress, room, &initialized, &crc) }
        }
        return (status, bytes, crc)
    }

    @Test("a whole stream inflates with its CRC, into exactly its size or more room")
    func whole() throws {
        let (deflated, text, crc) = try Self.stream()
        for room in [text.count, text.count + 1, text.count * 2] {
            let result = Self.inflate(deflated, room: room)
            #expect(result.status == LORE_INFLATE_OK, "room \(room)")
            #expect(result.bytes == text)
            #expect(result.crc == crc)
        }
        #expect(text.withUnsafeBytes { lore_crc32($0.baseAddress, $0.count) } == crc)
    }

    @Test("one byte too little room is too large, and what fit is kept")
    func tooLarge() throws {
        let (deflated, text, _) = try Self.stream()
        let result = Self.inflate(deflated, room: text.count - 1)
        #expect(result.status == LORE_INFLATE_TOO_LARGE)
        #expect(result.bytes == Array(text.dropLast()))
        #expect(Self.inflate(deflated, room: 0).status == LORE_INFLATE_TOO_LARGE)
    }

    @Test("input that ends before the stream does is truncated, however much room there is")
    func truncated() throws {
        let (deflated, text, _) = try Self.stream()
        for cut in [1, deflated.count / 2, deflated.count - 1] {
            #expect(Self.inflate(Array(deflated.prefix(cut)), room: text.count * 2).status == LORE_INFLATE_TRUNCATED,
                    "cut at \(cut)")
        }
        #expect(Self.inflate([], room: 16).status == LORE_INFLATE_TRUNCATED)
        // A stored block promising 65,535 bytes and holding ten: all valid, and never finished.
        let open = Self.inflate([0x00, 0xFF, 0xFF, 0x00, 0x00] + Array(repeating: 0x41, count: 10), room: 1 << 20)
        #expect(open.status == LORE_INFLATE_TRUNCATED)
        #expect(open.bytes == Array(repeating: 0x41, count: 10))
    }

    @Test("bytes that are not deflate are a data error")
    func dataError() {
        // Block type 3 is reserved; a stored block's length must match its complement.
        #expect(Self.inflate([0xFF, 0xFF, 0xFF], room: 64).status == LORE_INFLATE_DATA_ERROR)
        #expect(Self.inflate([0x01, 0x05, 0x00, 0x00, 0x00] + Array(repeating: 0, count: 5), room: 64).status
                == LORE_INFLATE_DATA_ERROR)
    }

    @Test("counting without keeping: stops one byte past the limit, or gives the whole size")
    func count() throws {
        let filler = try #require(F.rawEntries(try F.zipOfFiller(entry: "f", size: 8 << 20)).first).data
        #expect(filler.count < 64 << 10)
        var counted = 0
        #expect(filler.withUnsafeBytes { lore_inflate_count($0.baseAddress, $0.count, 1 << 20, &counted) }
                == LORE_INFLATE_TOO_LARGE)
        #expect(counted == 1 << 20)
        #expect(filler.withUnsafeBytes { lore_inflate_count($0.baseAddress, $0.count, 8 << 20, &counted) }
                == LORE_INFLATE_OK)
        #expect(counted == 8 << 20)
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
