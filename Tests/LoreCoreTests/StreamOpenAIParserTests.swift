import Testing
@testable import LoreCore

@Suite("OpenAI-compatible stream parser")
struct StreamOpenAIParserTests {
    static let tail = #","id":"c1","object":"chat.completion.chunk","model":"m","created":1,"x_unknown":{"deep":[1,2]}}"#

    static func chunk(_ choices: String) -> String { "data: {\"choices\":[\(choices)]" + tail + "\n\n" }

    @Test("null content, reasoning deltas, unknown fields and event types, usage with timings, [DONE]")
    func hostileStream() {
        let stream = Self.chunk(#"{"index":0,"delta":{"role":"assistant","content":null}}"#)
            + ": keep-alive\n\nevent: ping\n\n"
            + Self.chunk(#"{"index":0,"delta":{"reasoning_content":"Let me think","content":null}}"#)
            + Self.chunk(#"{"index":0,"delta":{"reasoning":" harder."}}"#)
            + Self.chunk(#"{"index":0,"delta":{"content":"Héllo"},"logprobs":null}"#)
            + Self.chunk(#"{"index":1,"delta":{"content":"other choice"}}"#)
            + "event: vendor_extension\ndata: {\"whatever\":true}\n\n"
            + Self.chunk(#"{"index":0,"delta":{"content":" wörld\u2028 日本 \#u{2028}🎉"}}"#)
            + Self.chunk(#"{"index":0,"delta":{},"finish_reason":"stop"}"#)
            + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":4,\"total_tokens\":14,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":2}},\"timings\":{\"predicted_per_second\":50.5,"
            + "\"prompt_per_second\":300.25,\"predicted_ms\":80.0}}\n\n"
            + "data: [DONE]\n\n"
            + Self.chunk(#"{"index":0,"delta":{"content":"after the end"}}"#)
        let expected = ParseOutcome(events: [
            .reasoning("Let me think"), .reasoning(" harder."), .text("Héllo"),
            .text(" wörld\u{2028} 日本 \u{2028}🎉"), .finished(reason: "stop"),
            .usage(TokenUsage(promptTokens: 10, completionTokens: 4, totalTokens: 14, cachedPromptTokens: 2,
                              tokensPerSecond: 50.5, promptTokensPerSecond: 300.25, generationSeconds: 0.08)),
        ], isComplete: true)
        expectSameOutcomeForEverySplit(utf8(stream), expected: expected) { parse(OpenAIStreamParser(), $0) }
    }

    @Test("a stream without [DONE] keeps its text but is not complete")
    func missingDone() {
        let stream = Self.chunk(#"{"index":0,"delta":{"content":"partial"}}"#)
            + #"data: {"choices":[{"index":0,"delta":{"content":" ans"#
        let expected = ParseOutcome(events: [.text("partial")], isComplete: false)
        expectSameOutcomeForEverySplit(utf8(stream), expected: expected) { parse(OpenAIStreamParser(), $0) }
    }

    @Test("an error object inside a 200 stream becomes an error event")
    func errorInStream() {
        let stream = Self.chunk(#"{"index":0,"delta":{"content":"Hi"}}"#)
            + #"data: {"error":{"message":"context length exceeded","type":"invalid_request_error","code":400}}"# + "\n\n"
            + #"data: {"error":"plain text failure"}"# + "\n\n"
        let expected = ParseOutcome(events: [
            .text("Hi"),
            .error(message: "context length exceeded", type: "invalid_request_error"),
            .error(message: "plain text failure", type: nil),
        ], isComplete: false)
        expectSameOutcomeForEverySplit(utf8(stream), expected: expected) { parse(OpenAIStreamParser(), $0) }
    }

    @Test("llama.cpp's `error:` line becomes an error event")
    func llamaCppErrorLine() {
        let stream = Self.chunk(#"{"index":0,"delta":{"content":"Hi"}}"#)
            + #"error: {"code":500,"message":"the request exceeds the available context size","type":"exceed_context_size_error"}"#
            + "\n\n"
        let expected = ParseOutcome(events: [
            .text("Hi"),
            .error(message: "the request exceeds the available context size", type: "exceed_context_size_error"),
        ], isComplete: false)
        expectSameOutcomeForEverySplit(utf8(stream), expected: expected) { parse(OpenAIStreamParser(), $0) }
        let bare = parse(OpenAIStreamParser(), "error: something broke\n\n")
        #expect(bare.events == [.error(message: "something broke", type: nil)])
    }

    @Test("malformed JSON is reported, and the stream goes on")
    func malformedJSON() {
        let stream = "data: {\"choices\": [ {\"delta\": \n\n"
            + "data: {\"choices\":[{\"delta\":{\"content\":5}}]}\n\n"
            + Self.chunk(#"{"index":0,"delta":{"content":"still here"}}"#)
            + "data: [DONE]\n\n"
        let outcome = parse(OpenAIStreamParser(), stream)
        #expect(outcome.errors.count == 2)
        if case .error(let message, let type) = outcome.errors.first {
            #expect(message.contains("not valid JSON"))
            #expect(message.contains("{\"choices\": [ {\"delta\":"))
            #expect(type == "invalid_stream")
        }
        #expect(outcome.text == "still here")
        #expect(outcome.isComplete)
    }

    @Test("events can come from a caller's own SSE decoder")
    func consumeEvents() {
        var parser = OpenAIStreamParser()
        #expect(parser.consume(SSEEvent(data: #"{"choices":[{"delta":{"content":"x"}}]}"#)) == [.text("x")])
        #expect(parser.consume(SSEEvent(data: " [DONE] ")).isEmpty)
        #expect(parser.isComplete)
    }
}
