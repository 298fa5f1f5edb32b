import ArgumentParser
import Foundation
import LoreCore
import LoreEngine
import LoreLLM
import LoreStore

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "List saved conversations, newest first.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .short, help: "How many to list.") var n: Int = 20

    func run() async throws {
        let kb = try global.openKB()
        let conversations = try kb.history.conversations(limit: max(1, n))
        guard !conversations.isEmpty else {
            print("no conversations yet in \(kb.name); ask with `lore ask QUESTION`")
            return
        }
        var rows = [["ID", "UPDATED", "TURNS", "RATED", "TITLE"]]
        for c in conversations {
            rows.append([String(c.id), Format.date(c.updatedAt), String(c.turns), ConversationExport.ratingCounts(good: c.good, bad: c.bad),
                         TerminalText.sanitize(c.title, keepNewlines: false)])
        }
        print(Format.table(rows))
    }
}

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print a saved conversation with its sources as they were shown.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Conversation ID from `lore history`.") var id: Int64

    func run() async throws {
        let kb = try global.openKB()
        let (summary, turns) = try ConversationExport.load(kb, id: id)
        print(TerminalText.sanitize(ConversationExport.markdown(summary, turns), keepNewlines: true), terminator: "")
    }
}

struct RateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rate", abstract: "Rate a saved answer good or bad (or clear its rating), for training sets.",
        discussion: "TURN counts from 1, as `lore show CONVERSATION_ID` numbers the answers.")
    enum Verdict: String, ExpressibleByArgument, CaseIterable { case good, bad, clear }

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Conversation ID from `lore history`.") var conversation: Int64
    @Argument(help: "Turn number within the conversation, from 1.") var turn: Int
    @Argument(help: "good, bad or clear.") var verdict: Verdict
    @Option(help: "A note kept with the rating (why it is good or bad).") var note: String?

    func run() async throws {
        let kb = try global.openKB()
        let rating: TurnRating? = switch verdict {
        case .good: .good
        case .bad: .bad
        case .clear: nil
        }
        if rating == nil && note != nil { throw CLIError("--note goes with good or bad; `clear` removes the note too") }
        do {
            let id = try kb.history.turnID(conversationID: conversation, number: turn)
            try kb.history.rateTurn(id: id, rating, note: note)
        } catch let error as StoreError {
            throw CLIError(error.message)
        }
        print(rating.map { "rated turn \(turn) of conversation \(conversation) \($0.rawValue) (\($0.mark))" }
              ?? "cleared the rating of turn \(turn) of conversation \(conversation)")
    }
}

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a saved conversation as Markdown or JSON to standard output.")
    enum ExportFormat: String, ExpressibleByArgument, CaseIterable { case md, json }

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Conversation ID from `lore history`.") var id: Int64
    @Option(help: "md or json.") var format: ExportFormat = .md

    func run() async throws {
        let kb = try global.openKB()
        let (summary, turns) = try ConversationExport.load(kb, id: id)
        switch format {
        case .md:
            print(ConversationExport.markdown(summary, turns), terminator: "")
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            struct Export: Encodable { var conversation: ConversationSummary; var turns: [SavedTurn] }
            let data = try encoder.encode(Export(conversation: summary, turns: turns))
            print(JSONText.escapingC1(String(decoding: data, as: UTF8.self)))
        }
    }
}

enum ConversationExport {
    static func load(_ kb: KnowledgeBase, id: Int64) throws -> (ConversationSummary, [SavedTurn]) {
        guard let found = try kb.history.conversation(id: id) else {
            throw CLIError("no conversation \(id) in \(kb.name); see `lore history`")
        }
        return found
    }

    /// "+2 −1", or "" when nothing is rated.
    static func ratingCounts(good: Int, bad: Int) -> String {
        [good > 0 ? "+\(good)" : nil, bad > 0 ? "−\(bad)" : nil].compactMap { $0 }.joined(separator: " ")
    }

    /// The conversation as Markdown: each question, its answer, and its sources with locations.
    static func markdown(_ summary: ConversationSummary, _ turns: [SavedTurn]) -> String {
        var out = "# \(summary.title)\n\n"
        if summary.good + summary.bad > 0 { out += "_Rated: \(ratingCounts(good: summary.good, bad: summary.bad))_\n\n" }
        for turn in turns {
            let mark = turn.rating.map { " [\($0.mark)]" } ?? ""
            out += "## \(turn.number > 0 ? "\(turn.number). " : "")\(turn.question)\(mark)\n\n"
            if turn.mode == "extractive" { out += "_Extractive answer from the index._\n\n" }
            out += turn.answer.trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
            if turn.state != "complete" { out += "\n_[\(turn.state)\(turn.error.map { ": \($0)" } ?? "")]_\n" }
            if !turn.sources.isEmpty {
                out += "\n**Sources**\n\n"
                for s in turn.sources {
                    let p = s.passage
                    let heading = p.headingPath.isEmpty ? "" : " — \(p.headingLabel)"
                    out += "\(s.number). \(s.cited ? "" : "(not cited) ")\(p.title)\(heading) — `\(p.location)`\n"
                }
            }
            var facts = [turn.model, Format.date(turn.askedAt)]
            if let ms = turn.firstTokenMilliseconds { facts.append(String(format: "first token %.0f ms", ms)) }
            if let rating = turn.rating {
                facts.append("rated \(rating.rawValue)" + (turn.ratingNote.map { ": \($0)" } ?? ""))
            }
            out += "\n<sub>\(facts.joined(separator: " · "))</sub>\n\n"
        }
        return out
    }
}

struct ModelsCommand: AsyncParsableCommand, TakesModelProfile {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Show which model answers and list what its server offers.",
        discussion: """
            With a [model] (or --model NAME) configured, asks that server for its models. With none, \
            looks for a local server on the usual ports (Ollama on 11434, llama.cpp on 8080) and says \
            what it found.
            """)
    @Option(help: ArgumentHelp("Use the [models.NAME] profile of config.toml.", valueName: "NAME")) var model: String?
    @ParentCommand var root: Lore

    func run() async throws {
        let library = try GlobalOptions().library()
        if let warning = library.configFile.permissionWarning() { Console.error(warning) }
        printKnowledgeBaseChoices(library.config)
        if modelProfile == nil && library.config.model == nil {
            print("no [model] in \(library.paths.configFile); looking for a local server…")
            for finding in await LocalServerProbe().run() { print("  " + TerminalText.sanitize(finding.description)) }
            return
        }
        let choice: ModelChoice
        do { choice = try await ModelChoice.resolve(config: library.config, profile: modelProfile, probe: false) }
        catch let error as LibraryError { throw CLIError(error.message) }
        guard let settings = choice.settings, let provider = makeChatProvider(settings) else {
            print("no model: answers are extractive (\(choice.explanation))")
            return
        }
        print("model: \(settings.description) (\(choice.explanation))")
        do {
            let names = try await provider.listModels()
            print(names.isEmpty ? "the server lists no models" : "the server offers:")
            for name in names { print("  " + TerminalText.sanitize(name, keepNewlines: false)) }
        } catch {
            throw CLIError(String(describing: error))
        }
    }

    /// Which model answers on each knowledge base, without asking any server.
    func printKnowledgeBaseChoices(_ config: LoreConfig) {
        let names = config.knowledgeBases.keys.sorted()
        guard !names.isEmpty else { return }
        var rows = [["KB", "MODEL", "FROM"]]
        for name in names {
            if model == nil, let own = ModelChoice.ownChoice(config: config, knowledgeBase: name) {
                rows.append([name, own.settings?.description ?? "extractive", own.explanation])
            } else if let model {
                rows.append([name, config.models[model]?.description ?? "?", "--model \(model)"])
            } else if let global = config.model {
                rows.append([name, global.provider == .none ? "extractive" : global.description, "[model]"])
            } else {
                rows.append([name, "a local server, if one answers", "no [model]"])
            }
        }
        print(Format.table(rows.map { $0.map { TerminalText.sanitize($0, keepNewlines: false) } }))
        print("")
    }
}

extension GlobalOptions {
    /// Opens the knowledge base a question goes to. A folder given with `--kb PATH` is brought up to date
    /// first — there is no `kb add` to have indexed it, and re-checking an indexed folder costs milliseconds.
    func openForQuestions(_ library: Library) throws -> KnowledgeBase {
        let kb = try openKB(library)
        if kb.isAdHoc { try IndexCommand.index(kb, config: library.config, quiet: true, verbose: false) }
        return kb
    }

    func openKB(_ library: Library? = nil) throws -> KnowledgeBase {
        let library = try library ?? self.library()
        do { return try library.open(kb) } catch let error as LibraryError { throw CLIError(error.message) }
    }
}
