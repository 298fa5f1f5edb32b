import Foundation
import LoreCore

/// A cross-encoder behind a `/rerank` endpoint: llama.cpp's `llama-server --reranking`, Jina, Cohere
/// and Hugging Face TEI all take a query and documents and return relevance scores by document index.
public struct RerankClient: Sendable {
    public let settings: RerankSettings
    private let apiKey: String?
    private let client: HTTPClient

    public init(settings: RerankSettings, environment: [String: String] = ProcessInfo.processInfo.environment,
                client: HTTPClient = HTTPClient()) {
        self.settings = settings
        self.apiKey = settings.apiKeyEnv.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 }
        self.client = client
    }

    public var endpoint: String { endpointURL(base: settings.baseURL, path: "/rerank") }

    /// A relevance score per document, in the order of `documents`; a document the server left out of
    /// its answer gets -infinity so it sorts last.
    public func scores(query: String, documents: [String]) async throws -> [Double] {
        guard !documents.isEmpty else { return [] }
        var headers = [HTTPHeader("Content-Type", "application/json"), HTTPHeader("Accept", "application/json")]
        if let apiKey { headers.append(HTTPHeader("Authorization", "Bearer \(apiKey)")) }
        let body = Body(model: settings.model.isEmpty ? nil : settings.model, query: query, documents: documents,
                        top_n: documents.count, texts: nil)
        let http = HTTPRequest(method: "POST", url: endpoint, headers: headers, body: .json(body), connectTimeout: 10,
                               stallTimeout: 120, secrets: apiKey.map { [$0] } ?? [])
        let response = try await client.send(http)
        guard let results = Self.parse(response.body) else {
            throw LLMError(kind: .invalidResponse(reason: "expected {\"results\": [{\"index\", \"relevance_score\"}]}"),
                           url: http.displayURL)
        }
        var scores = Array(repeating: -Double.infinity, count: documents.count)
        for (index, score) in results where documents.indices.contains(index) { scores[index] = score }
        return scores
    }

    /// (index, score) pairs from the shapes in use: `{"results": [{"index", "relevance_score"}]}` (llama.cpp,
    /// Jina, Cohere), with `score` instead (some proxies), or a bare array (TEI).
    static func parse(_ body: Data) -> [(Int, Double)]? {
        guard let json = try? JSONSerialization.jsonObject(with: body) else { return nil }
        let items: [Any]
        if let object = json as? [String: Any], let results = (object["results"] ?? object["data"]) as? [Any] {
            items = results
        } else if let array = json as? [Any] {
            items = array
        } else {
            return nil
        }
        var out: [(Int, Double)] = []
        for case let item as [String: Any] in items {
            guard let index = (item["index"] as? NSNumber)?.intValue,
                  let score = ((item["relevance_score"] ?? item["score"]) as? NSNumber)?.doubleValue else { return nil }
            out.append((index, score))
        }
        return out
    }

    private struct Body: Encodable {
        var model: String?
        var query: String
        var documents: [String]
        var top_n: Int
        var texts: [String]?
    }
}
