import Foundation
import LoreCore

/// Everything the UI needs from the engine. The TUI is written against this protocol so it can be driven by
/// a scripted fake in tests; the executable passes the real engine. The value types below are what the
/// screen shows, deliberately smaller than the engine's, and named apart from them (`AnswerStreamEvent`,
/// not the engine's `AnswerEvent`) so a file importing both modules needs no qualification.
public protocol LoreServices: Sendable {
    func knowledgeBases() async throws -> [KnowledgeBaseSummary]
    func openKnowledgeBase(_ name: String) async throws -> KnowledgeBaseSummary
    /// Creates a knowledge base over `path` (or adds the path to an existing one) and returns it.
    func addKnowledgeBase(name: String, path: String) async throws -> KnowledgeBaseSummary
    func removeKnowledgeBase(_ name: String) async throws
    func reindex(_ name: String) -> AsyncStream<IndexProgressEvent>
    /// Watches the knowledge base's folders and keeps its index current until the stream is dropped.
    func watch(_ name: String) -> AsyncStream<WatchStatusEvent>
    /// Retrieves passages for `question` in `kb` and streams the answer. `conversationID` is nil for the
    /// first question of a conversation; the engine names the conversation in `.finished`.
    func ask(_ question: String, history: [ChatTurn], kb: String, conversationID: String?)
        -> AsyncThrowingStream<AnswerStreamEvent, any Error>
    func documentText(path: String, kb: String) async throws -> String
    /// The model that answers on `kb` and whether it can be reached.
    func modelStatus(kb: String) async -> ModelStatus
    /// Picks the `[models.NAME]` profile for every knowledge base; the status is that of `kb`.
    func selectModel(_ name: String, kb: String) async throws -> ModelStatus
    func conversations(kb: String) async throws -> [ConversationListing]
    /// Conversation ids are numbered per knowledge base, so the knowledge base is part of the address.
    func loadConversation(id: String, kb: String) async throws -> Transcript
    /// Sets (or with nil clears) the rating of the saved answer `turnID` in `kb`.
    func rate(turnID: String, kb: String, rating: TurnRating?) async throws
}

public struct KnowledgeBaseSummary: Sendable, Equatable {
    public var name: String
    public var paths: [String]
    public var documents: Int
    public var passages: Int
    public var lastIndexed: Date?

    public init(name: String, paths: [String], documents: Int, passages: Int, lastIndexed: Date?) {
        self.name = name
        self.paths = paths
        self.documents = documents
        self.passages = passages
        self.lastIndexed = lastIndexed
    }
}

public struct IndexTotals: Sendable, Equatable {
    public var added: Int
    public var updated: Int
    public var removed: Int
    public var unchanged: Int
    public var skipped: Int

    public init(added: Int, updated: Int, removed: Int, unchanged: Int, skipped: Int) {
        self.added = added
        self.updated = updated
        self.removed = removed
        self.unchanged = unchanged
        self.skipped = skipped
    }
}

public enum IndexProgressEvent: Sendable, Equatable {
    case started(total: Int)
    case progress(done: Int, total: Int, bytes: Int64, passages: Int)
    case skipped(path: String, reason: String)
    case finished(IndexTotals)
    case failed(String)
}

/// What the watch on the open knowledge base reports.
public enum WatchStatusEvent: Sendable, Equatable {
    case watching
    /// inotify could not be used; the folders are scanned periodically. The text says why and what to do.
    case polling(reason: String)
    /// A refresh changed `files` files (added, updated, removed or moved).
    case refreshed(files: Int, millis: Int)
    case failed(String)
    /// A folder of the knowledge base was deleted or moved away; the watch waits for it to come back.
    case folderMissing(String)
    /// That folder exists again and is watched again.
    case folderReturned(String)
}

/// One exchange of a conversation, as history sent with the next question.
public struct ChatTurn: Sendable, Equatable {
    public var question: String
    public var answer: String

    public init(question: String, answer: String) {
        self.question = question
        self.answer = answer
    }
}

public struct AnswerStats: Sendable, Equatable {
    public var model: String
    public var ttftMillis: Int?
    public var tokensPerSecond: Double?
    /// The stream ended before the model said it was done.
    public var incomplete: Bool
    public var conversationID: String?
    /// The saved turn, which `+` / `-` rate; nil when the answer was not saved.
    public var turnID: String?

    public init(model: String, ttftMillis: Int?, tokensPerSecond: Double?, incomplete: Bool,
                conversationID: String? = nil, turnID: String? = nil) {
        self.model = model
        self.ttftMillis = ttftMillis
        self.tokensPerSecond = tokensPerSecond
        self.incomplete = incomplete
        self.conversationID = conversationID
        self.turnID = turnID
    }
}

public enum AnswerStreamEvent: Sendable, Equatable {
    /// The conversation the question belongs to, sent first so that a stopped answer still continues it.
    case conversation(String)
    case retrieved([Passage], millis: Int)
    case delta(String)
    /// A citation marker the engine found, its ranges UTF-16 offsets into the answer text delivered so far
    /// (the concatenated deltas). The UI styles and counts exactly these; it parses no citations itself.
    case citation(Citation)
    case reasoning(String)
    case finished(AnswerStats)
    /// Something the person should know that does not stop the answer (a fallback, a trimmed prompt).
    case notice(String)
    /// Something worth a glance that is not a warning (the queries the question was rewritten into).
    case info(String)
    /// A failure the person can act on, already phrased for them.
    case error(String)
}

public struct ModelStatus: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case ready
        /// No model configured: answers are extractive, from the index alone.
        case extractive
        case unreachable(String)
    }

    public var name: String
    public var state: State

    public init(name: String, state: State) {
        self.name = name
        self.state = state
    }
}

public struct ConversationListing: Sendable, Equatable {
    public var id: String
    public var title: String
    public var kb: String
    public var updated: Date
    public var turns: Int
    /// Turns rated good and bad.
    public var good: Int
    public var bad: Int

    public init(id: String, title: String, kb: String, updated: Date, turns: Int, good: Int = 0, bad: Int = 0) {
        self.id = id
        self.title = title
        self.kb = kb
        self.updated = updated
        self.turns = turns
        self.good = good
        self.bad = bad
    }
}

public struct TranscriptTurn: Sendable, Equatable {
    public var question: String
    public var answer: String
    /// The answer's citation markers, as the engine reads them.
    public var citations: [Citation]
    public var passages: [Passage]
    public var model: String
    public var turnID: String?
    public var rating: TurnRating?

    public init(question: String, answer: String, citations: [Citation], passages: [Passage], model: String,
                turnID: String? = nil, rating: TurnRating? = nil) {
        self.question = question
        self.answer = answer
        self.citations = citations
        self.passages = passages
        self.model = model
        self.turnID = turnID
        self.rating = rating
    }
}

public struct Transcript: Sendable, Equatable {
    public var id: String
    public var kb: String
    public var turns: [TranscriptTurn]

    public init(id: String, kb: String, turns: [TranscriptTurn]) {
        self.id = id
        self.kb = kb
        self.turns = turns
    }
}
