import Dispatch
import LoreCore
import LoreStore

extension Retriever {
    /// How much the question's own list weighs in the fusion against each rewritten query's, so that
    /// rewrites add candidates without pushing out what the question found.
    static let questionWeight = 2.0

    /// Retrieval for `query`, with the model's rewrites of `question` fused in when `settings.rewrite` is on,
    /// a model is given and it answers within the budget; otherwise plain retrieval, with the reason in
    /// `rewriteNote`.
    public func retrieve(_ query: String, rewriting question: String, history: [ConversationTurn],
                         model: ModelSettings?, mode: RetrievalMode?, limit: Int? = nil) async throws -> Retrieval {
        guard let rewrite = settings.rewrite, let model else { return try await retrieve(query, mode: mode, limit: limit) }
        let outcome = await QueryRewriter(model: model, settings: rewrite, environment: environment)
            .rewrite(question, history: history)
        var found = if let plan = outcome.plan {
            try await retrieve(query, plan: plan, mode: mode, limit: limit)
        } else {
            try await retrieve(query, mode: mode, limit: limit)
        }
        found.rewriteMilliseconds = outcome.milliseconds
        found.rewriteNote = outcome.note
        return found
    }

    /// Retrieval for the question and for each query of `plan` (and by the embedding of its hypothetical
    /// passage), fused by reciprocal rank, then cut to `limit` with the usual per-document diversity.
    /// Each hit's explanation names the queries that found it.
    public func retrieve(_ question: String, plan: QueryRewrite.Plan, mode: RetrievalMode?,
                         limit: Int? = nil) async throws -> Retrieval {
        let started = DispatchTime.now()
        let wanted = limit ?? settings.topK
        let depth = max(wanted * 2, 20)
        var base = try await retrieve(question, mode: mode, limit: depth)
        // The question's own search says which mode can run (a fallback to BM25 applies to all); the
        // rewrites' searches then run side by side, each an embedding call and a ranking, in plan order.
        let searchMode = base.mode
        let hypothetical = plan.hypothetical.flatMap { passage in
            searchMode != .bm25 ? settings.embedding.map { (passage, $0) } : nil
        }
        let others = try await withThrowingTaskGroup(of: (Int, Retrieval?).self) { group in
            for (index, query) in plan.queries.enumerated() {
                group.addTask { (index, try await retrieve(query, mode: searchMode, limit: depth)) }
            }
            if let (passage, embedding) = hypothetical {
                group.addTask {
                    // A passage whose embedding fails is left out; the queries still count.
                    let asked = DispatchTime.now()
                    guard let vector = try? await embed(passage, settings: embedding) else { return (plan.queries.count, nil) }
                    let waited = milliseconds(since: asked)
                    var ranked = try rank(passage, vector: vector, mode: .vector, embedding: embedding, limit: depth)
                    ranked.embeddingMilliseconds = waited
                    ranked.milliseconds += waited
                    return (plan.queries.count, ranked)
                }
            }
            var found: [Int: Retrieval] = [:]
            for try await (index, retrieval) in group { found[index] = retrieval }
            return found
        }
        var lists: [(label: String, retrieval: Retrieval)] = [("question", base)]
        for (index, query) in plan.queries.enumerated() {
            if let retrieval = others[index] { lists.append((query, retrieval)) }
        }
        let byPassage = others[plan.queries.count]
        if let byPassage { lists.append(("passage", byPassage)) }
        let fused = rankFusion(lists.map { $0.retrieval.hits.map(\.passage.id) },
                               weights: lists.indices.map { $0 == 0 ? Self.questionWeight : 1 }, k: settings.rrfK)
        var hitOf: [Int64: (hit: SearchHit, explanation: RankExplanation)] = [:]
        for list in lists {
            for (index, hit) in list.retrieval.hits.enumerated() where hitOf[hit.passage.id] == nil {
                hitOf[hit.passage.id] = (hit, index < list.retrieval.explanations.count ? list.retrieval.explanations[index] : RankExplanation())
            }
        }
        let documentOf = Dictionary(hitOf.values.map { ($0.hit.passage.id, $0.hit.passage.documentPath) },
                                    uniquingKeysWith: { a, _ in a })
        let chosen = diversify(fused, limit: wanted, perGroup: settings.perDocument) { documentOf[$0.id] ?? "" }
        base.hits = []
        base.explanations = []
        for item in chosen {
            guard var found = hitOf[item.id] else { continue }
            found.hit.passage.score = item.score
            found.explanation.fusedScore = item.score
            found.explanation.foundBy = zip(lists, item.ranks).compactMap { $1 == nil ? nil : $0.label }
            found.hit.passage.foundBy = found.explanation.foundBy
            base.hits.append(found.hit)
            base.explanations.append(found.explanation)
        }
        base.rewrites = plan.queries + (byPassage != nil ? ["passage: " + (plan.hypothetical ?? "")] : [])
        // The rewrites' embedding calls overlap: the longest of them is what the wait for embeddings cost.
        base.embeddingMilliseconds = lists[0].retrieval.embeddingMilliseconds
            + (lists.dropFirst().map(\.retrieval.embeddingMilliseconds).max() ?? 0)
        base.milliseconds = milliseconds(since: started)
        return base
    }
}
