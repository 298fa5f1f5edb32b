import Foundation
import LoreCore
import Testing
@testable import LoreLLM

@Suite struct RetryPolicyTests {
    @Test func retryAfterInSeconds() {
        #expect(RetryPolicy.retryAfter([HTTPHeader("Retry-After", "7")]) == 7)
        #expect(RetryPolicy.retryAfter([HTTPHeader("retry-after", " 2.5 ")]) == 2.5)
    }

    @Test func retryAfterMillisecondsWins() {
        let headers = [HTTPHeader("Retry-After", "3"), HTTPHeader("retry-after-ms", "250")]
        #expect(RetryPolicy.retryAfter(headers) == 0.25)
    }

    @Test func retryAfterAsHTTPDate() {
        let now = Date(timeIntervalSince1970: 784_111_767)  // Sun, 06 Nov 1994 08:49:27 GMT
        #expect(RetryPolicy.retryAfter([HTTPHeader("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT")], now: now) == 10)
        #expect(RetryPolicy.retryAfter([HTTPHeader("Retry-After", "Sunday, 06-Nov-94 08:49:37 GMT")], now: now) == 10)
        #expect(RetryPolicy.retryAfter([HTTPHeader("Retry-After", "Sun Nov  6 08:49:37 1994")], now: now) == 10)
        // A date in the past means "now".
        #expect(RetryPolicy.retryAfter([HTTPHeader("Retry-After", "Sun, 06 Nov 1994 08:49:00 GMT")], now: now) == 0)
    }

    @Test func nonsenseRetryAfterIsIgnored() {
        #expect(RetryPolicy.retryAfter([HTTPHeader("Retry-After", "soon")]) == nil)
        #expect(RetryPolicy.retryAfter([HTTPHeader("Retry-After", "-5")]) == nil)
        #expect(RetryPolicy.retryAfter([]) == nil)
    }

    @Test func onlyTransientFailuresAreRetriedAndBoundedly() {
        let policy = RetryPolicy.standard
        let url = "http://127.0.0.1/v1/chat/completions"
        for status in [429, 500, 502, 503, 529] {
            #expect(policy.delay(after: LLMError(kind: .httpStatus(status), url: url), attempt: 1) == 1)
            #expect(policy.delay(after: LLMError(kind: .httpStatus(status), url: url), attempt: 2) == 2)
            #expect(policy.delay(after: LLMError(kind: .httpStatus(status), url: url), attempt: 3) == nil)
        }
        for status in [400, 401, 403, 404, 501, 504] {
            #expect(policy.delay(after: LLMError(kind: .httpStatus(status), url: url), attempt: 1) == nil)
        }
        #expect(policy.delay(after: LLMError(kind: .httpStatus(429), url: url, retryAfter: 12), attempt: 1) == 12)
        #expect(policy.delay(after: LLMError(kind: .httpStatus(429), url: url, retryAfter: 31), attempt: 1) == nil)
        #expect(policy.delay(after: LLMError(kind: .cannotConnect(reason: "connection refused"), url: url), attempt: 1) == nil)
        #expect(policy.delay(after: LLMError(kind: .streamError, url: url, providerErrorType: "overloaded_error"),
                             attempt: 1) == 1)
    }
}

@Suite struct LLMErrorTests {
    @Test func providerErrorShapes() {
        func parse(_ json: String) -> ProviderErrorBody? { ProviderErrorBody.parse(Data(json.utf8)) }
        #expect(parse(#"{"error":{"message":"bad key","type":"invalid_request_error"}}"#)
            == ProviderErrorBody(message: "bad key", type: "invalid_request_error"))
        #expect(parse(#"{"error":"model not found"}"#) == ProviderErrorBody(message: "model not found", type: nil))
        #expect(parse(#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)
            == ProviderErrorBody(message: "Overloaded", type: "overloaded_error"))
        #expect(parse(#"{"error":{"code":400,"message":"m"}}"#) == ProviderErrorBody(message: "m", type: "400"))
        #expect(parse(#"{"detail":"Not Found"}"#) == ProviderErrorBody(message: "Not Found", type: nil))
        #expect(parse("<html>oops</html>") == nil)
        #expect(ProviderErrorBody.fallbackMessage(Data("upstream timed out\n".utf8), mediaType: "text/plain")
            == "upstream timed out")
        #expect(ProviderErrorBody.fallbackMessage(Data("<html>502</html>".utf8), mediaType: "text/html") == nil)
    }

    @Test func redactionCoversEverythingAServerSaid() {
        let key = "sk-abcdef123456"
        let error = LLMError(kind: .transport(reason: "x \(key)"), url: "http://h/\(key)",
                             providerMessage: "bad \(key)", providerErrorType: key, hint: key).redacting([key])
        #expect(!error.description.contains(key))
        #expect(error.providerMessage == "bad <redacted>")
    }

    @Test func displayURLDropsCredentials() {
        #expect(HTTPRequest.displayURL("https://user:pw@api.example.test/v1/models?key=abc")
            == "https://api.example.test/v1/models?…")
        #expect(HTTPRequest.displayURL("http://127.0.0.1:11434/api/chat") == "http://127.0.0.1:11434/api/chat")
    }

    @Test func descriptionsNameThePlaceAndTheRemedy() {
        let url = "http://127.0.0.1:8080/v1/chat/completions"
        #expect(LLMError(kind: .cannotConnect(reason: "connection refused"), url: url).description
            == "cannot reach http://127.0.0.1:8080: connection refused — is the server running? "
            + "set [model] base_url in ~/.config/lore/config.toml")
        #expect(LLMError(kind: .httpStatus(404), url: url, providerMessage: "File Not Found").description
            == "\(url) answered HTTP 404 (Not Found): File Not Found — check [model] base_url and [model] name "
            + "in ~/.config/lore/config.toml")
        #expect(LLMError(kind: .stalled(seconds: 2.5), url: url).description.hasPrefix("\(url) sent nothing for 2.5 s"))
        #expect(LLMError(kind: .httpStatus(302), url: url).description.contains("Redirect, not followed"))
    }

    @Test func endpointURLs() {
        #expect(endpointURL(base: "http://h:1/v1/", path: "/models") == "http://h:1/v1/models")
        #expect(endpointURL(base: "https://api.anthropic.com", path: "/v1/messages", droppingSuffix: "/v1")
            == "https://api.anthropic.com/v1/messages")
        #expect(endpointURL(base: "http://h/v1", path: "/v1/messages", droppingSuffix: "/v1") == "http://h/v1/messages")
        #expect(endpointURL(base: "http://h:11434/api", path: "/api/chat", droppingSuffix: "/api")
            == "http://h:11434/api/chat")
    }

    @Test func anthropicTurnsAlternateAndSystemStandsApart() {
        let (system, turns) = AnthropicChatProvider.split([
            .system("rules"), .user("a"), .user("b"), .assistant("c"), .system("more rules"), .user("d"),
        ])
        #expect(system == "rules\n\nmore rules")
        #expect(turns.map(\.role) == ["user", "assistant", "user"])
        #expect(turns.first?.content == "a\n\nb")
    }
}

@Suite struct ModelSettingsTests {
    @Test func defaultsPerProvider() {
        #expect(ModelSettings(provider: .openai).baseURL == "http://127.0.0.1:8080/v1")
        #expect(ModelSettings(provider: .ollama).baseURL == "http://127.0.0.1:11434")
        #expect(ModelSettings(provider: .anthropic).baseURL == "https://api.anthropic.com")
        #expect(ModelSettings(provider: .anthropic).apiKeyEnv == "ANTHROPIC_API_KEY")
        #expect(ModelSettings(provider: .anthropic).maxTokens == 1024)
        #expect(makeChatProvider(ModelSettings(provider: .none)) == nil)
    }

    @Test func keyFromEnvironmentThenConfig() {
        var settings = ModelSettings(provider: .openai, apiKey: "from-config")
        #expect(settings.resolvedAPIKey(environment: ["OPENAI_API_KEY": "from-env"]) == "from-env")
        #expect(settings.resolvedAPIKey(environment: ["OPENAI_API_KEY": ""]) == "from-config")
        settings.apiKey = nil
        #expect(settings.resolvedAPIKey(environment: [:]) == nil)
    }

    @Test func codableUsesConfigKeysAndNeverWritesTheKey() throws {
        let json = #"{"provider":"anthropic","api_key":"sk-config-secret","stall_timeout":30,"max_tokens":2048}"#
        let settings = try JSONDecoder().decode(ModelSettings.self, from: Data(json.utf8))
        #expect(settings.baseURL == "https://api.anthropic.com")
        #expect(settings.apiKey == "sk-config-secret")
        #expect(settings.stallTimeout == 30)
        #expect(settings.maxTokens == 2048)
        let encoded = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
        #expect(!encoded.contains("sk-config-secret"))
        #expect(encoded.contains("\"base_url\""))
        #expect(!"\(settings)".contains("sk-config-secret"))
        #expect(!String(reflecting: settings).contains("sk-config-secret"))
    }
}
