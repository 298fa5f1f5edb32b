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
    public func search(expression: String, limit: Int, perDocument: Int = 2,
                       weights: FTSQuery.ColumnWeights = .standard) throws -> [SearchHit] {
        guard limit > 0 else { return [] }
        // Ranking first, over rowids only; the rows and snippets are read for the few winners afterwards,
        // so a common term matching half the corpus costs a sort of integers, not of passage text.
        let pool = max(limit * 4, 40)
        return try self.pool.read { db in
            let ranked = try Row.fetchAll(db, sql: """
                SELECT c.rowid, bm25(chunks_fts, ?, ?, ?) AS score, d.document_id
                FROM chunks_fts c JOIN chunks d ON d.id = c.rowid
                WHERE chunks_fts MATCH ? ORDER BY score LIMIT ?
                """, arguments: [weights.title, weights.headings, weights.body, expression, pool])
            let candidates = ranked.enumerated().map { (index, row) in
                (id: row[0] as Int64, score: -(row[1] as Double), document: row[2] as Int64, rank: index + 1)
            }
            let chosen = diversify(candidates, limit: limit, perGroup: perDocument) { $0.document }
            let snippet = try db.cachedStatement(sql: """
                SELECT snippet(chunks_fts, 2, char(1), char(2), '…', 32) FROM chunks_fts
                WHERE chunks_fts MATCH ? AND rowid = ?
                """)
            let row = try db.cachedStatement(sql: """
                SELECT c.id, d.path, c.title, c.headings, c.line_start, c.line_end, c.body
                FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ?
                """)
            return try chosen.compactMap { candidate in
                guard let found = try Row.fetchOne(row, arguments: [candidate.id]) else { return nil }
                let text = try String.fetchOne(snippet, arguments: [expression, candidate.id]) ?? ""
                return SearchHit(passage: Self.passage(from: found, score: candidate.score), rank: candidate.rank,
                                 snippet: text)
            }
        }
    }
}
