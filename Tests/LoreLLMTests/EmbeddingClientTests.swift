import Foundation
import LoreBench
import LoreCore
import Testing
@testable import LoreLLM

/// A fake embedding server: each text becomes [length, 1, vowels] and an input longer than `limit`
/// characters is refused the way llama.cpp refuses it (HTTP 500, "input (N tokens) is too large").
enum FakeEmbeddings {
    static func vector(_ text: String) -> [Float] {
        [Float(text.count), 1, Float(text.filter { "aeiou".contains($0) }.count)]
    }

    static func inputs(_ request: LoopbackServer.Request) -> [String] {
        let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any]
        return object?["input"] as? [String] ?? []
    }

    static func answer(_ request: LoopbackServer.Request, limit: Int = .max, reversed: Bool = false) -> LoopbackServer.Response {
        let texts = inputs(request)
        if let long = texts.first(where: { $0.count > limit }) {
            let body = #"{"error":{"code":500,"message":"input (\#(long.count) tokens) is too large to process. increase the physical batch size (current batch size: \#(limit))","type":"server_error"}}"#
            return .init(status: 500, contentType: "application/json", body: Data(body.utf8))
        }
        var items = texts.enumerated().map { ["index": $0.offset, "embedding": vector($0.element)] as [String: Any] }
        if reversed { items.reverse() }
        let data = try! JSONSerialization.data(withJSONObject: ["data": items, "object": "list"])
        return .init(contentType: "application/json", body: data)
    }

    static func settings(_ server: LoopbackServer, batch: Int = 4, maxTokens: Int = 512) -> EmbeddingSettings {
        EmbeddingSettings(provider: .openai, baseURL: server.baseURL + "/v1", model: "fake", batchSize: batch,
                          maxInputTokens: maxTokens)
    }
}

@Suite struct EmbeddingClientTests {
    static let fastRetry = RetryPolicy(maxAttempts: 3, maxDelay: 1, baseDelay: 0.01)

    @Test func vectorsComeBackInInputOrderEvenWhenTheServerReorders() async throws {
        let server = try LoopbackServer { request, _ in FakeEmbeddings.answer(request, reversed: true) }
        defer { server.stop() }
        let client = EmbeddingClient(settings: FakeEmbeddings.settings(server), environment: [:])
        let outcome = try await client.embed(["a", "bbb", "cc"])
        #expect(outcome.vectors.map { $0?[0] } == [1, 3, 2])
        #expect(outcome.failures.isEmpty)
        #expect(server.requests.first?.path == "/v1/embeddings")
        let sent = try #require(try JSONSerialization.jsonObject(with: server.requests[0].body) as? [String: Any])
        #expect(sent["model"] as? String == "fake")
    }

    @Test func tooLargeTeachesTheRatioAndTheBatchIsSentAgainWithOnlyTheLongInputShortened() async throws {
        // The server takes at most 100 characters; the client first cuts to 3 × 64 = 192.
        let server = try LoopbackServer { request, _ in FakeEmbeddings.answer(request, limit: 100) }
        defer { server.stop() }
        let client = EmbeddingClient(settings: FakeEmbeddings.settings(server, maxTokens: 64), environment: [:],
                                     retry: Self.fastRetry)
        let long = String(repeating: "word ", count: 200)
        let outcome = try await client.embed(["short one", long, "another short"])
        #expect(outcome.failures.isEmpty)
        #expect(outcome.vectors.allSatisfy { $0 != nil })
        #expect(outcome.vectors[0]?[0] == 9)
        #expect(try #require(outcome.vectors[1]?[0]) <= 100)
        #expect(outcome.truncatedFurther == 1)
        #expect(outcome.rejections == 1)
        // Never retried as a transient 500, and no split: the refusal said how dense the text was.
        let sizes = server.requests.filter { $0.path == "/v1/embeddings" }.map { FakeEmbeddings.inputs($0).count }
        #expect(sizes == [3, 3])
    }

    @Test func aRefusalThatSaysNothingSplitsTheBatch() async throws {
        // OpenAI's wording: no token count, no limit.
        let server = try LoopbackServer { request, _ in
            let texts = FakeEmbeddings.inputs(request)
            guard texts.contains(where: { $0.count > 100 }) else { return FakeEmbeddings.answer(request) }
            return .init(status: 400, contentType: "application/json", body: Data(#"{"error":{"message":"This model's maximum context length is 8192 tokens","type":"invalid_request_error"}}"#.utf8))
        }
        defer { server.stop() }
        let client = EmbeddingClient(settings: FakeEmbeddings.settings(server, maxTokens: 64), environment: [:],
                                     retry: Self.fastRetry)
        let outcome = try await client.embed(["short one", String(repeating: "word ", count: 200), "another short"])
        #expect(outcome.failures.isEmpty)
        #expect(try #require(outcome.vectors[1]?[0]) <= 100)
        let sizes = server.requests.filter { $0.path == "/v1/embeddings" }.map { FakeEmbeddings.inputs($0).count }
        #expect(sizes.first == 3)
        #expect(sizes.filter { $0 == 1 }.count >= 3)
    }

    @Test func anInputRefusedAtAnyLengthIsReportedNotDropped() async throws {
        let server = try LoopbackServer { request, _ in FakeEmbeddings.answer(request, limit: 0) }
        defer { server.stop() }
        let client = EmbeddingClient(settings: FakeEmbeddings.settings(server), environment: [:], retry: Self.fastRetry)
        let outcome = try await client.embed(["abc", "defgh"])
        #expect(outcome.vectors == [nil, nil])
        #expect(outcome.failures.count == 2)
        #expect(outcome.failures[0]?.contains("too large") == true)
    }

    @Test func transientFailuresAreRetried() async throws {
        let server = try LoopbackServer { request, index in
            index < 2 ? .init(status: 503, contentType: "application/json", body: Data(#"{"error":{"message":"loading model"}}"#.utf8))
                : FakeEmbeddings.answer(request)
        }
        defer { server.stop() }
        let client = EmbeddingClient(settings: FakeEmbeddings.settings(server), environment: [:], retry: Self.fastRetry)
        let outcome = try await client.embed(["x"])
        #expect(outcome.vectors[0] != nil)
        #expect(server.requests.count == 3)
    }

    @Test func answerCutOffMidBodyIsReported() async throws {
        // Every answer is cut off after a few bytes: the connection is lost each time.
        let server = try LoopbackServer { _, _ in
            .init(status: 200, headers: [HTTPHeader("Content-Type", "application/json")], framing: .contentLength,
                  steps: [.send(Data(#"{"data":[{"embe"#.utf8)), .close])
        }
        defer { server.stop() }
        let client = EmbeddingClient(settings: FakeEmbeddings.settings(server), environment: [:], retry: Self.fastRetry)
        do {
            _ = try await client.embed(["x"])
            Issue.record("expected an error")
        } catch let error as LLMError {
            // libcurl may see the close as the end of the body; either way the half answer is never used.
            #expect(error.kind == .connectionLost || error.description.contains("embeddings"), "\(error)")
        }
        #expect(server.requests.count >= 1)
    }

    @Test func unreachableServerFailsAtOnce() async throws {
        let port = try LoopbackServer.closedPort()
        let settings = EmbeddingSettings(baseURL: "http://127.0.0.1:\(port)/v1", model: "m")
        let client = EmbeddingClient(settings: settings, environment: [:], retry: Self.fastRetry)
        do {
            _ = try await client.embedQuery("hello")
            Issue.record("expected an error")
        } catch let error as LLMError {
            guard case .cannotConnect = error.kind else { Issue.record("unexpected \(error)"); return }
        }
    }

    @Test func ollamaShape() async throws {
        let server = try LoopbackServer { request, _ in
            let texts = FakeEmbeddings.inputs(request)
            let data = try! JSONSerialization.data(withJSONObject: ["embeddings": texts.map(FakeEmbeddings.vector)])
            return .init(contentType: "application/json", body: data)
        }
        defer { server.stop() }
        let settings = EmbeddingSettings(provider: .ollama, baseURL: server.baseURL, model: "nomic-embed-text")
        let vectors = try await EmbeddingClient(settings: settings, environment: [:]).embed(["ab", "abcd"]).vectors
        #expect(vectors.map { $0?[0] } == [2, 4])
        #expect(server.requests.first?.path == "/api/embed")
    }

    @Test func wrongDimensionsAreAnError() async throws {
        let server = try LoopbackServer { request, _ in FakeEmbeddings.answer(request) }
        defer { server.stop() }
        var settings = FakeEmbeddings.settings(server)
        settings.dimensions = 384
        await #expect(throws: LLMError.self) {
            _ = try await EmbeddingClient(settings: settings, environment: [:]).embed(["x"])
        }
    }

    @Test func apiKeyIsSentAndNeverEchoed() async throws {
        let server = try LoopbackServer { _, _ in
            .init(status: 401, contentType: "application/json",
                  body: Data(#"{"error":{"message":"Incorrect API key provided: sk-secret-123"}}"#.utf8))
        }
        defer { server.stop() }
        var settings = FakeEmbeddings.settings(server)
        settings.apiKeyEnv = "EMBED_KEY"
        let client = EmbeddingClient(settings: settings, environment: ["EMBED_KEY": "sk-secret-123"])
        do {
            _ = try await client.embed(["x"])
            Issue.record("expected an error")
        } catch let error as LLMError {
            #expect(!error.description.contains("sk-secret-123"))
        }
        #expect(server.requests.first?.headers.value(for: "Authorization") == "Bearer sk-secret-123")
    }

    @Test func truncationCutsAtAWord() {
        #expect(EmbeddingClient.truncate("alpha beta gamma", toCharacters: 12) == "alpha beta")
        #expect(EmbeddingClient.truncate("short", toCharacters: 12) == "short")
        let refusal = LLMError(kind: .httpStatus(500), url: "u", providerMessage:
            "input (2002 tokens) is too large to process. increase the physical batch size (current batch size: 512)")
        #expect(EmbeddingClient.reportedTokens(refusal) == 2002)
        #expect(EmbeddingClient.reportedBatchSize(refusal) == 512)
        #expect(EmbeddingClient.isTooLarge(refusal))
        #expect(EmbeddingClient.isTooLarge(LLMError(kind: .httpStatus(400), url: "u",
            providerMessage: "the request exceeds the available context size, try increasing it")))
    }
}

@Suite struct RerankClientTests {
    @Test(arguments: [
        #"{"results":[{"index":1,"relevance_score":0.9},{"index":0,"relevance_score":0.1}]}"#,   // llama.cpp, Jina, Cohere
        #"[{"index":1,"score":0.9},{"index":0,"score":0.1}]"#,                                       // TEI
    ])
    func scoresByDocumentIndex(body: String) async throws {
        let server = try LoopbackServer { _, _ in .init(contentType: "application/json", body: Data(body.utf8)) }
        defer { server.stop() }
        let client = RerankClient(settings: RerankSettings(baseURL: server.baseURL + "/v1", model: "bge"), environment: [:])
        let scores = try await client.scores(query: "q", documents: ["a", "b", "c"])
        #expect(scores[0] == 0.1)
        #expect(scores[1] == 0.9)
        #expect(scores[2] == -.infinity)
        #expect(server.requests.first?.path == "/v1/rerank")
        let sent = try #require(try JSONSerialization.jsonObject(with: server.requests[0].body) as? [String: Any])
        #expect(sent["query"] as? String == "q")
        #expect((sent["documents"] as? [String])?.count == 3)
    }

    @Test func unsupportedServerIsAnError() async throws {
        let server = try LoopbackServer { _, _ in
            .init(status: 501, contentType: "application/json",
                  body: Data(#"{"error":{"code":501,"message":"This server does not support reranking.","type":"not_supported_error"}}"#.utf8))
        }
        defer { server.stop() }
        let client = RerankClient(settings: RerankSettings(baseURL: server.baseURL), environment: [:])
        await #expect(throws: LLMError.self) { _ = try await client.scores(query: "q", documents: ["a"]) }
    }
}
