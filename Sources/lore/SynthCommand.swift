import ArgumentParser
import Dispatch
import Foundation
import LoreCore
import LoreEngine

struct SynthCommand: AsyncParsableCommand, TakesModelProfile {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write synthetic evaluation questions from a knowledge base's passages, for `lore eval`.",
        discussion: """
            Passages are sampled one document at a time in turn (documents and passages in an order fixed by \
            --seed), leaving out boilerplate: very short passages, tables of contents, licence text, and \
            passages that are mostly links or code. For each, the chat model writes a question the passage \
            answers, in its own words, and a short reference answer. A question is rejected when its reply \
            cannot be read as JSON, when it repeats a kept question, when it copies the passage's rarest \
            terms (trivial for keyword search), or when the model, asked again, does not say clearly that \
            the passage answers it.

            Kept questions are appended to --out as JSON Lines that `lore eval` reads: {"q", "relevant", \
            "passages", "answer", "source"}. The passages tried are recorded beside it in FILE.state, so \
            running the same command again continues until N passages have been tried. Ctrl-C stops after \
            the current model call; both files stay valid.
            """)

    @OptionGroup var global: GlobalOptions
    @ParentCommand var root: Lore
    @Option(name: .short, help: "Passages to try in all (runs resumed with the same --out count together).")
    var n: Int = 20
    @Option(help: ArgumentHelp("Use the [models.NAME] profile of config.toml.", valueName: "NAME")) var model: String?
    @Option(help: ArgumentHelp("The JSON Lines file to append questions to.", valueName: "FILE")) var out: String?
    @Option(help: "Seed of the sampling order.") var seed: UInt64 = 1

    func run() async throws {
        guard n > 0 else { throw CLIError("-n must be at least 1") }
        let library = try global.library()
        let kb = try global.openForQuestions(library)
        let choice: ModelChoice
        do { choice = try await ModelChoice.resolve(config: library.config, profile: modelProfile) } catch let error as LibraryError {
            throw CLIError(error.message)
        }
        guard let settings = choice.settings else {
            throw CLIError("""
                lore synth needs a chat model to write questions, and there is none (\(choice.explanation)); \
                set [model] provider, base_url and name in \(library.configFile.path), or pass --model NAME \
                for a [models.NAME] profile
                """)
        }
        let outPath = out ?? "synth-\(kb.name).jsonl"
        let statePath = outPath + ".state"
        var state = try SynthState.load(outPath: outPath, statePath: statePath)

        let plan: SynthPlan
        do { plan = try SynthPlan.make(store: kb.store, seed: seed) } catch { throw CLIError("cannot read \(kb.name): \(error)") }
        guard let synthesizer = QuestionSynthesizer(model: settings, statistics: plan.statistics) else {
            throw CLIError("lore synth needs a chat model; set [model] provider in \(library.configFile.path)")
        }
        let pending = plan.order.filter { !state.attempted.contains($0.id) }
        let toTry = Array(pending.prefix(max(0, n - state.attempted.count)))
        let roots = kb.definition.paths

        let stop = StopFlag()
        signal(SIGINT, SIG_IGN)
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .main)
        interrupt.setEventHandler {
            if !stop.isSet { Console.error("stopping after the current call…") }
            stop.set()
        }
        interrupt.resume()
        defer { interrupt.cancel(); signal(SIGINT, SIG_DFL) }

        if state.attempted.count > 0 {
            Console.error("resuming \(outPath): \(state.attempted.count) passages tried before, \(state.kept.count) questions kept")
        }
        let started = ContinuousClock.now
        var run = SynthTally()
        var failure: String?
        for passage in toTry {
            if stop.isSet { break }
            let outcome: SynthOutcome?
            do {
                outcome = try await synthesizer.attempt(passage, kept: state.kept, stop: { stop.isSet })
            } catch {
                failure = String(describing: error)
                break
            }
            guard let outcome else { break }
            switch outcome {
            case .kept(let reply):
                let relative = passage.pathRelative(to: roots) ?? passage.documentPath
                try state.appendQuestion(reply, passage: passage, relative: relative)
                run.kept += 1
            case .rejected(let reason):
                run.rejected[reason, default: 0] += 1
            }
            try state.record(passage.id, outcome: outcome)
            if Console.stderrIsTerminal {
                let elapsed = (ContinuousClock.now - started) / .seconds(1)
                let progress = PassProgress(done: run.attempted, total: toTry.count, elapsed: elapsed)
                Console.status("kept \(state.kept.count), rejected \(state.rejectedTotal), tried \(state.attempted.count)/\(n) · "
                               + progress.line(verb: "this run", unit: "passages"))
            }
        }
        Console.clearStatus()
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        if stop.isSet { print("stopped; run the same command again to continue") }
        print("\(kb.name): \(plan.order.count) passages eligible in \(plan.documents) documents" +
              (plan.boilerplate.isEmpty ? "" : "; boilerplate left out: " + BoilerplateKind.allCases.compactMap { kind in
                  plan.boilerplate[kind].map { "\(kind.rawValue) \($0)" } }.joined(separator: ", ")))
        print("this run: tried \(run.attempted), kept \(run.kept), rejected \(run.rejectedTotal) (" +
              SynthRejection.allCases.map { "\($0.rawValue) \(run.rejected[$0] ?? 0)" }.joined(separator: ", ") + ")")
        if run.kept > 0 {
            print(String(format: "%.1f s per kept question (%.1f s in all)", seconds / Double(run.kept), seconds))
        } else {
            print(String(format: "no question kept (%.1f s in all)", seconds))
        }
        print("\(outPath): \(state.kept.count) questions from \(state.attempted.count) passages tried" +
              (state.attempted.count < n && failure == nil && !stop.isSet ? " (the knowledge base has no more eligible passages)" : ""))
        if let failure { throw CLIError("\(failure); what was kept is in \(outPath), run again to continue") }
    }
}

/// Counts of one run.
struct SynthTally {
    var kept = 0
    var rejected: [SynthRejection: Int] = [:]
    var rejectedTotal: Int { rejected.values.reduce(0, +) }
    var attempted: Int { kept + rejectedTotal }
}

/// The output file and its `.state` sidecar: which passages were tried, what each became, and the questions
/// kept, so a run can resume where the last one stopped. Each line is written whole with one write.
struct SynthState {
    var outPath: String
    var statePath: String
    var attempted = Set<Int64>()
    var kept: [String] = []
    var rejectedTotal = 0

    static func load(outPath: String, statePath: String) throws -> SynthState {
        var state = SynthState(outPath: outPath, statePath: statePath)
        if let text = try? String(contentsOfFile: outPath, encoding: .utf8) {
            do { state.kept = try EvalSet.parse(text).map(\.question) } catch {
                throw CLIError("\(outPath) exists and is not a question file (\(error)); choose another --out")
            }
        }
        if let text = try? String(contentsOfFile: statePath, encoding: .utf8) {
            for (index, line) in text.split(separator: "\n").enumerated() {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let id = (object["passage"] as? NSNumber)?.int64Value, let outcome = object["outcome"] as? String else {
                    // A line cut short by a crash is the last one; anything else is not ours.
                    if index == text.split(separator: "\n").count - 1 { continue }
                    throw CLIError("\(statePath) line \(index + 1) is not a synth state line; remove the file to start over")
                }
                if state.attempted.insert(id).inserted, outcome != "kept" { state.rejectedTotal += 1 }
            }
        }
        return state
    }

    mutating func appendQuestion(_ reply: SynthReply, passage: Passage, relative: String) throws {
        let object: [String: Any] = ["q": reply.question, "answer": reply.answer, "relevant": [relative],
                                     "passages": [passage.id], "source": passage.location(path: relative)]
        try Self.append(object, to: outPath)
        kept.append(reply.question)
    }

    mutating func record(_ id: Int64, outcome: SynthOutcome) throws {
        let name: String
        switch outcome {
        case .kept: name = "kept"
        case .rejected(let reason): name = reason.rawValue; rejectedTotal += 1
        }
        try Self.append(["passage": id, "outcome": name], to: statePath)
        attempted.insert(id)
    }

    static func append(_ object: [String: Any], to path: String) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw CLIError("cannot create \(path); check that its folder exists and is writable")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw CLIError("cannot write \(path)") }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data + Data([0x0A]))
    }
}

/// Set from the signal handler, read by the loop.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
