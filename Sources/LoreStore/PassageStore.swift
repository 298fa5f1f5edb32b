import Foundation
import LoreCore

/// Where a knowledge base keeps its documents, passages, keyword index and vectors: an SQLite file on this
/// machine (`KnowledgeBaseStore`, the default) or a shared PostgreSQL database (`PostgresStore`). The
/// indexer, the retriever, the chat session, the MCP server and the UI see only this protocol, so every one
/// of them works the same on both. Conversations are not here: they stay in the person's own SQLite file
/// whichever store holds the passages.
///
/// Paths in and out are this machine's absolute paths; a store shared between machines keeps them relative
/// to the knowledge base's folders and maps them back.
public protocol PassageStore: AnyObject, Sendable {
    /// What messages and process-wide caches name this store by: a file path, or a URL without password.
    var location: String { get }

    // MARK: Documents and passages
    func storedDocuments() throws -> [String: StoredDocument]
    func statistics() throws -> StoreStatistics
    func skippedDocuments() throws -> [(path: String, reason: String)]
    func passages(ofDocument documentPath: String) throws -> [Passage]
    func allPassages() throws -> [Passage]
    func passage(id: Int64) throws -> Passage?
    /// For each id, the passages of its document within `radius` places of it, in document order.
    func passageRuns(around ids: [Int64], radius: Int) throws -> [[Passage]]
    func metaValue(_ key: String) throws -> String?
    func setMetaValue(_ key: String, _ value: String) throws

    // MARK: Writing
    /// Runs `body` in one transaction: committed together or not at all.
    @discardableResult
    func writeBatch<T>(_ body: (any IndexWriting) throws -> T) throws -> T
    /// Holds this store's own one-indexer-at-a-time lock for as long as the returned object lives, calling
    /// `waiting` first if another run has it; nil when the store has none and a lock file beside
    /// `location` does the job (SQLite).
    func indexRunTurn(waiting: () -> Void) throws -> AnyObject?

    // MARK: Keyword ranking
    /// Best passages for `query`, at most `perDocument` from one document unless fewer others match.
    func keywordSearch(_ query: FTSQuery, terms: [String], limit: Int, perDocument: Int) throws -> [SearchHit]
    /// The first `limit` passages by keyword score, ids only, for rank fusion.
    func keywordCandidates(_ query: FTSQuery, limit: Int) throws -> [RankedPassageID]
    func documentIDs(ofPassages ids: [Int64]) throws -> [Int64: Int64]
    func hits(forPassages ids: [Int64], scores: [Double], terms: [String]) throws -> [SearchHit]

    // MARK: Vectors
    func passagesWithoutVectors(model: String, dimensions: Int, afterID: Int64, limit: Int) throws -> [PassageToEmbed]
    func vectorCoverage(model: String, dimensions: Int) throws -> VectorCoverage
    func vectorCounts() throws -> [(model: String, dimensions: Int, count: Int)]
    @discardableResult
    func putVectors(_ vectors: [(passage: PassageToEmbed, vector: [Float])], model: String) throws -> Int
    @discardableResult
    func removeVectors(except model: String, dimensions: Int) throws -> Int
    /// Vectors with an id above `afterID`, one at a time; returns the largest id seen. What an in-memory
    /// matrix loads from.
    @discardableResult
    func forEachVector(model: String, dimensions: Int, afterID: Int64,
                       _ body: (_ chunkID: Int64, _ vector: UnsafeBufferPointer<Float>) -> Void) throws -> Int64
    func vectorVersion(model: String, dimensions: Int) throws -> (count: Int, maxID: Int64)
    /// The `k` nearest passages to a unit-length `vector` by cosine similarity, searched inside the store
    /// (pgvector's HNSW index); nil when the store cannot, and the caller searches a loaded matrix instead.
    func nearestPassages(to vector: [Float], model: String, k: Int) throws -> [(passageID: Int64, score: Float)]?

    // MARK: Upkeep
    func integrityProblems() throws -> [String]
}

/// The writes one indexing batch may make, valid only inside `writeBatch`.
public protocol IndexWriting {
    /// Inserts or replaces a document and its passages. Returns the number of passages written.
    @discardableResult
    func putDocument(path: String, size: Int64, mtimeNanoseconds: Int64, hash: String, title: String,
                     format: DocumentFormat, chunks: [ChunkDraft]) throws -> Int
    /// Records a file that was not indexed and why.
    func putSkipped(path: String, size: Int64, mtimeNanoseconds: Int64, reason: String) throws
    /// A file that moved with the same content keeps its passages; only its path changes.
    func moveDocument(id: Int64, to path: String, size: Int64, mtimeNanoseconds: Int64) throws
    /// The content did not change, only the modification time.
    func touchDocument(id: Int64, size: Int64, mtimeNanoseconds: Int64) throws
    func removeDocument(id: Int64) throws
    func setMeta(_ key: String, _ value: String) throws
}

extension PassageStore {
    /// `keywordSearch` with the typed text parsed here; nothing when no searchable word remains.
    public func keywordSearch(_ text: String, limit: Int, perDocument: Int = 2) throws -> [SearchHit] {
        let query = FTSQuery(text)
        guard query.matchExpression != nil else { return [] }
        return try keywordSearch(query, terms: FTSQuery.terms(text), limit: limit, perDocument: perDocument)
    }
}

extension KnowledgeBaseStore: PassageStore {
    public var location: String { path }

    @discardableResult
    public func writeBatch<T>(_ body: (any IndexWriting) throws -> T) throws -> T {
        try pool.write { db in try body(IndexWriter(db: db)) }
    }

    public func indexRunTurn(waiting: () -> Void) throws -> AnyObject? { nil }

    public func keywordSearch(_ query: FTSQuery, terms: [String], limit: Int, perDocument: Int) throws -> [SearchHit] {
        guard let expression = query.matchExpression else { return [] }
        return try search(expression: expression, terms: terms, limit: limit, perDocument: perDocument)
    }

    public func keywordCandidates(_ query: FTSQuery, limit: Int) throws -> [RankedPassageID] {
        guard let expression = query.matchExpression else { return [] }
        return try keywordCandidates(expression: expression, limit: limit)
    }

    public func nearestPassages(to vector: [Float], model: String, k: Int) throws -> [(passageID: Int64, score: Float)]? {
        nil
    }
}

extension IndexWriter: IndexWriting {}

