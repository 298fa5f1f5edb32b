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
}

extension FTSQuery {
    /// Each clause as its own `to_tsquery` argument, in clause order.
    public var tsqueryClauses: [String] { clauses.compactMap(Self.tsqueryClause) }
}
