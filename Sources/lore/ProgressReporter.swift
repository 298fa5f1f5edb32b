import Foundation
import LoreCore

/// Shows a long pass's progress on standard error. On a terminal one line is redrawn in place; into a log
/// or a pipe a line is written at least every five seconds, from a ticker, so that a batch that takes long
/// still shows the pass alive and its ETA moving.
final class ProgressReporter: @unchecked Sendable {
    private let lock = NSLock()
    private let prefix: String
    private let isTerminal: Bool
    private var cadence: ProgressCadence
    private var started: ContinuousClock.Instant?
    private var progress = PassProgress(done: 0, total: 0, elapsed: 0)
    private var ticker: Task<Void, Never>?

    init(prefix: String, isTerminal: Bool = Console.stderrIsTerminal) {
        self.prefix = prefix
        self.isTerminal = isTerminal
        self.cadence = .forOutput(isTerminal: isTerminal)
    }

    /// The clock starts here, when the work is known.
    func start(total: Int) {
        lock.withLock {
            started = .now
            progress = PassProgress(done: 0, total: total, elapsed: 0)
            // The first line of a log comes after one interval, so a pass that is over sooner logs only its summary.
            _ = cadence.isDue(at: 0)
        }
        ticker = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                self?.report(finished: false)
            }
        }
    }

    func update(done: Int, total: Int, failed: Int) {
        lock.withLock {
            progress.done = done
            progress.total = total
            progress.failed = failed
        }
        report(finished: false)
    }

    /// Stops the ticker and clears a terminal's line for the summary that follows.
    func finish() {
        ticker?.cancel()
        ticker = nil
        Console.clearStatus()
    }

    private func report(finished: Bool) {
        let line: String? = lock.withLock {
            guard let started else { return nil }
            let elapsed = (ContinuousClock.now - started) / .seconds(1)
            guard cadence.isDue(at: elapsed, finished: finished) else { return nil }
            progress.elapsed = elapsed
            return progress.line()
        }
        guard let line else { return }
        if isTerminal { Console.status(line) } else { Console.error(prefix + line) }
    }
}
