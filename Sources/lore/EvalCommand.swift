import ArgumentParser
import Foundation
import LoreCore
import LoreEngine

struct EvalCommand: AsyncParsableCommand, TakesModelProfile {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure how well each ranking mode finds the documents that answer a set of questions.",
        discussion: """
            QUESTIONS is a JSON Lines file, one question a line: {"q": "how do I …", "relevant": \
            ["guide/setup.md", "faq.html"]}. A relevant entry matches a document whose path ends with it \
            (at a '/' boundary), so a file name alone is enough when it is unique. Lines starting with # \
            are notes.

            Results are ranked by document (a document's best passage counts, once). For each mode the \
            table shows recall at 1, 5 and 10, mean reciprocal rank, nDCG@10 and the median retrieval time, \
            the last also without the question's embedding call (query embeddings are cached, so a mode run \
            after another reuses them). Below it, 95 % intervals for R@5 and MRR from resampling the \
            questions (bootstrap), and each mode against the first with the questions it did better and \
            worse on: with a few dozen questions one question moves recall by a few points, and a \
            difference whose interval spans zero is not one to act on. --verbose lists, per question and \
            mode, the rank of the first relevant document.

            --answers asks every question end to end instead, as `lore ask` does (nothing is saved to the \
            history), and reports citation precision (cited passages that are gold passages of the question \
            or hold 60 % of its reference answer's content words), the share of answers citing a gold \
            passage, the share of sentences with no citation, the reference answer's coverage and the mean \
            answer time. A gold passage is one the question lists under "passages" (as `lore synth` writes), \
            else any passage of a relevant document. --no-retrieval asks the model without passages, to \
            compare answers with and without the knowledge base.
            """)

    @OptionGroup var global: GlobalOptions
    @ParentCommand var root: Lore
    @Argument(help: "The question file (JSON Lines).") var questions: String
    @Option(name: .customLong("mode"), parsing: .singleValue,
            help: ArgumentHelp("A mode to evaluate: bm25, vector, hybrid or rerank; repeat for several.", valueName: "MODE"))
    var modes: [RetrievalMode] = []
    @Flag(help: "Evaluate every mode the configuration allows.") var allModes = false
    @Option(name: .short, help: "Documents ranked per question (recall@10 needs 10).") var k: Int = 10
    @Option(help: "Override [retrieval] rrf_k for this run.") var rrfK: Double?
    @Option(help: "Override [retrieval] candidates (depth of each list before fusion).") var candidates: Int?
    @Option(help: "Override [retrieval] document_weight (what a passage gains from its document's other hits).")
    var documentWeight: Double?
    @Option(help: "Override [retrieval] vector_weight (BM25's weight stays 1 unless --bm25-weight).") var vectorWeight: Double?
    @Option(help: "Override [retrieval] bm25_weight.") var bm25Weight: Double?
    @Flag(name: .shortAndLong, help: "Show the first relevant rank of every question per mode.") var verbose = false
    @Flag(help: "Have the chat model rewrite each question into search queries first (once per question, for every mode).")
    var rewrite = false
    @Option(help: "Time the model may take to rewrite a question, in milliseconds (default 2500).") var rewriteBudgetMs: Int?
    @Option(help: ArgumentHelp("With --rewrite: also write the model's rewrites to FILE (JSON Lines), for --rewrites.",
                               valueName: "FILE"))
    var saveRewrites: String?
    @Option(help: ArgumentHelp("Search the rewrites in FILE (JSON Lines of {\"q\", \"queries\", \"passage\"}, as --save-rewrites writes) instead of asking the model; questions it does not list are searched as asked.",
                               valueName: "FILE"))
    var rewrites: String?
    @Flag(help: "Evaluate answers end to end (citations, latency) instead of retrieval.") var answers = false
    @Flag(help: "With --answers: ask the model without retrieved passages.") var noRetrieval = false
    @Option(help: ArgumentHelp("With --answers or --rewrite: use the [models.NAME] profile of config.toml.", valueName: "NAME"))
    var model: String?
    @Flag(help: "Print the results as one JSON object.") var json = false

    func run() async throws {
        guard let text = try? String(contentsOfFile: questions, encoding: .utf8) else {
            throw CLIError("cannot read \(questions); give a JSON Lines file of {\"q\": …, \"relevant\": […]}")
        }
        let set: [EvalQuestion]
        do { set = try EvalSet.parse(text) } catch let error as EvalSetError { throw CLIError("\(questions): \(error)") }
        guard !set.isEmpty else { throw CLIError("\(questions) holds no questions") }
        if noRetrieval && !answers { throw CLIError("--no-retrieval goes with --answers") }
        if rewrites != nil && (rewrite || rewriteBudgetMs != nil) {
            throw CLIError("--rewrites reads rewrites from a file and --rewrite asks the model; give one of them")
        }
        if saveRewrites != nil && !(rewrite || rewriteBudgetMs != nil) { throw CLIError("--save-rewrites goes with --rewrite") }
        if answers && (rewrites != nil || saveRewrites != nil) {
            throw CLIError("--rewrites and --save-rewrites measure retrieval; leave out --answers")
        }
        var saved: [String: QueryRewrite.Plan]?
        if let rewrites {
            guard let text = try? String(contentsOfFile: rewrites, encoding: .utf8) else {
                throw CLIError("cannot read \(rewrites); give a JSON Lines file of {\"q\": …, \"queries\": […]}, as --save-rewrites writes")
            }
            do { saved = try RewriteFile.parse(text) } catch let error as EvalSetError { throw CLIError("\(rewrites): \(error)") }
        }
        let library = try global.library()
        let kb: KnowledgeBase
        do { kb = try library.open(global.kb) } catch let error as LibraryError { throw CLIError(error.message) }
        if answers {
            try await AnswerEval(set: set, kb: kb, library: library, profile: modelProfile, retrieval: !noRetrieval,
                                 json: json, verbose: verbose).run()
            return
        }
        var settings = library.config.retrieval(forKnowledgeBase: kb.name)
        if let rrfK { settings.rrfK = rrfK }
        if let candidates { settings.candidates = candidates }
        if let vectorWeight { settings.vectorWeight = vectorWeight }
        if let documentWeight { settings.documentWeight = documentWeight }
        if let bm25Weight { settings.bm25Weight = bm25Weight }
        var chosen = modes
        if allModes || chosen.isEmpty {
            chosen = [.bm25]
            if settings.embedding != nil { chosen += [.vector, .hybrid] }
            if settings.rerank != nil { chosen.append(.rerank) }
        }
        let retriever = Retriever(store: kb.store, settings: settings)
        let depth = max(k, 10)
        // Rewrites are asked once per question and reused by every mode, so modes compare on the same queries.
        var plans: [QueryRewrite.Plan?] = set.map { _ in nil }
        // With --json the rewriting summary goes to standard error, so standard output stays one object.
        let say: (String) -> Void = json ? { Console.error($0) } : { print($0) }
        if let saved {
            plans = set.map { saved[$0.question].flatMap { $0.isEmpty ? nil : $0 } }
            say("rewrites from \(rewrites ?? ""): \(plans.compactMap { $0 }.count) of \(set.count) questions rewritten")
            let asked = Set(set.map(\.question))
            let unmatched = saved.keys.filter { !asked.contains($0) }.count
            if unmatched > 0 {
                Console.error("lore: \(unmatched) of the rewrites in \(rewrites ?? "") match no question of \(questions); "
                              + "their \"q\" must be spelled exactly as in the question set")
            }
        } else if rewrite || rewriteBudgetMs != nil {
            let chat: ModelSettings?
            do {
                chat = try await ModelChoice.resolve(config: library.config, profile: modelProfile, knowledgeBase: kb.name,
                                                     probe: false).settings
            } catch let error as LibraryError { throw CLIError(error.message) }
            guard let chat, chat.provider != ModelProvider.none else {
                throw CLIError("--rewrite needs a chat model; configure [model] in config.toml")
            }
            var budget = RewriteSettings()
            if let rewriteBudgetMs { budget.budgetMilliseconds = max(1, rewriteBudgetMs) }
            let rewriter = QueryRewriter(model: chat, settings: budget)
            var times: [Double] = []
            var notes: [String: Int] = [:]
            for (qi, question) in set.enumerated() {
                let outcome = await rewriter.rewrite(question.question, history: [])
                plans[qi] = outcome.plan
                times.append(outcome.milliseconds)
                if let note = outcome.note { notes[note, default: 0] += 1 }
                if verbose, let plan = outcome.plan {
                    for query in plan.queries { say("  rewrite q\(qi + 1): \(TerminalText.sanitize(query, keepNewlines: false))") }
                }
            }
            say(String(format: "rewriting: %d of %d questions rewritten; model time p50 %.0f ms, mean %.0f ms",
                         plans.compactMap { $0 }.count, set.count, Percentiles(times).at(0.5),
                         times.reduce(0, +) / Double(max(1, times.count))))
            for (note, count) in notes.sorted(by: { $0.value > $1.value }) { say("  \(count)× \(note)") }
            if let saveRewrites {
                let lines = zip(set, plans).compactMap { question, plan in
                    plan.map { RewriteFile.line(question: question.question, plan: $0) }
                }
                do {
                    try Data((lines.map { $0 + "\n" }.joined()).utf8).write(to: URL(fileURLWithPath: saveRewrites), options: .atomic)
                    say("  saved \(lines.count) rewrites to \(saveRewrites)")
                } catch {
                    Console.error("lore: cannot write \(saveRewrites) (\(error.localizedDescription)); give a writable path. "
                                  + "The scores below are measured all the same.")
                }
            }
        }
        var rows: [(mode: RetrievalMode, scores: RetrievalScores, total: [Double], ranking: [Double], fallbacks: Int,
                    recall5: [Double], reciprocal: [Double])] = []
        var firstRanks: [[String]] = set.map { _ in [] }
        for mode in chosen {
            var scores = RetrievalScores()
            var total: [Double] = [], ranking: [Double] = []
            var fallbacks = 0
            var recall5: [Double] = [], reciprocal: [Double] = []
            for (qi, question) in set.enumerated() {
                let retrieval = if let plan = plans[qi] {
                    try await retriever.retrieve(question.question, plan: plan, mode: mode, limit: depth * 3)
                } else {
                    try await retriever.retrieve(question.question, mode: mode, limit: depth * 3)
                }
                if retrieval.fallbackReason != nil { fallbacks += 1 }
                var seen = Set<String>()
                let documents = retrieval.hits.map(\.passage.documentPath).filter { seen.insert($0).inserted }
                let flags = EvalSet.judge(Array(documents.prefix(depth)), question: question)
                scores.add(flags, relevantTotal: question.relevant.count)
                recall5.append(RetrievalMetrics.recall(flags, relevantTotal: question.relevant.count, at: 5))
                reciprocal.append(RetrievalMetrics.reciprocalRank(flags))
                total.append(retrieval.milliseconds)
                ranking.append(retrieval.milliseconds - retrieval.embeddingMilliseconds)
                firstRanks[qi].append(flags.firstIndex(of: true).map { String($0 + 1) } ?? "–")
            }
            rows.append((mode, scores.mean, total, ranking, fallbacks, recall5, reciprocal))
        }
        if json {
            let object: [String: Any] = [
                "questions": set.count, "kb": kb.name, "k": depth,
                "modes": rows.map { row -> [String: Any] in
                    let s = row.scores
                    let r5 = Bootstrap.interval(row.recall5), rr = Bootstrap.interval(row.reciprocal)
                    return ["mode": row.mode.rawValue, "recallAt1": s.recallAt1, "recallAt5": s.recallAt5,
                            "recallAt10": s.recallAt10, "mrr": s.mrr, "ndcgAt10": s.ndcgAt10,
                            "recallAt5Interval95": [r5.low, r5.high], "mrrInterval95": [rr.low, rr.high],
                            "p50Milliseconds": Percentiles(row.total).at(0.5), "fallbacks": row.fallbacks]
                },
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            FileHandle.standardOutput.write(JSONText.escapingControls(data) + Data([0x0A]))
            return
        }
        print("\(set.count) questions, \(kb.name), k = \(depth)" +
              (chosen.contains { $0 != .bm25 } ? String(format: ", rrf_k %.0f, candidates %d, weights bm25 %.2f / vector %.2f, document %.2f",
                                                         settings.rrfK, settings.candidates, settings.bm25Weight, settings.vectorWeight,
                                                         settings.documentWeight) : ""))
        print("mode      R@1    R@5    R@10   MRR    nDCG@10  p50 ms  p50 ms w/o embedding")
        for row in rows {
            let s = row.scores
            print(row.mode.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0) + String(format: "  %.3f  %.3f  %.3f  %.3f  %.3f    %6.2f  %6.2f",
                         s.recallAt1, s.recallAt5, s.recallAt10, s.mrr, s.ndcgAt10,
                         Percentiles(row.total).at(0.5), Percentiles(row.ranking).at(0.5)))
            if row.fallbacks > 0 {
                print("          (\(row.fallbacks) questions fell back to keywords: embedding or rerank server unavailable)")
            }
        }
        print("")
        print("95 % intervals, resampling the questions (bootstrap):")
        for row in rows {
            let r5 = Bootstrap.interval(row.recall5), rr = Bootstrap.interval(row.reciprocal)
            print(row.mode.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
                  + String(format: "  R@5 %.3f [%.3f, %.3f]   MRR %.3f [%.3f, %.3f]", r5.mean, r5.low, r5.high, rr.mean, rr.low, rr.high))
        }
        if let first = rows.first {
            for row in rows.dropFirst() {
                let r5 = Bootstrap.compare(row.recall5, first.recall5), rr = Bootstrap.compare(row.reciprocal, first.reciprocal)
                print("\(row.mode.rawValue) − \(first.mode.rawValue): "
                      + String(format: "R@5 %+.3f [%+.3f, %+.3f], %d questions better, %d worse; MRR %+.3f [%+.3f, %+.3f]",
                               r5.difference.mean, r5.difference.low, r5.difference.high, r5.better, r5.worse,
                               rr.difference.mean, rr.difference.low, rr.difference.high))
            }
        }
        if verbose {
            print("")
            print("first relevant rank per question: " + chosen.map(\.rawValue).joined(separator: " / "))
            for (question, ranks) in zip(set, firstRanks) {
                print("  " + ranks.joined(separator: " / ") + "  " + TerminalText.sanitize(question.question, keepNewlines: false))
            }
        }
    }
}
