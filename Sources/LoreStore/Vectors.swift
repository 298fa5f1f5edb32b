import Foundation
import GRDB
import LoreCore

/// A passage waiting for its embedding: its id and the text to embed.
public struct PassageToEmbed: Sendable, Equatable {
    public var id: Int64
    /// Title and heading path, then the body: the breadcrumb gives a short passage its topic.
    public var text: String
    /// The body as stored, to check at write time that the passage was not replaced meanwhile.
    public var body: String
    /// Which part of a long passage a vector is for (0: the passage, or its first part).
    public var part: Int
    /// The title and headings line that leads `text`, empty when there is none.
    public var lead: String { text.count > body.count && text.hasSuffix(body) ? String(text.dropLast(body.count + 1)) : "" }

    public init(id: Int64, text: String, body: String, part: Int = 0) {
        self.id = id
        self.text = text
        self.body = body
        self.part = part
    }

    /// The text to embed for a stored passage: its breadcrumb (title, then headings joined as stored, by
    /// `PassageToEmbed.headingSeparator`) on the first line, then the body.
    public init(id: Int64, title: String, headings: String, body: String) {
        let crumb = headings.isEmpty || headings == title ? title
            : headings.hasPrefix(title) ? headings : title + Schema.headingSeparator + headings
        self.init(id: id, text: crumb.isEmpty ? body : crumb + "\n" + body, body: body)
    }

    /// How every store joins a heading path into one column.
    public static let headingSeparator = Schema.headingSeparator
}

/// Counts for the status: how many passages have a vector under one (model, size).
public struct VectorCoverage: Sendable, Equatable {
    public var passages: Int
    public var embedded: Int
    public var missing: Int { max(0, passages - embedded) }

    public init(passages: Int, embedded: Int) {
        self.passages = passages
        self.embedded = embedded
    }
}

extension KnowledgeBaseStore {
    /// Passages with no vector for (`model`, `dimensions`), in id order from `afterID` on.
    public func passagesWithoutVectors(model: String, dimensions: Int, afterID: Int64 = 0,
                                       limit: Int) throws -> [PassageToEmbed] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.id, c.title, c.headings, c.body FROM chunks c
                WHERE c.id > ? AND NOT EXISTS (
                    SELECT 1 FROM chunk_vectors v WHERE v.chunk_id = c.id AND v.model = ? AND v.dims = ?)
                ORDER BY c.id LIMIT ?
                """, arguments: [afterID, model, dimensions, limit]).map { row in
                PassageToEmbed(id: row[0], title: row[1], headings: row[2], body: row[3])
            }
        }
    }

    public func vectorCoverage(model: String, dimensions: Int) throws -> VectorCoverage {
        try pool.read { db in
            VectorCoverage(
                passages: try Int.fetchOne(db, sql: "SELECT count(*) FROM chunks") ?? 0,
                embedded: try Int.fetchOne(db, sql: "SELECT count(DISTINCT chunk_id) FROM chunk_vectors WHERE model = ? AND dims = ?",
                                           arguments: [model, dimensions]) ?? 0)
        }
    }

    /// How many passages have vectors of each (model, size), for a status that needs no embedding server.
    public func vectorCounts() throws -> [(model: String, dimensions: Int, count: Int)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT model, dims, count(DISTINCT chunk_id) FROM chunk_vectors GROUP BY model, dims ORDER BY model, dims")
                .map { (model: $0[0], dimensions: $0[1], count: $0[2]) }
        }
    }

    /// Stores vectors, normalised to unit length, in one transaction: one per passage, or one per part of
    /// a long passage (`PassageToEmbed.part`). A passage deleted or rewritten since it was read is left out,
    /// so a vector never lands on text it was not computed from. Returns how many passages got vectors
    /// (their part 0 written).
    @discardableResult
    public func putVectors(_ vectors: [(passage: PassageToEmbed, vector: [Float])], model: String) throws -> Int {
        try pool.write { db in
            let insert = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO chunk_vectors(chunk_id, model, dims, part, vector)
                SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM chunks WHERE id = ? AND body = ?)
                """)
            var written = 0
            for (passage, vector) in vectors {
                let blob = Self.vectorBlob(VectorSearch.normalized(vector))
                try insert.execute(arguments: [passage.id, model, vector.count, passage.part, blob, passage.id, passage.body])
                if passage.part == 0 { written += db.changesCount }
            }
            return written
        }
    }

    /// Vectors of (`model`, `dimensions`) with an id above `afterID`, handed to `body` one at a time with
    /// the bytes still in SQLite's buffer, so loading a large matrix makes no per-row arrays.
    /// Returns the largest id seen.
    @discardableResult
    public func forEachVector(model: String, dimensions: Int, afterID: Int64 = 0,
                              _ body: (_ chunkID: Int64, _ vector: UnsafeBufferPointer<Float>) -> Void) throws -> Int64 {
        try pool.read { db in
            var last = afterID
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, chunk_id, vector FROM chunk_vectors WHERE model = ? AND dims = ? AND id > ? ORDER BY id
                """, arguments: [model, dimensions, afterID])
            while let row = try rows.next() {
                last = row[0]
                let chunk: Int64 = row[1]
                try row.withUnsafeData(atIndex: 2) { data in
                    guard let data, data.count == dimensions * 4 else { return }
                    data.withUnsafeBytes { raw in
                        // SQLite's buffers have no alignment promise for floats; copy through an aligned
                        // scratch only when needed.
                        if Int(bitPattern: raw.baseAddress) % MemoryLayout<Float>.alignment == 0 {
                            body(chunk, raw.bindMemory(to: Float.self))
                        } else {
                            let copy = [Float](unsafeUninitializedCapacity: dimensions) { buffer, count in
                                UnsafeMutableRawBufferPointer(buffer).copyBytes(from: raw)
                                count = dimensions
                            }
                            copy.withUnsafeBufferPointer { body(chunk, $0) }
                        }
                    }
                }
            }
            return last
        }
    }

    /// (count, largest id) of the vectors of one model and size: what tells a loaded matrix it is stale.
    public func vectorVersion(model: String, dimensions: Int) throws -> (count: Int, maxID: Int64) {
        try pool.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT count(*), coalesce(max(id), 0) FROM chunk_vectors WHERE model = ? AND dims = ?",
                                       arguments: [model, dimensions])
            return (row?[0] ?? 0, row?[1] ?? 0)
        }
    }

    /// Drops vectors of every other model or size, once the current one covers the knowledge base.
    @discardableResult
    public func removeVectors(except model: String, dimensions: Int) throws -> Int {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM chunk_vectors WHERE model != ? OR dims != ?", arguments: [model, dimensions])
            return db.changesCount
        }
    }

    static func vectorBlob(_ vector: [Float]) -> Data {
        var data = Data(capacity: vector.count * 4)
        for value in vector {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }
}

/// A BM25 candidate before diversification: passage, document and score.
public struct RankedPassageID: Sendable, Equatable {
    public var id: Int64
    public var document: Int64
    public var score: Double

    public init(id: Int64, document: Int64, score: Double) {
        self.id = id
        self.document = document
        self.score = score
    }
}

extension KnowledgeBaseStore {
    /// The first `limit` passages by BM25 for an FTS5 expression, ids only: the keyword list that rank
    /// fusion reads. Rows and snippets are read later for the few passages that win.
    public func keywordCandidates(expression: String, limit: Int,
                                  weights: FTSQuery.ColumnWeights = .standard) throws -> [RankedPassageID] {
        guard limit > 0 else { return [] }
        return try pool.read { db in
            if let trigram = try Self.trigramQuery(db, expression: expression) {
                let documentOf = try db.cachedStatement(sql: "SELECT document_id FROM chunks WHERE id = ?")
                return try Self.unsegmentedRanking(db, trigram, weights: weights, limit: limit).compactMap { found in
                    try Int64.fetchOne(documentOf, arguments: [found.id])
                        .map { RankedPassageID(id: found.id, document: $0, score: found.score) }
                }
            }
            return try Row.fetchAll(db, sql: """
                SELECT f.rowid, c.document_id, f.score FROM (
                    SELECT rowid, bm25(chunks_fts, ?, ?, ?) AS score FROM chunks_fts
                    WHERE chunks_fts MATCH ? ORDER BY score LIMIT ?) f
                JOIN chunks c ON c.id = f.rowid ORDER BY f.score
                """, arguments: [weights.title, weights.headings, weights.body, expression, limit])
                .map { RankedPassageID(id: $0[0], document: $0[1], score: -($0[2] as Double)) }
        }
    }

    /// The document of each passage id that still exists.
    public func documentIDs(ofPassages ids: [Int64]) throws -> [Int64: Int64] {
        guard !ids.isEmpty else { return [:] }
        return try pool.read { db in
            var out: [Int64: Int64] = [:]
            let statement = try db.cachedStatement(sql: "SELECT document_id FROM chunks WHERE id = ?")
            for id in ids {
                if let document = try Int64.fetchOne(statement, arguments: [id]) { out[id] = document }
            }
            return out
        }
    }

    /// Search hits for chosen passage ids, in the given order, with snippets around `terms`; ids that no
    /// longer exist are left out. `rank` is each id's position in the list given, from 1.
    public func hits(forPassages ids: [Int64], scores: [Double], terms: [String]) throws -> [SearchHit] {
        try pool.read { db in
            let row = try db.cachedStatement(sql: """
                SELECT \(Schema.passageColumns)
                FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ?
                """)
            return try ids.enumerated().compactMap { index, id in
                guard let found = try Row.fetchOne(row, arguments: [id]) else { return nil }
                let score = index < scores.count ? scores[index] : 0
                return SearchHit(passage: Self.passage(from: found, score: score), rank: index + 1,
                                 snippet: Snippet.make(found[6], terms: terms))
            }
        }
    }
}
