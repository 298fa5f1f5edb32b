import Foundation
import LoreTestSupport
import Testing

/// The PDFs that scripts/make-test-pdfs.py made for the loader's tests.
private let pdfFixtures = packageRoot + "/Tests/Fixtures/pdf"

@Suite("lore with PDFs")
struct PDFCLITests {
    private struct Hit: Decodable {
        var path: String
        var headings: [String]
        var pageStart: Int?
        var pageEnd: Int?
        var text: String
    }

    @Test("lore kb list names the PDFs it could not index, with their reasons")
    func kbListNamesSkippedFiles() throws {
        let s = try CLISandbox()
        let folder = s.work + "/pdfs"
        for name in ["with-outline.pdf", "encrypted.pdf", "scanned.pdf"] {
            try s.writeFile(folder + "/" + name, Array(try Data(contentsOf: URL(fileURLWithPath: pdfFixtures + "/" + name))))
        }
        let add = try s.run("kb", "add", "manuals", folder)
        #expect(add.status == 0, "\(add.err)")
        let list = try s.run("kb", "list")
        #expect(list.status == 0, "\(list.err)")
        #expect(list.out.contains("indexed, 2 skipped"), "\(list.out)")
        #expect(list.out.contains("manuals: 2 skipped"), "\(list.out)")
        #expect(list.out.contains("encrypted.pdf: encrypted (password protected)"), "\(list.out)")
        #expect(list.out.contains("scanned.pdf: no text to index"), "\(list.out)")
        #expect(!list.out.contains("with-outline.pdf:"), "\(list.out)")
    }

    @Test("lore index counts unreadable PDFs by reason; lore search --json gives pages")
    func indexAndSearch() throws {
        let s = try CLISandbox()
        let folder = s.work + "/pdfs"
        for name in ["with-outline.pdf", "without-outline.pdf", "encrypted.pdf", "scanned.pdf", "truncated.pdf"] {
            try s.writeFile(folder + "/" + name, Array(try Data(contentsOf: URL(fileURLWithPath: pdfFixtures + "/" + name))))
        }
        let index = try s.run("index", "--kb", folder)
        #expect(index.status == 0, "\(index.err)")
        let report = index.out + index.err
        #expect(report.contains("added 2,"), "\(report)")
        #expect(report.contains("skipped 3 (1 damaged, 1 encrypted, 1 noText)"), "\(report)")

        let search = try s.run("search", "--kb", folder, "--json", "anticlockwise")
        #expect(search.status == 0, "\(search.err)")
        let hits = try JSONDecoder().decode([Hit].self, from: search.stdout)
        let hit = try #require(hits.first)
        #expect(hit.path.hasSuffix("/with-outline.pdf"))
        #expect(hit.headings == ["2 Usage"])
        #expect(hit.pageEnd == 3)
        #expect((hit.pageStart ?? 0) >= 2)

        let other = try s.run("search", "--kb", folder, "--json", "pumpkin")
        let pumpkin = try #require(try JSONDecoder().decode([Hit].self, from: other.stdout).first)
        // Its two short pages make one passage.
        #expect(pumpkin.pageStart == 1 && pumpkin.pageEnd == 2)
    }
}
