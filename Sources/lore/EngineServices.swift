import Dispatch
import Foundation
import LoreCore
import LoreEngine
import LoreIngest
import LoreLLM
import LoreStore
import LoreTUI
import Synchronization

/// The real engine behind the terminal UI: knowledge bases from the library, indexing on a thread of its
/// own, answers from `ChatSession`.
final class EngineServices: LoreServices {
    private struct State {
        var library: Library
        var model: ModelChoice
        /// The person picked a profile (`--model`, `/model`): it answers on every knowledge base, over their
        /// own `[kb.NAME.model]`.
        var picked: Bool
        /// Knowledge bases opened in this session, by the name the UI knows them by (ad hoc folders too).
        var open: [String: KnowledgeBase] = [:]
    }

    private let state: Mutex<State>
    /// One index run at a time per knowledge-base file: a second request (switching away and back, a
    /// re-index from the picker) waits for the first and then finds little or nothing left to do,
    /// instead of re-chunking the same files beside it.
    private let indexRuns = Mutex<[String: DispatchSemaphore]>([:])

    init(library: Library, model: ModelChoice, picked: Bool, opened: KnowledgeBase) {
        state = Mutex(State(library: library, model: model, picked: picked, open: [opened.name: opened]))
    }

    /// The model that answers on `kb`.
    private func choice(for kb: String) -> ModelChoice {
        state.withLock { ModelChoice.forKnowledgeBase(kb, config: $0.library.config, session: $0.model, picked: $0.picked) }
    }

    private func knowledgeBase(_ name: String) throws -> KnowledgeBase {
        if let kb = state.withLock({ $0.open[name] }) { return kb }
        let library = state.withLock { $0.library }
        let kb = try library.open(name)
        state.withLock { $0.open[kb.name] = kb; $0.open[name] = kb }
        return kb
    }

    private static func summary(_ kb: KnowledgeBase) -> KnowledgeBaseSummary {
        let stats = try? kb.store.statistics()
        return KnowledgeBaseSummary(name: kb.name, paths: kb.definition.paths, documents: stats?.documents ?? 0,
                                    passages: stats?.passages ?? 0, lastIndexed: stats?.lastIndexed)
    }

    func knowledgeBases() async throws -> [KnowledgeBaseSummary] {
        let (library, open) = state.withLock { ($0.library, $0.open) }
        var result = library.listings().map {
            KnowledgeBaseSummary(name: $0.name, paths: $0.paths, documents: $0.statistics?.documents ?? 0,
                                 passages: $0.statistics?.passages ?? 0, lastIndexed: $0.statistics?.lastIndexed)
        }
        for kb in Set(open.values.filter(\.isAdHoc).map(\.name)).sorted() {
            if let adHoc = open[kb] { result.append(Self.summary(adHoc)) }
        }
        return result
    }

    func openKnowledgeBase(_ name: String) async throws -> KnowledgeBaseSummary {
        Self.summary(try knowledgeBase(name))
    }

    func addKnowledgeBase(name: String, path: String) async throws -> KnowledgeBaseSummary {
        try state.withLock { state in
            try state.library.add(KnowledgeBaseDefinition(name: name, paths: [path]))
        }
        return try await openKnowledgeBase(name)
    }

    func removeKnowledgeBase(_ name: String) async throws {
        try state.withLock { state in
            state.open[name] = nil
            try state.library.remove(name)
        }
    }

    func reindex(_ name: String) -> AsyncStream<IndexProgressEvent> {
        let (stream, continuation) = AsyncStream<IndexProgressEvent>.makeStream()
        let indexer: Indexer
        let embedder: EmbeddingIndexer?
        let turn: DispatchSemaphore
        do {
            let kb = try knowledgeBase(name)
            turn = indexRuns.withLock { runs in
                if let existing = runs[kb.store.location] { return existing }
                let created = DispatchSemaphore(value: 1)
                runs[kb.store.location] = created
                return created
            }
            let config = state.withLock { $0.library.config }
            indexer = kb.indexer(config: config)
            embedder = config.retrieval(forKnowledgeBase: kb.name).embedding
                .map { EmbeddingIndexer(store: kb.store, settings: $0) }
        } catch {
            continuation.yield(.failed(String(describing: error)))
            continuation.finish()
            return stream
        }
        // Indexing is blocking work (file reads, parsing, SQLite); it gets a thread of its own so that the
        // UI's tasks never wait behind it. The embedding pass that follows is network-bound and async.
        let thread = Thread {
            turn.wait()
            let totals: IndexTotals
            do {
                let summary = try indexer.run { event in
                    switch event {
                    case .listed(let files, _): continuation.yield(.started(total: files))
                    case .progress(let p):
                        continuation.yield(.progress(done: p.filesDone, total: p.filesTotal, bytes: p.bytesDone,
                                                     passages: p.passagesWritten))
                    case .skipped(let path, let reason): continuation.yield(.skipped(path: path, reason: reason))
                    case .finished, .waitingForAnotherRun: break
                    }
                }
                totals = IndexTotals(added: summary.added + summary.renamed, updated: summary.updated,
                                     removed: summary.removed, unchanged: summary.unchanged, skipped: summary.skipped)
            } catch {
                continuation.yield(.failed(String(describing: error)))
                continuation.finish()
                turn.signal()
                return
            }
            guard let embedder else {
                continuation.yield(.finished(totals))
                continuation.finish()
                turn.signal()
                return
            }
            Task {
                do {
                    _ = try await embedder.run { event in
                        if case .progress(let done, let total, _) = event {
                            continuation.yield(.progress(done: done, total: total, bytes: 0, passages: done))
                        }
                    }
                    continuation.yield(.finished(totals))
                } catch {
                    // The keyword index is complete; questions still work, ranked by keywords.
                    continuation.yield(.failed("embedding stopped: \(error); answers use keyword ranking until `lore index` completes it"))
                }
                continuation.finish()
                turn.signal()
            }
        }
        thread.name = "lore-index"
        thread.start()
        return stream
    }

    func watch(_ name: String) -> AsyncStream<WatchStatusEvent> {
        let (stream, continuation) = AsyncStream<WatchStatusEvent>.makeStream()
        let kb: KnowledgeBase
        do {
            kb = try knowledgeBase(name)
        } catch {
            continuation.yield(.failed("cannot watch \(name): \(error)"))
            continuation.finish()
            return stream
        }
        let watch = KnowledgeBaseWatch(kb, config: state.withLock { $0.library.config })
        let relay = Task {
            for await event in watch.events {
                switch event {
                case .watching: continuation.yield(.watching)
                case .polling(let reason): continuation.yield(.polling(reason: reason))
                case .refreshed(let s, let seconds):
                    continuation.yield(.refreshed(files: s.added + s.updated + s.removed + s.renamed,
                                                  millis: Int((seconds * 1000).rounded())))
                case .failed(let message): continuation.yield(.failed(message))
                case .folderMissing(let path): continuation.yield(.folderMissing(path))
                case .folderReturned(let path): continuation.yield(.folderReturned(path))
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in
            watch.stop()
            relay.cancel()
        }
        return stream
    }

    func ask(_ question: String, history: [ChatTurn], kb name: String, conversationID: String?)
        -> AsyncThrowingStream<AnswerStreamEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<AnswerStreamEvent, any Error>.makeStream()
        let task = Task {
            do {
                let kb = try knowledgeBase(name)
                let config = state.withLock { $0.library.config }
                let choice = self.choice(for: kb.name)
                let session = ChatSession(kb: kb, retrieval: config.retrieval(forKnowledgeBase: kb.name), model: choice.settings,
                                          noModelReason: choice.explanation)
                var model = choice.displayName
                // Text shown ahead of the engine's answer (the extractive header): the engine's citation
                // ranges count from the start of its own answer, the UI's from the start of what it shows.
                var shownAhead = 0
                for try await event in session.ask(question, conversationID: conversationID.flatMap { Int64($0) }) {
                    switch event {
                    case .retrieved(let sources, _, let ms):
                        continuation.yield(.retrieved(sources.map(\.passage), millis: Int(ms.rounded())))
                    case .mode(let mode):
                        model = mode.label
                        if case .extractive(let reason) = mode {
                            let header = "*Extractive answer (\(reason)):*\n\n"
                            shownAhead += header.utf16.count
                            continuation.yield(.delta(header))
                        }
                    case .conversation(let id):
                        continuation.yield(.conversation(String(id)))
                    case .notice(let message):
                        continuation.yield(.notice(message))
                    case .rewrites(let queries, let ms):
                        continuation.yield(.info(String(format: "also searched (rewritten in %.1f s): ", ms / 1000)
                                                 + queries.joined(separator: " · ")))
                    case .text(let delta):
                        continuation.yield(.delta(delta))
                    case .reasoning(let delta):
                        continuation.yield(.reasoning(delta))
                    case .citation(let citation):
                        continuation.yield(.citation(citation.shifted(by: shownAhead)))
                    case .usage:
                        break
                    case .finished(let outcome):
                        if outcome.state == .error, let error = outcome.error { continuation.yield(.error(error)) }
                        continuation.yield(.finished(AnswerStats(
                            model: model, ttftMillis: outcome.firstTokenMilliseconds.map { Int($0.rounded()) },
                            tokensPerSecond: outcome.tokensPerSecond, incomplete: outcome.state == .incomplete,
                            conversationID: String(outcome.conversationID), turnID: outcome.turnID.map { String($0) })))
                    }
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    func documentText(path: String, kb: String) async throws -> String {
        try DocumentText.read(path: path)
    }

    func modelStatus(kb: String) async -> ModelStatus {
        let choice = self.choice(for: (try? knowledgeBase(kb))?.name ?? kb)
        guard var settings = choice.settings else { return ModelStatus(name: "extractive", state: .extractive) }
        let name = choice.displayName
        // A quick look, not a wait: the status bar should say "unreachable" within a second or two.
        settings.connectTimeout = 1.5
        settings.stallTimeout = 3
        guard let provider = makeChatProvider(settings, retry: .never) else {
            return ModelStatus(name: "extractive", state: .extractive)
        }
        do {
            _ = try await provider.listModels()
            return ModelStatus(name: name, state: .ready)
        } catch let error as LLMError where ChatSession.isUnreachable(error) {
            return ModelStatus(name: name, state: .unreachable(error.description))
        } catch {
            // Some servers do not list models; reaching them is what matters here.
            return ModelStatus(name: name, state: .ready)
        }
    }

    func selectModel(_ name: String, kb: String) async throws -> ModelStatus {
        let config = state.withLock { $0.library.config }
        let choice = try await ModelChoice.resolve(config: config, profile: name, probe: false)
        state.withLock {
            $0.model = choice
            $0.picked = true
        }
        return await modelStatus(kb: kb)
    }

    func conversations(kb name: String) async throws -> [ConversationListing] {
        let kb = try knowledgeBase(name)
        return try kb.history.conversations(limit: 100).map {
            ConversationListing(id: String($0.id), title: $0.title, kb: kb.name, updated: $0.updatedAt, turns: $0.turns,
                                good: $0.good, bad: $0.bad)
        }
    }

    func loadConversation(id: String, kb name: String) async throws -> Transcript {
        guard let number = Int64(id) else { throw LibraryError("\(id) is not a conversation id") }
        let kb = try knowledgeBase(name)
        guard let (_, turns) = try kb.history.conversation(id: number) else {
            throw LibraryError("no conversation \(id) in \(kb.name)")
        }
        return Transcript(id: id, kb: kb.name, turns: turns.map {
            TranscriptTurn(question: $0.question, answer: $0.answer, citations: CitationParser.citations(in: $0.answer),
                           passages: $0.sources.map(\.passage), model: $0.model, turnID: String($0.id), rating: $0.rating)
        })
    }

    func rate(turnID: String, kb name: String, rating: TurnRating?) async throws {
        guard let id = Int64(turnID) else { throw LibraryError("\(turnID) is not a saved answer") }
        try knowledgeBase(name).history.rateTurn(id: id, rating)
    }

}
