import Foundation

/// Standard measures of one ranked answer to one question, given which results are relevant.
/// `relevant` flags the ranked results in order; `relevantTotal` is how many relevant items exist in all
/// (the denominator of recall), which may exceed the relevant results found.
public enum RetrievalMetrics {
    /// Share of all relevant items that appear in the first `k` results.
    public static func recall(_ relevant: [Bool], relevantTotal: Int, at k: Int) -> Double {
        guard relevantTotal > 0 else { return 0 }
        let found = relevant.prefix(k).filter { $0 }.count
        return Double(min(found, relevantTotal)) / Double(relevantTotal)
    }

    /// 1 / rank of the first relevant result, 0 when none is in the list.
    public static func reciprocalRank(_ relevant: [Bool]) -> Double {
        guard let first = relevant.firstIndex(of: true) else { return 0 }
        return 1 / Double(first + 1)
    }

    /// Normalised discounted cumulative gain with binary gains: each relevant result at rank r earns
    /// 1 / log2(r + 1), divided by the best possible sum for `relevantTotal` relevant items.
    public static func ndcg(_ relevant: [Bool], relevantTotal: Int, at k: Int) -> Double {
        guard relevantTotal > 0 else { return 0 }
        var gain = 0.0
        for (i, hit) in relevant.prefix(k).enumerated() where hit { gain += 1 / log2(Double(i) + 2) }
        var ideal = 0.0
        for i in 0..<min(relevantTotal, k) { ideal += 1 / log2(Double(i) + 2) }
        return gain / ideal
    }
}

/// Means of the measures over a question set, as `lore eval` prints them.
public struct RetrievalScores: Sendable, Equatable {
    public var questions = 0
    public var recallAt1 = 0.0
    public var recallAt5 = 0.0
    public var recallAt10 = 0.0
    public var mrr = 0.0
    public var ndcgAt10 = 0.0

    public init() {}

    /// Adds one question's ranked relevance flags.
    public mutating func add(_ relevant: [Bool], relevantTotal: Int) {
        questions += 1
        recallAt1 += RetrievalMetrics.recall(relevant, relevantTotal: relevantTotal, at: 1)
        recallAt5 += RetrievalMetrics.recall(relevant, relevantTotal: relevantTotal, at: 5)
        recallAt10 += RetrievalMetrics.recall(relevant, relevantTotal: relevantTotal, at: 10)
        mrr += RetrievalMetrics.reciprocalRank(relevant)
        ndcgAt10 += RetrievalMetrics.ndcg(relevant, relevantTotal: relevantTotal, at: 10)
    }

    /// The sums turned into means.
    public var mean: RetrievalScores {
        guard questions > 0 else { return self }
        var m = self
        let n = Double(questions)
        m.recallAt1 /= n; m.recallAt5 /= n; m.recallAt10 /= n; m.mrr /= n; m.ndcgAt10 /= n
        return m
    }
}
