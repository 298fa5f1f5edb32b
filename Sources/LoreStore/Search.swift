import GRDB
import LoreCore

/// A passage found by a full-text search, with the snippet FTS5 cut around the matched terms.
public struct SearchHit: Sendable, Equatable {
    public var passage: Passage
    /// BM25 rank position (1-based) before diversification.
    public var rank: Int
    /// The snippet, with matched terms between `SearchHit.highlightStart` and `SearchHit.highlightEnd`.
    public var snippet: String

    public static let highlightStart: Character = "\u{1}"
    public static let highlightEnd: Character = "\u{2}"
}

extension KnowledgeBaseStore {
    /// Best passages for an FTS5 expression (built by `FTSQuery`, never raw user text), at most
    /// `perDocument` from one document unless fewer other documents match.
    /// `terms` are the words to highlight in snippets (`FTSQuery.terms`).
    public func search(expression: String, terms: [String] = [], limit: Int, perDocument: Int = 2,
                       weights: FTSQuery.ColumnWeights = .standard) throws -> [SearchHit] {
        guard limit > 0 else { return [] }
        // Ranking first, over rowids only; the rows and snippets are read for the few winners afterwards,
        // so a common term matching half the corpus costs a sort of integers, not of passage text.
        let pool = max(limit * 4, 40)
        return try self.pool.read { db in
            // Only the full-text table takes part in the ranking; joining the passages there would read a
            // row for every match instead of for the few that are kept.
            let ranked = try Row.fetchAll(db, sql: """
                SELECT rowid, bm25(chunks_fts, ?, ?, ?) AS score FROM chunks_fts
                WHERE chunks_fts MATCH ? ORDER BY score LIMIT ?
                """, arguments: [weights.title, weights.headings, weights.body, expression, pool])
            let documentOf = try db.cachedStatement(sql: "SELECT document_id FROM chunks WHERE id = ?")
            let candidates = try ranked.enumerated().map { (index, row) in
                let id: Int64 = row[0]
                return (id: id, score: -(row[1] as Double),
                        document: try Int64.fetchOne(documentOf, arguments: [id]) ?? 0, rank: index + 1)
            }
            let chosen = diversify(candidates, limit: limit, perGroup: perDocument) { $0.document }
            let row = try db.cachedStatement(sql: """
                SELECT \(Schema.passageColumns)
                FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ?
                """)
            return try chosen.compactMap { candidate in
                guard let found = try Row.fetchOne(row, arguments: [candidate.id]) else { return nil }
                let text = Snippet.make(found[6], terms: terms)
                return SearchHit(passage: Self.passage(from: found, score: candidate.score), rank: candidate.rank,
                                 snippet: text)
            }
        }
    }
}
