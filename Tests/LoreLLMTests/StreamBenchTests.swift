import Testing
@testable import LoreBench
import LoreCore

@Suite("Stream bench")
struct StreamBenchTests {
    @Test("the made-up streams decode completely in every protocol and read size", arguments: StreamBench.Format.allCases)
    func syntheticStreamsDecode(format: StreamBench.Format) {
        let tokens = 500
        let perEvent = StreamBench.run(format, tokens: tokens)
        let chunked = StreamBench.run(format, tokens: tokens, readSize: 1_000)
        #expect(perEvent.tokens == tokens)
        #expect(perEvent.textCharacters > tokens)
        #expect(perEvent.textCharacters == chunked.textCharacters)
        #expect(perEvent.bytes == chunked.bytes)

        var parser: any ChatStreamParser = switch format {
        case .openAI: OpenAIStreamParser()
        case .anthropic: AnthropicStreamParser()
        case .ollama: OllamaStreamParser()
        }
        var events: [ChatStreamEvent] = []
        for read in StreamBench.synthesize(format, tokens: tokens) { events += parser.feed(read) }
        events += parser.finish()
        #expect(parser.isComplete)
        #expect(!events.contains { if case .error = $0 { true } else { false } })
        #expect(events.contains { if case .usage(let usage) = $0 { usage.completionTokens == tokens } else { false } })
    }
}
