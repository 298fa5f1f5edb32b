import Foundation
import LoreCore

/// A model endpoint that answers a conversation as a stream.
///
/// The stream's contract, the same for every provider:
/// - `.text`, `.reasoning` and `.usage` events arrive as the server sends them.
/// - A stream that ends without throwing ends with exactly one `.finished(reason:)`, always the last event.
///   Its reason is the server's ("stop", "length", "end_turn", …) when the protocol's end marker arrived
///   (`[DONE]`, `done: true`, `message_stop`), and `ChatStreamEvent.incompleteReason` when the body ended
///   without it, including when the connection broke mid-answer: the text already delivered stands, but the
///   answer was cut short.
/// - Anything else that goes wrong is thrown as an `LLMError`: before the first event (status, connection,
///   HTML page), or mid-answer (an error object in the stream, a stall). Text already delivered stands.
///   `ChatStreamEvent.error` is therefore never delivered; errors have one channel, the throw.
/// - Failures the server calls transient (429, 500, 502, 503, 529, Anthropic's overloaded_error) are retried
///   per the provider's `RetryPolicy`, but only while no text or reasoning has been delivered.
/// - Cancelling the consuming task, or dropping the stream, aborts the HTTP transfer within about a second.
public protocol ChatProvider: Sendable {
    func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatStreamEvent, any Error>
    /// The model names the endpoint offers.
    func listModels() async throws -> [String]
}

extension ChatStreamEvent {
    /// The reason of the final `.finished` event of an answer that was cut short.
    public static let incompleteReason = "incomplete"
}

/// The JSON schema of an object with exactly `fields`, all strings, all required.
struct JSONObjectSchema: Encodable {
    struct Property: Encodable { var type = "string" }
    var type = "object"
    var properties: [String: Property]
    var required: [String]
    var additionalProperties = false

    init(fields: [String]) {
        properties = Dictionary(fields.map { ($0, Property()) }, uniquingKeysWith: { first, _ in first })
        required = fields
    }
}

/// The provider for the settings, or nil when the settings say there is no model (`provider = "none"`).
public func makeChatProvider(_ settings: ModelSettings,
                             environment: [String: String] = ProcessInfo.processInfo.environment,
                             retry: RetryPolicy = .standard, client: HTTPClient = HTTPClient()) -> (any ChatProvider)? {
    switch settings.provider {
    case .openai: OpenAIChatProvider(settings: settings, environment: environment, retry: retry, client: client)
    case .ollama: OllamaChatProvider(settings: settings, retry: retry, client: client)
    case .anthropic: AnthropicChatProvider(settings: settings, environment: environment, retry: retry, client: client)
    case .none: nil
    }
}

/// Joins a configured base URL and an API path without doubling the slash, or a version prefix that the
/// person already wrote into the base (`…/v1` + `/v1/messages`).
func endpointURL(base: String, path: String, droppingSuffix suffix: String? = nil) -> String {
    var base = base
    while base.hasSuffix("/") { base.removeLast() }
    if let suffix, base.hasSuffix(suffix) { base.removeLast(suffix.count) }
    return base + path
}

/// Adds provider-specific advice to errors that carry none.
struct ErrorAdvice: Sendable {
    var unreachable: String
    var unauthorized: String?
    var notFound: String

    func annotate(_ error: LLMError) -> LLMError {
        guard error.hint == nil else { return error }
        var error = error
        switch error.kind {
        case .cannotConnect, .connectTimeout: error.hint = unreachable
        case .httpStatus(401), .httpStatus(403): error.hint = unauthorized
        case .httpStatus(404): error.hint = notFound
        default: break
        }
        return error
    }
}

extension Data {
    /// The JSON body of a request: encoding Lore's own request types cannot fail.
    static func json(_ value: some Encodable) -> Data {
        (try? JSONEncoder().encode(value)) ?? Data("{}".utf8)
    }
}
