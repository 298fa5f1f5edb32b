import Foundation
import LoreCore
import Testing
@testable import LoreLLM

/// Against llama.cpp's llama-server with SmolLM2 (`eval "$(../shared/local-llm/start.sh)"` sets
/// LORE_TEST_CHAT_URL). The tiny model's answers are not judged, only the protocol: text arrives and the
/// stream completes. Without the variable these tests are skipped, so a fresh clone still passes.
enum RealModel {
    static let chatURL: String? = ProcessInfo.processInfo.environment["LORE_TEST_CHAT_URL"].flatMap {
        $0.isEmpty ? nil : $0
    }
}

// `.enabled(if:)` rather than an early return: the test report then lists these as skipped, with the reason.
@Suite(.enabled(if: RealModel.chatURL != nil, "LORE_TEST_CHAT_URL is unset; start ../shared/local-llm/start.sh"))
struct RealModelTests {

    static let ask = ChatRequest(messages: [.system("You answer in one short sentence."), .user("What is a database?")],
                                 temperature: 0, maxTokens: 24)

    @Test func openAICompatibleStreamCompletes() async throws {
        let url: String = try #require(RealModel.chatURL)
        let provider = OpenAIChatProvider(settings: ModelSettings(provider: .openai, baseURL: url), environment: [:])
        let outcome = await collect(provider.stream(Self.ask))
        #expect(outcome.error == nil)
        #expect(!outcome.text.isEmpty)
        #expect(outcome.finishReason != .some(ChatStreamEvent.incompleteReason))
        #expect(outcome.finishedCount == 1)
        #expect(try await !provider.listModels().isEmpty)
    }

    @Test func anthropicMessagesStreamCompletes() async throws {
        let url: String = try #require(RealModel.chatURL)
        let provider = AnthropicChatProvider(
            settings: ModelSettings(provider: .anthropic, baseURL: url, name: "smollm2"), environment: [:])
        let outcome = await collect(provider.stream(Self.ask))
        #expect(outcome.error == nil)
        #expect(!outcome.text.isEmpty)
        #expect(outcome.finishReason != .some(ChatStreamEvent.incompleteReason))
    }
}

@Suite struct RealModelSkipNotice {
    @Test func sayWhetherRealModelTestsRun() {
        if RealModel.chatURL == nil {
            print("real-model tests skipped: LORE_TEST_CHAT_URL is unset (eval \"$(../shared/local-llm/start.sh)\")")
        }
        #expect(RealModel.chatURL == nil || URL(string: RealModel.chatURL!) != nil)
    }
}
