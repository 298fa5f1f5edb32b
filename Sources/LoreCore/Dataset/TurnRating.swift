/// A person's verdict on one saved answer: the signal that picks answers for a training set.
public enum TurnRating: String, Sendable, Equatable, Codable, CaseIterable {
    case good
    case bad

    /// Stored in the `turns.rating` column: 1 for good, -1 for bad (NULL for none).
    public var storedValue: Int { self == .good ? 1 : -1 }

    public init?(storedValue: Int?) {
        guard let storedValue else { return nil }
        switch storedValue {
        case 1: self = .good
        case -1: self = .bad
        default: return nil
        }
    }

    /// "+" or "−", as lists and footers mark a rated answer.
    public var mark: String { self == .good ? "+" : "−" }

    /// What pressing the key for `pressed` does to a turn rated `current`: the same key again clears.
    public static func toggled(_ current: TurnRating?, pressing pressed: TurnRating) -> TurnRating? {
        current == pressed ? nil : pressed
    }
}
