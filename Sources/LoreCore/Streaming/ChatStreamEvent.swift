/// What a chat model's streamed reply says, whichever protocol carried it.
public enum ChatStreamEvent: Sendable, Equatable {
    /// A piece of the answer.
    case text(String)
    /// A piece of the model's reasoning ("thinking"), which a front end shows apart from the answer or hides.
    case reasoning(String)
    /// Token counts and speed; a later `usage` replaces an earlier one, it is never added to it.
    case usage(TokenUsage)
    /// The model stopped generating, for the reason the server gave ("stop", "length", "end_turn", ...).
    /// The stream may still carry usage after it; whether the stream itself ended properly is the parser's
    /// `isComplete`.
    case finished(reason: String?)
    /// The server reported a failure inside the stream, or sent something that could not be read.
    case error(message: String, type: String?)
}

/// Token counts and timings of one reply, as far as the server reported them.
public struct TokenUsage: Sendable, Equatable, Codable {
    /// Tokens of the prompt, including those served from a cache.
    public var promptTokens: Int?
    /// Tokens generated.
    public var completionTokens: Int?
    public var totalTokens: Int?
    /// Prompt tokens the server did not have to process again.
    public var cachedPromptTokens: Int?
    /// Generation speed.
    public var tokensPerSecond: Double?
    /// Prompt processing speed.
    public var promptTokensPerSecond: Double?
    /// Time spent generating, in seconds.
    public var generationSeconds: Double?

    public init(promptTokens: Int? = nil, completionTokens: Int? = nil, totalTokens: Int? = nil,
                cachedPromptTokens: Int? = nil, tokensPerSecond: Double? = nil,
                promptTokensPerSecond: Double? = nil, generationSeconds: Double? = nil) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens
        self.cachedPromptTokens = cachedPromptTokens
        self.tokensPerSecond = tokensPerSecond
        self.promptTokensPerSecond = promptTokensPerSecond
        self.generationSeconds = generationSeconds
    }
}

/// Turns the raw bytes of a streamed chat reply into `ChatStreamEvent`s. A parser is fed the response
/// body read by read, in any sizes, and told when the body ended.
public protocol ChatStreamParser: Sendable {
    /// Reads the next piece of the response body and returns what it completed.
    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>) -> [ChatStreamEvent]
    /// Ends the body and returns anything its last, unterminated piece still held.
    mutating func finish() -> [ChatStreamEvent]
    /// True once the protocol's end marker arrived (`[DONE]`, `done: true`, `message_stop`). A reply whose
    /// body ended without it was cut short: keep its text, but mark it incomplete.
    var isComplete: Bool { get }
}

extension ChatStreamParser {
    /// Reads the next piece of the response body and returns what it completed.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [ChatStreamEvent] {
        bytes.withMemoryRebound(to: UInt8.self) { feed($0) }
    }

    /// Reads the next piece of the response body and returns what it completed.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [ChatStreamEvent] {
        bytes.withStreamBytes { feed($0) }
    }
}
