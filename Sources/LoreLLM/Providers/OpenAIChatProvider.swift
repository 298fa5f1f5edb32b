import Foundation
import LoreCore

/// An OpenAI-compatible endpoint: `POST {base}/chat/completions` streamed as SSE, `GET {base}/models`.
/// Speaks to OpenAI, llama.cpp's `llama-server`, vLLM, LM Studio and Ollama's `/v1`.
public struct OpenAIChatProvider: ChatProvider {
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
        let body = Body(model: settings.name.isEmpty ? nil : settings.name,
                        messages: request.messages.map { Body.Message(role: $0.role.rawValue, content: $0.content) },
                        stream: true, stream_options: .init(include_usage: true),
                        temperature: request.temperature ?? settings.temperature,
                        max_tokens: request.maxTokens ?? settings.maxTokens,
                        response_format: request.jsonFields.map {
                            .init(type: "json_schema", json_schema: .init(name: "reply", strict: true, schema: JSONObjectSchema(fields: $0)))
                        })
        var headers = [HTTPHeader("Content-Type", "application/json"), HTTPHeader("Accept", "text/event-stream")]
        headers += authorization
        let http = HTTPRequest(method: "POST", url: endpointURL(base: settings.baseURL, path: "/chat/completions"),
                               headers: headers, body: .json(body), connectTimeout: settings.connectTimeout,
                               stallTimeout: settings.stallTimeout, secrets: secrets)
        return ChatStreamDriver(client: client, retry: retry, advice: advice, makeParser: { OpenAIStreamParser() })
            .stream(http)
    }

    public func listModels() async throws -> [String] {
        let http = HTTPRequest(url: endpointURL(base: settings.baseURL, path: "/models"),
                               headers: [HTTPHeader("Accept", "application/json")] + authorization,
                               connectTimeout: settings.connectTimeout, stallTimeout: settings.stallTimeout,
                               secrets: secrets)
        do {
            let response = try await client.send(http)
            return try ModelList.ids(response.body, url: http.displayURL)
        } catch let error as LLMError {
            throw advice.annotate(error)
        }
    }

    private var authorization: [HTTPHeader] {
        apiKey.map { [HTTPHeader("Authorization", "Bearer \($0)")] } ?? []
    }

    private var secrets: [String] { apiKey.map { [$0] } ?? [] }

    private var advice: ErrorAdvice {
        ErrorAdvice(unreachable: "is the server running (llama-server, vLLM, LM Studio)? "
                        + "set [model] base_url in ~/.config/lore/config.toml",
                    unauthorized: "check the API key in \(settings.apiKeySourceLabel)",
                    notFound: "check [model] base_url (it usually ends in /v1) and [model] name")
    }

    private struct Body: Encodable {
        struct Message: Encodable { var role: String; var content: String }
        struct StreamOptions: Encodable { var include_usage: Bool }
        var model: String?
        var messages: [Message]
        var stream: Bool
        var stream_options: StreamOptions
        var temperature: Double?
        var max_tokens: Int?
        struct ResponseFormat: Encodable {
            struct Schema: Encodable { var name: String; var strict: Bool; var schema: JSONObjectSchema }
            var type: String
            var json_schema: Schema
        }
        var response_format: ResponseFormat?
    }
}

/// Reads the model lists of the three protocols: `data[].id` (OpenAI, Anthropic), `models[].name` or
/// `models[].model` (Ollama, and llama.cpp beside `data`).
enum ModelList {
    static func ids(_ body: Data, url: String) throws -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw LLMError(kind: .invalidResponse(reason: "the model list is not a JSON object"), url: url)
        }
        if let data = object["data"] as? [[String: Any]] {
            return data.compactMap { $0["id"] as? String }
        }
        if let models = object["models"] as? [[String: Any]] {
            return models.compactMap { ($0["name"] as? String) ?? ($0["model"] as? String) }
        }
        throw LLMError(kind: .invalidResponse(reason: "no `data` or `models` list in the answer"), url: url)
    }
}
