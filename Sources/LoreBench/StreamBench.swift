import LoreCore

/// Measures the cost of decoding a streamed reply, from raw bytes to `ChatStreamEvent`s, on a stream it
/// makes up itself (shaped like llama.cpp's, with the same fields and sizes). Meant for a `bench` command;
/// nothing here touches the network or the disk.
public enum StreamBench {
    public enum Format: String, Sendable, CaseIterable {
        case openAI = "openai"
        case anthropic
        case ollama
    }

    public struct Result: Sendable, Equatable {
        public var format: Format
        public var tokens: Int
        public var bytes: Int
        public var seconds: Double
        /// Characters of answer text decoded, a check that the work was really done.
        public var textCharacters: Int

        public var perTokenMicros: Double { tokens > 0 ? seconds * 1_000_000 / Double(tokens) : 0 }
        public var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / seconds / 1_000_000 : 0 }
    }

    /// Decodes an OpenAI-compatible stream of `tokens` content chunks, one network read per chunk.
    public static func decodeOpenAI(tokens: Int) -> (seconds: Double, perTokenMicros: Double) {
        let result = run(.openAI, tokens: tokens)
        return (result.seconds, result.perTokenMicros)
    }

    /// Decodes a made-up stream of `tokens` tokens. With `readSize` nil every event arrives in a read of its
    /// own, as tokens do from a live server; otherwise the body is cut into reads of that many bytes.
    public static func run(_ format: Format, tokens: Int, readSize: Int? = nil) -> Result {
        let events = synthesize(format, tokens: tokens)
        let reads: [[UInt8]]
        if let readSize, readSize > 0 {
            let body = events.flatMap { $0 }
            reads = stride(from: 0, to: body.count, by: readSize).map {
                Array(body[$0..<Swift.min($0 + readSize, body.count)])
            }
        } else {
            reads = events
        }

        var parser: any ChatStreamParser
        switch format {
        case .openAI: parser = OpenAIStreamParser()
        case .anthropic: parser = AnthropicStreamParser()
        case .ollama: parser = OllamaStreamParser()
        }
        var characters = 0
        let clock = ContinuousClock()
        let start = clock.now
        for read in reads {
            for event in read.withUnsafeBufferPointer({ parser.feed($0) }) {
                if case .text(let text) = event { characters += text.count }
            }
        }
        for event in parser.finish() {
            if case .text(let text) = event { characters += text.count }
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Result(format: format, tokens: tokens, bytes: reads.reduce(0) { $0 + $1.count },
                      seconds: seconds, textCharacters: characters)
    }

    /// The body of a stream, one element per event (or line), in the given protocol.
    static func synthesize(_ format: Format, tokens: Int) -> [[UInt8]] {
        let words = ["SQLite", " is", " an", " embedded", " SQL", " database", " engine", " that", " reads",
                     " and", " writes", " directly", " to", " ordinary", " disk", " files", ",", " \"quoted\"",
                     " café", " 日本語", "\n"]
        var events: [String] = []
        events.reserveCapacity(tokens + 4)
        switch format {
        case .openAI:
            let tail = #","created":1795609204,"id":"chatcmpl-fNvNZSDFtYf5rEgnDHV9TSlR5twnfAlL","model":"/models/SmolLM2-135M-Instruct.Q4_1.gguf","system_fingerprint":"b0-unknown","object":"chat.completion.chunk"}"#
            events.append(#"data: {"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}]"# + tail + "\n\n")
            for index in 0..<tokens {
                events.append(#"data: {"choices":[{"finish_reason":null,"index":0,"delta":{"content":"#
                              + OpenAIScript.jsonString(words[index % words.count]) + "}}]" + tail + "\n\n")
            }
            events.append(#"data: {"choices":[{"finish_reason":"length","index":0,"delta":{}}]"# + tail + "\n\n")
            events.append(#"data: {"choices":[],"usage":{"completion_tokens":\#(tokens),"prompt_tokens":48,"total_tokens":\#(tokens + 48)},"timings":{"prompt_n":48,"predicted_n":\#(tokens),"predicted_per_second":87.0}"# + tail + "\n\n")
            events.append("data: [DONE]\n\n")
        case .anthropic:
            events.append("event: message_start\n" + #"data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"usage":{"input_tokens":18,"output_tokens":0}}}"# + "\n\n")
            events.append("event: content_block_start\n" + #"data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"# + "\n\n")
            for index in 0..<tokens {
                events.append("event: content_block_delta\n" + #"data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"#
                              + OpenAIScript.jsonString(words[index % words.count]) + "}}\n\n")
            }
            events.append("event: content_block_stop\n" + #"data: {"type":"content_block_stop","index":0}"# + "\n\n")
            events.append("event: message_delta\n" + #"data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":\#(tokens)}}"# + "\n\n")
            events.append("event: message_stop\n" + #"data: {"type":"message_stop"}"# + "\n\n")
        case .ollama:
            for index in 0..<tokens {
                events.append(#"{"model":"smollm2:135m","created_at":"2025-11-25T12:00:00.000000Z","message":{"role":"assistant","content":"#
                              + OpenAIScript.jsonString(words[index % words.count]) + #"},"done":false}"# + "\n")
            }
            events.append(#"{"model":"smollm2:135m","created_at":"2025-11-25T12:00:01.000000Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"total_duration":900000000,"prompt_eval_count":48,"prompt_eval_duration":200000000,"eval_count":\#(tokens),"eval_duration":700000000}"# + "\n")
        }
        return events.map { Array($0.utf8) }
    }
}
