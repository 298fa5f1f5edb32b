import Foundation
import LoreCore
import Testing
@testable import LoreIngest

private func decoded(_ s: String) throws -> String { try TextDecoding.decode(Array(s.utf8)).get() }
private func headings(_ doc: LoadedDocument) -> [String] {
    doc.blocks.compactMap { if case .heading = $0.kind { $0.text } else { nil } }
}

@Suite struct MarkdownLoaderTests {
    let source = """
    ---
    title: "Lore Guide"
    tags: [a, b]
    ---
    # Introduction

    Lore reads **Markdown** and `code`.

    ## Setup

    ```sql
    # not a heading
    SELECT 1;
    ```

    | name | value |
    | ---- | ----- |
    | a    | 1     |

    - first
    - second
      - nested

    > quoted *text*
    """

    @Test func blocksTitleAndLinesFromCRLFSource() throws {
        let text = try decoded(source.replacingOccurrences(of: "\n", with: "\r\n"))
        let doc = DocumentLoader.load(text: text, path: "guide.md", format: .markdown)
        #expect(doc.title == "Lore Guide")
        #expect(headings(doc) == ["Introduction", "Setup"])
        #expect(doc.blocks[0] == Block(kind: .heading(level: 1), text: "Introduction", lineStart: 5, lineEnd: 5))
        #expect(doc.blocks[1] == Block(kind: .paragraph, text: "Lore reads Markdown and code.", lineStart: 7, lineEnd: 7))
        let code = try #require(doc.blocks.first { $0.kind == .code })
        #expect(code.text == "```sql\n# not a heading\nSELECT 1;\n```")
        #expect(code.lineStart == 11 && code.lineEnd == 14)
        let table = try #require(doc.blocks.first { $0.kind == .table })
        #expect(table.text == "name | value\na | 1")
        #expect(table.lineStart == 16 && table.lineEnd == 18)
        let list = try #require(doc.blocks.first { $0.kind == .list })
        #expect(list.text == "- first\n- second\n  - nested")
        let quote = try #require(doc.blocks.first { $0.kind == .quote })
        #expect(quote.text == "quoted text")
        #expect(quote.lineStart == 24)
    }

    @Test func firstLevelOneHeadingIsTitleWithoutFrontMatter() {
        let doc = DocumentLoader.load(text: "Intro text\n\n## Minor\n\n# Major\n", path: "x.md", format: .markdown)
        #expect(doc.title == "Major")
        #expect(doc.blocks.first == Block(kind: .paragraph, text: "Intro text", lineStart: 1, lineEnd: 1))
    }

    @Test func chunksCarryHeadingPaths() {
        let doc = DocumentLoader.load(text: source, path: "guide.md", format: .markdown)
        let chunks = Chunker.chunk(doc)
        #expect(chunks.map(\.headingPath) == [["Introduction"], ["Introduction", "Setup"]])
        #expect(chunks[1].text.contains("# not a heading"))
    }

    @Test func hostileInputSurvives() {
        for text in ["", "\n\n", String(repeating: ">", count: 20_000) + " deep", String(repeating: "- ", count: 5_000) + "x",
                     "\u{1B}[2J\u{0}\u{7}text", String(repeating: "[", count: 50_000)] {
            _ = DocumentLoader.load(text: text, path: "h.md", format: .markdown)
        }
        let deep = DocumentLoader.load(text: String(repeating: "> ", count: 20_000) + "deep", path: "h.md", format: .markdown)
        #expect(deep.blocks.contains { $0.text.contains("deep") })
    }
}

@Suite struct HTMLLoaderTests {
    @Test func chromeDroppedStructureKept() throws {
        let html = """
        <!DOCTYPE html>
        <html><head><title>Caf&eacute; Guide</title><style>p { color: red }</style>
        <script>var secret = 1;</script></head>
        <body>
        <div class="navheader"><a href="x">Prev</a> Next</div>
        <nav><ul><li>Menu</li></ul></nav>
        <h1>Welcome</h1>
        <p>Fish &amp; chips,
           served   hot.</p>
        <pre>
        if a &lt; b {
            go()
        }</pre>
        <h2>Prices</h2>
        <table><tr><th>Item</th><th>Cost</th></tr>
        <tr><td>Tea</td><td>2</td></tr></table>
        <ul><li>one</li><li>two <b>bold</b></li></ul>
        <div role="navigation">Skip me</div>
        <div class="navfooter">Footer nav</div>
        </body></html>
        """
        let doc = DocumentLoader.load(text: html, path: "a.html", format: .html)
        #expect(doc.title == "Café Guide")
        let all = doc.blocks.map(\.text).joined(separator: "\n")
        for gone in ["secret", "color", "Prev", "Menu", "Skip me", "Footer nav"] { #expect(!all.contains(gone)) }
        #expect(headings(doc) == ["Welcome", "Prices"])
        #expect(doc.blocks.first { $0.text == "Welcome" }?.lineStart == 7)
        let para = try #require(doc.blocks.first { $0.kind == .paragraph })
        #expect(para.text == "Fish & chips, served hot.")
        #expect(para.lineStart == 8 && para.lineEnd == 9)
        let pre = try #require(doc.blocks.first { $0.kind == .code })
        #expect(pre.text == "if a < b {\n    go()\n}")
        #expect(pre.lineStart == 11 && pre.lineEnd == 13)
        #expect(doc.blocks.first { $0.kind == .table }?.text == "Item | Cost\nTea | 2")
        #expect(doc.blocks.filter { $0.kind == .list }.map(\.text) == ["one", "two bold"])
    }

    @Test func postgresRoutineVacuumingPage() throws {
        let path = "/usr/share/doc/postgresql-doc-15/html/routine-vacuuming.html"
        guard let data = FileManager.default.contents(atPath: path) else {
            Issue.record("postgresql-doc-15 is not installed at \(path)")
            return
        }
        let text = try TextDecoding.decode([UInt8](data)).get()
        let doc = DocumentLoader.load(text: text, path: path, format: .html)
        #expect(doc.title?.contains("Routine Vacuuming") == true)
        let chunks = Chunker.chunk(doc)
        #expect(chunks.contains { $0.headingPath.count == 2 && $0.headingPath[0].contains("Routine Vacuuming")
            && $0.headingPath[1].contains("Recovering Disk Space") })
        let all = doc.blocks.map(\.text).joined(separator: "\n")
        // The navigation bars (a table with Prev / Up / Home / Next) are gone.
        #expect(!doc.blocks.contains { $0.kind == .table && $0.text.contains("Prev") })
        #expect(all.contains("VACUUM FULL"))
        let lineCount = TextDecoding.lineCount(text)
        for b in doc.blocks { #expect(b.lineStart >= 1 && b.lineStart <= b.lineEnd && b.lineEnd <= lineCount) }
        // Blocks come in document order.
        for (a, b) in zip(doc.blocks, doc.blocks.dropFirst()) { #expect(a.lineStart <= b.lineStart) }
    }

    @Test func hostileInputSurvives() {
        // libxml2 stops nesting at 256 levels; within that the text is found, beyond it nothing crashes.
        let deep = String(repeating: "<div><span>", count: 120) + "bottom"
        let doc = DocumentLoader.load(text: deep, path: "d.html", format: .html)
        #expect(doc.blocks.map(\.text).joined().contains("bottom"))
        _ = DocumentLoader.load(text: String(repeating: "<div>", count: 100_000) + "x", path: "d.html", format: .html)
        for text in ["", "<", "<p>\u{1B}[31mred\u{0}</p>", "<html><body><table><tr><td>x"] {
            _ = DocumentLoader.load(text: text, path: "h.html", format: .html)
        }
    }
}

@Suite struct RestructuredTextLoaderTests {
    let source = """
    =========
    The Guide
    =========

    Intro with :func:`open` and ``literal`` and `a link <https://x>`_.

    Install
    -------

    Run this::

        make install
        make test

    .. code-block:: python
       :linenos:

       print("hi")

    Details
    ~~~~~~~

    .. note:: Be careful.

       Really careful.

    .. toctree::

       hidden/page

    Usage
    -----

    - item one
    - item two
    """

    @Test func sectionsLevelsAndCode() throws {
        let doc = DocumentLoader.load(text: source, path: "g.rst", format: .restructuredText)
        #expect(doc.title == "The Guide")
        let levels = doc.blocks.compactMap { b -> String? in
            if case .heading(let l) = b.kind { "\(l) \(b.text)" } else { nil }
        }
        #expect(levels == ["1 The Guide", "2 Install", "3 Details", "2 Usage"])
        #expect(doc.blocks[0].lineStart == 1 && doc.blocks[0].lineEnd == 3)
        #expect(doc.blocks[1].text == "Intro with open and literal and a link.")
        #expect(doc.blocks.contains { $0.kind == .paragraph && $0.text == "Run this:" })
        let code = doc.blocks.filter { $0.kind == .code }
        #expect(code.map(\.text) == ["make install\nmake test", "```python\nprint(\"hi\")\n```"])
        #expect(code[0].lineStart == 12 && code[0].lineEnd == 13)
        let all = doc.blocks.map(\.text)
        #expect(all.contains("Be careful.") && all.contains("Really careful."))
        #expect(!all.joined().contains("hidden/page"))
        #expect(doc.blocks.last == Block(kind: .list, text: "- item one\n- item two", lineStart: 34, lineEnd: 35))
    }

    @Test func literalsKeepTheirTildeWhileRolesDropTheirPrefix() {
        let doc = DocumentLoader.load(text: "Files live in ``~/.local/share``; see :func:`~os.path.join` and :class:`!Path`.\n",
                                      path: "x.rst", format: .restructuredText)
        #expect(doc.blocks.first?.text == "Files live in ~/.local/share; see os.path.join and Path.")
    }

    static let pythonDocs = "/usr/share/doc/python3.11/html/_sources/library/os.path.rst.txt"

    /// A real Sphinx source from Debian's python3.11-doc (`.ci/run` installs it).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: pythonDocs),
                   "python3.11-doc is not installed (apt-get install python3.11-doc)"))
    func pythonDocsSources() throws {
        let path = Self.pythonDocs
        let data = try #require(FileManager.default.contents(atPath: path))
        let doc = DocumentLoader.load(text: try TextDecoding.decode([UInt8](data)).get(), path: path,
                                      format: .restructuredText)
        #expect(doc.title?.contains("os.path") == true)
        #expect(doc.blocks.contains { $0.text.contains("abspath(path)") })
        #expect(!doc.blocks.contains { $0.text.contains(":func:") })
    }
}

@Suite struct PlainTextAndCodeLoaderTests {
    @Test func textHeadingsAndParagraphs() {
        let text = "Release Notes\n=============\n\nFirst para\ncontinues.\n\nFixes\n-----\nA fix.\n\n# Hash heading\nLast."
        let doc = DocumentLoader.load(text: text, path: "NEWS", format: .text)
        #expect(doc.title == "Release Notes")
        #expect(headings(doc) == ["Release Notes", "Fixes", "Hash heading"])
        #expect(doc.blocks[1] == Block(kind: .paragraph, text: "First para\ncontinues.", lineStart: 4, lineEnd: 5))
        #expect(doc.blocks.last == Block(kind: .paragraph, text: "Last.", lineStart: 12, lineEnd: 12))
    }

    @Test func codeBlocksSplitBetweenTopLevelDefinitions() {
        let code = "import A\n\nfunc a() {\n    one()\n\n    two()\n}\n\nfunc b() {}\n"
        let doc = DocumentLoader.load(text: code, path: "src/Thing.swift", format: .code)
        #expect(doc.title == "Thing.swift")
        #expect(doc.blocks.map(\.text) == ["import A", "func a() {\n    one()\n\n    two()\n}", "func b() {}"])
        #expect(doc.blocks.map(\.lineStart) == [1, 3, 9])
        #expect(doc.blocks[1].lineEnd == 7)
    }

    @Test func everyLoaderSurvivesHostileText() {
        let big = String(repeating: "x", count: 2_000_000)
        for format in DocumentFormat.allCases {
            for text in ["", "\n", "\r\n\r", "a\rb\r\nc\n", "\u{0}\u{1}\u{1B}[2J", big] {
                let doc = DocumentLoader.load(text: text, path: "f", format: format)
                for b in doc.blocks { #expect(b.lineStart >= 1 && b.lineStart <= b.lineEnd) }
            }
        }
    }
}
