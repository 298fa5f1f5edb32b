import Foundation
import LoreCore
import LoreEngine
import LoreIngest
import LoreLLM
import LoreStore
import Synchronization

/// A passage as the tools return it: where it is (document, headings, lines or pages) and its text.
public struct PassageItem: Codable, Sendable, Equatable {
    /// The passage's id in its knowledge base, for `get_passage`.
    public var id: Int64
    public var kb: String
    /// The document's absolute path.
    public var path: String
    /// The document as a resource, `lore://KB/relative/path`.
    public var uri: String
    public var title: String
    public var headings: [String]
    public var lineStart: Int
    public var lineEnd: Int
    /// Pages of a paged document (PDF); absent for others.
    public var pageStart: Int?
    public var pageEnd: Int?
    /// "guide/install.md:12-30" or "manual.pdf p. 3–4".
    public var location: String
    public var score: Double?
    public var text: String
}

public struct SearchOutput: Codable, Sendable {
    public var kb: String
    public var query: String
    /// The ranking used, which is not the one asked for when Lore had to fall back.
    public var mode: String
    /// Why the ranking fell back (no embeddings configured, embedding server down), when it did.
    public var notice: String?
    public var results: [PassageItem]
}

public struct PassageOutput: Codable, Sendable {
    public var passage: PassageItem
    /// Up to `context` passages of the same document just before it, in document order.
    public var before: [PassageItem]
    /// Up to `context` passages just after it, in document order.
    public var after: [PassageItem]
}

public struct EmbeddingState: Codable, Sendable, Equatable {
    public var configured: Bool
    public var model: String?
    public var embedded: Int
    public var passages: Int
    /// "not configured", "none", "partial" or "complete".
    public var state: String

    public init(configured: Bool, model: String?, embedded: Int, passages: Int, state: String) {
        self.configured = configured
        self.model = model
        self.embedded = embedded
        self.passages = passages
        self.state = state
    }
}

public struct KnowledgeBaseOutput: Codable, Sendable {
    public var name: String
    public var paths: [String]
    public var isDefault: Bool
    public var files: Int
    public var passages: Int
    public var skipped: Int
    /// ISO 8601, absent when never indexed.
    public var lastIndexed: String?
    /// "indexed", "not indexed yet", …, as `lore kb list` says it.
    public var state: String
    public var embedding: EmbeddingState
}

public struct AskSource: Codable, Sendable {
    public var number: Int
    public var cited: Bool
    public var passage: PassageItem
}

public struct AskOutput: Codable, Sendable {
    public var kb: String
    public var answer: String
    /// "generative" or "extractive".
    public var mode: String
    public var model: String
    public var state: String
    public var sources: [AskSource]
    public var cited: [Int]
    /// Numbers the answer cites that are not among its sources.
    public var unknownCitations: [Int]
    public var notices: [String]
    /// The saved conversation, to continue with `conversation`.
    public var conversation: Int64
}

public struct IndexOutput: Codable, Sendable {
    public var kb: String
    public var added: Int
    public var updated: Int
    public var removed: Int
    public var renamed: Int
    public var unchanged: Int
    public var skipped: Int
    public var passagesWritten: Int
    /// `lore index`'s summary line.
    public var summary: String
    /// The embedding pass's line, or why it stopped; absent without `[embedding]`.
    public var embedding: String?
}

/// One indexed document offered as a resource.
public struct DocumentEntry: Sendable, Equatable {
    public var kb: String
    public var uri: String
    public var relativePath: String
    public var path: String
    public var size: Int64

    public var mimeType: String {
        switch (path as NSString).pathExtension.lowercased() {
        case "md", "markdown": "text/markdown"
        case "html", "htm": "text/html"
        default: "text/plain"
        }
    }
}

/// What `lore mcp` serves, as plain functions over the real library, stores and engine: each tool and
/// resource handler takes checked arguments and returns a value or throws an error whose text is the
/// CLI's. The MCP glue (`LoreMCPServer`) only turns these into protocol messages.
public final class LoreTools: Sendable {
    public let paths: LorePaths
    /// The knowledge base a call without `kb` uses; nil: the config's default.
    public let defaultKB: String?
    public let allowIndex: Bool
    /// The chat model `ask` uses; nil settings: no `ask` tool.
    public let model: ModelChoice
    let environment: [String: String]
    /// Stores opened so far, by file, so each call does not open a new connection pool.
    private let stores = Mutex<[String: KnowledgeBaseStore]>([:])

    public init(paths: LorePaths, defaultKB: String? = nil, model: ModelChoice, allowIndex: Bool = false,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.paths = paths
        self.defaultKB = defaultKB
        self.model = model
        self.allowIndex = allowIndex
        self.environment = environment
    }

    /// Reads the config once to choose the chat model: `profile` names a `[models.NAME]`; otherwise
    /// `[model]`. No local-server probe: `ask` is offered only for a model the config names.
    public static func make(paths: LorePaths, defaultKB: String?, modelProfile: String?, allowIndex: Bool,
                            environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> LoreTools {
        let library = try Library(paths: paths)
        let choice = try await ModelChoice.resolve(config: library.config, profile: modelProfile, probe: false)
        if let defaultKB, library.config.knowledgeBases[defaultKB] == nil { throw library.unknownKnowledgeBase(defaultKB) }
        return LoreTools(paths: paths, defaultKB: defaultKB, model: choice, allowIndex: allowIndex, environment: environment)
    }

    public var canAsk: Bool { model.settings != nil }

    // MARK: - Knowledge bases

    /// The config as it is now, so a `lore kb add` made while the server runs is seen by the next call.
    func library() throws -> Library { try Library(paths: paths) }

    private func store(at path: String) throws -> KnowledgeBaseStore {
        if let open = stores.withLock({ $0[path] }) { return open }
        let store = try KnowledgeBaseStore(path: path)
        return stores.withLock { stores in
            if let raced = stores[path] { return raced }
            stores[path] = store
            return store
        }
    }

    /// A named knowledge base from the config (never a folder ad hoc: the server serves what is defined).
    /// `mustExist`: its index file must be there; a search of an index never built would only create it.
    func open(_ requested: String?, mustExist: Bool = true) throws -> (Library, KnowledgeBase) {
        let library = try library()
        let name = try library.resolveName(requested ?? defaultKB)
        guard let definition = library.config.knowledgeBases[name] else { throw library.unknownKnowledgeBase(name) }
        let file = library.storePath(for: name)
        if mustExist && !FileManager.default.fileExists(atPath: file) {
            throw ToolError("knowledge base \"\(name)\" is not indexed yet; run `lore index --kb \(name)`"
                + (allowIndex ? " or call the `index` tool" : ""))
        }
        return (library, KnowledgeBase(definition: definition, store: try store(at: file), isAdHoc: false))
    }

    func item(_ p: Passage, kb: KnowledgeBase, score: Double?) -> PassageItem {
        let relative = DocumentURI.relativePath(of: p.documentPath, roots: kb.definition.paths)
        return PassageItem(id: p.id, kb: kb.name, path: p.documentPath,
                           uri: DocumentURI.make(kb: kb.name, relativePath: relative), title: p.title,
                           headings: p.headingPath, lineStart: p.lineStart, lineEnd: p.lineEnd,
                           pageStart: p.pageStart, pageEnd: p.pageEnd, location: p.location(path: relative),
                           score: score.map { ($0 * 1000).rounded() / 1000 }, text: p.text)
    }

    // MARK: - Tools

    /// The best passages for `query`, ranked as `lore search` ranks them.
    public func search(query: String, kb: String?, k: Int = 8, mode: RetrievalMode?) async throws -> SearchOutput {
        let (library, base) = try open(kb)
        let settings = library.config.retrieval(forKnowledgeBase: base.name)
        let retrieval = try await Retriever(store: base.store, settings: settings, environment: environment)
            .retrieve(query, mode: mode, limit: max(1, k))
        return SearchOutput(kb: base.name, query: query, mode: retrieval.mode.rawValue, notice: retrieval.fallbackReason,
                            results: retrieval.hits.map { item($0.passage, kb: base, score: $0.passage.score) })
    }

    /// One passage whole, with up to `context` passages of its document on either side.
    public func passage(id: Int64, kb: String?, context: Int = 1) throws -> PassageOutput {
        let (_, base) = try open(kb)
        guard let found = try base.store.passage(id: id) else {
            throw ToolError("no passage \(id) in \(base.name); passage ids come from `search` on the same knowledge base, and change when a file is indexed again")
        }
        // Only the passages around it are read (one indexed range), not the whole document.
        let run = try base.store.passageRuns(around: [id], radius: max(0, context)).first ?? [found]
        let at = run.firstIndex { $0.id == id } ?? 0
        let before = run[..<at]
        let after = run[min(run.count, at + 1)...]
        return PassageOutput(passage: item(found, kb: base, score: nil),
                             before: before.map { item($0, kb: base, score: nil) },
                             after: after.map { item($0, kb: base, score: nil) })
    }

    /// Every knowledge base in the config, with its counts and how far its embeddings are.
    public func knowledgeBases() throws -> [KnowledgeBaseOutput] {
        let library = try library()
        let iso = ISO8601DateFormatter()
        return library.listings().map { listing in
            let stats = listing.statistics
            var embedding = EmbeddingState(configured: false, model: nil, embedded: 0, passages: stats?.passages ?? 0,
                                           state: "not configured")
            if let settings = library.config.retrieval(forKnowledgeBase: listing.name).embedding {
                embedding.configured = true
                embedding.model = settings.modelKey
                let file = library.storePath(for: listing.name)
                if stats != nil, let counts = try? store(at: file).vectorCounts() {
                    embedding.embedded = counts
                        .filter { $0.model == settings.modelKey && (settings.dimensions == nil || $0.dimensions == settings.dimensions) }
                        .map(\.count).max() ?? 0
                }
                embedding.state = embedding.embedded == 0 ? "none" : embedding.embedded >= embedding.passages ? "complete" : "partial"
            }
            return KnowledgeBaseOutput(name: listing.name, paths: listing.paths, isDefault: listing.isDefault,
                                       files: stats?.documents ?? 0, passages: stats?.passages ?? 0,
                                       skipped: stats?.skipped ?? 0, lastIndexed: stats?.lastIndexed.map { iso.string(from: $0) },
                                       state: listing.state, embedding: embedding)
        }
    }

    /// A cited answer through the chat session `lore ask` uses; the turn is saved in the knowledge
    /// base's history as `lore ask` saves it, and `conversation` continues one.
    public func ask(question: String, kb: String?, conversation: Int64?) async throws -> AskOutput {
        guard let settings = model.settings else {
            throw ToolError("no chat model is configured (\(model.explanation)); add a [model] table to config.toml")
        }
        let (library, base) = try open(kb)
        let session = ChatSession(kb: base, retrieval: library.config.retrieval(forKnowledgeBase: base.name),
                                  model: settings, noModelReason: model.explanation, environment: environment)
        var sources: [NumberedSource] = []
        var notices: [String] = []
        var outcome: TurnOutcome?
        for try await event in session.ask(question, conversationID: conversation) {
            switch event {
            case .retrieved(let numbered, _, _): sources = numbered
            case .notice(let message): notices.append(message)
            case .finished(let finished): outcome = finished
            case .conversation, .mode, .text, .reasoning, .citation, .usage, .rewrites: break
            }
        }
        guard let outcome else { throw ToolError("ask: the answer ended without a result") }
        if outcome.state == .error { throw ToolError(outcome.error ?? "the answer failed") }
        let mode: String
        var allNotices = notices
        switch outcome.mode {
        case .generative: mode = "generative"
        case .extractive(let reason):
            mode = "extractive"
            allNotices.append("extractive answer: \(reason)")
        }
        return AskOutput(kb: base.name, answer: outcome.answer, mode: mode, model: outcome.mode.label,
                         state: outcome.state.rawValue,
                         sources: sources.map { AskSource(number: $0.number, cited: outcome.cited.contains($0.number),
                                                          passage: item($0.passage, kb: base, score: $0.passage.score)) },
                         cited: outcome.cited.sorted(), unknownCitations: outcome.unknownCitations.sorted(),
                         notices: allNotices, conversation: outcome.conversationID)
    }

    /// An incremental index run, then the embedding pass when `[embedding]` is configured; only with
    /// `--allow-index`.
    public func index(kb: String?) async throws -> IndexOutput {
        guard allowIndex else {
            throw ToolError("indexing is turned off; start the server as `lore mcp --allow-index` to allow it")
        }
        let (library, base) = try open(kb, mustExist: false)
        let indexer = base.indexer(config: library.config)
        // The run is blocking work (file reads, parsing, SQLite): a thread of its own, not a task's.
        let summary: IndexSummary = try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result(catching: { try indexer.run() }))
            }
            thread.name = "lore-mcp-index"
            thread.start()
        }
        var output = IndexOutput(kb: base.name, added: summary.added, updated: summary.updated, removed: summary.removed,
                                 renamed: summary.renamed, unchanged: summary.unchanged, skipped: summary.skipped,
                                 passagesWritten: summary.passagesWritten, summary: summary.line, embedding: nil)
        if let embedding = library.config.retrieval(forKnowledgeBase: base.name).embedding {
            do {
                output.embedding = try await EmbeddingIndexer(store: base.store, settings: embedding, environment: environment)
                    .run().line
            } catch let error as LLMError {
                output.embedding = "embedding stopped: \(error.description); the keyword index is up to date and the next `index` resumes the embeddings"
            }
        }
        return output
    }

    // MARK: - Resources

    /// The indexed documents of every knowledge base that has an index, by knowledge base and path.
    public func documents() throws -> [DocumentEntry] {
        let library = try library()
        var entries: [DocumentEntry] = []
        for name in library.config.knowledgeBases.keys.sorted() {
            guard let definition = library.config.knowledgeBases[name] else { continue }
            entries += try documents(of: definition, library: library)
        }
        return entries
    }

    private func documents(of definition: KnowledgeBaseDefinition, library: Library) throws -> [DocumentEntry] {
        let file = library.storePath(for: definition.name)
        guard FileManager.default.fileExists(atPath: file) else { return [] }
        return try store(at: file).storedDocuments().values.filter { $0.status == .indexed }
            .sorted { $0.path < $1.path }
            .map { doc in
                let relative = DocumentURI.relativePath(of: doc.path, roots: definition.paths)
                return DocumentEntry(kb: definition.name, uri: DocumentURI.make(kb: definition.name, relativePath: relative),
                                     relativePath: relative, path: doc.path, size: doc.size)
            }
    }

    /// The text of the indexed document `uri` names. Only indexed documents can be read, so a URI
    /// cannot reach any other file.
    public func readDocument(uri: String) throws -> (entry: DocumentEntry, text: String) {
        guard let (kb, relative) = DocumentURI.parse(uri) else {
            throw ToolError("\(uri) is not a Lore document; document URIs look like lore://KB/relative/path (see resources/list)")
        }
        let library = try library()
        guard let definition = library.config.knowledgeBases[kb] else { throw library.unknownKnowledgeBase(kb) }
        guard let entry = try documents(of: definition, library: library).first(where: { $0.relativePath == relative }) else {
            throw ToolError("no indexed document \(relative) in \(kb); resources/list names the documents")
        }
        return (entry, try DocumentText.read(path: entry.path))
    }
}
