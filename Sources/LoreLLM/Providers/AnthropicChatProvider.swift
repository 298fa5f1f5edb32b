import Foundation
import LoreCore

/// Anthropic's Messages API: `POST {base}/v1/messages` streamed as SSE, `GET {base}/v1/models`. A base that
/// already ends in `/v1` is accepted as well, since that is how OpenAI-style bases are written.
public struct AnthropicChatProvider: ChatProvider {
    public static let apiVersion = "2023-06-01"

    public let settings: ModelSettings
    private let apiKey: String?
    private let client: HTTPClient
    private let retry: RetryPolicy

    public init(settings: ModelSettings, environment: [String: String] = ProcessInfo.processInfo.environment,
                retry: RetryPolicy = .standard, client: HTTPClient = HTTPClient()) {
        self.settings = settings
        self.apiKey = settings.resolvedAPIKey(environment: environment)
        self.retry = retry
        self.client = client
    }

    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatStreamEvent, any Error> {
        let (system, turns) = Self.split(request.messages)
        let body = Body(model: settings.name, system: system, messages: turns,
                        max_tokens: request.maxTokens ?? settings.maxTokens ?? 1024, stream: true,
                        temperature: request.temperature ?? settings.temperature)
        let http = HTTPRequest(method: "POST", url: url("/v1/messages"),
                               headers: headers + [HTTPHeader("Content-Type", "application/json"),
                                                   HTTPHeader("Accept", "text/event-stream")],
                               body: .json(body), connectTimeout: settings.connectTimeout,
                               stallTimeout: settings.stallTimeout, secrets: secrets)
        return ChatStreamDriver(client: client, retry: retry, advice: advice, makeParser: { AnthropicStreamParser() })
            .stream(http)
    }

    public func listModels() async throws -> [String] {
        let http = HTTPRequest(url: url("/v1/models"), headers: headers + [HTTPHeader("Accept", "application/json")],
                               connectTimeout: settings.connectTimeout, stallTimeout: settings.stallTimeout,
                               secrets: secrets)
        do {
            return try ModelList.ids(try await client.send(http).body, url: http.displayURL)
        } catch let error as LLMError {
            throw advice.annotate(error)
        }
    }

    /// Anthropic takes the system prompt apart from the turns, and wants turns that alternate between user
    /// and assistant; consecutive messages of one role are joined.
    static func split(_ messages: [ChatMessage]) -> (system: String?, turns: [Body.Message]) {
        var system: [String] = []
        var turns: [Body.Message] = []
        for message in messages {
            switch message.role {
            case .system:
                system.append(message.content)
            case .user, .assistant:
                if let last = turns.last, last.role == message.role.rawValue {
                    turns[turns.count - 1].content += "\n\n" + message.content
                } else {
                    turns.append(Body.Message(role: message.role.rawValue, content: message.content))
                }
            }
        }
        return (system.isEmpty ? nil : system.joined(separator: "\n\n"), turns)
    }

    private func url(_ path: String) -> String {
        endpointURL(base: settings.baseURL, path: path, droppingSuffix: "/v1")
    }

    private var headers: [HTTPHeader] {
        var headers = [HTTPHeader("anthropic-version", Self.apiVersion)]
        if let apiKey { headers.append(HTTPHeader("x-api-key", apiKey)) }
        return headers
    }

    private var secrets: [String] { apiKey.map { [$0] } ?? [] }

    private var advice: ErrorAdvice {
        ErrorAdvice(unreachable: "check the network, a proxy in https_proxy, or [model] base_url",
                    unauthorized: "check the API key in \(settings.apiKeySourceLabel)",
                    notFound: "check [model] base_url and [model] name")
    }

    struct Body: Encodable {
        struct Message: Encodable { var role: String; var content: String }
        var model: String
        var system: String?
        var messages: [Message]
        var max_tokens: Int
        var stream: Bool
        var temperature: Double?
    }
}
