/// The wire protocol Lore speaks to a model endpoint.
public enum ModelProvider: String, Sendable, Equatable, Codable, CaseIterable {
    /// `POST {base}/chat/completions`: OpenAI itself, llama.cpp's `llama-server`, vLLM, LM Studio, …
    case openai
    /// Ollama's native `POST {base}/api/chat`.
    case ollama
    /// Anthropic's `POST {base}/v1/messages`.
    case anthropic
    /// No model: Lore answers extractively from the index.
    case none
}

/// The `[model]` section of the configuration: which endpoint answers and how Lore talks to it.
///
/// Defaults are local-first. `openai` points at llama.cpp's `llama-server` on its default port
/// (`http://127.0.0.1:8080/v1`) because that is the OpenAI-compatible server a person most likely runs
/// beside Lore; to use OpenAI's hosted API set `base_url` to its `/v1` address. `ollama` points at Ollama's
/// default `http://127.0.0.1:11434`, `anthropic` at `https://api.anthropic.com`.
///
/// The API key is read from the environment variable named by `apiKeyEnv` first, then from `apiKey` (the
/// config file). `apiKey` is never encoded and never printed: a settings value may end up in logs or saved
/// files, a key must not.
public struct ModelSettings: Sendable, Equatable, Codable, CustomStringConvertible, CustomDebugStringConvertible {
    public var provider: ModelProvider
    public var baseURL: String
    /// The model name sent to the server; empty means "whatever the server has loaded" (llama.cpp).
    public var name: String
    /// The name of the environment variable that holds the API key, e.g. `OPENAI_API_KEY`.
    public var apiKeyEnv: String?
    /// A key written in the config file; used only when the environment variable is unset.
    public var apiKey: String?
    public var temperature: Double?
    public var maxTokens: Int?
    /// Tokens the model accepts in one request, prompt and answer together.
    public var contextWindow: Int
    /// Seconds without a single byte from the server after which a request is abandoned. Local models can
    /// take a long while to read a large prompt before their first token, hence the generous default.
    public var stallTimeout: Double
    /// Seconds allowed to open the TCP (and TLS) connection.
    public var connectTimeout: Double

    public init(provider: ModelProvider, baseURL: String? = nil, name: String? = nil, apiKeyEnv: String? = nil,
                apiKey: String? = nil, temperature: Double? = nil, maxTokens: Int? = nil,
                contextWindow: Int? = nil, stallTimeout: Double? = nil, connectTimeout: Double? = nil) {
        let defaults = Self.defaults(for: provider)
        self.provider = provider
        self.baseURL = baseURL ?? defaults.baseURL
        self.name = name ?? defaults.name
        self.apiKeyEnv = apiKeyEnv ?? defaults.apiKeyEnv
        self.apiKey = apiKey
        self.temperature = temperature
        self.maxTokens = maxTokens ?? defaults.maxTokens
        self.contextWindow = contextWindow ?? defaults.contextWindow
        self.stallTimeout = stallTimeout ?? defaults.stallTimeout
        self.connectTimeout = connectTimeout ?? defaults.connectTimeout
    }

    private init(provider: ModelProvider, baseURL: String, name: String, apiKeyEnv: String?, maxTokens: Int?,
                 contextWindow: Int) {
        self.provider = provider
        self.baseURL = baseURL
        self.name = name
        self.apiKeyEnv = apiKeyEnv
        self.apiKey = nil
        self.temperature = nil
        self.maxTokens = maxTokens
        self.contextWindow = contextWindow
        self.stallTimeout = 180
        self.connectTimeout = 10
    }

    /// The settings a provider gets when the config names nothing else.
    public static func defaults(for provider: ModelProvider) -> ModelSettings {
        switch provider {
        case .openai:
            ModelSettings(provider: .openai, baseURL: "http://127.0.0.1:8080/v1", name: "",
                          apiKeyEnv: "OPENAI_API_KEY", maxTokens: nil, contextWindow: 8192)
        case .ollama:
            ModelSettings(provider: .ollama, baseURL: "http://127.0.0.1:11434", name: "llama3.2",
                          apiKeyEnv: nil, maxTokens: nil, contextWindow: 8192)
        case .anthropic:
            // Anthropic requires max_tokens on every request.
            ModelSettings(provider: .anthropic, baseURL: "https://api.anthropic.com", name: "claude-sonnet-4-5",
                          apiKeyEnv: "ANTHROPIC_API_KEY", maxTokens: 1024, contextWindow: 200_000)
        case .none:
            ModelSettings(provider: .none, baseURL: "", name: "", apiKeyEnv: nil, maxTokens: nil,
                          contextWindow: 8192)
        }
    }

    /// The key to send: the named environment variable when it is set and not empty, else the config value.
    public func resolvedAPIKey(environment: [String: String]) -> String? {
        if let env = apiKeyEnv, let value = environment[env], !value.isEmpty { return value }
        if let apiKey, !apiKey.isEmpty { return apiKey }
        return nil
    }

    /// Where the key comes from, as a person would look for it; never the key itself.
    public var apiKeySourceLabel: String {
        if let apiKeyEnv { return "$\(apiKeyEnv) or [model] api_key" }
        return "[model] api_key"
    }

    public var description: String {
        let key = apiKey == nil ? "" : ", api_key: <redacted>"
        let model = name.isEmpty ? "(server default)" : name
        return "\(provider.rawValue) \(model) at \(baseURL)\(key)"
    }

    public var debugDescription: String { "ModelSettings(\(description))" }

    // MARK: Codable — snake_case keys as in config.toml; missing keys take the provider's defaults.

    enum CodingKeys: String, CodingKey {
        case provider
        case baseURL = "base_url"
        case name
        case apiKeyEnv = "api_key_env"
        case apiKey = "api_key"
        case temperature
        case maxTokens = "max_tokens"
        case contextWindow = "context_window"
        case stallTimeout = "stall_timeout"
        case connectTimeout = "connect_timeout"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(provider: try c.decodeIfPresent(ModelProvider.self, forKey: .provider) ?? .openai,
                  baseURL: try c.decodeIfPresent(String.self, forKey: .baseURL),
                  name: try c.decodeIfPresent(String.self, forKey: .name),
                  apiKeyEnv: try c.decodeIfPresent(String.self, forKey: .apiKeyEnv),
                  apiKey: try c.decodeIfPresent(String.self, forKey: .apiKey),
                  temperature: try c.decodeIfPresent(Double.self, forKey: .temperature),
                  maxTokens: try c.decodeIfPresent(Int.self, forKey: .maxTokens),
                  contextWindow: try c.decodeIfPresent(Int.self, forKey: .contextWindow),
                  stallTimeout: try c.decodeIfPresent(Double.self, forKey: .stallTimeout),
                  connectTimeout: try c.decodeIfPresent(Double.self, forKey: .connectTimeout))
    }

    /// Encodes everything but `apiKey`, so that writing settings out can never leak a key.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(provider, forKey: .provider)
        try c.encode(baseURL, forKey: .baseURL)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(apiKeyEnv, forKey: .apiKeyEnv)
        try c.encodeIfPresent(temperature, forKey: .temperature)
        try c.encodeIfPresent(maxTokens, forKey: .maxTokens)
        try c.encode(contextWindow, forKey: .contextWindow)
        try c.encode(stallTimeout, forKey: .stallTimeout)
        try c.encode(connectTimeout, forKey: .connectTimeout)
    }
}
