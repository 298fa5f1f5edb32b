/// One item's place in each ranked list that took part in a fusion, and the fused score.
public struct FusedRank<ID: Hashable & Sendable>: Sendable, Equatable {
    public var id: ID
    /// 1-based rank in each input list, nil where the item was absent; same order as the lists given.
    public var ranks: [Int?]
    public var score: Double

    public init(id: ID, ranks: [Int?], score: Double) {
        self.id = id
        self.ranks = ranks
        self.score = score
    }
}

/// Reciprocal rank fusion (Cormack, Clarke & Büttcher 2009): each list gives an item `weight / (k + rank)`,
/// and the sums are sorted. Only ranks count, so BM25 scores and cosine similarities, which live on
/// unrelated scales, need no calibration against each other. A larger `k` flattens the advantage of the
/// very first places; 60 is the value of the original paper.
///
/// Ties keep the order in which items were first seen, scanning the lists in order, so that the result
/// is deterministic and the first list wins a tie.
public func rankFusion<ID: Hashable & Sendable>(_ lists: [[ID]], weights: [Double]? = nil, k: Double = 60) -> [FusedRank<ID>] {
    var position: [ID: Int] = [:]
    var fused: [FusedRank<ID>] = []
    for (listIndex, list) in lists.enumerated() {
        let weight = weights.flatMap { listIndex < $0.count ? $0[listIndex] : nil } ?? 1
        for (offset, id) in list.enumerated() {
            let rank = offset + 1
            let slot: Int
            if let existing = position[id] {
                slot = existing
                // A list naming the same item twice counts its best place only.
                if fused[slot].ranks[listIndex] != nil { continue }
            } else {
                slot = fused.count
                position[id] = slot
                fused.append(FusedRank(id: id, ranks: Array(repeating: nil, count: lists.count), score: 0))
            }
            fused[slot].ranks[listIndex] = rank
            fused[slot].score += weight / (k + Double(rank))
        }
    }
    // Stable: equal scores keep first-seen order.
    return fused.enumerated().sorted { a, b in
        a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset
    }.map(\.element)
}

/// The weight of the keyword list in a hybrid fusion for a query of `contentTerms` terms (stop words
/// left out, a quoted phrase counting once): `base` up to `fullWeightUpTo` terms, then shrinking in
/// proportion, so that at twice as many terms it counts half.
///
/// A short query is usually a name (a setting, a function, an error message) that BM25 finds exactly and
/// an embedding only approximately; a long question describes what the person wants in their own words,
/// and BM25 then ranks passages by whichever of those words they happen to share, mostly common ones.
/// Measured on the PostgreSQL docs with all-MiniLM-L6-v2 (bench/eval-postgresql*.jsonl): BM25 alone
/// is close to the embedding on the names (R@5 .967 against .933) and far below it on the paraphrased
/// questions (.388 against .662, and .225 against .554 on the held-out set).
public func keywordListWeight(_ base: Double, contentTerms: Int, fullWeightUpTo: Int = 4) -> Double {
    guard contentTerms > fullWeightUpTo, fullWeightUpTo > 0 else { return base }
    return base * Double(fullWeightUpTo) / Double(contentTerms)
}
