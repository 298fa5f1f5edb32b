import Foundation
import LoreBench
import LoreCore
import Testing
@testable import LoreLLM

/// Recorded llama.cpp streams replayed byte for byte from a loopback server through the real libcurl
/// client and each provider: whole, in random pieces, and one byte per write.
@Suite struct FixtureReplayTests {
    enum Split: CaseIterable {
        case whole, random1, random2, random3, singleBytes

        func pieces(_ data: Data) -> [Data] {
            switch self {
            case .whole: [data]
            case .random1: randomPieces(data, seed: 1)
            case .random2: randomPieces(data, seed: 2, maxPiece: 7)
            case .random3: randomPieces(data, seed: 3, maxPiece: 3000)
            case .singleBytes: data.map { Data([$0]) }
            }
        }
    }

    @Test(arguments: Split.allCases)
    func openAIRecording(_ split: Split) async throws {
        guard let body = Fixtures.openAIChat else {
            print("skipped: no recording at \(Fixtures.directory.path)")
            return
        }
        let server = try LoopbackServer { _, _ in .eventStream(split.pieces(body)) }
        defer { server.stop() }
        let outcome = await collect(openAIProvider(server).stream(question))
        #expect(outcome.error == nil)
        #expect(outcome.events == expectedEvents(OpenAIStreamParser(), body: body))
        #expect(outcome.textEventCount == 60)
        #expect(outcome.text.hasPrefix("SQLite is an"))
        #expect(outcome.finishReason == .some("length"))
        #expect(outcome.events.contains { if case .usage(let u) = $0 { u.completionTokens == 60 } else { false } })
    }

    @Test(arguments: Split.allCases)
    func anthropicRecording(_ split: Split) async throws {
        guard let body = Fixtures.anthropicMessages else {
            print("skipped: no recording at \(Fixtures.directory.path)")
            return
        }
        let server = try LoopbackServer { _, _ in .eventStream(split.pieces(body), framing: .close) }
        defer { server.stop() }
        let outcome = await collect(anthropicProvider(server, key: "sk-ant-test-0123456789").stream(question))
        #expect(outcome.error == nil)
        #expect(outcome.events == expectedEvents(AnthropicStreamParser(), body: body))
        #expect(outcome.text == "A color is a color.")
        #expect(outcome.finishReason == .some("end_turn"))
        #expect(outcome.finishedCount == 1)
    }

    @Test(arguments: Split.allCases)
    func ollamaStream(_ split: Split) async throws {
        let body = ollamaAnswer(["SQLite", " is", " a", " library", "."])
        let server = try LoopbackServer { _, _ in
            .eventStream(split.pieces(body), contentType: "application/x-ndjson")
        }
        defer { server.stop() }
        let outcome = await collect(ollamaProvider(baseURL: server.baseURL).stream(question))
        #expect(outcome.error == nil)
        #expect(outcome.text == "SQLite is a library.")
        #expect(outcome.finishReason == .some("stop"))
        #expect(outcome.events.contains { if case .usage(let u) = $0 { u.completionTokens == 5 } else { false } })
    }

    @Test func requestsHaveTheShapeEachProtocolWants() async throws {
        let server = try LoopbackServer { request, _ in
            switch request.path {
            case "/v1/chat/completions": .eventStream([OpenAIScript.event("[DONE]")])
            case "/api/chat": .eventStream([ollamaAnswer([])], contentType: "application/x-ndjson")
            default: .eventStream([OpenAIScript.event(#"{"type":"message_stop"}"#)])
            }
        }
        defer { server.stop() }
        _ = await collect(openAIProvider(server, key: "sk-openai-secret-1").stream(question))
        _ = await collect(ollamaProvider(baseURL: server.baseURL + "/").stream(question))
        _ = await collect(anthropicProvider(server, key: "sk-ant-secret-2").stream(question))
        let requests = server.requests
        try #require(requests.count == 3)

        let openAI = try #require(JSONSerialization.jsonObject(with: requests[0].body) as? [String: Any])
        #expect(requests[0].path == "/v1/chat/completions")
        #expect(requests[0].headers.value(for: "Authorization") == "Bearer sk-openai-secret-1")
        #expect(openAI["stream"] as? Bool == true)
        #expect((openAI["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true)
        #expect((openAI["messages"] as? [[String: Any]])?.count == 2)
        #expect(openAI["response_format"] == nil, "only a JSON request asks for JSON")

        let ollama = try #require(JSONSerialization.jsonObject(with: requests[1].body) as? [String: Any])
        #expect(requests[1].path == "/api/chat")
        #expect(ollama["model"] as? String == "llama3.2")
        #expect((ollama["options"] as? [String: Any])?["num_ctx"] as? Int == 8192)

        let anthropic = try #require(JSONSerialization.jsonObject(with: requests[2].body) as? [String: Any])
        #expect(requests[2].path == "/v1/messages")
        #expect(requests[2].headers.value(for: "x-api-key") == "sk-ant-secret-2")
        #expect(requests[2].headers.value(for: "anthropic-version") == "2023-06-01")
        #expect(requests[2].headers.value(for: "Authorization") == nil)
        #expect(anthropic["system"] as? String == "Answer briefly.")
        #expect((anthropic["messages"] as? [[String: Any]])?.count == 1)
        #expect(anthropic["max_tokens"] as? Int == 1024)
    }

    @Test func aJSONRequestAsksForJSON() async throws {
        let server = try LoopbackServer { request, _ in
            request.path == "/api/chat" ? .eventStream([ollamaAnswer([])], contentType: "application/x-ndjson")
                : .eventStream([OpenAIScript.event("[DONE]")])
        }
        defer { server.stop() }
        var json = question
        json.jsonFields = ["question", "answer"]
        _ = await collect(openAIProvider(server, key: "sk-openai-secret-1").stream(json))
        _ = await collect(ollamaProvider(baseURL: server.baseURL + "/").stream(json))
        let requests = server.requests
        try #require(requests.count == 2)
        let openAI = try #require(JSONSerialization.jsonObject(with: requests[0].body) as? [String: Any])
        let format = try #require(openAI["response_format"] as? [String: Any])
        #expect(format["type"] as? String == "json_schema")
        let schema = try #require((format["json_schema"] as? [String: Any])?["schema"] as? [String: Any])
        #expect(schema["required"] as? [String] == ["question", "answer"])
        #expect(schema["additionalProperties"] as? Bool == false)
        #expect((schema["properties"] as? [String: [String: String]])?["answer"] == ["type": "string"])
        let ollama = try #require(JSONSerialization.jsonObject(with: requests[1].body) as? [String: Any])
        #expect((ollama["format"] as? [String: Any])?["required"] as? [String] == ["question", "answer"])
    }

    @Test func modelListsOfEachProtocol() async throws {
        let server = try LoopbackServer { request, _ in
            switch request.path {
            case "/v1/models": .json(status: 200, #"{"object":"list","data":[{"id":"smol","object":"model"}]}"#)
            case "/api/tags": .json(status: 200, #"{"models":[{"name":"llama3.2:latest"},{"name":"qwen3:4b"}]}"#)
            default: .json(status: 404, #"{"error":"not found"}"#)
            }
        }
        defer { server.stop() }
        #expect(try await openAIProvider(server).listModels() == ["smol"])
        #expect(try await ollamaProvider(baseURL: server.baseURL).listModels() == ["llama3.2:latest", "qwen3:4b"])
        #expect(try await anthropicProvider(server, key: "k-123456").listModels() == ["smol"])
        #expect(server.requests.last?.headers.value(for: "x-api-key") == "k-123456")
    }
}
