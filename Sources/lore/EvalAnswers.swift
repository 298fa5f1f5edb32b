import Foundation
import LoreCore
import LoreEngine

/// `lore eval --answers`: every question asked end to end through `ChatSession`, the answers scored by
/// `AnswerMetrics`.
struct AnswerEval {
    var set: [EvalQuestion]
    var kb: KnowledgeBase
    var library: Library
    var profile: String?
    var retrieval: Bool
    var json: Bool
    var verbose: Bool

    struct Row {
        var question: EvalQuestion
        var score: AnswerScore
        var milliseconds: Double
        var state: String
        var extractive: Bool
        var answer: String
    }

    func run() async throws {
        let choice: ModelChoice
        do { choice = try await ModelChoice.resolve(config: library.config, profile: profile) } catch let error as LibraryError {
            throw CLIError(error.message)
        }
        guard let settings = choice.settings else {
            throw CLIError("""
                lore eval --answers needs a chat model (\(choice.explanation)); set [model] provider, base_url \
                and name in \(library.configFile.path), or pass --model NAME for a [models.NAME] profile
                """)
        }
        var session = ChatSession(kb: kb, retrieval: library.config.retrieval(forKnowledgeBase: kb.name), model: settings,
                                  noModelReason: choice.explanation)
        session.savesTurns = false
        session.usesRetrieval = retrieval
        var totals = AnswerTotals()
        var rows: [Row] = []
        for (index, question) in set.enumerated() {
            if Console.stderrIsTerminal { Console.status("answering \(index + 1)/\(set.count)") }
            var sources: [ScoredSource] = []
            var outcome: TurnOutcome?
            for try await event in session.ask(question.question) {
                switch event {
                case .retrieved(let numbered, _, _):
                    sources = numbered.map { ScoredSource(number: $0.number, passageID: $0.passage.id,
                                                          documentPath: $0.passage.documentPath, text: $0.passage.text) }
                case .finished(let o): outcome = o
                default: break
                }
            }
            guard let outcome else { throw CLIError("question \(index + 1) got no answer") }
            let score = AnswerMetrics.score(answer: outcome.answer, sources: sources, question: question)
            var extractive = false
            if case .extractive = outcome.mode { extractive = true }
            totals.add(score, milliseconds: outcome.totalMilliseconds)
            rows.append(Row(question: question, score: score, milliseconds: outcome.totalMilliseconds,
                            state: outcome.state.rawValue, extractive: extractive, answer: outcome.answer))
        }
        Console.clearStatus()
        let label = retrieval ? "rag" : "no-rag"
        let modelName = settings.name.isEmpty ? settings.provider.rawValue : settings.name
        let failed = rows.filter { $0.state == "error" }.count
        let extractive = rows.filter(\.extractive).count
        if json {
            var object: [String: Any] = [
                "questions": set.count, "kb": kb.name, "model": modelName, "mode": label,
                "answersCitingGold": totals.goldCitedShare, "meanMilliseconds": totals.meanMilliseconds,
                "citations": totals.cited, "sentences": totals.sentences, "errors": failed, "extractive": extractive,
            ]
            if let p = totals.citationPrecision { object["citationPrecision"] = p }
            if let u = totals.uncitedSentenceShare { object["uncitedSentences"] = u }
            if let c = totals.meanReferenceCoverage { object["referenceCoverage"] = c }
            object["perQuestion"] = rows.map { row -> [String: Any] in
                var item: [String: Any] = ["q": row.question.question, "cited": row.score.cited,
                                           "supportingCited": row.score.supportingCited, "citesGold": row.score.citesGold,
                                           "sentences": row.score.sentences, "uncitedSentences": row.score.uncitedSentences,
                                           "milliseconds": row.milliseconds, "state": row.state]
                if let c = row.score.referenceCoverage { item["referenceCoverage"] = c }
                if verbose { item["answer"] = row.answer }
                return item
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            FileHandle.standardOutput.write(JSONText.escapingControls(data) + Data([0x0A]))
            return
        }
        func share(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "  –  " }
        print("\(set.count) questions, \(kb.name), model \(modelName), " + (retrieval ? "with retrieval" : "without retrieval"))
        print("answers  cit.prec  cites gold  uncited sent.  ref. coverage  mean ms")
        print(label.padding(toLength: 7, withPad: " ", startingAt: 0)
              + "  " + share(totals.citationPrecision) + "     " + share(retrieval ? totals.goldCitedShare : nil)
              + "       " + share(totals.uncitedSentenceShare) + "          " + share(totals.meanReferenceCoverage)
              + String(format: "          %7.0f", totals.meanMilliseconds))
        print("          (\(totals.cited) citations over \(totals.sentences) sentences)")
        if failed > 0 { print("          (\(failed) answers failed)") }
        if extractive > 0 { print("          (\(extractive) answers were extractive: the model could not be reached)") }
        if verbose {
            print("")
            print("per question: cited / supporting / gold / uncited of sentences / ms")
            for row in rows {
                let s = row.score
                print(String(format: "  %d / %d / %@ / %d of %d / %.0f  ", s.cited, s.supportingCited, s.citesGold ? "yes" : "no",
                             s.uncitedSentences, s.sentences, row.milliseconds)
                      + TerminalText.sanitize(row.question.question, keepNewlines: false))
            }
        }
    }
}
