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

    public init(passage: Passage, rank: Int, snippet: String) {
        self.passage = passage
        self.rank = rank
        self.snippet = snippet
    }
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
            let ranked: [(id: Int64, score: Double)]
            if let trigram = try Self.trigramQuery(db, expression: expression) {
                ranked = try Self.unsegmentedRanking(db, trigram, weights: weights, limit: pool)
            } else {
                // Only the full-text table takes part in the ranking; joining the passages there would read
                // a row for every match instead of for the few that are kept.
                ranked = try Row.fetchAll(db, sql: """
                    SELECT rowid, bm25(chunks_fts, ?, ?, ?) AS score FROM chunks_fts
                    WHERE chunks_fts MATCH ? ORDER BY score LIMIT ?
                    """, arguments: [weights.title, weights.headings, weights.body, expression, pool])
                    .map { (id: $0[0], score: -($0[1] as Double)) }
            }
            let documentOf = try db.cachedStatement(sql: "SELECT document_id FROM chunks WHERE id = ?")
            let candidates = try ranked.enumerated().map { (index, found) in
                (id: found.id, score: found.score,
                 document: try Int64.fetchOne(documentOf, arguments: [found.id]) ?? 0, rank: index + 1)
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

extension KnowledgeBaseStore {
    /// The trigram side of `expression`, or nil to search unicode61 alone as before: when the expression
    /// holds no word of a script without spaces, or the file predates the trigram index (opened read-only,
    /// it was never migrated).
    static func trigramQuery(_ db: Database, expression: String) throws -> TrigramQuery? {
        let query = TrigramQuery(expression: expression)
        guard !query.isEmpty, try db.tableExists("chunks_cjk") else { return nil }
        return query
    }

    /// The best `limit` passages for a search split between the two indexes, best first. Each side is one
    /// BM25 sum over its own terms, so a passage's scores from the two add up: as one BM25 over all the
    /// terms, but each with the document frequencies of the table that holds it.
    static func unsegmentedRanking(_ db: Database, _ query: TrigramQuery, weights: FTSQuery.ColumnWeights,
                                   limit: Int) throws -> [(id: Int64, score: Double)] {
        var scores: [Int64: Double] = [:]
        let w = [weights.title, weights.headings, weights.body]
        if let remainder = query.remainder {
            for row in try Row.fetchAll(db, sql: """
                SELECT rowid, bm25(chunks_fts, ?, ?, ?) AS score FROM chunks_fts
                WHERE chunks_fts MATCH ? ORDER BY score LIMIT ?
                """, arguments: [w[0], w[1], w[2], remainder, limit]) {
                scores[row[0], default: 0] -= row[1] as Double
            }
        }
        if let match = query.matchExpression {
            for row in try Row.fetchAll(db, sql: """
                SELECT rowid, bm25(chunks_cjk, ?, ?, ?) AS score FROM chunks_cjk
                WHERE chunks_cjk MATCH ? ORDER BY score LIMIT ?
                """, arguments: [w[0], w[1], w[2], match, limit]) {
                scores[row[0], default: 0] -= row[1] as Double
            }
        }
        for (id, score) in try shortRunScores(db, query.shortRuns, weights: weights, limit: limit) {
            scores[id, default: 0] += score
        }
        let ranked = scores.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        return ranked.prefix(limit).map { (id: $0.key, score: $0.value) }
    }

    /// Runs of one or two scalars, found by a scan of the trigram table's rows (the marked passages only,
    /// through their partial index) and scored as FTS5 would score them. FTS5 cannot help: its trigram
    /// MATCH needs three scalars, and SQLite 3.40 answers a LIKE of fewer from the trigram table with no
    /// rows at all.
    static func shortRunScores(_ db: Database, _ runs: [String], weights: FTSQuery.ColumnWeights,
                               limit: Int) throws -> [(id: Int64, score: Double)] {
        guard !runs.isEmpty else { return [] }
        // Occurrences of run ?n in a column, from how much shorter the column is without them.
        func hits(_ column: String, _ n: Int, length: Int) -> String {
            "CASE WHEN instr(\(column), ?\(n)) THEN (length(\(column)) - length(replace(\(column), ?\(n), ''))) / \(length) ELSE 0 END"
        }
        let counts = runs.enumerated().flatMap { index, run in
            ["title", "headings", "body"].map { hits($0, index + 1, length: run.unicodeScalars.count) }
        }
        let rows = try Row.fetchCursor(db, sql: """
            SELECT id, length(title), length(headings), length(body), \(counts.joined(separator: ", "))
            FROM chunks WHERE cjk = 1
            """, arguments: StatementArguments(runs))
        let columnWeights = [weights.title, weights.headings, weights.body]
        var rowCount = 0
        var totalLength = 0
        var matchingRows = [Int](repeating: 0, count: runs.count)
        var found: [(id: Int64, hits: [Double], length: Int)] = []
        while let row = try rows.next() {
            let length = (1...3).reduce(0) { $0 + TrigramBM25.trigrams(inCharacters: row[$1]) }
            rowCount += 1
            totalLength += length
            var weighted = [Double](repeating: 0, count: runs.count)
            var matched = false
            for run in runs.indices {
                var occurrences = 0
                for column in 0..<3 {
                    let n: Int = row[4 + run * 3 + column]
                    occurrences += n
                    weighted[run] += Double(n) * columnWeights[column]
                }
                if occurrences > 0 {
                    matchingRows[run] += 1
                    matched = true
                }
            }
            if matched { found.append((row[0], weighted, length)) }
        }
        let bm25 = TrigramBM25(rows: rowCount, totalLength: totalLength, matchingRows: matchingRows)
        let scored = found.map { (id: $0.id, score: bm25.score(weightedHits: $0.hits, length: $0.length)) }
        return Array(scored.sorted { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }.prefix(limit))
    }
}
