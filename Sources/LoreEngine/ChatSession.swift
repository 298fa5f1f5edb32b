import Dispatch
import Foundation
import LoreCore
import LoreLLM
import LoreStore

/// How an answer was produced.
public enum AnswerMode: Sendable, Equatable {
    /// Streamed from a model.
    case generative(model: String)
    /// Built from the index's own sentences; `reason` says why no model answered.
    case extractive(reason: String)

    public var label: String {
        switch self {
        case .generative(let model): model
        case .extractive: "extractive"
        }
    }
}

/// How a turn ended.
public enum TurnState: String, Sendable, Codable {
    case complete
    /// The person stopped it.
    case stopped
    /// The server's stream ended before its end marker.
    case incomplete
    case error
}

/// What a finished turn reports.
public struct TurnOutcome: Sendable {
    public var state: TurnState
    public var conversationID: Int64
    public var turnID: Int64?
    public var answer: String
    public var mode: AnswerMode
    public var cited: Set<Int>
    /// Numbers the answer cites that were not among its sources.
    public var unknownCitations: Set<Int>
    public var usage: TokenUsage?
    public var retrievalMilliseconds: Double
    public var firstTokenMilliseconds: Double?
    public var totalMilliseconds: Double
    public var error: String?

    /// Tokens per second of the streamed answer, from the server's own figure when it sent one.
    public var tokensPerSecond: Double? {
        if let rate = usage?.tokensPerSecond { return rate }
        guard let tokens = usage?.completionTokens, let first = firstTokenMilliseconds, totalMilliseconds > first else {
            return nil
        }
        return Double(tokens) / ((totalMilliseconds - first) / 1000)
    }
}

/// The events of one question's answer, in order: the sources, the mode, then text as it streams.
public enum AnswerEvent: Sendable {
    /// The conversation the turn is saved in, known before anything else.
    case conversation(Int64)
    case retrieved(sources: [NumberedSource], query: String, milliseconds: Double)
    case mode(AnswerMode)
    /// Something the person should know that did not stop the answer (a fallback, a dropped passage).
    case notice(String)
    /// The queries the model rewrote the question into, searched besides it, and the model's time.
    case rewrites([String], milliseconds: Double)
    case text(String)
    case reasoning(String)
    case citation(Citation)
    case usage(TokenUsage)
    case finished(TurnOutcome)
}

/// Ties a question to its answer: retrieve → prompt → stream → cite → save. One session per knowledge base;
/// a conversation is a row in that knowledge base's store.
public struct ChatSession: Sendable {
    public var kb: KnowledgeBase
    public var retrieval: RetrievalSettings
    /// nil: answer extractively.
    public var model: ModelSettings?
    public var environment: [String: String]
    /// Why there is no model, shown with extractive answers.
    public var noModelReason: String
    /// Whether turns are saved as conversations; `lore eval --answers` asks without leaving any.
    public var savesTurns = true
    /// Whether the question retrieves passages; without, the model answers from the question alone
    /// (`GroundedPrompt.unsourced`), to compare grounded answers against.
    public var usesRetrieval = true

    public init(kb: KnowledgeBase, retrieval: RetrievalSettings, model: ModelSettings?,
                noModelReason: String = "no model is configured",
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.kb = kb
        self.retrieval = retrieval
        self.model = model?.provider == ModelProvider.none ? nil : model
        self.noModelReason = model?.provider == ModelProvider.none ? "provider is \"none\"" : noModelReason
        self.environment = environment
    }

    /// Asks `question`, continuing `conversationID` when given. Cancelling the consuming task stops the
    /// answer; what came so far is saved, marked stopped.
    public func ask(_ question: String, conversationID: Int64? = nil) -> AsyncThrowingStream<AnswerEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<AnswerEvent, any Error>.makeStream()
        let task = Task {
            do {
                try await run(question, conversationID: conversationID) { continuation.yield($0) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    func run(_ question: String, conversationID: Int64?, emit: @Sendable (AnswerEvent) -> Void) async throws {
        let started = DispatchTime.now()
        let store = kb.history
        var history: [ConversationTurn] = []
        let conversation: Int64
        if !savesTurns {
            conversation = 0
        } else if let conversationID {
            guard let (_, turns) = try store.conversation(id: conversationID) else {
                throw LibraryError("no conversation \(conversationID) in \(kb.name); see `lore history`")
            }
            history = turns.filter { $0.state != TurnState.error.rawValue }
                .map { ConversationTurn(question: $0.question, answer: $0.answer) }
            conversation = conversationID
        } else {
            conversation = try store.createConversation(title: question)
        }
        if savesTurns { emit(.conversation(conversation)) }

        let (query, found, built) = try await prepare(question, history: history)
        if let reason = found.fallbackReason { emit(.notice(reason)) }
        if let note = found.rewriteNote { emit(.notice(note)) }
        if !found.rewrites.isEmpty { emit(.rewrites(found.rewrites, milliseconds: found.rewriteMilliseconds)) }
        var turn = TurnProgress(question: question, started: started, retrievalMilliseconds: found.milliseconds)
        if let model, let prompt = built, let provider = makeChatProvider(model, environment: environment) {
            turn.sources = prompt.sources
            emit(.retrieved(sources: prompt.sources, query: query, milliseconds: found.milliseconds))
            if prompt.droppedPassages > 0 {
                emit(.notice("\(prompt.droppedPassages) retrieved passages did not fit the model's context window"))
            }
            let mode = AnswerMode.generative(model: model.name.isEmpty ? model.provider.rawValue : model.name)
            turn.mode = mode
            emit(.mode(mode))
            do {
                try await stream(provider, ChatRequest(messages: prompt.messages, temperature: model.temperature,
                                                      maxTokens: model.maxTokens), into: &turn, emit: emit)
            } catch let error as LLMError where turn.answer.isEmpty && turn.reasoning.isEmpty && Self.isUnreachable(error) {
                // Nothing was shown yet and the server is not there: the index can still answer.
                emit(.notice("\(error.description) — answering from the index instead"))
                answerExtractively(found, reason: "the model server cannot be reached", into: &turn, emit: emit)
            } catch is CancellationError {
                turn.state = .stopped
            } catch {
                turn.state = Task.isCancelled ? .stopped : .error
                turn.error = String(describing: error)
            }
        } else {
            answerExtractively(found, reason: noModelReason, into: &turn, emit: emit)
        }
        if Task.isCancelled && turn.state == .complete { turn.state = .stopped }
        let outcome = try save(turn, conversationID: conversation)
        emit(.finished(outcome))
    }

    /// Everything that happens between a question and the request to the model: the follow-up-aware
    /// retrieval query, retrieval, and (with a model) the packed prompt. `lore bench ask` times this.
    /// Retrieval uses the best mode the knowledge base is configured for (hybrid when it has embeddings)
    /// and falls back to keywords, saying why, when the embedding server cannot be used.
    public func prepare(_ question: String, history: [ConversationTurn]) async
        throws -> (query: String, retrieval: Retrieval, prompt: BuiltPrompt?) {
        let query = GroundedPrompt.retrievalQuery(question: question, history: history)
        guard usesRetrieval else {
            return (query, Retrieval(query: query, expression: nil, hits: [], milliseconds: 0),
                    model.map { _ in GroundedPrompt.unsourced(question: question) })
        }
        let found = try await retrieve(query, question: question, history: history)
        guard let model else { return (query, found, nil) }
        let budget = PromptBudget(contextWindow: model.contextWindow,
                                  reservedForAnswer: min(model.maxTokens ?? 1024, model.contextWindow / 2))
        let passages = try expanded(found.passages, question: question, budget: budget)
        return (query, found, GroundedPrompt.build(question: question, passages: passages, history: history,
                                                   budget: budget))
    }

    /// Retrieval for `query`, with the model's rewrites of the question fused in when `[retrieval] rewrite`
    /// is on and the model answers within its budget.
    func retrieve(_ query: String, question: String, history: [ConversationTurn]) async throws -> Retrieval {
        try await Retriever(store: kb.store, settings: retrieval, environment: environment)
            .retrieve(query, rewriting: question, history: history, model: model, mode: nil)
    }

    /// The hits widened with their neighbours (`ContextExpansion`), within three quarters of what the
    /// prompt has for sources, so that earlier turns keep room too.
    func expanded(_ hits: [Passage], question: String, budget: PromptBudget) throws -> [Passage] {
        guard retrieval.contextTokens > 0, !hits.isEmpty else { return hits }
        let runs = try kb.store.passageRuns(around: hits.map(\.id), radius: Self.expansionRadius)
        let total = GroundedPrompt.sourceTokens(question: question, budget: budget) * 3 / 4
        return ContextExpansion.expand(hits: hits, runs: runs, perSourceTokens: retrieval.contextTokens,
                                       totalTokens: total).map(\.passage)
    }

    /// How far from a hit expansion looks: enough for a 512-token source made of ~170-token passages.
    static let expansionRadius = 3

    public static func isUnreachable(_ error: LLMError) -> Bool {
        switch error.kind {
        case .cannotConnect, .connectTimeout: true
        default: false
        }
    }

    private func stream(_ provider: any ChatProvider, _ request: ChatRequest, into turn: inout TurnProgress,
                        emit: @Sendable (AnswerEvent) -> Void) async throws {
        var parser = CitationParser()
        for try await event in provider.stream(request) {
            try Task.checkCancellation()
            switch event {
            case .text(let delta):
                if turn.firstToken == nil { turn.firstToken = DispatchTime.now() }
                turn.answer += delta
                emit(.text(delta))
                for citation in parser.feed(delta) {
                    turn.citations.append(citation)
                    emit(.citation(citation))
                }
            case .reasoning(let delta):
                if turn.firstToken == nil { turn.firstToken = DispatchTime.now() }
                turn.reasoning += delta
                emit(.reasoning(delta))
            case .usage(let usage):
                turn.usage = usage
                emit(.usage(usage))
            case .finished(let reason):
                if reason == ChatStreamEvent.incompleteReason { turn.state = .incomplete }
            case .error(let message, _):
                turn.state = .error
                turn.error = message
            }
        }
        for citation in parser.finish() {
            turn.citations.append(citation)
            emit(.citation(citation))
        }
        if Task.isCancelled { turn.state = .stopped }
    }

    private func answerExtractively(_ found: Retrieval, reason: String, into turn: inout TurnProgress,
                                    emit: @Sendable (AnswerEvent) -> Void) {
        let sources = found.passages.enumerated().map { NumberedSource(number: $0.offset + 1, passage: $0.element) }
        turn.sources = sources
        emit(.retrieved(sources: sources, query: found.query, milliseconds: found.milliseconds))
        turn.mode = .extractive(reason: reason)
        emit(.mode(turn.mode))
        let answer = ExtractiveAnswerer.answer(question: turn.question, passages: found.passages)
        turn.firstToken = DispatchTime.now()
        turn.answer = answer.text
        emit(.text(answer.text))
        for citation in CitationParser.citations(in: answer.text) {
            turn.citations.append(citation)
            emit(.citation(citation))
        }
    }

    private func save(_ turn: TurnProgress, conversationID: Int64) throws -> TurnOutcome {
        let total = milliseconds(since: turn.started)
        let check = CitationCheck(citations: turn.citations, sourceNumbers: Set(turn.sources.map(\.number)))
        let record = TurnRecord(
            question: turn.question, answer: turn.answer, reasoning: turn.reasoning, model: turn.mode.label,
            mode: { if case .generative = turn.mode { return "generative" } else { return "extractive" } }(),
            state: turn.state.rawValue, error: turn.error, askedAt: turn.askedAt,
            retrievalMilliseconds: turn.retrievalMilliseconds,
            firstTokenMilliseconds: turn.firstToken.map { milliseconds(from: turn.started, to: $0) },
            totalMilliseconds: total, promptTokens: turn.usage?.promptTokens,
            completionTokens: turn.usage?.completionTokens,
            sources: turn.sources.map { SavedSource(number: $0.number, passage: $0.passage, cited: check.cited.contains($0.number)) })
        let turnID: Int64? = try savesTurns ? kb.history.saveTurn(record, conversationID: conversationID) : nil
        return TurnOutcome(state: turn.state, conversationID: conversationID, turnID: turnID, answer: turn.answer,
                           mode: turn.mode, cited: check.cited, unknownCitations: check.unknown, usage: turn.usage,
                           retrievalMilliseconds: turn.retrievalMilliseconds,
                           firstTokenMilliseconds: record.firstTokenMilliseconds, totalMilliseconds: total,
                           error: turn.error)
    }
}

/// The turn as it builds up.
struct TurnProgress {
    var question: String
    var started: DispatchTime
    var askedAt = Date()
    var retrievalMilliseconds: Double
    var sources: [NumberedSource] = []
    var mode = AnswerMode.extractive(reason: "")
    var answer = ""
    var reasoning = ""
    var citations: [Citation] = []
    var usage: TokenUsage?
    var firstToken: DispatchTime?
    var state = TurnState.complete
    var error: String?

    init(question: String, started: DispatchTime, retrievalMilliseconds: Double) {
        self.question = question
        self.started = started
        self.retrievalMilliseconds = retrievalMilliseconds
    }
}
