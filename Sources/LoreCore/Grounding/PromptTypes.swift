import Foundation

/// One earlier exchange of a conversation, replayed to the model as context for a follow-up.
public struct ConversationTurn: Sendable, Equatable, Codable {
    public var question: String
    public var answer: String

    public init(question: String, answer: String) {
        self.question = question
        self.answer = answer
    }
}

/// How many tokens a prompt may use: the model's context window less what is kept free for its answer.
public struct PromptBudget: Sendable, Equatable, Codable {
    public var contextWindow: Int
    public var reservedForAnswer: Int

    public init(contextWindow: Int, reservedForAnswer: Int) {
        self.contextWindow = contextWindow
        self.reservedForAnswer = reservedForAnswer
    }

    /// Tokens the prompt itself may take.
    public var promptTokens: Int { max(0, contextWindow - reservedForAnswer) }
}

/// A passage as the prompt numbered it: `[number]` in the answer means this passage.
public struct NumberedSource: Sendable, Equatable {
    public var number: Int
    /// The passage as retrieved, whole, even when the prompt carried only the start of it.
    public var passage: Passage
    /// The prompt carried only a leading part of the passage's text, cut at a sentence boundary.
    public var truncated: Bool

    public init(number: Int, passage: Passage, truncated: Bool = false) {
        self.number = number
        self.passage = passage
        self.truncated = truncated
    }
}

/// A prompt ready to send, with what went into it and what had to be left out.
public struct BuiltPrompt: Sendable, Equatable {
    public var messages: [ChatMessage]
    /// The sources the prompt numbered, in number order (1...n).
    public var sources: [NumberedSource]
    /// `estimateTokens` of every message plus a small per-message allowance for the chat template.
    public var estimatedTokens: Int
    /// Passages given but not in the prompt: past the budget, or with no text.
    public var droppedPassages: Int
    /// Earlier turns given but not in the prompt: past the budget, or never answered.
    public var droppedTurns: Int

    public init(messages: [ChatMessage], sources: [NumberedSource], estimatedTokens: Int, droppedPassages: Int,
                droppedTurns: Int) {
        self.messages = messages
        self.sources = sources
        self.estimatedTokens = estimatedTokens
        self.droppedPassages = droppedPassages
        self.droppedTurns = droppedTurns
    }
}
