import Dispatch
import LoreCore
import LoreStore

/// What one retrieval found and how long it took.
public struct Retrieval: Sendable {
    public var query: String
    /// The FTS5 expression actually run; nil when the query held nothing searchable.
    public var expression: String?
    public var hits: [SearchHit]
    public var milliseconds: Double

    public var passages: [Passage] { hits.map(\.passage) }
}

/// Finds the passages that best answer a question. Keyword ranking (BM25 over titles, headings and text)
/// for now; the vector and hybrid modes plug in here.
public struct Retriever: Sendable {
    public var store: KnowledgeBaseStore
    public var settings: RetrievalSettings

    public init(store: KnowledgeBaseStore, settings: RetrievalSettings = RetrievalSettings()) {
        self.store = store
        self.settings = settings
    }

    public func retrieve(_ query: String, limit: Int? = nil) throws -> Retrieval {
        let started = DispatchTime.now()
        let expression = FTSQuery.matchExpression(query)
        var hits: [SearchHit] = []
        if let expression {
            hits = try store.search(expression: expression, terms: FTSQuery.terms(query), limit: limit ?? settings.topK,
                                    perDocument: settings.perDocument)
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
        return Retrieval(query: query, expression: expression, hits: hits, milliseconds: elapsed)
    }
}
