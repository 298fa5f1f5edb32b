import Testing
@testable import LoreCore

/// Byte-exact recordings of llama.cpp's server, decoded end to end.
@Suite("Recorded streams", .enabled(if: StreamFixtures.available, StreamFixtures.absenceNote))
struct StreamFixtureTests {
    static let openAIText = "SQLite is an embedded SQL database engine that is used to store and manage SQLite databases. "
        + "It is a lightweight, low-level, embedded SQL database engine that is designed to be used in embedded "
        + "systems. It is a cross-platform, cross-platform, cross-platform, cross-platform"

    @Test("llama.cpp OpenAI chat stream: 60 deltas, finish reason, usage with timings, [DONE]")
    func openAIChat() throws {
        let bytes = try StreamFixtures.bytes("llamacpp-openai-chat.sse")
        let outcome = parse(OpenAIStreamParser(), [bytes[...]])
        #expect(outcome.text == Self.openAIText)
        #expect(outcome.events.count { if case .text = $0 { true } else { false } } == 60)
        #expect(outcome.events.contains(.finished(reason: "length")))
        #expect(outcome.errors.isEmpty)
        #expect(outcome.isComplete)
        let usage = try #require(outcome.lastUsage)
        #expect(usage.promptTokens == 48)
        #expect(usage.completionTokens == 60)
        #expect(usage.totalTokens == 108)
        #expect(usage.cachedPromptTokens == 0)
        #expect(usage.tokensPerSecond == 87.00255551574084)
        #expect(usage.promptTokensPerSecond == 167.18214494691966)

        // Every cut in the first and last events, and a spread of cuts between; splitting all 18 KB at each
        // byte costs minutes in a debug build without testing anything the closer cuts do not.
        let ends = Array(0..<2_000) + Array((bytes.count - 2_500)...bytes.count)
        let cuts = ends + Array(stride(from: 2_000, to: bytes.count - 2_500, by: 61))
        expectSameOutcomeForEverySplit(bytes, expected: outcome, cuts: cuts) { parse(OpenAIStreamParser(), $0) }
    }

    @Test("llama.cpp OpenAI chat stream cut short keeps its text and is incomplete")
    func openAIChatTruncated() throws {
        let bytes = try StreamFixtures.bytes("llamacpp-openai-chat.sse")
        let withoutDone = Array(bytes[..<(bytes.count - "data: [DONE]\n\n".utf8.count)])
        let outcome = parse(OpenAIStreamParser(), [withoutDone[...]])
        #expect(outcome.text == Self.openAIText)
        #expect(!outcome.isComplete)

        let half = Array(bytes[..<(bytes.count / 2)])
        let cut = parse(OpenAIStreamParser(), [half[...]])
        #expect(Self.openAIText.hasPrefix(cut.text))
        #expect(!cut.text.isEmpty)
        #expect(!cut.isComplete)
    }

    @Test("llama.cpp Anthropic messages stream, split at every position")
    func anthropicMessages() throws {
        let bytes = try StreamFixtures.bytes("llamacpp-anthropic-messages.sse")
        let expected = ParseOutcome(events: [
            .usage(TokenUsage(promptTokens: 21, completionTokens: 0, totalTokens: 21, cachedPromptTokens: 3)),
            .text("A"), .text(" color"), .text(" is"), .text(" a"), .text(" color"), .text("."),
            .finished(reason: "end_turn"),
            .usage(TokenUsage(promptTokens: 21, completionTokens: 7, totalTokens: 28, cachedPromptTokens: 3)),
        ], isComplete: true)
        expectSameOutcomeForEverySplit(bytes, expected: expected) { parse(AnthropicStreamParser(), $0) }
    }

    @Test("the SSE layer alone sees 64 events in the OpenAI recording and 9 in the Anthropic one")
    func sseEventCounts() throws {
        let openAI = try StreamFixtures.bytes("llamacpp-openai-chat.sse")
        let openAIOutcome = decodeSSE([openAI[...]])
        #expect(openAIOutcome.events.count == 64)
        #expect(openAIOutcome.events.last == SSEEvent(data: "[DONE]"))
        #expect(!openAIOutcome.endedMidEvent)

        let anthropic = try StreamFixtures.bytes("llamacpp-anthropic-messages.sse")
        let types = decodeSSE([anthropic[...]]).events.map(\.type)
        #expect(types == ["message_start", "content_block_start"] + Array(repeating: "content_block_delta", count: 6)
            + ["content_block_stop", "message_delta", "message_stop"])
    }
}
