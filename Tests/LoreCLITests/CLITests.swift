import Foundation
import LoreTestSupport
import LoreCore
import Testing

let sampleKB = packageRoot + "/sample-kb"

/// Decodes `kb list --json`.
private struct Listing: Decodable {
    struct Statistics: Decodable {
        var documents: Int
        var passages: Int
        var skipped: Int
    }
    var name: String
    var paths: [String]
    var isDefault: Bool
    var statistics: Statistics?
    var state: String
}

private func listings(_ s: CLISandbox) throws -> [Listing] {
    let result = try s.run("kb", "list", "--json")
    #expect(result.status == 0, "\(result.err)")
    return try JSONDecoder().decode([Listing].self, from: result.stdout)
}

@Suite("lore CLI", .serialized)
struct CLITests {
    @Test("--version prints the version; --help names every subcommand")
    func versionAndHelp() throws {
        let s = try CLISandbox()
        let version = try s.run("--version")
        #expect(version.status == 0)
        #expect(version.out.trimmingCharacters(in: .whitespacesAndNewlines).range(of: #"^\d+\.\d+\.\d+"#,
                                                                                  options: .regularExpression) != nil)
        let help = try s.run("--help")
        #expect(help.status == 0)
        for subcommand in ["kb", "index", "search", "bench"] {
            #expect(help.out.range(of: "\n  \(subcommand) ", options: []) != nil, "--help lists `\(subcommand)`")
        }
        #expect(help.out.contains("LORE_HOME"))
        let kbHelp = try s.run("kb", "--help")
        for subcommand in ["add", "list", "remove", "use"] { #expect(kbHelp.out.contains("  \(subcommand)")) }
    }

    @Test("kb add indexes and kb list shows the counts; kb use moves the default; kb remove deletes the index")
    func knowledgeBaseLifecycle() throws {
        let s = try CLISandbox()
        let empty = try s.run("kb", "list")
        #expect(empty.status == 0)
        #expect(empty.out.contains("no knowledge bases yet"))

        let add = try s.run("kb", "add", "sample", sampleKB)
        #expect(add.status == 0, "\(add.err)")
        #expect(add.out.contains("added knowledge base \"sample\" (default)"))
        let expected = documentCount(under: sampleKB)
        #expect(expected > 5)
        #expect(add.out.contains("added \(expected),"), "\(add.out)")

        let addNotes = try s.run("kb", "add", "notes", sampleKB + "/primer", "--include", "*.md", "--no-index")
        #expect(addNotes.status == 0, "\(addNotes.err)")

        var all = try listings(s)
        #expect(all.map(\.name) == ["notes", "sample"])
        let sample = try #require(all.first { $0.name == "sample" })
        #expect(sample.isDefault)
        #expect(sample.statistics?.documents == expected)
        #expect((sample.statistics?.passages ?? 0) >= expected)
        #expect(sample.state == "indexed")
        let notes = try #require(all.first { $0.name == "notes" })
        #expect(notes.statistics == nil)
        #expect(notes.state == "not indexed yet")

        let table = try s.run("kb", "list")
        let sampleRow = try #require(table.out.split(separator: "\n").first { $0.split(separator: " ").contains("sample") })
        #expect(sampleRow.hasPrefix("*"))
        #expect(sampleRow.split(separator: " ").contains("\(expected)"), "\(sampleRow)")

        let use = try s.run("kb", "use", "notes")
        #expect(use.status == 0, "\(use.err)")
        all = try listings(s)
        #expect(all.first { $0.name == "notes" }?.isDefault == true)
        #expect(all.first { $0.name == "sample" }?.isDefault == false)
        let index = try s.run("index", "-q")
        #expect(index.status == 0, "\(index.err)")
        #expect(index.out.isEmpty, "-q prints nothing")
        let markdownFiles = try FileManager.default.contentsOfDirectory(atPath: sampleKB + "/primer")
            .filter { $0.hasSuffix(".md") }.count
        #expect(markdownFiles < documentCount(under: sampleKB + "/primer"))
        #expect(try listings(s).first { $0.name == "notes" }?.statistics?.documents == markdownFiles,
                "only the Markdown files of primer/ (it also holds .txt, .html, .pdf, .docx and .epub files)")

        let storeFile = s.home + "/data/kb/sample.sqlite"
        #expect(FileManager.default.fileExists(atPath: storeFile))
        let remove = try s.run("kb", "remove", "sample")
        #expect(remove.status == 0, "\(remove.err)")
        #expect(!FileManager.default.fileExists(atPath: storeFile))
        #expect(try listings(s).map(\.name) == ["notes"])
        #expect(FileManager.default.fileExists(atPath: sampleKB + "/guide/installing.md"), "documents are untouched")
        let config = try String(contentsOfFile: s.configFile, encoding: .utf8)
        #expect(!config.contains("[kb.sample]"))
    }

    @Test("an unknown knowledge base is an error that says what to do, with a non-zero exit")
    func unknownKnowledgeBase() throws {
        let s = try CLISandbox()
        try s.run("kb", "add", "sample", sampleKB, "--no-index")
        for arguments in [["search", "--kb", "nope", "vacuum"], ["index", "--kb", "nope"], ["kb", "use", "nope"],
                          ["kb", "remove", "nope"]] {
            let result = try s.run(arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.err.contains("no knowledge base named \"nope\""), "\(arguments): \(result.err)")
            #expect(result.err.contains("lore kb"), "the message names the command that helps: \(result.err)")
        }
        let missingFolder = try s.run("search", "--kb", s.base + "/no/such/folder", "vacuum")
        #expect(missingFolder.status != 0)
        #expect(missingFolder.err.contains("no such folder"), "\(missingFolder.err)")
        let none = try CLISandbox()
        let noKB = try none.run("search", "vacuum")
        #expect(noKB.status != 0)
        #expect(noKB.err.contains("lore kb add"), "\(noKB.err)")
    }

    @Test("a config.toml with a syntax error or a wrongly typed value names the file and the line")
    func brokenConfig() throws {
        let s = try CLISandbox()
        try s.writeFile(s.configFile, Array("""
            # my settings
            default_kb = "notes"
            [model
            name = "x"
            """.utf8))
        let syntax = try s.run("kb", "list")
        #expect(syntax.status != 0)
        #expect(syntax.err.contains(s.configFile + ":3:"), "\(syntax.err)")

        try s.writeFile(s.configFile, Array("""
            [model]
            provider = "openai"
            temperature = "hot"
            """.utf8))
        for arguments in [["kb", "list"], ["search", "anything"], ["index"]] {
            let typed = try s.run(arguments)
            #expect(typed.status != 0)
            #expect(typed.err.contains(s.configFile + ":3:"), "\(arguments): \(typed.err)")
            #expect(typed.err.contains("temperature"), "\(typed.err)")
        }
        // A broken config is never overwritten by a command that edits it.
        let add = try s.run("kb", "add", "x", sampleKB, "--no-index")
        #expect(add.status != 0)
        #expect(try String(contentsOfFile: s.configFile, encoding: .utf8).contains("temperature = \"hot\""))
    }

    @Test("search --json on the sample knowledge base returns passages with every field")
    func searchJSON() throws {
        let s = try CLISandbox()
        let index = try s.run("index", "--kb", sampleKB, "-q")
        #expect(index.status == 0, "\(index.err)")
        let result = try s.run("search", "--kb", sampleKB, "--json", "-k", "5", "chunking", "overlap")
        #expect(result.status == 0, "\(result.err)")
        let parsed = try JSONSerialization.jsonObject(with: result.stdout)
        let hits = try #require(parsed as? [[String: Any]])
        #expect(!hits.isEmpty && hits.count <= 5)
        for hit in hits {
            let path = try #require(hit["path"] as? String)
            #expect(path.hasPrefix(sampleKB + "/"))
            #expect(FileManager.default.fileExists(atPath: path))
            #expect(hit["title"] is String)
            #expect(hit["headings"] is [String])
            let start = try #require(hit["lineStart"] as? Int)
            let end = try #require(hit["lineEnd"] as? Int)
            #expect(start >= 1 && start <= end)
            #expect(hit["score"] is Double)
            #expect(!((hit["snippet"] as? String) ?? "").isEmpty)
        }
        let scores = hits.compactMap { $0["score"] as? Double }
        #expect(scores == scores.sorted(by: >), "best first")
        #expect(hits.contains { ($0["path"] as? String)?.hasSuffix("chunking.txt") == true })
    }

    @Test("hostile queries run without an FTS5 error, in text and JSON output")
    func hostileQueries() throws {
        let s = try CLISandbox()
        try s.run("kb", "add", "sample", sampleKB)
        let queries = ["\"", "'", "NEAR(", "NEAR(a b", "*", "^", "-", ":", "AND", "OR NOT", "title:vacuum", "(", ")",
                       "", "   ", "!!!???", String(repeating: "chunk ", count: 1_700), "日本語の検索", "🔍📚 emoji",
                       "\"unterminated phrase"]
        for query in queries {
            for json in [false, true] {
                let result = try s.run(["search"] + (json ? ["--json"] : []) + ["--", query])
                let label = "query \(query.prefix(40).debugDescription)\(json ? " --json" : "")"
                #expect(result.status == 0, "\(label): \(result.err)")
                // The sample documents themselves talk about FTS5, so only the error's wording is looked for.
                #expect(!(result.out + result.err).contains("fts5: syntax error"), "\(label): \(result.err)")
                #expect(result.err.isEmpty, "\(label): \(result.err)")
                if json { #expect((try? JSONSerialization.jsonObject(with: result.stdout)) is [Any], "\(label)") }
            }
        }
    }

    @Test("escape sequences in documents, titles and file names never reach standard output")
    func terminalSafety() throws {
        let s = try CLISandbox()
        let docs = s.work + "/evil\u{1B}[2Jdocs"
        let hostile = """
            # Title \u{1B}[31mred\u{1B}[0m and \u{9B}31m

            The xylophone \u{1B}[2J\u{1B}[H cleared the screen, wrote \u{1B}]52;c;ZXZpbA==\u{07} to the clipboard,
            linked \u{1B}]8;;http://example.invalid\u{1B}\\here\u{1B}]8;;\u{1B}\\ and sent a DCS \u{1B}P1$r\u{1B}\\ and a
            C1 CSI \u{9B}2J, a backspace\u{08}\u{08}, a bell \u{07} and a DEL \u{7F} to the xylophone player.

            ## Section \u{1B}[1A moved up

            More xylophone text under a hostile heading.
            """
        try s.writeFile(docs + "/note\u{1B}[5m.md", Array(hostile.utf8))
        try s.writeFile(docs + "/plain.md", Array("# Plain\n\nA xylophone without tricks.\n".utf8))

        let index = try s.run("index", "--kb", docs, "-v")
        #expect(index.status == 0, "\(index.err)")
        #expect(index.out.contains("added 2"), "\(index.out)")
        let search = try s.run("search", "--kb", docs, "xylophone")
        #expect(search.status == 0, "\(search.err)")
        #expect(search.out.contains("xylophone"))
        let json = try s.run("search", "--kb", docs, "--json", "xylophone")
        #expect(json.status == 0, "\(json.err)")
        // Escaped, not removed: a script reading the JSON still gets the document's exact text.
        let decoded = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [[String: Any]])
        #expect(decoded.contains { ($0["text"] as? String)?.contains("C1 CSI \u{9B}2J") == true })
        #expect(decoded.contains { ($0["text"] as? String)?.contains("\u{1B}]52;c;") == true })
        let list = try s.run("search", "--kb", docs, "clipboard", "screen")

        for (name, result) in [("index", index), ("search", search), ("search --json", json), ("search 2", list)] {
            #expect(!result.stdout.isEmpty, "\(name)")
            expectTerminalSafe(result.stdout, name)
            expectTerminalSafe(result.stderr, name + " (stderr)")
        }
    }
}

/// No ESC byte, valid UTF-8, and no C1 control (U+0080–U+009F, which a terminal may take as CSI and
/// the like). A 0x9B byte may still occur, but only inside a multi-byte character such as "␛" (E2 90 9B).
func expectTerminalSafe(_ bytes: Data, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(!bytes.contains(0x1B), "\(label): ESC byte in output", sourceLocation: sourceLocation)
    guard let text = String(data: bytes, encoding: .utf8) else {
        Issue.record("\(label): output is not valid UTF-8", sourceLocation: sourceLocation)
        return
    }
    let c1 = text.unicodeScalars.filter { (0x80...0x9F).contains($0.value) }
    #expect(c1.isEmpty, "\(label): C1 controls \(c1.map { String($0.value, radix: 16) })", sourceLocation: sourceLocation)
}
