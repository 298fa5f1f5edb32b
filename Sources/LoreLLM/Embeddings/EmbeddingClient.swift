import Foundation
import LoreCore

/// What one call to `EmbeddingClient.embed` produced: a vector per input, or nil for an input the server
/// refused even cut short, and how many inputs had to be cut.
public struct EmbeddingOutcome: Sendable {
    public var vectors: [[Float]?]
    /// Inputs shortened below the configured limit because the server still found them too long.
    public var truncatedFurther: Int
    /// Why each refused input was refused (index into the inputs → message).
    public var failures: [Int: String]
}

/// Turns text into vectors through an OpenAI-compatible `/embeddings` endpoint or Ollama's `/api/embed`.
///
/// The model's input limit is respected in two steps. Text is first cut to about `maxInputTokens` (by
/// Lore's token estimate, which runs low for WordPiece vocabularies on technical text). When the server
/// still answers that an input is too large (llama.cpp: HTTP 500 "input (N tokens) is too large"), the batch
/// is split in halves until the offending input is alone, and that input is cut in proportion to the
/// count the server reported, then tried again. Nothing is dropped without being reported in `failures`.
public struct EmbeddingClient: Sendable {
    public let settings: EmbeddingSettings
    private let apiKey: String?
    private let client: HTTPClient
    private let retry: RetryPolicy

    public init(settings: EmbeddingSettings, environment: [String: String] = ProcessInfo.processInfo.environment,
                retry: RetryPolicy = .standard, client: HTTPClient = HTTPClient()) {
        self.settings = settings
        self.apiKey = settings.apiKeyEnv.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 }
        self.retry = retry
        self.client = client
    }

    public var endpoint: String {
        switch settings.provider {
        case .openai: endpointURL(base: settings.baseURL, path: "/embeddings")
        case .ollama: endpointURL(base: settings.baseURL, path: "/api/embed", droppingSuffix: "/api")
        }
    }

    /// Characters kept of a text before it is first sent: three per token of the limit, a margin below the
    /// ~4 of English prose because the subword vocabularies of small embedding models split technical
    /// words finely.
    public var initialCharacterLimit: Int { max(64, settings.maxInputTokens * 3) }

    /// Embeds each text. Transient failures (429, 5xx other than "too large", a dropped connection) are
    /// retried with backoff; a server that stays unreachable throws.
    public func embed(_ texts: [String]) async throws -> EmbeddingOutcome {
        var outcome = EmbeddingOutcome(vectors: Array(repeating: nil, count: texts.count), truncatedFurther: 0, failures: [:])
        let prepared = texts.map { Self.truncate($0, toCharacters: initialCharacterLimit) }
        try await embed(prepared, indices: Array(texts.indices), into: &outcome)
        return outcome
    }

    /// A single text, for queries.
    public func embedQuery(_ text: String) async throws -> [Float] {
        let outcome = try await embed([text])
        guard let vector = outcome.vectors.first ?? nil else {
            throw LLMError(kind: .invalidResponse(reason: outcome.failures[0] ?? "no vector for the query"), url: endpoint)
        }
        return vector
    }

    private func embed(_ texts: [String], indices: [Int], into outcome: inout EmbeddingOutcome) async throws {
        guard !texts.isEmpty else { return }
        do {
            let vectors = try await requestWithRetry(texts)
            for (i, vector) in zip(indices, vectors) { outcome.vectors[i] = vector }
        } catch let error as LLMError where Self.isTooLarge(error) {
            if texts.count > 1 {
                let half = texts.count / 2
                try await embed(Array(texts[..<half]), indices: Array(indices[..<half]), into: &outcome)
                try await embed(Array(texts[half...]), indices: Array(indices[half...]), into: &outcome)
                return
            }
            try await embedShortened(texts[0], index: indices[0], firstError: error, into: &outcome)
        }
    }

    private func embedShortened(_ text: String, index: Int, firstError: LLMError,
                                into outcome: inout EmbeddingOutcome) async throws {
        var current = text
        var error = firstError
        for _ in 0..<6 {
            let reported = Self.reportedTokens(error)
            let ratio = reported.map { Double(settings.maxInputTokens) / Double($0) * 0.9 } ?? 0.5
            let keep = max(16, Int(Double(current.count) * min(ratio, 0.9)))
            guard keep < current.count else { break }
            current = Self.truncate(current, toCharacters: keep)
            do {
                let vectors = try await requestWithRetry([current])
                outcome.vectors[index] = vectors[0]
                outcome.truncatedFurther += 1
                return
            } catch let next as LLMError where Self.isTooLarge(next) {
                error = next
            }
        }
        outcome.failures[index] = error.description
    }

    private func requestWithRetry(_ texts: [String]) async throws -> [[Float]] {
        var attempt = 1
        while true {
            do {
                return try await request(texts)
            } catch let error as LLMError {
                guard !Self.isTooLarge(error), let wait = retry.delay(after: error, attempt: attempt)
                        ?? (Self.isBrokenConnection(error) && attempt < retry.maxAttempts ? retry.baseDelay : nil) else {
                    throw error
                }
                try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
                attempt += 1
            }
        }
    }

    /// One request, no retries: the vectors in input order.
    func request(_ texts: [String]) async throws -> [[Float]] {
        var headers = [HTTPHeader("Content-Type", "application/json"), HTTPHeader("Accept", "application/json")]
        if let apiKey { headers.append(HTTPHeader("Authorization", "Bearer \(apiKey)")) }
        let body: Data
        switch settings.provider {
        case .openai:
            body = .json(OpenAIBody(input: texts, model: settings.model.isEmpty ? nil : settings.model,
                                    dimensions: settings.dimensions, encoding_format: "float"))
        case .ollama:
            body = .json(OllamaBody(model: settings.model, input: texts, truncate: true, dimensions: settings.dimensions))
        }
        let http = HTTPRequest(method: "POST", url: endpoint, headers: headers, body: body, connectTimeout: 10,
                               stallTimeout: 300, secrets: apiKey.map { [$0] } ?? [])
        let response = try await client.send(http)
        let vectors: [[Float]]
        do {
            switch settings.provider {
            case .openai:
                let decoded = try JSONDecoder().decode(OpenAIResponse.self, from: response.body)
                // The index field, when present, says which input a vector belongs to; servers may reorder.
                vectors = decoded.data.enumerated().sorted { ($0.element.index ?? $0.offset) < ($1.element.index ?? $1.offset) }
                    .map(\.element.embedding)
            case .ollama:
                vectors = try JSONDecoder().decode(OllamaResponse.self, from: response.body).embeddings
            }
        } catch {
            throw LLMError(kind: .invalidResponse(reason: "expected a list of embeddings (\(error))"), url: http.displayURL)
        }
        guard vectors.count == texts.count else {
            throw LLMError(kind: .invalidResponse(reason: "\(vectors.count) vectors for \(texts.count) inputs"), url: http.displayURL)
        }
        if let expected = settings.dimensions, let wrong = vectors.first(where: { $0.count != expected }) {
            throw LLMError(kind: .invalidResponse(reason: "a vector of \(wrong.count) dimensions, \(expected) configured"),
                           url: http.displayURL, hint: "set [embedding] dimensions to the model's size or remove it")
        }
        return vectors
    }

    // MARK: - The input limit

    /// Whether the server refused an input for its length. llama.cpp says "input (N tokens) is too large to
    /// process" with HTTP 500; OpenAI and vLLM say "maximum context length" with 400; others 413.
    public static func isTooLarge(_ error: LLMError) -> Bool {
        guard let status = error.status, [400, 413, 422, 500].contains(status) else { return false }
        if status == 413 { return true }
        let message = (error.providerMessage ?? "").lowercased()
        return message.contains("too large") || message.contains("too long") || message.contains("maximum context length")
            || message.contains("exceeds the context") || message.contains("context length")
    }

    /// N of "input (N tokens)", when the server said it.
    static func reportedTokens(_ error: LLMError) -> Int? {
        guard let message = error.providerMessage, let open = message.range(of: "(") else { return nil }
        let digits = message[open.upperBound...].prefix { $0.isNumber }
        guard let n = Int(digits), n > 0, message[open.upperBound...].dropFirst(digits.count).hasPrefix(" token") else { return nil }
        return n
    }

    static func isBrokenConnection(_ error: LLMError) -> Bool {
        if case .connectionLost = error.kind { return true }
        return false
    }

    /// The text cut at a word boundary at most `limit` characters in.
    public static func truncate(_ text: String, toCharacters limit: Int) -> String {
        guard text.count > limit else { return text }
        let cut = text.prefix(limit)
        if let space = cut.lastIndex(where: { $0 == " " || $0 == "\n" }), cut.distance(from: cut.startIndex, to: space) > limit / 2 {
            return String(cut[..<space])
        }
        return String(cut)
    }

    private struct OpenAIBody: Encodable {
        var input: [String]
        var model: String?
        var dimensions: Int?
        var encoding_format: String
    }
    private struct OllamaBody: Encodable {
        var model: String
        var input: [String]
        var truncate: Bool
        var dimensions: Int?
    }
    private struct OpenAIResponse: Decodable {
        struct Item: Decodable {
            var embedding: [Float]
            var index: Int?
        }
        var data: [Item]
    }
    private struct OllamaResponse: Decodable {
        var embeddings: [[Float]]
    }
}
