/// Folds a burst of changes into one refresh: it fires once no change has come for `quiet` seconds, or
/// `maximumDelay` seconds after the first change of the burst, whichever is sooner. An editor's
/// save-by-rename or a `git checkout` thus costs one refresh, and a stream of writes that never pauses
/// still refreshes about once per `maximumDelay`.
///
/// Time is passed in (seconds on a monotonic clock), so the state machine is tested without sleeping.
public struct Debouncer: Sendable, Equatable {
    public var quiet: Double
    public var maximumDelay: Double
    /// When the first change of the pending burst came; nil when nothing is pending.
    public private(set) var firstChange: Double?
    public private(set) var lastChange: Double?

    public init(quiet: Double = 0.2, maximumDelay: Double = 1.0) {
        self.quiet = quiet
        self.maximumDelay = maximumDelay
    }

    public var isPending: Bool { firstChange != nil }

    public mutating func record(at now: Double) {
        if firstChange == nil { firstChange = now }
        lastChange = now
    }

    /// When the pending burst is due; nil when nothing is pending, so the caller may block indefinitely.
    public var deadline: Double? {
        guard let firstChange, let lastChange else { return nil }
        return min(lastChange + quiet, firstChange + maximumDelay)
    }

    /// True, and the burst is cleared, when it is due at `now`.
    public mutating func fire(at now: Double) -> Bool {
        guard let deadline, now >= deadline else { return false }
        firstChange = nil
        lastChange = nil
        return true
    }
}
