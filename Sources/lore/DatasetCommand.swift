import ArgumentParser
import Foundation
import LoreCore
import LoreEngine
import LoreStore

struct DatasetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset", abstract: "Build training and evaluation data from a knowledge base.",
        subcommands: [DatasetExportCommand.self])
}

extension DatasetFormat: ExpressibleByArgument {}
extension DatasetContext: ExpressibleByArgument {}

struct DatasetExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write train.jsonl and validation.jsonl from saved answers and/or a question file.",
        discussion: """
            Conversations: every saved, complete answer that cites its sources; the cited passages (as they \
            were shown) are its gold context. Synth: a question file as `lore eval` reads it, optionally with \
            "passages": [ids] and "answer": "…"; gold passages are looked up in the knowledge base (the \
            named passages, else the best-matching passage of each relevant document), and without a \
            reference answer the answer is quoted from the gold passages.

            --context raft mixes the gold with --distractors passages retrieved for the question, shuffled, \
            and leaves the gold out of --no-gold-share of the examples, whose answer is then Lore's "does \
            not say" sentence. Prompts are numbered and fenced exactly as Lore's chat prompt.

            The split is by document: examples sharing a gold document stay on one side, and no document \
            appears in both files.
            """)
    enum Origin: String, ExpressibleByArgument, CaseIterable { case conversations, synth, both }
    enum RatedFilter: String, ExpressibleByArgument, CaseIterable { case good, bad, any }

    @OptionGroup var global: GlobalOptions
    @Option(help: "conversations, synth or both (default: synth when --synth is given, else conversations).")
    var from: Origin?
    @Option(help: ArgumentHelp("The question file for synth (JSON Lines, as `lore eval` reads).", valueName: "FILE"))
    var synth: String?
    @Option(help: "Saved answers rated good, bad, or any (unrated included).") var rated: RatedFilter = .any
    @Option(help: "openai, sharegpt or alpaca.") var format: DatasetFormat = .openai
    @Option(help: "none, gold or raft.") var context: DatasetContext = .gold
    @Option(help: "Distractor passages per example with --context raft.") var distractors: Int = 3
    @Option(help: "Share of raft examples without their gold passages (0…1).") var noGoldShare: Double = 0.2
    @Option(help: "Share of examples held out for validation, by document (0…1).") var validation: Double = 0.1
    @Option(help: "Seed for the split and the shuffles; the same seed gives the same files.") var seed: UInt64 = 1
    @Option(help: ArgumentHelp("Folder to write train.jsonl and validation.jsonl into.", valueName: "DIR")) var out: String
    @Flag(help: "Replace train.jsonl and validation.jsonl if they exist.") var force = false

    func validate() throws {
        guard (0...1).contains(noGoldShare) else { throw ValidationError("--no-gold-share must be between 0 and 1") }
        guard (0..<1).contains(validation) else { throw ValidationError("--validation must be at least 0 and below 1") }
        guard (0...50).contains(distractors) else { throw ValidationError("--distractors must be between 0 and 50") }
        let origin = from ?? (synth != nil ? .synth : .conversations)
        if origin != .conversations && synth == nil {
            throw ValidationError("--from \(origin.rawValue) needs --synth FILE (a question file as `lore eval` reads)")
        }
    }

    func run() async throws {
        let origin = from ?? (synth != nil ? .synth : .conversations)
        let library = try global.library()
        // A folder given with --kb is indexed first, as for questions.
        let kb = try global.openForQuestions(library)
        let trainPath = out + "/train.jsonl", validationPath = out + "/validation.jsonl"
        if !force, let existing = [trainPath, validationPath].first(where: { FileManager.default.fileExists(atPath: $0) }) {
            throw CLIError("\(existing) exists; choose another --out folder or add --force to replace it")
        }

        var items: [DatasetItem] = []
        var skipped: [String] = []
        if origin != .synth {
            let (found, notGrounded) = try conversationItems(kb)
            items += found
            if notGrounded > 0 { skipped.append("\(notGrounded) saved answers that cite no source or did not complete") }
        }
        if origin != .conversations, let synth {
            let (found, problems) = try synthItems(kb, file: synth)
            items += found
            skipped += problems
        }
        for note in skipped.prefix(8) { Console.error("skipped: " + note) }
        if skipped.count > 8 { Console.error("skipped: … and \(skipped.count - 8) more") }
        guard !items.isEmpty else {
            throw CLIError("no examples in \(kb.name)" + (origin == .synth ? "" : rated == .any
                ? "; ask questions first (saved answers that cite sources become examples)"
                : "; no saved answer is rated \(rated.rawValue) (rate with `lore rate` or + / - in the UI)"))
        }

        var candidates: [[Passage]] = []
        if context == .raft && distractors > 0 {
            let settings = library.config.retrieval(forKnowledgeBase: kb.name)
            let retriever = Retriever(store: kb.store, settings: settings)
            var fellBack = 0
            for item in items {
                let retrieval = try await retriever.retrieve(item.question, mode: settings.effectiveMode,
                                                             limit: distractors * 4 + item.gold.count + 8)
                if retrieval.fallbackReason != nil { fellBack += 1 }
                candidates.append(retrieval.passages)
            }
            if fellBack > 0 { Console.error("note: \(fellBack) questions retrieved distractors by keywords only (embedding server unavailable)") }
        }

        let options = DatasetOptions(format: format, context: context, distractors: distractors, noGoldShare: noGoldShare,
                                     validationShare: validation, seed: seed)
        let built = TrainingSet.build(items, candidates: candidates, options: options)
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try Self.write(built.train, to: trainPath)
            try Self.write(built.validation, to: validationPath)
        } catch {
            throw CLIError("cannot write to \(out): \(error.localizedDescription)")
        }
        print(built.summary)
        print("wrote \(trainPath) and \(validationPath)")
    }

    /// Written beside the target and renamed, so an interrupted run never leaves half a file.
    static func write(_ lines: [String], to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        let text = lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        if rename(temporary, path) != 0 {
            unlink(temporary)
            throw CLIError("cannot replace \(path): \(String(cString: strerror(errno)))")
        }
    }

    func conversationItems(_ kb: KnowledgeBase) throws -> ([DatasetItem], Int) {
        var items: [DatasetItem] = []
        var notGrounded = 0
        for turn in try kb.history.allTurns() {
            switch rated {
            case .good where turn.rating != .good, .bad where turn.rating != .bad: continue
            default: break
            }
            guard turn.state == "complete",
                  let item = DatasetItem.fromTurn(question: turn.question, answer: turn.answer,
                                                  sources: turn.sources.map { ($0.number, $0.passage) },
                                                  origin: "conversation \(turn.conversationID) turn \(turn.number)") else {
                notGrounded += 1
                continue
            }
            items.append(item)
        }
        return (items, notGrounded)
    }

    func synthItems(_ kb: KnowledgeBase, file: String) throws -> ([DatasetItem], [String]) {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw CLIError("cannot read \(file); give a JSON Lines file of {\"q\": …, \"relevant\": […]}")
        }
        let questions: [SynthQuestion]
        do { questions = try SynthSet.parse(text) } catch let error as EvalSetError { throw CLIError("\(file): \(error)") }
        let documents = try kb.store.storedDocuments().values.filter { $0.status == .indexed }.map(\.path).sorted()
        var items: [DatasetItem] = []
        var problems: [String] = []
        for q in questions {
            var gold: [Passage] = []
            if !q.passageIDs.isEmpty {
                for id in q.passageIDs {
                    if let p = try kb.store.passage(id: id) { gold.append(p) }
                    else { problems.append("\(file):\(q.line): no passage \(id) in \(kb.name)") }
                }
            } else {
                for entry in q.relevant {
                    let matched = documents.filter { EvalSet.pathMatches($0, entry: entry) }
                    if matched.isEmpty { problems.append("\(file):\(q.line): no document \"\(entry)\" in \(kb.name)") }
                    for path in matched.prefix(3) {
                        if let best = GoldPassagePicker.best(for: q.question, among: try kb.store.passages(ofDocument: path)) {
                            gold.append(best)
                        }
                    }
                }
            }
            guard !gold.isEmpty else { continue }
            let answer: String
            if let reference = q.answer {
                answer = SynthSet.citingAnswer(reference, goldCount: gold.count)
            } else {
                let quoted = ExtractiveAnswerer.answer(question: q.question, passages: gold)
                guard !quoted.usedSources.isEmpty else {
                    problems.append("\(file):\(q.line): no reference answer and no sentence of the gold passages matches")
                    continue
                }
                answer = quoted.text
            }
            items.append(DatasetItem(question: q.question, gold: gold, answer: answer, origin: "\(file):\(q.line)"))
        }
        return (items, problems)
    }
}
