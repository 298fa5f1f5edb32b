import Dispatch
import Foundation
import LoreCore
import LoreLLM
import LoreStore

/// Why a passage is where it is: its place in each list and the scores that combined them.
public struct RankExplanation: Sendable, Equatable {
    public var bm25Rank: Int?
    public var vectorRank: Int?
    /// Cosine similarity to the question.
    public var vectorScore: Double?
    public var fusedScore: Double?
    public var rerankScore: Double?
    /// With query rewriting: the queries whose results held this passage, in the order they were searched
    /// ("question" for the question as asked first, "passage" for the hypothetical answer last).
    public var foundBy: [String] = []

    public init(bm25Rank: Int? = nil, vectorRank: Int? = nil, vectorScore: Double? = nil, fusedScore: Double? = nil,
                rerankScore: Double? = nil) {
        self.bm25Rank = bm25Rank
        self.vectorRank = vectorRank
        self.vectorScore = vectorScore
        self.fusedScore = fusedScore
        self.rerankScore = rerankScore
    }
}

/// What one retrieval found and how long it took.
public struct Retrieval: Sendable {
    public var query: String
    /// The FTS5 expression actually run; nil when the query held nothing searchable.
    public var expression: String?
    public var hits: [SearchHit]
    public var milliseconds: Double
    /// The mode that produced `hits`: the one asked for, or BM25 after a fallback.
    public var mode: RetrievalMode = .bm25
    /// Set when the asked-for mode could not run, saying why, for the status bar and `--explain`.
    public var fallbackReason: String?
    /// One per hit, same order.
    public var explanations: [RankExplanation] = []
    /// Time spent getting the question's embedding (0 when cached or not needed) and reranking.
    public var embeddingMilliseconds: Double = 0
    public var rerankMilliseconds: Double = 0
    /// The rewritten queries searched besides the question (empty without rewriting), and the time the
    /// model took to write them; `rewriteNote` says why rewriting did not happen when it was meant to.
    public var rewrites: [String] = []
    public var rewriteMilliseconds: Double = 0
    public var rewriteNote: String?

    public var passages: [Passage] { hits.map(\.passage) }
}

/// Finds the passages that best answer a question: by BM25 over titles, headings and text, by embedding
/// similarity, by reciprocal rank fusion of both, optionally reordered by a cross-encoder.
public struct Retriever: Sendable {
    public var store: any PassageStore
    public var settings: RetrievalSettings
    public var environment: [String: String]

    public init(store: any PassageStore, settings: RetrievalSettings = RetrievalSettings(),
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.store = store
        self.settings = settings
        self.environment = environment
    }

    /// Keyword ranking only; needs no server.
    public func retrieve(_ query: String, limit: Int? = nil) throws -> Retrieval {
        let started = DispatchTime.now()
        let parsed = FTSQuery(query)
        let expression = parsed.matchExpression
        var hits: [SearchHit] = []
        if expression != nil {
            hits = try store.keywordSearch(parsed, terms: FTSQuery.terms(query), limit: limit ?? settings.topK,
                                           perDocument: settings.perDocument)
        }
        var retrieval = Retrieval(query: query, expression: expression, hits: hits, milliseconds: milliseconds(since: started))
        retrieval.explanations = hits.map { RankExplanation(bm25Rank: $0.rank) }
        return retrieval
    }

    /// Ranks by `mode` (nil: the best the settings allow). When the embedding or rerank server cannot be
    /// used, falls back to the next mode that can (rerank → hybrid → BM25) and says why in `fallbackReason`.
    public func retrieve(_ query: String, mode: RetrievalMode?, limit: Int? = nil) async throws -> Retrieval {
        let mode = mode ?? settings.effectiveMode
        if mode == .bm25 { return try retrieve(query, limit: limit) }
        guard let embedding = settings.embedding else {
            var result = try retrieve(query, limit: limit)
            result.fallbackReason = "no [embedding] is configured; ranked by keywords only"
            return result
        }
        let started = DispatchTime.now()
        let queryVector: [Float]
        do {
            queryVector = try await embed(query, settings: embedding)
        } catch {
            var result = try retrieve(query, limit: limit)
            result.fallbackReason = "embedding server unavailable (\(error)); ranked by keywords only"
            return result
        }
        let embeddingMilliseconds = milliseconds(since: started)
        var result = try rank(query, vector: queryVector, mode: mode, embedding: embedding, limit: limit ?? settings.topK)
        result.embeddingMilliseconds = embeddingMilliseconds
        if mode == .rerank, let rerank = settings.rerank {
            result = await reranked(result, settings: rerank, limit: limit ?? settings.topK)
        } else if mode == .rerank {
            result.fallbackReason = "no [retrieval.rerank] is configured; hybrid ranking without reranking"
        }
        result.milliseconds = milliseconds(since: started)
        return result
    }

    /// The question's embedding, from the cache when it was asked before.
    func embed(_ query: String, settings embedding: EmbeddingSettings) async throws -> [Float] {
        let key = embedding.modelKey + "\u{0}" + String(embedding.dimensions ?? 0)
        if let cached = QueryEmbeddingCache.shared.vector(model: key, text: query) { return cached }
        let client = EmbeddingClient(settings: embedding, environment: environment, retry: .never)
        let vector = try await client.embedQuery(query)
        QueryEmbeddingCache.shared.store(vector, model: key, text: query)
        return vector
    }

    /// Vector or hybrid ranking once the question's vector is known; no network. What `bench` times as
    /// "the hybrid query without the embedding call".
    public func rank(_ query: String, vector: [Float], mode: RetrievalMode, embedding: EmbeddingSettings,
                     limit: Int) throws -> Retrieval {
        let started = DispatchTime.now()
        let parsed = FTSQuery(query)
        let expression = parsed.matchExpression
        let depth = max(settings.candidates, limit)
        let nearest: [(passageID: Int64, score: Float)]
        if let inStore = try store.nearestPassages(to: VectorSearch.normalized(vector), model: embedding.modelKey, k: depth) {
            nearest = inStore
        } else {
            let index = VectorIndex.shared(store: store, model: embedding.modelKey, dimensions: vector.count,
                                           halfPrecision: embedding.halfPrecision)
            nearest = try index.search(vector, k: depth)
        }
        var keyword: [RankedPassageID] = []
        if mode != .vector, expression != nil {
            keyword = try store.keywordCandidates(parsed, limit: depth)
        }
        let similarity = Dictionary(nearest.map { ($0.passageID, Double($0.score)) }, uniquingKeysWith: max)
        let fused: [FusedRank<Int64>]
        if mode == .vector {
            fused = nearest.enumerated().map { FusedRank(id: $0.element.passageID, ranks: [nil, $0.offset + 1],
                                                         score: Double($0.element.score)) }
        } else {
            // A long question's shared words say less than a short query's name.
            let keywordWeight = keywordListWeight(settings.bm25Weight, contentTerms: parsed.clauses.count)
            fused = rankFusion([keyword.map(\.id), nearest.map(\.passageID)],
                               weights: [keywordWeight, settings.vectorWeight], k: settings.rrfK)
        }
        var documents = Dictionary(keyword.map { ($0.id, $0.document) }, uniquingKeysWith: { a, _ in a })
        let unknown = fused.map(\.id).filter { documents[$0] == nil }
        documents.merge(try store.documentIDs(ofPassages: unknown)) { a, _ in a }
        // A passage deleted since the matrix was loaded has no document any more and drops out here.
        let present = documentAwareRanking(fused.filter { documents[$0.id] != nil }, weight: settings.documentWeight) {
            documents[$0]
        }
        let wanted = mode == .rerank ? max(limit, settings.rerank?.topN ?? limit) : limit
        let chosen = diversify(present, limit: wanted, perGroup: settings.perDocument) { documents[$0.id] ?? 0 }
        let hits = try store.hits(forPassages: chosen.map(\.id), scores: chosen.map(\.score), terms: FTSQuery.terms(query))
        let byID = Dictionary(chosen.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var result = Retrieval(query: query, expression: expression, hits: hits, milliseconds: milliseconds(since: started))
        result.mode = mode
        result.explanations = hits.map { hit in
            let f = byID[hit.passage.id]
            return RankExplanation(bm25Rank: f?.ranks[0], vectorRank: f?.ranks[1], vectorScore: similarity[hit.passage.id],
                                   fusedScore: mode == .vector ? nil : f?.score)
        }
        return result
    }

    /// The fused candidates reordered by the cross-encoder, then cut to `limit` with the same diversity
    /// rule. When the reranker fails the fused order stands, with the reason.
    func reranked(_ fused: Retrieval, settings rerank: RerankSettings, limit: Int) async -> Retrieval {
        let started = DispatchTime.now()
        var result = fused
        let client = RerankClient(settings: rerank, environment: environment)
        do {
            let candidates = Array(fused.hits.prefix(rerank.topN))
            let scores = try await client.scores(query: fused.query, documents: candidates.map {
                $0.passage.breadcrumb + "\n" + $0.passage.text
            })
            let order = candidates.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
            let ranked = order.map { (hit: candidates[$0], explanation: fused.explanations[$0], score: scores[$0]) }
            let chosen = diversify(ranked, limit: limit, perGroup: settings.perDocument) { $0.hit.passage.documentPath }
            result.hits = chosen.map { item in
                var hit = item.hit
                hit.passage.score = item.score
                return hit
            }
            result.explanations = chosen.map { item in
                var explanation = item.explanation
                explanation.rerankScore = item.score
                return explanation
            }
            result.mode = .rerank
        } catch {
            result.hits = Array(fused.hits.prefix(limit))
            result.explanations = Array(fused.explanations.prefix(limit))
            result.mode = .hybrid
            result.fallbackReason = "reranker unavailable (\(error)); hybrid order kept"
        }
        result.rerankMilliseconds = milliseconds(since: started)
        return result
    }

}
