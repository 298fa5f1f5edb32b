@testable import LoreCore

/// Passages and helpers shared by the grounding tests.
enum GroundingFixtures {
    static func passage(_ id: Int64, _ text: String, title: String = "Doc", heading: [String] = [],
                        path: String = "docs/doc.md", lines: ClosedRange<Int> = 1...5) -> Passage {
        Passage(id: id, documentPath: path, title: title, headingPath: heading, lineStart: lines.lowerBound,
                lineEnd: lines.upperBound, text: text, score: Double(-id))
    }

    static let nonce = "TESTNONCE"
    static let roomy = PromptBudget(contextWindow: 100_000, reservedForAnswer: 1_000)

    /// What `GroundedPrompt` charges for a message.
    static func messageCost(_ text: String) -> Int { estimateTokens(text) + GroundedPrompt.messageOverhead }

    /// The tokens every prompt for `question` spends before any source or turn, computed from the pieces.
    static func fixedCost(question: String) -> Int {
        let fence = SourceFence(nonce: nonce)
        return messageCost(GroundedPrompt.systemPrompt(fence: fence)) + messageCost("Question: \(question)")
            + max(estimateTokens(GroundedPrompt.sourcesHeading), estimateTokens(GroundedPrompt.noSourcesNote))
    }

    /// What one source costs when it goes in whole as source `number`.
    static func blockCost(_ passage: Passage, number: Int) -> Int {
        let block = GroundedPrompt.sourceBlock(passage, number: number, text: passage.text, truncated: false,
                                               fence: SourceFence(nonce: nonce))
        return estimateTokens(block + GroundedPrompt.separator)
    }

    static func budget(promptTokens: Int) -> PromptBudget {
        PromptBudget(contextWindow: promptTokens + 512, reservedForAnswer: 512)
    }

    static func occurrences(of needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }
}
