import Foundation
import LoreCore
@testable import LoreLLM
import LoreBench

/// The byte-exact recordings of ../shared/fixtures/streams, found relative to this file so the tests run
/// from any working directory.
enum Fixtures {
    static let directory: URL = {
        if let override = ProcessInfo.processInfo.environment["LORE_STREAM_FIXTURES"] {
            return URL(fileURLWithPath: override)
        }
        // Tests/LoreLLMTests/Support/StreamScripts.swift → repository root → ../shared
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/fixtures/streams")
    }()

    static func load(_ name: String) -> Data? {
        try? Data(contentsOf: directory.appendingPathComponent(name))
    }

    static var openAIChat: Data? { load("llamacpp-openai-chat.sse") }
    static var anthropicMessages: Data? { load("llamacpp-anthropic-messages.sse") }
    static var badRequest: Data? { load("llamacpp-openai-bad-request.txt") }
    static var present: Bool { openAIChat != nil && anthropicMessages != nil }
}

/// What a provider's stream delivered: its events and, if it threw, the error.
struct Outcome {
    var events: [ChatStreamEvent] = []
    var error: (any Error)?

    var text: String {
        events.reduce(into: "") { if case .text(let t) = $1 { $0 += t } }
    }
    var textEventCount: Int { events.filter { if case .text = $0 { true } else { false } }.count }
    var llmError: LLMError? { error as? LLMError }
    var finishReason: String?? {
        if case .finished(let reason) = events.last { return .some(reason) }
        return .none
    }
    var finishedCount: Int { events.filter { if case .finished = $0 { true } else { false } }.count }
}

func collect(_ stream: AsyncThrowingStream<ChatStreamEvent, any Error>) async -> Outcome {
    var outcome = Outcome()
    do {
        for try await event in stream { outcome.events.append(event) }
    } catch {
        outcome.error = error
    }
    return outcome
}

/// The events the provider contract promises for a whole body: the parser's events with the `.finished`
/// held back to the end (and marked incomplete when the end marker is missing).
func expectedEvents<P: ChatStreamParser>(_ parser: P, body: Data) -> [ChatStreamEvent] {
    var parser = parser
    var events = body.withUnsafeBytes { parser.feed($0) } + parser.finish()
    var reason: String?
    events.removeAll {
        if case .finished(let r) = $0 { reason = r; return true }
        return false
    }
    events.append(.finished(reason: parser.isComplete ? reason : ChatStreamEvent.incompleteReason))
    return events
}

func randomPieces(_ data: Data, seed: UInt64, maxPiece: Int = 64) -> [Data] {
    var rng = SeededRandom(seed: seed)
    var pieces: [Data] = []
    var offset = data.startIndex
    while offset < data.endIndex {
        let size = Int.random(in: 1...maxPiece, using: &rng)
        let end = min(data.endIndex, offset + size)
        pieces.append(data[offset..<end])
        offset = end
    }
    return pieces
}

/// Retries without the standard one-second back-off, so retry tests stay quick.
let quickRetry = RetryPolicy(maxAttempts: 3, maxDelay: 30, baseDelay: 0.05)

func openAIProvider(_ server: LoopbackServer, key: String? = nil, stallTimeout: Double = 30,
                    retry: RetryPolicy = quickRetry) -> OpenAIChatProvider {
    let settings = ModelSettings(provider: .openai, baseURL: server.baseURL + "/v1", name: "smol",
                                 apiKeyEnv: "LORE_TEST_OPENAI_KEY", stallTimeout: stallTimeout, connectTimeout: 5)
    return OpenAIChatProvider(settings: settings, environment: key.map { ["LORE_TEST_OPENAI_KEY": $0] } ?? [:],
                              retry: retry)
}

func anthropicProvider(_ server: LoopbackServer, key: String? = nil, retry: RetryPolicy = quickRetry)
    -> AnthropicChatProvider {
    let settings = ModelSettings(provider: .anthropic, baseURL: server.baseURL, name: "claude-test",
                                 apiKeyEnv: "LORE_TEST_ANTHROPIC_KEY", stallTimeout: 30, connectTimeout: 5)
    return AnthropicChatProvider(settings: settings,
                                 environment: key.map { ["LORE_TEST_ANTHROPIC_KEY": $0] } ?? [:], retry: retry)
}

func ollamaProvider(baseURL: String, stallTimeout: Double = 30) -> OllamaChatProvider {
    OllamaChatProvider(settings: ModelSettings(provider: .ollama, baseURL: baseURL, name: "llama3.2",
                                               stallTimeout: stallTimeout, connectTimeout: 5),
                       retry: quickRetry)
}

let question = ChatRequest(messages: [.system("Answer briefly."), .user("What is SQLite?")])

/// A short NDJSON answer as Ollama's /api/chat sends it.
func ollamaAnswer(_ words: [String], done: Bool = true) -> Data {
    var lines = words.map {
        #"{"model":"llama3.2","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"\#($0)"},"done":false}"#
    }
    if done {
        lines.append(#"{"model":"llama3.2","created_at":"2025-01-01T00:00:01Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":500000000,"prompt_eval_count":12,"prompt_eval_duration":100000000,"eval_count":\#(words.count),"eval_duration":400000000}"#)
    }
    return Data(lines.map { $0 + "\n" }.joined().utf8)
}

/// One content delta, as the shared OpenAI script builder writes it.
func openAIDelta(_ text: String) -> Data { OpenAIScript.chunk(text) }

func elapsed(since start: UInt64) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}
