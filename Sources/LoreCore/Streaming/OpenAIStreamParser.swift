import Foundation

/// Reads the streamed reply of an OpenAI-compatible `/v1/chat/completions` endpoint (OpenAI, llama.cpp,
/// vLLM, LM Studio, Ollama's `/v1`): SSE events whose data is a `chat.completion.chunk`, ended by
/// `data: [DONE]`.
///
/// Reasoning arrives as `delta.reasoning_content` (llama.cpp, DeepSeek) or `delta.reasoning` (vLLM,
/// OpenRouter). Usage comes in a last chunk with no choices when `stream_options.include_usage` was asked
/// for, with llama.cpp's `timings` beside it. A failure mid-stream arrives as a chunk holding `error`, or
/// from llama.cpp as an `error:` line.
public struct OpenAIStreamParser: ChatStreamParser {
    private var decoder = SSEDecoder(extraEventFields: ["error"])
    private let json = JSONDecoder()
    public private(set) var isComplete = false

    public init() {}

    public mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>) -> [ChatStreamEvent] {
        var output: [ChatStreamEvent] = []
        for event in decoder.feed(bytes) { consume(event, into: &output) }
        return output
    }

    public mutating func finish() -> [ChatStreamEvent] {
        var output: [ChatStreamEvent] = []
        for event in decoder.finish() { consume(event, into: &output) }
        return output
    }

    /// Interprets one event, for callers that run their own SSE decoder.
    public mutating func consume(_ event: SSEEvent) -> [ChatStreamEvent] {
        var output: [ChatStreamEvent] = []
        consume(event, into: &output)
        return output
    }

    private mutating func consume(_ event: SSEEvent, into output: inout [ChatStreamEvent]) {
        if isComplete { return }
        switch event.type {
        case "message":
            if event.data.utf8.count < 16, event.data.trimmingCharacters(in: .whitespaces) == "[DONE]" {
                isComplete = true
                return
            }
            switch StreamJSON.decode(Chunk.self, from: event.data, with: json) {
            case .success(let chunk): read(chunk, into: &output)
            case .failure(let failure): output.append(failure.event)
            }
        case "error":
            output.append(errorEvent(event.data))
        default:
            // Other event types are not part of this protocol; ignoring them keeps a proxy's additions harmless.
            return
        }
    }

    private func read(_ chunk: Chunk, into output: inout [ChatStreamEvent]) {
        if let error = chunk.error {
            output.append(error.event)
        }
        if let choice = chunk.choices?.first(where: { ($0.index ?? 0) == 0 }) {
            if let reasoning = choice.delta?.reasoningContent ?? choice.delta?.reasoning, !reasoning.isEmpty {
                output.append(.reasoning(reasoning))
            }
            if let content = choice.delta?.content, !content.isEmpty {
                output.append(.text(content))
            }
            if let reason = choice.finishReason {
                output.append(.finished(reason: reason))
            }
        }
        if chunk.usage != nil || chunk.timings != nil {
            output.append(.usage(Self.usage(chunk.usage, chunk.timings)))
        }
    }

    private func errorEvent(_ data: String) -> ChatStreamEvent {
        if let envelope = try? json.decode(ErrorEnvelope.self, from: Data(data.utf8)), let body = envelope.error {
            return body.event
        }
        if let body = try? json.decode(StreamErrorBody.self, from: Data(data.utf8)), body.message != nil {
            return body.event
        }
        return .error(message: data.isEmpty ? "the server reported an error without a message" : data, type: nil)
    }

    private static func usage(_ usage: Usage?, _ timings: Timings?) -> TokenUsage {
        TokenUsage(
            promptTokens: usage?.promptTokens ?? timings.flatMap { t in t.promptN.map { $0 + (t.cacheN ?? 0) } },
            completionTokens: usage?.completionTokens ?? timings?.predictedN,
            totalTokens: usage?.totalTokens,
            cachedPromptTokens: usage?.promptTokensDetails?.cachedTokens ?? timings?.cacheN,
            tokensPerSecond: timings?.predictedPerSecond,
            promptTokensPerSecond: timings?.promptPerSecond,
            generationSeconds: timings?.predictedMs.map { $0 / 1000 })
    }

    private struct Chunk: Decodable {
        var choices: [Choice]?
        var usage: Usage?
        var timings: Timings?
        var error: StreamErrorBody?
    }

    private struct Choice: Decodable {
        var index: Int?
        var delta: Delta?
        var finishReason: String?

        enum CodingKeys: String, CodingKey {
            case index, delta
            case finishReason = "finish_reason"
        }
    }

    private struct Delta: Decodable {
        var content: String?
        var reasoningContent: String?
        var reasoning: String?

        enum CodingKeys: String, CodingKey {
            case content, reasoning
            case reasoningContent = "reasoning_content"
        }
    }

    private struct Usage: Decodable {
        var promptTokens: Int?
        var completionTokens: Int?
        var totalTokens: Int?
        var promptTokensDetails: PromptDetails?

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
            case totalTokens = "total_tokens"
            case promptTokensDetails = "prompt_tokens_details"
        }
    }

    private struct PromptDetails: Decodable {
        var cachedTokens: Int?

        enum CodingKeys: String, CodingKey {
            case cachedTokens = "cached_tokens"
        }
    }

    /// llama.cpp's own speed report.
    private struct Timings: Decodable {
        var cacheN: Int?
        var promptN: Int?
        var predictedN: Int?
        var promptPerSecond: Double?
        var predictedPerSecond: Double?
        var predictedMs: Double?

        enum CodingKeys: String, CodingKey {
            case cacheN = "cache_n"
            case promptN = "prompt_n"
            case predictedN = "predicted_n"
            case promptPerSecond = "prompt_per_second"
            case predictedPerSecond = "predicted_per_second"
            case predictedMs = "predicted_ms"
        }
    }

    private struct ErrorEnvelope: Decodable {
        var error: StreamErrorBody?
    }
}
