import Testing
@testable import LoreCore

@Suite("Ollama stream parser")
struct StreamOllamaParserTests {
    static func line(_ content: String, thinking: String? = nil) -> String {
        let think = thinking.map { ",\"thinking\":\"\($0)\"" } ?? ""
        return #"{"model":"smollm2","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"\#(content)"\#(think)},"done":false}"#
    }

    static let done = #"{"model":"smollm2","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":1500000000,"prompt_eval_count":20,"prompt_eval_duration":250000000,"eval_count":30,"eval_duration":1200000000}"#

    @Test("thinking, text, CRLF, blank lines, and a final done line without a line break")
    func fullStream() {
        let stream = "\u{FEFF}" + Self.line("", thinking: "hmm") + "\r\n\r\n" + Self.line("Grüße") + "\n"
            + Self.line(" 日本\u{2028}語 🎉") + "\n" + Self.done
        let expected = ParseOutcome(events: [
            .reasoning("hmm"), .text("Grüße"), .text(" 日本\u{2028}語 🎉"), .finished(reason: "stop"),
            .usage(TokenUsage(promptTokens: 20, completionTokens: 30, totalTokens: 50, tokensPerSecond: 25,
                              promptTokensPerSecond: 80, generationSeconds: 1.2)),
        ], isComplete: true)
        expectSameOutcomeForEverySplit(utf8(stream), expected: expected) { parse(OllamaStreamParser(), $0) }
    }

    @Test("an error line mid-stream is reported; text before it is kept")
    func errorLine() {
        let stream = Self.line("Par") + "\n" + #"{"error":"model runner has unexpectedly stopped"}"# + "\n"
        let expected = ParseOutcome(events: [
            .text("Par"), .error(message: "model runner has unexpectedly stopped", type: nil),
        ], isComplete: false)
        expectSameOutcomeForEverySplit(utf8(stream), expected: expected) { parse(OllamaStreamParser(), $0) }
    }

    @Test("a stream without done: true is not complete")
    func missingDone() {
        let outcome = parse(OllamaStreamParser(), Self.line("cut") + "\n" + #"{"model":"smollm2","mess"#)
        #expect(outcome.text == "cut")
        #expect(outcome.errors.count == 1, "the truncated last line is not JSON")
        #expect(!outcome.isComplete)
    }

    @Test("/api/generate's response field, unknown fields, and a zero duration")
    func generateEndpoint() {
        let stream = #"{"response":"Hi","done":false,"context":[1,2,3],"new_field":{"a":null}}"# + "\n"
            + #"{"response":"","done":true,"eval_count":3,"eval_duration":0}"# + "\n"
        let outcome = parse(OllamaStreamParser(), stream)
        #expect(outcome.text == "Hi")
        #expect(outcome.lastUsage == TokenUsage(completionTokens: 3, generationSeconds: 0))
        #expect(outcome.isComplete)
    }
}
