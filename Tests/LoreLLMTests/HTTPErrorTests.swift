import Foundation
import LoreBench
import LoreCore
import Testing
@testable import LoreLLM

/// Error statuses, retries and error objects, as a real server sends them over loopback.
@Suite struct HTTPErrorTests {
    static let key = "sk-live-SECRET-7f3a9c2e1b"

    @Test func unauthorizedNamesURLStatusAndMessageButNotTheKey() async throws {
        let server = try LoopbackServer { _, _ in
            .json(status: 401, #"{"error":{"message":"Incorrect API key provided: \#(Self.key)","type":"invalid_request_error"}}"#)
        }
        defer { server.stop() }
        let outcome = await collect(openAIProvider(server, key: Self.key).stream(question))
        let error = try #require(outcome.llmError)
        #expect(error.status == 401)
        #expect(error.providerMessage == "Incorrect API key provided: <redacted>")
        let text = error.description
        #expect(text.contains("\(server.baseURL)/v1/chat/completions"))
        #expect(text.contains("401"))
        #expect(text.contains("Incorrect API key provided"))
        #expect(text.contains("$LORE_TEST_OPENAI_KEY"))
        #expect(!text.contains(Self.key))
        #expect(!String(reflecting: error).contains(Self.key))
        #expect(server.requests.count == 1)
    }

    @Test func notFoundWithOllamaMessage() async throws {
        let server = try LoopbackServer { _, _ in
            .json(status: 404, #"{"error":"model \"llama3.2\" not found, try pulling it first"}"#)
        }
        defer { server.stop() }
        let outcome = await collect(ollamaProvider(baseURL: server.baseURL).stream(question))
        let error = try #require(outcome.llmError)
        #expect(error.status == 404)
        #expect(error.description.contains("model \"llama3.2\" not found"))
        #expect(error.description.contains("ollama pull llama3.2"))
        #expect(outcome.events.isEmpty)
    }

    @Test func badRequestRecordingIsReadable() async throws {
        guard let body = Fixtures.badRequest else {
            print("skipped: no recording at \(Fixtures.directory.path)")
            return
        }
        let server = try LoopbackServer { _, _ in .init(status: 400, contentType: "application/json", body: body) }
        defer { server.stop() }
        let error = try #require(await collect(openAIProvider(server).stream(question)).llmError)
        #expect(error.status == 400)
        #expect(error.providerErrorType == "invalid_request_error")
        #expect(error.providerMessage?.hasPrefix("Field 'max_tokens'") == true)
    }

    @Test func rateLimitIsRetriedAfterTheServersWait() async throws {
        let server = try LoopbackServer { _, index in
            index == 0
                ? .json(status: 429, #"{"error":{"message":"slow down","type":"rate_limit_error"}}"#,
                        headers: [HTTPHeader("Retry-After", "1")])
                : .eventStream([openAIDelta("Hi"), OpenAIScript.event("[DONE]")])
        }
        defer { server.stop() }
        let start = DispatchTime.now().uptimeNanoseconds
        let outcome = await collect(openAIProvider(server).stream(question))
        print("429 then success took \(elapsed(since: start)) s (Retry-After: 1)")
        #expect(outcome.error == nil)
        #expect(outcome.text == "Hi")
        #expect(server.requests.count == 2)
    }

    @Test func retryAfterMillisecondsIsHonoured() async throws {
        let server = try LoopbackServer { _, index in
            index < 2
                ? .json(status: 503, #"{"error":"busy"}"#, headers: [HTTPHeader("retry-after-ms", "20")])
                : .eventStream([ollamaAnswer(["ok"])], contentType: "application/x-ndjson")
        }
        defer { server.stop() }
        let outcome = await collect(ollamaProvider(baseURL: server.baseURL).stream(question))
        #expect(outcome.text == "ok")
        #expect(server.requests.count == 3)
    }

    @Test func failureAfterTextIsNotRetried() async throws {
        let error = #"{"error":{"message":"Rate limit reached mid-answer","type":"rate_limit_error"}}"#
        let server = try LoopbackServer { _, _ in
            .eventStream([openAIDelta("Partial"), openAIDelta(" answer"), OpenAIScript.event(error)])
        }
        defer { server.stop() }
        let outcome = await collect(openAIProvider(server).stream(question))
        #expect(outcome.text == "Partial answer")
        let failure = try #require(outcome.llmError)
        #expect(failure.kind == .streamError)
        #expect(failure.isTransient)
        #expect(failure.description.contains("Rate limit reached mid-answer"))
        #expect(server.requests.count == 1)
    }

    @Test func serverErrorIsRetriedThenReported() async throws {
        let server = try LoopbackServer { _, _ in .json(status: 500, #"{"error":{"message":"boom"}}"#) }
        defer { server.stop() }
        let error = try #require(await collect(openAIProvider(server).stream(question)).llmError)
        #expect(error.status == 500)
        #expect(error.description.contains("boom"))
        #expect(server.requests.count == quickRetry.maxAttempts)
    }

    @Test func overloadedAnthropicIsRetried() async throws {
        let overloaded = #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#
        let server = try LoopbackServer { _, index in
            index == 0
                ? .json(status: 529, overloaded)
                : .eventStream([Data("event: error\ndata: \(overloaded)\n\n".utf8)])
        }
        defer { server.stop() }
        let error = try #require(await collect(anthropicProvider(server, key: "sk-ant-x1234").stream(question)).llmError)
        // The 529, then an in-stream overloaded_error before any text: both transient, so three attempts.
        #expect(server.requests.count == 3)
        #expect(error.providerErrorType == "overloaded_error")
        #expect(error.description.contains("Overloaded"))
    }

    @Test func status529IsOverloaded() async throws {
        let server = try LoopbackServer { _, _ in
            .json(status: 529, #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)
        }
        defer { server.stop() }
        let error = try #require(await collect(anthropicProvider(server, retry: .never).stream(question)).llmError)
        #expect(error.status == 529)
        #expect(error.providerErrorType == "overloaded_error")
        #expect(error.description.contains("overloaded"))
    }

    @Test func longRetryAfterIsNotWaitedFor() async throws {
        let server = try LoopbackServer { _, _ in
            .json(status: 429, #"{"error":"quota"}"#, headers: [HTTPHeader("Retry-After", "3600")])
        }
        defer { server.stop() }
        let error = try #require(await collect(openAIProvider(server).stream(question)).llmError)
        #expect(error.retryAfter == 3600)
        #expect(error.description.contains("3600 s"))
        #expect(server.requests.count == 1)
    }

    @Test func htmlPageIsNotAnAPI() async throws {
        let server = try LoopbackServer { _, _ in
            .init(status: 200, contentType: "text/html; charset=utf-8", body: Data("<html><body>Open WebUI</body></html>".utf8))
        }
        defer { server.stop() }
        let error = try #require(await collect(openAIProvider(server).stream(question)).llmError)
        #expect(error.kind == .htmlPage)
        #expect(error.description.contains("answered with an HTML page, not an API response"))
        #expect(error.description.contains("base_url"))
    }

    @Test func errorObjectInsideSuccessfulStream() async throws {
        let server = try LoopbackServer { _, _ in
            .eventStream([OpenAIScript.event(#"{"error":{"message":"context length exceeded","type":"exceed_context_size_error"}}"#)])
        }
        defer { server.stop() }
        let outcome = await collect(openAIProvider(server).stream(question))
        let error = try #require(outcome.llmError)
        #expect(error.kind == .streamError)
        #expect(error.description.contains("context length exceeded"))
        #expect(server.requests.count == 1)
    }

    @Test func ollamaErrorLineMidStream() async throws {
        let body = ollamaAnswer(["Hello"], done: false) + Data(#"{"error":"llama runner process has terminated"}"#.utf8)
            + Data("\n".utf8)
        let server = try LoopbackServer { _, _ in .eventStream([body], contentType: "application/x-ndjson") }
        defer { server.stop() }
        let outcome = await collect(ollamaProvider(baseURL: server.baseURL).stream(question))
        #expect(outcome.text == "Hello")
        #expect(outcome.llmError?.description.contains("llama runner process has terminated") == true)
    }

    @Test func anthropicErrorNeverShowsTheKey() async throws {
        let server = try LoopbackServer { _, _ in
            .json(status: 401, #"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key \#(Self.key)"}}"#)
        }
        defer { server.stop() }
        let error = try #require(await collect(anthropicProvider(server, key: Self.key).stream(question)).llmError)
        #expect(server.requests.first?.headers.value(for: "x-api-key") == Self.key)
        #expect(error.providerErrorType == "authentication_error")
        #expect(!error.description.contains(Self.key))
        #expect(!"\(error)".contains(Self.key))
        #expect(error.description.contains("$LORE_TEST_ANTHROPIC_KEY"))
    }

    @Test func redirectIsNotFollowed() async throws {
        let elsewhere = try LoopbackServer { _, _ in .eventStream([openAIDelta("stolen"), OpenAIScript.event("[DONE]")]) }
        defer { elsewhere.stop() }
        let server = try LoopbackServer { _, _ in
            .init(status: 302, headers: [HTTPHeader("Location", elsewhere.baseURL + "/v1/chat/completions")],
                  framing: .contentLength, steps: [])
        }
        defer { server.stop() }
        let outcome = await collect(openAIProvider(server, key: Self.key).stream(question))
        let error = try #require(outcome.llmError)
        #expect(error.status == 302)
        #expect(!error.description.contains(Self.key))
        #expect(elsewhere.requests.isEmpty)
        #expect(outcome.text.isEmpty)
    }
}
