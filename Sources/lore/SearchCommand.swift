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

            --mode chooses the ranking: bm25 (keywords), vector (embedding similarity; needs [embedding] \
            in config.toml and `lore index` to have embedded the passages), hybrid (reciprocal rank fusion \
            of both) or rerank (hybrid, then reordered by [retrieval.rerank]). Without --mode the best the \
            configuration allows is used; when the embedding server is down, Lore says so and ranks by \
            keywords. --explain shows each result's BM25 rank, vector rank and similarity, fused score \
            and rerank score.
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "What to look for.") var query: [String]
    @Option(name: .short, help: "How many passages to show.") var k: Int = 10
    @Flag(name: .long, help: "Print JSON for scripts.") var json = false
    @Option(help: ArgumentHelp("Ranking: bm25, vector, hybrid or rerank (default: the best configured).",
                               valueName: "MODE"))
    var mode: RetrievalMode?
    @Flag(help: "Show how each result was ranked: BM25 rank, vector rank, fused and rerank scores.") var explain = false
    @Flag(help: "Have the chat model rewrite the query into search queries first ([retrieval] rewrite).")
    var rewrite = false
    @Option(help: "Time the model may take to rewrite, in milliseconds.") var rewriteBudgetMs: Int?

    func run() async throws {
        let library = try global.library()
        let kb: KnowledgeBase
        kb = try global.openForQuestions(library)
        let text = query.joined(separator: " ")
        var settings = library.config.retrieval(forKnowledgeBase: kb.name)
        if rewrite || rewriteBudgetMs != nil { settings.rewrite = settings.rewrite ?? RewriteSettings() }
        if let rewriteBudgetMs { settings.rewrite?.budgetMilliseconds = max(1, rewriteBudgetMs) }
        var model: ModelSettings?
        if settings.rewrite != nil {
            do {
                model = try await ModelChoice.resolve(config: library.config, profile: nil, knowledgeBase: kb.name,
                                                      probe: false).settings
            } catch let error as LibraryError { throw CLIError(error.message) }
            if model == nil || model?.provider == ModelProvider.none {
                Console.error("lore: no chat model is configured to rewrite the query; searching it as written")
                model = nil
            }
        }
        let retrieval = try await Retriever(store: kb.store, settings: settings)
            .retrieve(text, rewriting: text, history: [], model: model, mode: mode, limit: max(1, k))
        if let reason = retrieval.fallbackReason { Console.error("lore: \(reason)") }
        if let note = retrieval.rewriteNote { Console.error("lore: \(note)") }
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
            /// Pages of a paged document (PDF); absent for others.
            var pageStart: Int?
            var pageEnd: Int?
            var score: Double
            var snippet: String
            var text: String
            var bm25Rank: Int?
            var vectorRank: Int?
            var vectorScore: Double?
            var fusedScore: Double?
            var rerankScore: Double?
        }
        let results = retrieval.hits.enumerated().map { i, hit in
            Result(rank: i + 1, path: hit.passage.documentPath, title: hit.passage.title,
                   headings: hit.passage.headingPath, lineStart: hit.passage.lineStart, lineEnd: hit.passage.lineEnd,
                   pageStart: hit.passage.pageStart, pageEnd: hit.passage.pageEnd,
                   score: (hit.passage.score * 1000).rounded() / 1000,
                   snippet: hit.snippet.replacingOccurrences(of: "\u{1}", with: "").replacingOccurrences(of: "\u{2}", with: ""),
                   text: hit.passage.text,
                   bm25Rank: retrieval.explanations[safe: i]?.bm25Rank,
                   vectorRank: retrieval.explanations[safe: i]?.vectorRank,
                   vectorScore: retrieval.explanations[safe: i]?.vectorScore.map { ($0 * 10000).rounded() / 10000 },
                   fusedScore: retrieval.explanations[safe: i]?.fusedScore.map { ($0 * 100000).rounded() / 100000 },
                   rerankScore: retrieval.explanations[safe: i]?.rerankScore)
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
            let location = TerminalText.sanitize(p.location(path: CLILocation.path(of: p, roots: roots)),
                                                 keepNewlines: false)
            print("\(bold)\(i + 1). \(TerminalText.sanitize(p.title, keepNewlines: false))\(reset)  \(dim)\(location)  score \(String(format: "%.2f", p.score))\(reset)")
            let headings = p.headingsBelowTitle
            if !headings.isEmpty {
                print("   \(dim)\(TerminalText.sanitize(headings.joined(separator: " › "), keepNewlines: false))\(reset)")
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
            if explain, let e = retrieval.explanations[safe: i] { print("   \(dim)\(Self.explanation(e))\(reset)") }
            print("")
        }
        if Console.stdoutIsTerminal {
            print("\(dim)\(retrieval.hits.count) passages in \(String(format: "%.1f", retrieval.milliseconds)) ms\(reset)")
        }
        if explain {
            var line = "mode \(retrieval.mode.rawValue); \(String(format: "%.1f", retrieval.milliseconds)) ms"
            if retrieval.embeddingMilliseconds > 0 { line += String(format: " (query embedding %.1f ms)", retrieval.embeddingMilliseconds) }
            if retrieval.rerankMilliseconds > 0 { line += String(format: " (rerank %.1f ms)", retrieval.rerankMilliseconds) }
            if retrieval.rewriteMilliseconds > 0 { line += String(format: " (rewriting %.0f ms)", retrieval.rewriteMilliseconds) }
            print(line)
            for (n, query) in retrieval.rewrites.enumerated() { print("rewrite \(n + 1): \(TerminalText.sanitize(query, keepNewlines: false))") }
        }
    }

    static func explanation(_ e: RankExplanation) -> String {
        var parts = ["bm25 rank " + (e.bm25Rank.map(String.init) ?? "–"), "vector rank " + (e.vectorRank.map(String.init) ?? "–")]
        if let v = e.vectorScore { parts.append(String(format: "cosine %.3f", v)) }
        if let f = e.fusedScore { parts.append(String(format: "fused %.4f", f)) }
        if let r = e.rerankScore { parts.append(String(format: "rerank %.3f", r)) }
        if !e.foundBy.isEmpty {
            parts.append("found by " + e.foundBy.map { TerminalText.sanitize($0, keepNewlines: false) }.joined(separator: " | "))
        }
        return parts.joined(separator: " · ")
    }
}

extension RetrievalMode: ExpressibleByArgument {}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
