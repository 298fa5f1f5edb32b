import Foundation

/// Reads the streamed reply of Ollama's `/api/chat` (and `/api/generate`): one JSON object per line, each
/// holding a piece of `message.content` (or `response`) and perhaps of `thinking`, the last one `done: true`
/// with the stop reason, token counts and durations in nanoseconds. A failure arrives as `{"error": "..."}`.
public struct OllamaStreamParser: ChatStreamParser {
    private var decoder = NDJSONDecoder()
    private let json = JSONDecoder()
    public private(set) var isComplete = false

    public init() {}

    public mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>) -> [ChatStreamEvent] {
        var output: [ChatStreamEvent] = []
        for line in decoder.feed(bytes) { consume(line, into: &output) }
        return output
    }

    public mutating func finish() -> [ChatStreamEvent] {
        var output: [ChatStreamEvent] = []
        for line in decoder.finish() { consume(line, into: &output) }
        return output
    }

    /// Interprets one line, for callers that split lines themselves.
    public mutating func consume(line: String) -> [ChatStreamEvent] {
        var output: [ChatStreamEvent] = []
        consume(line, into: &output)
        return output
    }

    private mutating func consume(_ line: String, into output: inout [ChatStreamEvent]) {
        if isComplete { return }
        let record: Record
        switch StreamJSON.decode(Record.self, from: line, with: json) {
        case .success(let decoded): record = decoded
        case .failure(let failure):
            output.append(failure.event)
            return
        }
        if let error = record.error {
            output.append(error.event)
        }
        if let thinking = record.message?.thinking ?? record.thinking, !thinking.isEmpty {
            output.append(.reasoning(thinking))
        }
        if let text = record.message?.content ?? record.response, !text.isEmpty {
            output.append(.text(text))
        }
        if record.done == true {
            output.append(.finished(reason: record.doneReason))
            if record.promptEvalCount != nil || record.evalCount != nil {
                output.append(.usage(Self.usage(record)))
            }
            isComplete = true
        }
    }

    private static func usage(_ record: Record) -> TokenUsage {
        let nanosecondsPerSecond = 1_000_000_000.0
        func rate(_ count: Int?, _ nanoseconds: Int64?) -> Double? {
            guard let count, let nanoseconds, nanoseconds > 0 else { return nil }
            return Double(count) / (Double(nanoseconds) / nanosecondsPerSecond)
        }
        var total: Int?
        if let prompt = record.promptEvalCount, let completion = record.evalCount { total = prompt + completion }
        return TokenUsage(
            promptTokens: record.promptEvalCount,
            completionTokens: record.evalCount,
            totalTokens: total,
            tokensPerSecond: rate(record.evalCount, record.evalDuration),
            promptTokensPerSecond: rate(record.promptEvalCount, record.promptEvalDuration),
            generationSeconds: record.evalDuration.map { Double($0) / nanosecondsPerSecond })
    }

    private struct Record: Decodable {
        var message: Message?
        var response: String?
        var thinking: String?
        var done: Bool?
        var doneReason: String?
        var promptEvalCount: Int?
        var promptEvalDuration: Int64?
        var evalCount: Int?
        var evalDuration: Int64?
        var error: StreamErrorBody?

        enum CodingKeys: String, CodingKey {
            case message, response, thinking, done, error
            case doneReason = "done_reason"
            case promptEvalCount = "prompt_eval_count"
            case promptEvalDuration = "prompt_eval_duration"
            case evalCount = "eval_count"
            case evalDuration = "eval_duration"
        }
    }

    private struct Message: Decodable {
        var content: String?
        var thinking: String?
    }
}
