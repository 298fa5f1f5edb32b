/// An error a person can act on, raised when a knowledge-base file cannot be opened or used.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
