import Foundation

/// Reads the streamed reply of Anthropic's Messages API (`/v1/messages`, also served by llama.cpp):
/// `message_start`, content blocks with `text_delta` and `thinking_delta`, `message_delta` with the stop
/// reason and the output token count so far, and `message_stop` to end. `ping` keeps the connection
/// alive and carries nothing; an `error` event (such as `overloaded_error`) reports a failure.
public struct AnthropicStreamParser: ChatStreamParser {
    private var decoder = SSEDecoder()
    private let json = JSONDecoder()
    /// Usage is reported in pieces: input tokens at the start, output tokens (a running total, not an
    /// increment) in each `message_delta`. This holds what is known so far.
    private var usage = TokenUsage()
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
        if isComplete || event.type == "ping" { return }
        let message: Message
        switch StreamJSON.decode(Message.self, from: event.data, with: json) {
        case .success(let decoded): message = decoded
        case .failure(let failure):
            output.append(failure.event)
            return
        }
        // The data names its own type; the SSE event name is the fallback for servers that omit it.
        switch message.type ?? event.type {
        case "message_start":
            if let start = message.message?.usage { record(start) }
            if message.message?.usage != nil { output.append(.usage(usage)) }
        case "content_block_start":
            if let text = message.contentBlock?.text, !text.isEmpty { output.append(.text(text)) }
            if let thinking = message.contentBlock?.thinking, !thinking.isEmpty { output.append(.reasoning(thinking)) }
        case "content_block_delta":
            switch message.delta?.type {
            case "text_delta":
                if let text = message.delta?.text, !text.isEmpty { output.append(.text(text)) }
            case "thinking_delta":
                if let thinking = message.delta?.thinking, !thinking.isEmpty { output.append(.reasoning(thinking)) }
            default:
                // Tool input and signature deltas: Lore gives the model no tools and does not verify thinking.
                break
            }
        case "message_delta":
            if let reason = message.delta?.stopReason { output.append(.finished(reason: reason)) }
            if let delta = message.usage {
                record(delta)
                output.append(.usage(usage))
            }
        case "message_stop":
            isComplete = true
        case "error":
            output.append((message.error ?? StreamErrorBody.unknown).event)
        default:
            break
        }
    }

    private mutating func record(_ reported: Usage) {
        if reported.inputTokens != nil || reported.cacheReadInputTokens != nil || reported.cacheCreationInputTokens != nil {
            // Anthropic counts cached and newly cached prompt tokens apart from input_tokens.
            usage.promptTokens = (reported.inputTokens ?? 0) + (reported.cacheReadInputTokens ?? 0)
                + (reported.cacheCreationInputTokens ?? 0)
        }
        if let cached = reported.cacheReadInputTokens { usage.cachedPromptTokens = cached }
        if let output = reported.outputTokens { usage.completionTokens = output }
        if let prompt = usage.promptTokens, let completion = usage.completionTokens {
            usage.totalTokens = prompt + completion
        }
    }

    private struct Message: Decodable {
        var type: String?
        var message: Start?
        var contentBlock: Block?
        var delta: Delta?
        var usage: Usage?
        var error: StreamErrorBody?

        enum CodingKeys: String, CodingKey {
            case type, message, delta, usage, error
            case contentBlock = "content_block"
        }
    }

    private struct Start: Decodable {
        var usage: Usage?
    }

    private struct Block: Decodable {
        var text: String?
        var thinking: String?
    }

    private struct Delta: Decodable {
        var type: String?
        var text: String?
        var thinking: String?
        var stopReason: String?

        enum CodingKeys: String, CodingKey {
            case type, text, thinking
            case stopReason = "stop_reason"
        }
    }

    private struct Usage: Decodable {
        var inputTokens: Int?
        var outputTokens: Int?
        var cacheReadInputTokens: Int?
        var cacheCreationInputTokens: Int?

        enum CodingKeys: String, CodingKey {
            case inputTokens = "input_tokens"
            case outputTokens = "output_tokens"
            case cacheReadInputTokens = "cache_read_input_tokens"
            case cacheCreationInputTokens = "cache_creation_input_tokens"
        }
    }
}
