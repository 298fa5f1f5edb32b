import Foundation

/// Exact token counts from the embedding server itself, where it offers them: llama.cpp's `POST /tokenize`
/// and the input limit from its `GET /props`. Other servers (Ollama, hosted OpenAI-compatible APIs) have
/// neither; `probe` then says so and the client estimates instead.
struct ServerTokenizer: Sendable {
    /// The server's root: the embeddings base URL without its `/v1`.
    let root: String
    let headers: [HTTPHeader]
    let secrets: [String]
    let client: HTTPClient

    /// What one probe of the server found.
    struct Probe: Sendable {
        /// Nil when `/tokenize` is missing or answers in another shape.
        var tokenizer: ServerTokenizer?
        /// The smallest input limit `/props` states, if it states one.
        var tokenLimit: Int?
    }

    /// Asks `/props` for the limit and tries `/tokenize` on a word. Never throws: a server without these
    /// endpoints, or one that is down, is simply a server Lore cannot count tokens with (an embedding
    /// server that is down fails on the embedding request itself, with the message people expect).
    static func probe(root: String, headers: [HTTPHeader], secrets: [String], client: HTTPClient) async -> Probe {
        let candidate = ServerTokenizer(root: root, headers: headers, secrets: secrets, client: client)
        var probe = Probe()
        if let response = try? await client.send(candidate.request("GET", "/props", body: nil), maxBodyBytes: 4 << 20) {
            probe.tokenLimit = tokenLimit(fromProps: response.body)
        }
        if let count = try? await candidate.count("probe"), count > 0 { probe.tokenizer = candidate }
        return probe
    }

    /// Tokens the server makes of `text`, with the special tokens it adds to an embedding input.
    func count(_ text: String) async throws -> Int {
        let body = Data.json(TokenizeBody(content: text, add_special: true))
        let response = try await client.send(request("POST", "/tokenize", body: body))
        guard let decoded = try? JSONDecoder().decode(TokenizeResponse.self, from: response.body) else {
            throw LLMError(kind: .invalidResponse(reason: "expected {\"tokens\": [...]}"), url: root + "/tokenize")
        }
        return decoded.tokens.count
    }

    private func request(_ method: String, _ path: String, body: Data?) -> HTTPRequest {
        HTTPRequest(method: method, url: root + path, headers: headers, body: body, connectTimeout: 10, stallTimeout: 60,
                    secrets: secrets)
    }

    /// The input limit `/props` states: the per-slot context (`n_ctx`) and, where reported, the physical
    /// batch (`n_ubatch`), which bounds a non-causal embedding input. Looked for at the top level and in
    /// `default_generation_settings` (and its `params`), where llama.cpp versions put them.
    static func tokenLimit(fromProps body: Data) -> Int? {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return nil }
        var tables = [object]
        if let settings = object["default_generation_settings"] as? [String: Any] {
            tables.append(settings)
            if let params = settings["params"] as? [String: Any] { tables.append(params) }
        }
        let limits = tables.flatMap { table in
            ["n_ctx", "n_ctx_slot", "n_ubatch"].compactMap { (table[$0] as? NSNumber)?.intValue }
        }.filter { $0 > 0 }
        return limits.min()
    }

    private struct TokenizeBody: Encodable {
        var content: String
        var add_special: Bool
    }

    /// Token ids, or `{id, piece}` objects when pieces were asked for; only the count matters here.
    private struct TokenizeResponse: Decodable {
        var tokens: [Token]
        struct Token: Decodable {
            init(from decoder: any Decoder) throws {
                if (try? decoder.singleValueContainer().decode(Int.self)) != nil { return }
                _ = try decoder.container(keyedBy: Key.self).decode(Int.self, forKey: .id)
            }
            enum Key: String, CodingKey { case id }
        }
    }
}
