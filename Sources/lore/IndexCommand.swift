import ArgumentParser
import Foundation
import LoreCore
import LoreEngine
import LoreIngest

struct IndexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Bring a knowledge base's index up to date with its folders.",
        discussion: """
            Only what changed is read: files with a new size or modification time are hashed, and only \
            files whose bytes changed are parsed and chunked again. Files that moved keep their passages; \
            files that disappeared are removed. Work is committed in batches, so an interrupted run loses \
            nothing already committed and the next run finishes the job. On a terminal a progress bar is \
            drawn on standard error; a one-line summary always ends the run.

            With --watch the command then keeps the index current until it is interrupted (SIGINT or \
            SIGTERM): it watches the folders with inotify, waits for a burst of changes to settle (200 ms \
            without changes, at most 1 s), and indexes again, printing one line per refresh that changed \
            something. Ignored, hidden and unsupported files cause no refresh. If the inotify watch limit \
            is reached it says so and scans every 30 s instead.
            """)

    @OptionGroup var global: GlobalOptions
    @Flag(name: .shortAndLong, help: "List every skipped file with its reason.") var verbose = false
    @Flag(name: .shortAndLong, help: "Print nothing but errors.") var quiet = false
    @Flag(name: .long, help: "Check the index with SQLite's and FTS5's integrity checks afterwards.") var check = false
    @Flag(name: .long, help: "Keep watching the folders and index changes as they happen, until interrupted.")
    var watch = false

    func run() async throws {
        let library = try global.library()
        let kb = try global.openKB(library)
        try Self.index(kb, config: library.config, quiet: quiet, verbose: verbose, check: check)
        try await EmbedPass.run(kb, config: library.config, quiet: quiet, verbose: verbose)
        if watch {
            fflush(nil)  // the summary above goes out before the first refresh line
            await Self.watch(kb, config: library.config, quiet: quiet)
        }
    }

    /// Watches until SIGINT or SIGTERM, then returns so that the command exits normally (status 0).
    static func watch(_ kb: KnowledgeBase, config: LoreConfig, quiet: Bool) async {
        let name = TerminalText.sanitize(kb.name, keepNewlines: false)
        let watch = KnowledgeBaseWatch(kb, config: config)
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { watch.stop() }
            source.resume()
            sources.append(source)
        }
        defer { sources.forEach { $0.cancel() } }
        for await event in watch.events {
            switch event {
            case .watching(let folders):
                if !quiet { Console.error("\(name): watching \(folders) folder\(folders == 1 ? "" : "s") for changes; Ctrl-C stops") }
            case .polling(let reason):
                Console.error("\(name): \(reason)")
            case .refreshed(let summary, let seconds):
                guard !quiet else { continue }
                // Written at once, not when a pipe's buffer fills: a script reading the lines waits on them.
                FileHandle.standardOutput.write(Data((refreshLine(summary, seconds: seconds, name: name) + "\n").utf8))
            case .failed(let message):
                Console.error(TerminalText.sanitize(message, keepNewlines: false))
            case .folderMissing(let path):
                Console.error("\(name): \(TerminalText.sanitize(path, keepNewlines: false)) is gone; its documents leave the index until it comes back")
            case .folderReturned(let path):
                if !quiet { Console.error("\(name): \(TerminalText.sanitize(path, keepNewlines: false)) is back; watching it again") }
            }
        }
    }

    /// "notes: refreshed: added 1, updated 2, removed 0, renamed 0 in 0.08 s"
    static func refreshLine(_ s: IndexSummary, seconds: Double, name: String) -> String {
        "\(name): refreshed: added \(s.added), updated \(s.updated), removed \(s.removed), renamed \(s.renamed)"
            + String(format: " in %.2f s", seconds)
    }

    static func index(_ kb: KnowledgeBase, config: LoreConfig, quiet: Bool, verbose: Bool, check: Bool = false) throws {
        let started = Date()
        var lastDraw = Date.distantPast
        let summary = try kb.indexer(config: config).run { event in
            switch event {
            case .skipped(let path, let reason):
                if verbose {
                    Console.clearStatus()
                    Console.error("skipped \(TerminalText.sanitize(path, keepNewlines: false)): \(reason)")
                }
            case .progress(let p):
                guard !quiet, Date().timeIntervalSince(lastDraw) > 0.05 || p.filesDone == p.filesTotal else { return }
                lastDraw = Date()
                Console.status(progressLine(p, elapsed: Date().timeIntervalSince(started), width: Console.columns))
            case .waitingForAnotherRun:
                if !quiet { Console.error("\(kb.name): another index run is under way; waiting for it to finish") }
            case .listed, .finished:
                break
            }
        }
        Console.clearStatus()
        // An ad hoc knowledge base is named after its folder, and a folder name can hold escape sequences.
        if !quiet { print("\(TerminalText.sanitize(kb.name, keepNewlines: false)): \(summary.line)") }
        if check {
            let problems = try kb.store.integrityProblems()
            if problems.isEmpty {
                if !quiet { print("integrity: ok") }
            } else {
                throw CLIError("integrity check failed:\n" + problems.joined(separator: "\n"))
            }
        }
    }

    static func progressLine(_ p: IndexProgress, elapsed: Double, width: Int) -> String {
        let percent = Int(p.fraction * 100)
        let rate = elapsed > 0 ? Double(p.bytesDone) / 1_048_576 / elapsed : 0
        let label = String(format: " %3d%%  %d/%d files  %d passages  %.1f MB/s", percent, p.filesDone, p.filesTotal,
                           p.passagesWritten, rate)
        let barWidth = max(10, min(40, width - label.count - 4))
        let filled = Int(Double(barWidth) * p.fraction)
        return "[" + String(repeating: "█", count: filled) + String(repeating: "·", count: barWidth - filled) + "]" + label
    }
}
