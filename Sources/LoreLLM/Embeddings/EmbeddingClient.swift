import Foundation
import LoreCore

/// What one call to `EmbeddingClient.embed` produced: a vector per input, or nil for an input the server
/// refused even cut short, and how the inputs had to be cut.
public struct EmbeddingOutcome: Sendable {
    public var vectors: [[Float]?]
    /// Inputs cut to the input limit before they were first sent.
    public var cut = 0
    /// Inputs the server still found too long and that were cut again.
    public var truncatedFurther: Int { shortenedAfterRefusal.count }
    /// Answers of "too large" the server gave during the call.
    public var rejections = 0
    /// Why each refused input was refused (index into the inputs → message).
    public var failures: [Int: String] = [:]
    var shortenedAfterRefusal = Set<Int>()

    init(count: Int) { vectors = Array(repeating: nil, count: count) }
}

/// Which texts the server's tokenizer counts before they are sent, when the server has one (llama.cpp's
/// `/tokenize`).
public enum TokenCounting: String, Sendable, CaseIterable {
    /// Every text with more UTF-8 bytes than the limit has tokens, that is, every text that could be too
    /// long: the server never has to refuse one.
    case everyLongText = "long"
    /// Only texts of more than two characters per token of the limit; shorter ones go as they are, and a
    /// refusal among them is handled after the fact.
    case nearTheLimit = "near"
    /// None: the estimate alone, as with a server that cannot count.
    case never
}

/// Turns text into vectors through an OpenAI-compatible `/embeddings` endpoint or Ollama's `/api/embed`.
///
/// The model's input limit is respected before a text is sent, with what the run has learned about the
/// server (`InputLimit`, shared by all copies of a client). A server that counts tokens (llama.cpp:
/// `/tokenize`, with the limit in `/props`) has every text that could be too long counted and cut exactly
/// to the limit. Any other server gets texts cut by an estimate of characters per token, which starts at
/// three and is corrected by the first refusal: llama.cpp says "input (N tokens) is too large to process
/// … (current batch size: M)" with HTTP 500, which gives both the ratio and the limit, and every later
/// input is cut to fit. A refused batch is prepared again with what was learned and sent once more; if it
/// is refused again it is split in halves until the offending input is alone, and that input is cut in
/// proportion to the count the server reported. Nothing is dropped without being reported in `failures`.
public struct EmbeddingClient: Sendable {
    public let settings: EmbeddingSettings
    public let tokenCounting: TokenCounting
    private let apiKey: String?
    private let client: HTTPClient
    private let retry: RetryPolicy
    private let limit: InputLimit

    public init(settings: EmbeddingSettings, environment: [String: String] = ProcessInfo.processInfo.environment,
                retry: RetryPolicy = .standard, tokenCounting: TokenCounting = .everyLongText,
                client: HTTPClient = HTTPClient()) {
        self.settings = settings
        self.apiKey = settings.apiKeyEnv.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 }
        self.retry = retry
        self.tokenCounting = tokenCounting
        self.client = client
        self.limit = InputLimit(configuredTokens: settings.maxInputTokens)
    }

    public var endpoint: String {
        switch settings.provider {
        case .openai: endpointURL(base: settings.baseURL, path: "/embeddings")
        case .ollama: endpointURL(base: settings.baseURL, path: "/api/embed", droppingSuffix: "/api")
        }
    }

    /// What the client knows so far about the server's input limit.
    public var inputLimit: InputLimitKnowledge { get async { await limit.knowledge } }
    /// "Too large" answers received and token-count requests made by this client and its copies.
    public var limitStatistics: (rejections: Int, countRequests: Int) {
        get async { (await limit.rejections, await limit.countRequests) }
    }

    /// Embeds each text. Transient failures (429, 5xx other than "too large", a dropped connection) are
    /// retried with backoff; a server that stays unreachable throws. `fitted` texts were already cut to the
    /// limit (by `prepare` or `parts(of:lead:maxParts:)`) and are sent as they are, not counted again; a
    /// refusal still shortens them.
    public func embed(_ texts: [String], fitted: Bool = false) async throws -> EmbeddingOutcome {
        var outcome = EmbeddingOutcome(count: texts.count)
        let prepared = fitted ? texts : await prepare(texts)
        outcome.cut = zip(prepared, texts).filter { $0.utf8.count < $1.utf8.count }.count
        try await embed(prepared, indices: Array(texts.indices), into: &outcome, adapted: false)
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

    // MARK: - Cutting texts to the limit

    /// Each text as it will be sent: unchanged when it fits, else cut to the input limit, counted by the
    /// server when it can count and `tokenCounting` asks for it, estimated otherwise. The server is probed
    /// for a tokenizer only when a text could be too long, so short queries cost no extra request.
    public func prepare(_ texts: [String]) async -> [String] {
        var knowledge = await limit.knowledge
        var tokenizer: ServerTokenizer?
        var probed = settings.provider != .openai || tokenCounting == .never
        var prepared: [String] = []
        prepared.reserveCapacity(texts.count)
        for text in texts {
            if knowledge.certainlyFits(text) {
                prepared.append(text)
                continue
            }
            if !probed {
                probed = true
                tokenizer = await limit.serverTokenizer { [self] in await probeServer() }
                knowledge = await limit.knowledge
                if knowledge.certainlyFits(text) {
                    prepared.append(text)
                    continue
                }
            }
            let worthCounting = tokenCounting == .everyLongText || text.count > min(knowledge.tokenLimit * 2, knowledge.characterLimit)
            if let tokenizer, worthCounting, let fitted = try? await cutExactly(text, limit: knowledge.tokenLimit, tokenizer: tokenizer) {
                prepared.append(fitted)
            } else {
                prepared.append(Self.truncate(text, toCharacters: knowledge.characterLimit))
            }
        }
        return prepared
    }

    /// A text cut into consecutive parts that each fit the input limit, at most `maxParts` of them: the
    /// first is what `prepare` would send, each later one starts with `lead` (the passage's title and
    /// headings, so that every part keeps its topic) and goes on where the one before stopped. A tail of a
    /// few words does not make a part of its own words and the lead alone: the last part then starts
    /// earlier, repeating the end of the part before, so that it reads like the others. A text that fits
    /// is its own single part. `covered` is false when text was left after the last part.
    public func parts(of text: String, lead: String, maxParts: Int) async -> (parts: [String], covered: Bool) {
        var parts: [String] = []
        var rest = text
        var leadLength = 0
        let head = lead.isEmpty ? "" : lead + "\n"
        while true {
            let fitted = await prepare([rest])[0]
            parts.append(fitted)
            if fitted.count >= rest.count { return (parts, true) }
            // The part must carry some of the text beyond its lead, or no later part could go further.
            guard parts.count < max(1, maxParts), fitted.count > leadLength + 1, rest.hasPrefix(fitted) else { return (parts, false) }
            let remainder = rest.dropFirst(fitted.count).trimmingCharacters(in: .whitespacesAndNewlines)
            if remainder.count < Self.shortestPart {
                // The end of the part before, as much as half its body, then the tail.
                let body = fitted.dropFirst(leadLength == 0 ? 0 : leadLength + 1)
                var repeated = String(body.suffix(body.count / 2))
                if let space = repeated.firstIndex(where: \.isWhitespace) { repeated = String(repeated[space...]) }
                let last = head + repeated.trimmingCharacters(in: .whitespacesAndNewlines) + " " + remainder
                let sent = await prepare([last])[0]
                parts.append(sent.count >= last.count ? last : head + remainder)
                return (parts, true)
            }
            rest = head + remainder
            leadLength = lead.isEmpty ? 0 : lead.count
        }
    }

    /// A tail shorter than this (a few words) is embedded with the end of the part before it.
    static let shortestPart = 40

    private func probeServer() async -> ServerTokenizer.Probe {
        await ServerTokenizer.probe(root: endpointURL(base: settings.baseURL, path: "", droppingSuffix: "/v1"),
                                    headers: authorization, secrets: apiKey.map { [$0] } ?? [], client: client)
    }

    /// The text cut, at a word where one is near, to at most `limit` tokens as the server counts them: cut
    /// in proportion to the count, then counted again, until it fits.
    private func cutExactly(_ text: String, limit tokens: Int, tokenizer: ServerTokenizer) async throws -> String {
        var current = text
        for _ in 0..<8 {
            await limit.countedTokens()
            let count = try await tokenizer.count(current)
            if count <= tokens { return current }
            let length = current.count
            // Aim a little below the limit, so that one recount usually confirms the cut.
            let keep = Int(Double(length) * Double(tokens) / Double(count) * 0.97)
            current = Self.truncate(current, toCharacters: max(1, min(keep, length - 1)))
        }
        throw LLMError(kind: .invalidResponse(reason: "the token count did not fall below \(tokens)"), url: tokenizer.root)
    }

    // MARK: - Sending, and what a refusal teaches

    private func embed(_ texts: [String], indices: [Int], into outcome: inout EmbeddingOutcome, adapted: Bool) async throws {
        guard !texts.isEmpty else { return }
        do {
            let vectors = try await requestWithRetry(texts)
            for (i, vector) in zip(indices, vectors) { outcome.vectors[i] = vector }
        } catch let error as LLMError where Self.isTooLarge(error) {
            outcome.rejections += 1
            if await limit.learn(from: error, sent: texts), !adapted {
                // Prepared again with what the refusal taught, the batch usually fits as a whole.
                let again = await prepare(texts)
                for (index, (new, old)) in zip(indices, zip(again, texts)) where new.utf8.count < old.utf8.count {
                    outcome.shortenedAfterRefusal.insert(index)
                }
                try await embed(again, indices: indices, into: &outcome, adapted: true)
                return
            }
            if texts.count > 1 {
                let half = texts.count / 2
                try await embed(Array(texts[..<half]), indices: Array(indices[..<half]), into: &outcome, adapted: true)
                try await embed(Array(texts[half...]), indices: Array(indices[half...]), into: &outcome, adapted: true)
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
            let tokens = await limit.knowledge.tokenLimit
            let reported = Self.reportedTokens(error)
            let ratio = reported.map { Double(tokens) / Double($0) * 0.9 } ?? 0.5
            let keep = max(16, Int(Double(current.count) * min(ratio, 0.9)))
            guard keep < current.count else { break }
            current = Self.truncate(current, toCharacters: keep)
            do {
                let vectors = try await requestWithRetry([current])
                outcome.vectors[index] = vectors[0]
                outcome.shortenedAfterRefusal.insert(index)
                return
            } catch let next as LLMError where Self.isTooLarge(next) {
                outcome.rejections += 1
                _ = await limit.learn(from: next, sent: [current])
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
        let headers = authorization
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

    /// JSON in and out, and the key when one is configured: for the embeddings endpoint and for the
    /// tokenizer endpoints of the same server.
    private var authorization: [HTTPHeader] {
        var headers = [HTTPHeader("Content-Type", "application/json"), HTTPHeader("Accept", "application/json")]
        if let apiKey { headers.append(HTTPHeader("Authorization", "Bearer \(apiKey)")) }
        return headers
    }

    // MARK: - Reading a refusal

    /// Whether the server refused an input for its length. llama.cpp says "input (N tokens) is too large to
    /// process" with HTTP 500; OpenAI and vLLM say "maximum context length" with 400; others 413.
    public static func isTooLarge(_ error: LLMError) -> Bool {
        guard let status = error.status, [400, 413, 422, 500].contains(status) else { return false }
        if status == 413 { return true }
        let message = (error.providerMessage ?? "").lowercased()
        return message.contains("too large") || message.contains("too long") || message.contains("maximum context length")
            || message.contains("exceeds the context") || message.contains("context length")
            || message.contains("exceeds the available context size")
    }

    /// N of "input (N tokens)", when the server said it.
    static func reportedTokens(_ error: LLMError) -> Int? {
        guard let message = error.providerMessage, let open = message.range(of: "(") else { return nil }
        let digits = message[open.upperBound...].prefix { $0.isNumber }
        guard let n = Int(digits), n > 0, message[open.upperBound...].dropFirst(digits.count).hasPrefix(" token") else { return nil }
        return n
    }

    /// M of "(current batch size: M)": the physical batch, which bounds one input of a non-causal model.
    static func reportedBatchSize(_ error: LLMError) -> Int? {
        guard let message = error.providerMessage, let label = message.range(of: "batch size: ") else { return nil }
        return Int(message[label.upperBound...].prefix { $0.isNumber })
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
