import Testing
@testable import LoreCore

@Suite("Anthropic stream parser")
struct StreamAnthropicParserTests {
    static func event(_ name: String, _ data: String) -> String { "event: \(name)\ndata: \(data)\n\n" }

    static let start = event("message_start",
        #"{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"usage":{"input_tokens":12,"cache_read_input_tokens":5,"output_tokens":1}}}"#)

    @Test("ping, thinking, text, cumulative message_delta usage and message_stop")
    func hostileStream() {
        let stream = Self.start
            + Self.event("ping", #"{"type": "ping"}"#)
            + Self.event("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"#)
            + Self.event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Pondering…"}}"#)
            + Self.event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"abc"}}"#)
            + Self.event("content_block_stop", #"{"type":"content_block_stop","index":0}"#)
            + Self.event("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"#)
            + Self.event("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Bonjour \u2028 "}}"#)
            + Self.event("message_delta", #"{"type":"message_delta","delta":{"stop_reason":null},"usage":{"output_tokens":5}}"#)
            + Self.event("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"le monde 🌍"}}"#)
            + Self.event("brand_new_event", #"{"type":"brand_new_event","stuff":1}"#)
            + Self.event("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":9}}"#)
            + Self.event("message_stop", #"{"type":"message_stop"}"#)
        let expected = ParseOutcome(events: [
            .usage(TokenUsage(promptTokens: 17, completionTokens: 1, totalTokens: 18, cachedPromptTokens: 5)),
            .reasoning("Pondering…"),
            .text("Bonjour \u{2028} "),
            .usage(TokenUsage(promptTokens: 17, completionTokens: 5, totalTokens: 22, cachedPromptTokens: 5)),
            .text("le monde 🌍"),
            .finished(reason: "end_turn"),
            // Output tokens are a running total: 9, not 5 + 9.
            .usage(TokenUsage(promptTokens: 17, completionTokens: 9, totalTokens: 26, cachedPromptTokens: 5)),
        ], isComplete: true)
        expectSameOutcomeForEverySplit(utf8(stream), expected: expected) { parse(AnthropicStreamParser(), $0) }
    }

    @Test("an overloaded_error event is reported with its type; the answer is incomplete")
    func overloaded() {
        let stream = Self.start
            + Self.event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Part"}}"#)
            + Self.event("error", #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)
        let outcome = parse(AnthropicStreamParser(), stream)
        #expect(outcome.text == "Part")
        #expect(outcome.errors == [.error(message: "Overloaded", type: "overloaded_error")])
        #expect(!outcome.isComplete)
    }

    @Test("a stream cut before message_stop keeps its text but is not complete")
    func missingStop() {
        let stream = Self.start
            + Self.event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Half"}}"#)
            + "event: content_block_delta\ndata: {\"type\":\"content_blo"
        let outcome = parse(AnthropicStreamParser(), stream)
        #expect(outcome.text == "Half")
        #expect(outcome.errors.isEmpty)
        #expect(!outcome.isComplete)
    }

    @Test("malformed JSON is reported without a crash")
    func malformed() {
        let outcome = parse(AnthropicStreamParser(), Self.event("content_block_delta", "{not json"))
        #expect(outcome.errors.count == 1)
        #expect(!outcome.isComplete)
    }
}
