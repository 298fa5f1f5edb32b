import Foundation

/// Which clauses of a keyword query decide the candidates when the whole query would match too much.
///
/// PostgreSQL cannot return the best-ranked matches of a `tsquery` without ranking every row it matches,
/// and an OR of a question's words matches a large share of a big knowledge base ("table", "rows"): at a
/// million passages that is hundreds of thousands of `ts_rank` calls per question. The rare words are the
/// ones that tell passages apart (they carry the inverse document frequency that `ts_rank` lacks), so the
/// candidates are the passages holding the rarest clauses, as many clauses as fit in `budget` expected
/// rows; every clause still counts in the score of those candidates. The rarest clause is always kept, so
/// a query never loses all its candidates, and nothing is pruned when the whole query fits.
public enum KeywordPruning {
    /// Indices of the clauses to match on, rarest first; all of them when their rows fit in `budget`.
    /// `rows[i]` is the expected number of passages matching clause `i` (nil: unknown, taken as common).
    public static func candidateClauses(expectedRows rows: [Double?], budget: Double) -> [Int] {
        let known = rows.indices.map { (index: $0, rows: rows[$0] ?? .infinity) }
        if known.reduce(0, { $0 + $1.rows }) <= budget { return Array(rows.indices) }
        var chosen: [Int] = []
        var total = 0.0
        for clause in known.sorted(by: { $0.rows != $1.rows ? $0.rows < $1.rows : $0.index < $1.index }) {
            if !chosen.isEmpty && total + clause.rows > budget { break }
            chosen.append(clause.index)
            total += clause.rows
        }
        return chosen
    }

    /// The candidate filter: every clause (`.all`), any of some (`.any`), or, when even the rarest clause
    /// alone matches more than `budget` passages, the passages holding all of the rarest few (`.every`),
    /// taken until their expected overlap (words taken as independent) fits.
    public enum Filter: Sendable, Equatable {
        case all
        case any([Int])
        case every([Int])
    }

    public static func candidateFilter(expectedRows rows: [Double?], total: Double, budget: Double) -> Filter {
        let chosen = candidateClauses(expectedRows: rows, budget: budget)
        if chosen.count == rows.count { return .all }
        guard let first = chosen.first, let firstRows = rows[first], firstRows > budget, total > 0 else { return .any(chosen) }
        let byRarity = rows.indices.filter { rows[$0] != nil }.sorted { rows[$0]! != rows[$1]! ? rows[$0]! < rows[$1]! : $0 < $1 }
        var taken: [Int] = []
        var expected = total
        for index in byRarity {
            taken.append(index)
            expected *= rows[index]! / total
            if expected <= budget { break }
        }
        return taken.count > 1 ? .every(taken) : .any(chosen)
    }

    /// BM25's inverse document frequency of a clause expected in `rows` of `total` passages; a clause of
    /// unknown frequency (a prefix) weighs 1.
    public static func inverseDocumentFrequency(rows: Double?, total: Double) -> Double {
        guard let rows, rows.isFinite, total > 0 else { return 1 }
        let n = min(max(rows, 0), total)
        return log(1 + (total - n + 0.5) / (n + 0.5))
    }
}

extension FTSQuery {
    /// Each clause as its own `to_tsquery` argument, in clause order.
    public var tsqueryClauses: [String] { clauses.compactMap(Self.tsqueryClause) }
}
