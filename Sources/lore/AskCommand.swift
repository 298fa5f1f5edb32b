import ArgumentParser
import Dispatch
import Foundation
import LoreCore
import LoreEngine
import LoreLLM

struct AskCommand: AsyncParsableCommand, TakesModelProfile {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Ask a question; the answer streams in, citing numbered passages.",
        discussion: """
            The question retrieves passages from the knowledge base; the model is told to answer only from \
            them and to cite each claim as [n]. The numbered sources follow the answer, with their files \
            and line ranges. With no model configured (or provider = "none"), or when the model server \
            cannot be reached, the answer is built from the best-matching sentences of the passages \
            themselves and labelled extractive.

            Every turn is saved with its sources; --continue ID asks a follow-up in that conversation, \
            and `lore history` lists them. Ctrl-C stops an answer; what came so far is kept.

            --json prints one JSON object per line: {"type": "conversation"|"source"|"retrieval"|"mode"|"notice"|"delta"|"reasoning"|\
            "citation"|"usage"|"done"|"error", ...}.
            """)

    @OptionGroup var global: GlobalOptions
    @ParentCommand var root: Lore
    @Argument(help: "The question.") var question: [String]
    @Option(help: ArgumentHelp("Use the [models.NAME] profile of config.toml.", valueName: "NAME")) var model: String?
    @Option(name: .customLong("continue"), help: ArgumentHelp("Continue conversation ID.", valueName: "ID"))
    var conversation: Int64?
    @Flag(help: "Print JSON events, one per line, for scripts.") var json = false
    @Flag(help: "Also print the model's reasoning, when it sends any (to standard error).") var reasoning = false

    func run() async throws {
        let text = question.joined(separator: " ").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw CLIError("the question is empty; write it after `lore ask`") }
        let library = try global.library()
        if let warning = library.configFile.permissionWarning() { Console.error(warning) }
        let kb: KnowledgeBase
        let choice: ModelChoice
        kb = try global.openForQuestions(library)
        do {
            choice = try await ModelChoice.resolve(config: library.config, profile: modelProfile, knowledgeBase: kb.name)
        } catch let error as LibraryError { throw CLIError(error.message) }
        let session = ChatSession(kb: kb, retrieval: library.config.retrieval(forKnowledgeBase: kb.name), model: choice.settings,
                                  noModelReason: choice.explanation)
        let printer = json ? AnswerPrinter.json : AnswerPrinter.text(roots: kb.definition.paths, reasoning: reasoning)
        let task = Task { () throws -> TurnOutcome? in
            var outcome: TurnOutcome?
            for try await event in session.ask(text, conversationID: conversation) {
                printer.print(event)
                if case .finished(let o) = event { outcome = o }
            }
            return outcome
        }
        // Ctrl-C stops the answer rather than killing the process, so the partial answer is saved.
        signal(SIGINT, SIG_IGN)
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .main)
        interrupt.setEventHandler { task.cancel() }
        interrupt.resume()
        defer { interrupt.cancel() }
        let outcome: TurnOutcome?
        do {
            outcome = try await task.value
        } catch let error as LibraryError {
            throw CLIError(error.message)
        } catch {
            printer.failure(String(describing: error))
            throw ExitCode(1)
        }
        if let outcome, outcome.state == .error {
            printer.failure(outcome.error ?? "the answer failed")
            throw ExitCode(1)
        }
    }
}

/// Writes answer events to standard output as text or JSON lines.
enum AnswerPrinter {
    case text(TextAnswer)
    case json

    static func text(roots: [String], reasoning: Bool) -> AnswerPrinter {
        .text(TextAnswer(roots: roots, reasoning: reasoning))
    }

    func print(_ event: AnswerEvent) {
        switch self {
        case .json: JSONLines.write(event)
        case .text(let answer): answer.write(event)
        }
    }

    func failure(_ message: String) {
        switch self {
        case .json: JSONLines.write(["type": "error", "message": message])
        case .text: Console.error("lore: " + TerminalText.sanitize(message, keepNewlines: false))
        }
    }
}

/// One answer printed as text: the sources it remembers for the list at the end, and whether the last
/// delta ended its line. Events arrive one at a time from the task that consumes the answer.
final class TextAnswer: @unchecked Sendable {
    let roots: [String]
    let reasoning: Bool
    private var sources: [NumberedSource] = []
    private var endsWithNewline = true

    init(roots: [String], reasoning: Bool) {
        self.roots = roots
        self.reasoning = reasoning
    }

    func write(_ event: AnswerEvent) {
        switch event {
        case .retrieved(let numbered, _, _):
            sources = numbered
        case .mode(let mode):
            if case .extractive(let reason) = mode {
                out("Extractive answer (\(reason)):\n\n")
            }
        case .notice(let message):
            Console.error("note: " + TerminalText.sanitize(message, keepNewlines: false))
        case .rewrites(let queries, _):
            Console.error("also searched: " + TerminalText.sanitize(queries.joined(separator: " · "), keepNewlines: false))
        case .text(let delta):
            out(TerminalText.sanitize(delta, keepNewlines: true))
            endsWithNewline = delta.hasSuffix("\n")
        case .reasoning(let delta):
            if reasoning { FileHandle.standardError.write(Data(TerminalText.sanitize(delta).utf8)) }
        case .citation, .usage, .conversation:
            break
        case .finished(let outcome):
            if !endsWithNewline { out("\n") }
            switch outcome.state {
            case .stopped: out("[stopped]\n")
            case .incomplete: out("[incomplete: the server's stream ended early]\n")
            case .error, .complete: break
            }
            if !outcome.unknownCitations.isEmpty {
                let list = outcome.unknownCitations.sorted().map { "[\($0)]" }.joined(separator: ", ")
                out("note: the answer cites \(list), which \(outcome.unknownCitations.count == 1 ? "is" : "are") not among its sources\n")
            }
            if !sources.isEmpty {
                out("\nSources:\n")
                for source in sources {
                    let p = source.passage
                    let mark = outcome.cited.contains(source.number) ? "*" : " "
                    let where_ = p.location(path: CLILocation.path(of: p, roots: roots))
                    let line = "\(mark)[\(source.number)] \(p.breadcrumb)"
                    out(TerminalText.sanitize(line, keepNewlines: false) + "\n      "
                        + TerminalText.sanitize(where_, keepNewlines: false) + "\n")
                }
            }
            var facts = ["\(outcome.mode.label)", String(format: "retrieval %.1f ms", outcome.retrievalMilliseconds)]
            if let first = outcome.firstTokenMilliseconds { facts.append(String(format: "first token %.0f ms", first)) }
            if let rate = outcome.tokensPerSecond { facts.append(String(format: "%.1f tok/s", rate)) }
            facts.append("conversation \(outcome.conversationID)")
            out("\n(" + facts.joined(separator: ", ") + ")\n")
        }
    }

    private func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

enum JSONLines {
    static func write(_ event: AnswerEvent) {
        switch event {
        case .retrieved(let sources, let query, let ms):
            for s in sources {
                var object: [String: Any] = [
                    "type": "source", "number": s.number, "path": s.passage.documentPath, "title": s.passage.title,
                    "headings": s.passage.headingPath, "lineStart": s.passage.lineStart, "lineEnd": s.passage.lineEnd,
                    "score": s.passage.score, "text": s.passage.text,
                ]
                if let first = s.passage.pageStart { object["pageStart"] = first }
                if let last = s.passage.pageEnd { object["pageEnd"] = last }
                write(object)
            }
            write(["type": "retrieval", "query": query, "milliseconds": ms, "sources": sources.count])
        case .mode(let mode):
            switch mode {
            case .generative(let model): write(["type": "mode", "mode": "generative", "model": model])
            case .extractive(let reason): write(["type": "mode", "mode": "extractive", "reason": reason])
            }
        case .notice(let message): write(["type": "notice", "message": message])
        case .rewrites(let queries, let ms): write(["type": "rewrites", "queries": queries, "milliseconds": ms])
        case .conversation(let id): write(["type": "conversation", "id": id])
        case .text(let delta): write(["type": "delta", "text": delta])
        case .reasoning(let delta): write(["type": "reasoning", "text": delta])
        case .citation(let c):
            // Offsets are UTF-16 units into the answer's text (the concatenated deltas), `end` exclusive.
            write(["type": "citation", "numbers": c.numbers, "start": c.range.lowerBound, "end": c.range.upperBound])
        case .usage(let u):
            var object: [String: Any] = ["type": "usage"]
            if let n = u.promptTokens { object["promptTokens"] = n }
            if let n = u.completionTokens { object["completionTokens"] = n }
            if let r = u.tokensPerSecond { object["tokensPerSecond"] = r }
            write(object)
        case .finished(let o):
            var object: [String: Any] = ["type": "done", "state": o.state.rawValue, "conversation": o.conversationID,
                                         "model": o.mode.label, "cited": o.cited.sorted(),
                                         "unknownCitations": o.unknownCitations.sorted(),
                                         "retrievalMilliseconds": o.retrievalMilliseconds,
                                         "totalMilliseconds": o.totalMilliseconds]
            if let t = o.turnID { object["turn"] = t }
            if let f = o.firstTokenMilliseconds { object["firstTokenMilliseconds"] = f }
            if let e = o.error { object["error"] = e }
            write(object)
        }
    }

    static func write(_ object: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        FileHandle.standardOutput.write(JSONText.escapingControls(data) + Data([0x0A]))
    }
}
