import ArgumentParser
import Foundation
import LoreCore
import LoreEngine
import LoreStore

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find the passages that best match a query.",
        discussion: """
            Ranks passages by BM25, counting a match in a title or heading above one in body text, and \
            lets no single document crowd out the others. Any text is a valid query: words are matched \
            with their stems ("vacuuming" finds "vacuum"); "a quoted phrase" matches those words in order; \
            a trailing * matches a prefix (vacu*). Operators such as AND, NOT or NEAR are ordinary words here.

            Each result shows its document, heading path, line range, score and a snippet with the matched \
            terms highlighted (on a terminal). --json prints one JSON array for scripts.
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "What to look for.") var query: [String]
    @Option(name: .short, help: "How many passages to show.") var k: Int = 10
    @Flag(name: .long, help: "Print JSON for scripts.") var json = false

    func run() async throws {
        let library = try global.library()
        let kb: KnowledgeBase
        do { kb = try library.open(global.kb) } catch let error as LibraryError { throw CLIError(error.message) }
        let text = query.joined(separator: " ")
        let retrieval = try Retriever(store: kb.store, settings: library.config.retrieval)
            .retrieve(text, limit: max(1, k))
        if json {
            printJSON(retrieval)
        } else {
            printText(retrieval, kb: kb)
        }
    }

    private func printJSON(_ retrieval: Retrieval) {
        struct Result: Encodable {
            var rank: Int
            var path: String
            var title: String
            var headings: [String]
            var lineStart: Int
            var lineEnd: Int
            var score: Double
            var snippet: String
            var text: String
        }
        let results = retrieval.hits.enumerated().map { i, hit in
            Result(rank: i + 1, path: hit.passage.documentPath, title: hit.passage.title,
                   headings: hit.passage.headingPath, lineStart: hit.passage.lineStart, lineEnd: hit.passage.lineEnd,
                   score: (hit.passage.score * 1000).rounded() / 1000,
                   snippet: hit.snippet.replacingOccurrences(of: "\u{1}", with: "").replacingOccurrences(of: "\u{2}", with: ""),
                   text: hit.passage.text)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        if let data = try? encoder.encode(results) { print(JSONText.escapingC1(String(decoding: data, as: UTF8.self))) }
    }

    private func printText(_ retrieval: Retrieval, kb: KnowledgeBase) {
        guard !retrieval.hits.isEmpty else {
            if retrieval.expression == nil {
                print("nothing to search for in \"\(TerminalText.sanitize(retrieval.query, keepNewlines: false))\"; type some words")
            } else {
                print("no passages match; try other words or check `lore kb list` that the knowledge base is indexed")
            }
            return
        }
        let color = Console.stdoutIsTerminal && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        let bold = color ? "\u{1B}[1m" : "", dim = color ? "\u{1B}[2m" : "", reset = color ? "\u{1B}[0m" : ""
        let mark = color ? "\u{1B}[1;33m" : "", unmark = color ? "\u{1B}[0m" : ""
        let roots = kb.definition.paths
        for (i, hit) in retrieval.hits.enumerated() {
            let p = hit.passage
            let path = Self.relative(p.documentPath, roots: roots)
            let location = TerminalText.sanitize("\(path):\(p.lineStart)-\(p.lineEnd)", keepNewlines: false)
            print("\(bold)\(i + 1). \(TerminalText.sanitize(p.title, keepNewlines: false))\(reset)  \(dim)\(location)  score \(String(format: "%.2f", p.score))\(reset)")
            if !p.headingPath.isEmpty {
                print("   \(dim)\(TerminalText.sanitize(p.headingLabel, keepNewlines: false))\(reset)")
            }
            // The snippet is cut at FTS5's marker bytes first and each piece sanitised, so document bytes can
            // never reach the terminal as control sequences while the markers become highlighting.
            var highlighted = ""
            var inMatch = false
            for piece in hit.snippet.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\u{1}" || $0 == "\u{2}" }) {
                highlighted += (inMatch ? mark : "") + TerminalText.sanitize(piece.replacingOccurrences(of: "\n", with: " "), keepNewlines: false) + (inMatch ? unmark : "")
                inMatch.toggle()
            }
            print("   \(highlighted)")
            print("")
        }
        if Console.stdoutIsTerminal {
            print("\(dim)\(retrieval.hits.count) passages in \(String(format: "%.1f", retrieval.milliseconds)) ms\(reset)")
        }
    }

    static func relative(_ path: String, roots: [String]) -> String {
        for root in roots where path.hasPrefix(root + "/") {
            return String(path.dropFirst(root.count + 1))
        }
        return Format.home(path)
    }
}
