import Foundation

/// Where a long pass over counted items stands (the embedding pass over passages): the numbers behind a
/// progress line, and the line itself. Time is given, never read, so the wording is tested without waiting.
public struct PassProgress: Sendable, Equatable {
    public var done: Int
    public var total: Int
    public var failed: Int
    /// Seconds since the pass started.
    public var elapsed: Double

    public init(done: Int, total: Int, failed: Int = 0, elapsed: Double) {
        self.done = done
        self.total = total
        self.failed = failed
        self.elapsed = elapsed
    }

    /// Items per second so far; nil until one is done.
    public var rate: Double? { done > 0 && elapsed > 0 ? Double(done) / elapsed : nil }

    /// Seconds left at the rate so far.
    public var secondsLeft: Double? {
        guard let rate else { return nil }
        return Double(max(0, total - done)) / rate
    }

    /// "embedding 1200/10844 passages (11%), 7.3 passages/s, ETA 21m 57s".
    public func line(verb: String = "embedding", unit: String = "passages") -> String {
        let percent = total > 0 ? min(100, done * 100 / total) : 100
        var text = "\(verb) \(done)/\(total) \(unit) (\(percent)%)"
        if failed > 0 { text += ", \(failed) refused" }
        if let rate {
            text += String(format: ", %.1f %@/s", rate, unit)
            if let left = secondsLeft, done < total { text += ", ETA " + Self.duration(left) }
        } else {
            text += ", ETA unknown"
        }
        return text
    }

    /// "42s", "21m 57s", "1h 02m": the precision a person waiting wants.
    public static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.up))
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m \(String(format: "%02d", whole % 60))s" }
        return "\(whole / 3600)h \(String(format: "%02d", whole / 60 % 60))m"
    }
}

/// When a progress report is due. On a terminal the line is redrawn in place, at most ten times a second;
/// into a log or a pipe a new line is written every few seconds, so a long pass shows life without
/// flooding the file. Both show the last state once the pass ends.
public struct ProgressCadence: Sendable, Equatable {
    /// Least seconds between two reports.
    public var interval: Double
    private var last: Double?

    public init(interval: Double) { self.interval = interval }

    public static func forOutput(isTerminal: Bool) -> ProgressCadence {
        ProgressCadence(interval: isTerminal ? 0.1 : 5)
    }

    /// Whether to report at `now` (seconds on any steady clock); records the report when it is due.
    public mutating func isDue(at now: Double, finished: Bool = false) -> Bool {
        if !finished, let last, now - last < interval { return false }
        last = now
        return true
    }
}
