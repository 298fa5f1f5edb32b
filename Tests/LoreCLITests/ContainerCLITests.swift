import Foundation
import LoreTestSupport
import Testing

/// DOCX, ODT and EPUB files through the built binary: indexed, found with their heading paths, and the
/// refused ones counted by reason in `lore index`.
@Suite struct ContainerCLITests {
    private typealias F = ContainerFixtures

    @Test("lore index takes in DOCX, ODT and EPUB, counts refused archives by reason; search --json shows headings")
    func indexAndSearch() throws {
        let s = try CLISandbox()
        let docs = s.work + "/docs"
        let body = F.wordParagraph("Retrieval handbook", style: "Title")
            + F.wordParagraph("Hybrid search", style: "Heading1")
            + F.wordParagraph("Fusion", style: "Heading2")
            + F.wordParagraph("Reciprocal rank fusion merges the quokka rankings.")
            + F.wordTable([["signal", "strength"], ["lexical", "exact terms"]])
        try s.writeFile(docs + "/handbook.docx", try F.zip(F.docxParts(body: body)))
        try s.writeFile(docs + "/notes.odt", try F.zip(F.odtParts(
            text: "<text:h text:outline-level=\"1\">Chunk sizes</text:h><text:p>Wombat passages of 200 tokens.</text:p>",
            title: "Notes")))
        try s.writeFile(docs + "/book.epub", try F.zip(F.epubParts(title: "Primer", chapters: [
            F.Chapter(file: "one.xhtml", tocTitle: "Chapter One", body: "<h1>Rerankers</h1><p>A platypus cross-encoder.</p>"),
        ])))
        try s.writeFile(docs + "/escape.docx", try F.zip(F.docxParts(body: F.wordParagraph("x"))
                                                      + [F.Part("../../evil.xml", "<evil/>")]))
        let parts = F.docxParts(body: "").filter { $0.name != "word/document.xml" }
        try s.writeFile(docs + "/bomb.docx", try F.zipOfFiller(entry: "word/document.xml", size: 32 << 20, beside: parts))
        let whole = try F.zip(F.docxParts(body: F.wordParagraph("whole")))
        try s.writeFile(docs + "/cut.epub", Array(whole.prefix(whole.count / 2)))

        let index = try s.run("index", "--kb", docs, "--verbose")
        #expect(index.status == 0, "\(index.err)")
        #expect(index.out.contains("added 3,"), "\(index.out)")
        #expect(index.out.contains("skipped 3 (1 damaged, 2 unsafeArchive)"), "\(index.out)")
        #expect(index.err.contains("escape.docx: refused: unsafe archive"), "\(index.err)")
        #expect(index.err.contains("cut.epub: damaged or truncated file"), "\(index.err)")
        for folder in [s.work, s.base, docs] {
            #expect(!FileManager.default.fileExists(atPath: folder + "/evil.xml"))
        }

        func hits(_ query: String) throws -> [[String: Any]] {
            let result = try s.run("search", "--kb", docs, "--json", query)
            #expect(result.status == 0, "\(result.err)")
            return try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]])
        }
        let docx = try #require(try hits("quokka").first)
        #expect((docx["path"] as? String)?.hasSuffix("/handbook.docx") == true)
        #expect(docx["title"] as? String == "Retrieval handbook")
        #expect(docx["headings"] as? [String] == ["Hybrid search", "Fusion"])
        let odt = try #require(try hits("wombat").first)
        #expect(odt["title"] as? String == "Notes")
        #expect(odt["headings"] as? [String] == ["Chunk sizes"])
        let epub = try #require(try hits("platypus").first)
        #expect(epub["title"] as? String == "Primer")
        #expect(epub["headings"] as? [String] == ["Chapter One", "Rerankers"])
        #expect(try hits("evil").isEmpty)
    }
}
