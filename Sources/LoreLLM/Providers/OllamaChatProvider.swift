import Foundation
import LoreCore

/// Ollama's native API: `POST {base}/api/chat` streamed as NDJSON, `GET {base}/api/tags`. Used rather than
/// Ollama's OpenAI-compatible `/v1` because only the native API lets Lore set the context size (`num_ctx`);
/// Ollama's small default would otherwise cut retrieved sources out of the prompt without a word.
public struct OllamaChatProvider: ChatProvider {
    public let settings: ModelSettings
    private let client: HTTPClient
    private let retry: RetryPolicy

    public init(settings: ModelSettings, retry: RetryPolicy = .standard, client: HTTPClient = HTTPClient()) {
        self.settings = settings
        self.retry = retry
        self.client = client
    }

    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatStreamEvent, any Error> {
        let body = Body(model: settings.name,
                        messages: request.messages.map { Body.Message(role: $0.role.rawValue, content: $0.content) },
                        stream: true,
                        options: .init(temperature: request.temperature ?? settings.temperature,
                                       num_predict: request.maxTokens ?? settings.maxTokens,
                                       num_ctx: settings.contextWindow),
                        format: request.jsonFields.map { JSONObjectSchema(fields: $0) })
        let http = HTTPRequest(method: "POST", url: url("/api/chat"),
                               headers: [HTTPHeader("Content-Type", "application/json"),
                                         HTTPHeader("Accept", "application/x-ndjson")],
                               body: .json(body), connectTimeout: settings.connectTimeout,
                               stallTimeout: settings.stallTimeout)
        return ChatStreamDriver(client: client, retry: retry, advice: advice, makeParser: { OllamaStreamParser() })
            .stream(http)
    }

    public func listModels() async throws -> [String] {
        let http = HTTPRequest(url: url("/api/tags"), headers: [HTTPHeader("Accept", "application/json")],
                               connectTimeout: settings.connectTimeout, stallTimeout: settings.stallTimeout)
        do {
            return try ModelList.ids(try await client.send(http).body, url: http.displayURL)
        } catch let error as LLMError {
            throw advice.annotate(error)
        }
    }

    private func url(_ path: String) -> String {
        endpointURL(base: settings.baseURL, path: path, droppingSuffix: "/api")
    }

    private var advice: ErrorAdvice {
        ErrorAdvice(unreachable: "is Ollama running (`ollama serve`)? set [model] base_url in ~/.config/lore/config.toml",
                    unauthorized: nil,
                    notFound: "is the model pulled? `ollama pull \(settings.name)`, or set [model] name")
    }

    private struct Body: Encodable {
        struct Message: Encodable { var role: String; var content: String }
        struct Options: Encodable { var temperature: Double?; var num_predict: Int?; var num_ctx: Int }
        var model: String
        var messages: [Message]
        var stream: Bool
        var options: Options
        var format: JSONObjectSchema?
    }
}
