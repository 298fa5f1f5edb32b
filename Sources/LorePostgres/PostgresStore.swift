import Foundation
import LoreCore
import LoreStore
import Synchronization

/// A knowledge base shared by a team in one PostgreSQL database: the same documents, passages, keyword
/// ranking and vectors as the SQLite store, behind the same `PassageStore` protocol, so the indexer,
/// retriever, chat session, MCP server and UI run unchanged on it.
///
/// Many readers at once, each query on a connection of its own from a small pool; one indexer at a time
/// per knowledge base, by a session-level advisory lock that the server drops when the indexer's
/// connection ends, even by `kill -9`. Documents are keyed by their path inside the knowledge base's
/// folders (`SharedPaths`), so every machine that sees the same folder meets the same rows.
public final class PostgresStore: PassageStore, @unchecked Sendable {
    public let url: PostgresLocation
    public let paths: SharedPaths
    /// True when the pgvector extension is there: vectors are `vector` and searched by HNSW in the server.
    public let hasPgvector: Bool
    public var location: String { url.display }

    private let idle = Mutex<[PGConnection]>([])
    private let maxIdle = 8
    /// (model, dims) whose HNSW index this process has made sure of.
    private let indexedModels = Mutex<Set<String>>([])

    /// HNSW's candidate list per search (`hnsw.ef_search`): longer finds more of the true nearest
    /// neighbours and costs more time. At least twice the passages asked for. Nil: by the number of
    /// vectors (`efSearch(forVectors:)`).
    public let efSearch: Int?
    /// The vector count last read from the catalog, and when.
    private let vectorEstimate = Mutex<(count: Int, read: Date)?>(nil)

    /// The candidate list that keeps HNSW's top 10 at about 95 % of the exact scan's as a store grows.
    /// Measured with `lore bench postgres-scale` (MiniLM vectors of the PostgreSQL docs, m 16,
    /// ef_construction 64): at 10,844 vectors ef 40 found .968 and ef 100 .998; at 1,000,000 (mixed copies)
    /// ef 100 .708, 200 .907, 400 .935, 600 .955, 1000 .965, hybrid p50 7.5 → 18.8 ms from ef 100 to 600.
    /// The steps between were not measured one by one.
    public static func efSearch(forVectors count: Int) -> Int {
        switch count {
        case ..<50_000: 100
        case ..<250_000: 200
        case ..<600_000: 400
        case ..<1_500_000: 600
        default: 1000
        }
    }

    /// The candidate list for this store now: the configured one, else one for its size, from the
    /// planner's row estimate read at most every five minutes.
    func currentEfSearch(_ conn: PGConnection) throws -> Int {
        if let efSearch { return efSearch }
        if let known = vectorEstimate.withLock({ $0 }), Date().timeIntervalSince(known.read) < 300 {
            return Self.efSearch(forVectors: known.count)
        }
        var count = Int(Double(try conn.query("SELECT reltuples FROM pg_class WHERE oid = 'lore_vectors'::regclass")[0, 0] ?? "") ?? -1)
        if count < 0 {
            // Never analysed: count, up to where the answer stops mattering.
            count = Int(try conn.query("SELECT count(*) FROM (SELECT 1 FROM lore_vectors LIMIT 1500000) v")[0, 0] ?? "") ?? 0
        }
        vectorEstimate.withLock { $0 = (count, Date()) }
        return Self.efSearch(forVectors: count)
    }

    /// Connects, creates the pgvector extension when it is installed on the server and the user may, and
    /// brings the schema up to date.
    public init(url: PostgresLocation, roots: [String], efSearch: Int? = nil) throws {
        let paths = SharedPaths(roots: roots)
        if let clash = paths.clashingNames.first {
            throw StoreError(path: url.display, message: """
                the folders \(clash.roots.joined(separator: " and ")) are both named \(clash.name); a shared knowledge \
                base names each document by its folder's name, so theirs would meet: give one folder another name \
                (or keep them in two knowledge bases)
                """)
        }
        self.url = url
        self.efSearch = efSearch
        self.paths = paths
        let first: PGConnection
        do {
            first = try PGConnection(conninfo: url.conninfo)
        } catch let error as PostgresError {
            throw StoreError(path: url.display, message: Self.explainConnect(error))
        }
        do {
            hasPgvector = try Self.migrate(first)
        } catch let error as PostgresError {
            throw StoreError(path: url.display, message: "cannot set up the knowledge-base tables: \(error.message)")
        }
        idle.withLock { $0.append(first) }
    }

    static func explainConnect(_ error: PostgresError) -> String {
        let text = error.message
        if text.contains("password authentication failed") || text.contains("no password supplied") {
            return "cannot log in (\(text)); put the password in PGPASSWORD or ~/.pgpass (host:port:database:user:password, mode 600)"
        }
        if text.contains("does not exist") {
            return "\(text); create it first (createdb) or fix the database name in the URL"
        }
        if text.contains("Connection refused") || text.contains("could not connect") || text.contains("timeout expired") {
            return "cannot reach the server (\(text)); check that PostgreSQL runs there and accepts TCP connections"
        }
        return text
    }

    /// Applies the migrations not yet applied; returns whether pgvector is in use.
    static func migrate(_ conn: PGConnection) throws -> Bool {
        do {
            try conn.query("SELECT pg_advisory_lock($1, $2)", ["\(PostgresSchema.lockClass)", "\(PostgresSchema.migrationLock)"])
            defer { _ = try? conn.query("SELECT pg_advisory_unlock($1, $2)", ["\(PostgresSchema.lockClass)", "\(PostgresSchema.migrationLock)"]) }
            try conn.execute("CREATE TABLE IF NOT EXISTS lore_schema (version integer NOT NULL)")
            let version = Int(try conn.query("SELECT max(version) FROM lore_schema")[0, 0] ?? "0") ?? 0
            var vector = try vectorType(conn)
            if version == 0 {
                // A new database: use pgvector when the server has it and this user may create it.
                if vector == nil, try conn.query("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").rows.count == 1 {
                    do {
                        try conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
                        vector = "vector"
                    } catch {}
                }
            } else if let stored = try? conn.query("SELECT value FROM lore_meta WHERE key = 'vector_type'").rows.first?[0] {
                vector = stored == "vector" ? "vector" : nil
            }
            let type = vector ?? "real[]"
            let steps = PostgresSchema.migrations(vectorType: type)
            for (index, step) in steps.enumerated() where index + 1 > version {
                try conn.execute("BEGIN")
                do {
                    try conn.execute(step)
                    try conn.query("INSERT INTO lore_schema(version) VALUES ($1)", ["\(index + 1)"])
                    if index == 0 {
                        try conn.query("INSERT INTO lore_meta(key, value) VALUES ('vector_type', $1)", [type])
                    }
                    try conn.execute("COMMIT")
                } catch {
                    _ = try? conn.execute("ROLLBACK")
                    throw error
                }
            }
            if version > steps.count {
                throw PostgresError("the database was written by a newer Lore (schema \(version), this one knows \(steps.count)); upgrade Lore")
            }
            return type == "vector"
        }
    }

    private static func vectorType(_ conn: PGConnection) throws -> String? {
        try conn.query("SELECT 1 FROM pg_extension WHERE extname = 'vector'").rows.isEmpty ? nil : "vector"
    }

    // MARK: - Connections

    /// Runs `body` on a pooled connection; a connection the server dropped is not put back.
    func withConnection<T>(_ body: (PGConnection) throws -> T) throws -> T {
        let conn: PGConnection
        if let pooled = idle.withLock({ $0.popLast() }) {
            conn = pooled
        } else {
            do { conn = try PGConnection(conninfo: url.conninfo) } catch let error as PostgresError {
                throw StoreError(path: url.display, message: Self.explainConnect(error))
            }
        }
        defer { giveBack(conn) }
        do {
            return try body(conn)
        } catch let error as PostgresError {
            throw StoreError(path: url.display, message: error.message)
        }
    }

    /// A pooled connection for maintenance and benchmarks (`lore bench postgres-scale`): raw SQL, with
    /// libpq errors turned into the store's.
    public func withSQL<T>(_ body: (PGConnection) throws -> T) throws -> T { try withConnection(body) }

    private func giveBack(_ conn: PGConnection) {
        guard conn.isHealthy else { return }
        idle.withLock { if $0.count < maxIdle { $0.append(conn) } }
    }

    // MARK: - Reading

    public func storedDocuments() throws -> [String: StoredDocument] {
        try withConnection { conn in
            var result: [String: StoredDocument] = [:]
            for row in try conn.query("SELECT id, path, size, mtime_ns, hash, status, skip_reason FROM lore_documents").rows {
                let path = paths.localPath(for: row[1] ?? "")
                result[path] = StoredDocument(id: Int64(row[0] ?? "") ?? 0, path: path, size: Int64(row[2] ?? "") ?? 0,
                                              mtimeNanoseconds: Int64(row[3] ?? "") ?? 0, hash: row[4] ?? "",
                                              status: DocumentStatus(rawValue: row[5] ?? "") ?? .skipped, skipReason: row[6])
            }
            return result
        }
    }

    public func statistics() throws -> StoreStatistics {
        try withConnection { conn in
            let counts = try conn.query("""
                SELECT (SELECT count(*) FROM lore_documents WHERE status = 'indexed'), (SELECT count(*) FROM lore_chunks),
                       (SELECT value FROM lore_meta WHERE key = 'last_indexed'),
                       pg_total_relation_size('lore_documents') + pg_total_relation_size('lore_chunks')
                         + pg_total_relation_size('lore_vectors') + pg_total_relation_size('lore_meta')
                """)
            var byReason: [String: Int] = [:]
            for row in try conn.query("SELECT skip_reason, count(*) FROM lore_documents WHERE status = 'skipped' GROUP BY skip_reason").rows {
                byReason[row[0] ?? "unknown"] = Int(row[1] ?? "") ?? 0
            }
            return StoreStatistics(documents: Int(counts[0, 0] ?? "") ?? 0, passages: Int(counts[0, 1] ?? "") ?? 0,
                                   skipped: byReason.values.reduce(0, +), skippedByReason: byReason,
                                   lastIndexed: counts[0, 2].flatMap(Double.init).map { Date(timeIntervalSince1970: $0) },
                                   fileBytes: Int64(counts[0, 3] ?? "") ?? 0)
        }
    }

    public func skippedDocuments() throws -> [(path: String, reason: String)] {
        try withConnection { conn in
            try conn.query("SELECT path, skip_reason FROM lore_documents WHERE status = 'skipped' ORDER BY path").rows
                .map { (path: paths.localPath(for: $0[0] ?? ""), reason: $0[1] ?? "unknown") }
        }
    }

    public func passages(ofDocument documentPath: String) throws -> [Passage] {
        try passages(where: "d.path = $1 ORDER BY c.ordinal", [paths.key(for: documentPath)])
    }

    public func allPassages() throws -> [Passage] {
        try passages(where: "true ORDER BY d.path, c.ordinal", [])
    }

    public func passage(id: Int64) throws -> Passage? {
        try passages(where: "c.id = $1", [String(id)]).first
    }

    public func passageRuns(around ids: [Int64], radius: Int) throws -> [[Passage]] {
        guard radius >= 0, !ids.isEmpty else { return [] }
        let rows = try passages(where: """
            (c.document_id, c.ordinal) IN (
                SELECT n.document_id, n.ordinal FROM lore_chunks h JOIN lore_chunks n
                  ON n.document_id = h.document_id AND n.ordinal BETWEEN h.ordinal - $2 AND h.ordinal + $2
                WHERE h.id = ANY($1::bigint[]))
            ORDER BY c.document_id, c.ordinal
            """, [Self.array(ids), String(radius)], withOrdinal: true)
        // Cut the neighbours of each id out of its document's rows, in the order the ids were given.
        var byDocument: [String: [(ordinal: Int, passage: Passage)]] = [:]
        var place: [Int64: (document: String, ordinal: Int)] = [:]
        for (passage, ordinal) in rows {
            byDocument[passage.documentPath, default: []].append((ordinal, passage))
            place[passage.id] = (passage.documentPath, ordinal)
        }
        return ids.compactMap { id in
            guard let at = place[id] else { return nil }
            return byDocument[at.document, default: []]
                .filter { abs($0.ordinal - at.ordinal) <= radius }.map(\.passage)
        }
    }

    private func passages(where clause: String, _ parameters: [String?]) throws -> [Passage] {
        try passages(where: clause, parameters, withOrdinal: false).map(\.0)
    }

    private func passages(where clause: String, _ parameters: [String?], withOrdinal: Bool) throws -> [(Passage, Int)] {
        try withConnection { conn in
            try conn.query("""
                SELECT \(PostgresSchema.passageColumns), c.ordinal
                FROM lore_chunks c JOIN lore_documents d ON d.id = c.document_id WHERE \(clause)
                """, parameters).rows.map { (passage(from: $0, score: 0), Int($0[9] ?? "") ?? 0) }
        }
    }

    func passage(from row: [String?], score: Double) -> Passage {
        let headings = row[3] ?? ""
        return Passage(id: Int64(row[0] ?? "") ?? 0, documentPath: paths.localPath(for: row[1] ?? ""), title: row[2] ?? "",
                       headingPath: headings.isEmpty ? [] : headings.components(separatedBy: PassageToEmbed.headingSeparator),
                       lineStart: Int(row[4] ?? "") ?? 0, lineEnd: Int(row[5] ?? "") ?? 0, text: row[6] ?? "", score: score,
                       pageStart: row[7].flatMap { Int($0) }, pageEnd: row[8].flatMap { Int($0) })
    }

    public func metaValue(_ key: String) throws -> String? {
        try withConnection { conn in try conn.query("SELECT value FROM lore_meta WHERE key = $1", [key]).rows.first?[0] ?? nil }
    }

    public func setMetaValue(_ key: String, _ value: String) throws {
        try withConnection { conn in try PostgresIndexWriter.setMeta(conn, key, value) }
    }

    // MARK: - Writing

    @discardableResult
    public func writeBatch<T>(_ body: (any IndexWriting) throws -> T) throws -> T {
        try withConnection { conn in
            try conn.execute("BEGIN")
            do {
                let result = try body(PostgresIndexWriter(conn: conn, paths: paths))
                try conn.execute("COMMIT")
                return result
            } catch {
                _ = try? conn.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// The one-indexer-at-a-time turn: a session advisory lock on a connection of its own, held until the
    /// returned object goes away (or the process dies, which closes the connection).
    public func indexRunTurn(waiting: () -> Void) throws -> AnyObject? {
        let conn: PGConnection
        do { conn = try PGConnection(conninfo: url.conninfo) } catch let error as PostgresError {
            throw StoreError(path: url.display, message: Self.explainConnect(error))
        }
        let keys = ["\(PostgresSchema.lockClass)", "\(PostgresSchema.indexRunLock)"]
        let got = try conn.query("SELECT pg_try_advisory_lock($1, $2)", keys)[0, 0] == "t"
        if !got {
            waiting()
            try conn.query("SELECT pg_advisory_lock($1, $2)", keys)
        }
        return IndexRunHold(conn: conn)
    }

    final class IndexRunHold {
        let conn: PGConnection
        init(conn: PGConnection) { self.conn = conn }
        // Closing the connection (PGConnection's deinit) ends the session, and with it the lock.
    }

    // MARK: - Keyword ranking

    /// `ts_rank` over the weighted `tsvector`, length-normalised (flag 1: divided by 1 + log of the length)
    /// as BM25 discounts long passages. Ids and scores first; rows only for the winners. When the whole
    /// query would match more than `candidateBudget` passages, the candidates are those matching its
    /// rarest clauses (`KeywordPruning`) and every clause still counts in their score.
    private func rankedIDs(_ conn: PGConnection, _ query: FTSQuery, limit: Int) throws -> [RankedPassageID] {
        let clauses = query.tsqueryClauses
        guard let full = query.tsquery else { return [] }
        let cfg = PostgresSchema.textSearchConfig, weights = PostgresSchema.rankWeights
        guard clauses.count > 1, let (expected, total) = try expectedRows(conn, clauses: clauses) else {
            return try conn.query("""
                SELECT c.id, c.document_id, ts_rank('\(weights)', c.tsv, q, 1) AS score
                FROM lore_chunks c, to_tsquery('\(cfg)', $1) q
                WHERE c.tsv @@ q ORDER BY score DESC, c.id LIMIT $2
                """, [full, String(limit)]).rows.map(Self.ranked)
        }
        let filter: String
        switch KeywordPruning.candidateFilter(expectedRows: expected, total: total, budget: Self.candidateBudget) {
        case .all: filter = full
        case .any(let chosen): filter = chosen.map { clauses[$0] }.joined(separator: " | ")
        case .every(let chosen): filter = chosen.map { "(" + clauses[$0] + ")" }.joined(separator: " & ")
        }
        // Two stages: the candidates by ts_rank of the whole query (one call a row), then the best of them
        // (without length normalisation, flag 0: it measured better there)
        // scored again as BM25 weighs words: each clause's ts_rank times its inverse document frequency,
        // which ts_rank alone lacks (a common word counts as much as a rare one there).
        var parameters: [String?] = [full, filter, String(max(limit * 4, 200))]
        var terms: [String] = []
        for (index, clause) in clauses.enumerated() {
            parameters.append(clause)
            let idf = KeywordPruning.inverseDocumentFrequency(rows: expected[index], total: total)
            terms.append("ts_rank('\(weights)', tsv, to_tsquery('\(cfg)', $\(parameters.count)), 0) * \(idf)")
        }
        parameters.append(String(limit))
        return try conn.query("""
            WITH candidates AS (
                SELECT c.id, c.document_id, c.tsv FROM lore_chunks c, to_tsquery('\(cfg)', $1) q, to_tsquery('\(cfg)', $2) f
                WHERE c.tsv @@ f ORDER BY ts_rank('\(weights)', c.tsv, q, 1) DESC, c.id LIMIT $3)
            SELECT id, document_id, \(terms.joined(separator: " + ")) AS score FROM candidates
            ORDER BY score DESC, id LIMIT $\(parameters.count)
            """, parameters).rows.map(Self.ranked)
    }

    static func ranked(_ row: [String?]) -> RankedPassageID {
        RankedPassageID(id: Int64(row[0] ?? "") ?? 0, document: Int64(row[1] ?? "") ?? 0, score: Double(row[2] ?? "") ?? 0)
    }

    /// Passages ranked per question at most, before pruning starts: a few milliseconds of `ts_rank`.
    static let candidateBudget = 3000.0

    /// How many passages each clause should match, from the planner's statistics of the `tsvector`
    /// column (its most common lexemes and their frequencies; a lexeme not listed is rarer than the
    /// rarest listed), with the number of passages. Nil when there are no statistics to be had.
    private func expectedRows(_ conn: PGConnection, clauses: [String]) throws -> (rows: [Double?], total: Double)? {
        guard let stats = try termStatistics(conn) else { return nil }
        // Each clause's lexemes as PostgreSQL normalises them (stemmed, stop words gone).
        let trees = try conn.query("""
            SELECT querytree(to_tsquery('\(PostgresSchema.textSearchConfig)', q)) FROM unnest($1::text[]) WITH ORDINALITY AS t(q, n) ORDER BY n
            """, [Self.textArray(clauses)]).rows.map { $0[0] ?? "" }
        let rows = trees.map { tree -> Double? in
            if tree.contains(":*") { return nil }
            let lexemes = Self.quotedLexemes(tree)
            if lexemes.isEmpty { return 0 }
            // A phrase matches no more passages than its rarest word.
            let frequency = lexemes.map { stats.frequency[$0] ?? stats.floor }.min() ?? stats.floor
            return frequency * stats.rows
        }
        return (rows, stats.rows)
    }

    struct TermStatistics {
        var rows: Double
        var frequency: [String: Double]
        var floor: Double
        var read: Date
    }
    private let termStats = Mutex<TermStatistics?>(nil)
    private let analysed = Mutex(false)

    private func termStatistics(_ conn: PGConnection) throws -> TermStatistics? {
        if let cached = termStats.withLock({ $0 }), Date().timeIntervalSince(cached.read) < 60 { return cached }
        let rows = try conn.query("""
            SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs::text, c.reltuples
            FROM pg_class c LEFT JOIN pg_stats s ON s.schemaname = current_schema() AND s.tablename = 'lore_chunks' AND s.attname = 'tsv'
            WHERE c.oid = 'lore_chunks'::regclass
            """).rows
        guard let row = rows.first else { return nil }
        let tuples = Double(row[2] ?? "") ?? 0
        guard let elements = row[0], let freqs = row[1] else {
            // Never analysed (autovacuum has not got to it yet): once per process, when it matters.
            if tuples != 0, !analysed.withLock({ let was = $0; $0 = true; return was }) {
                try conn.execute("ANALYZE lore_chunks")
                return try termStatistics(conn)
            }
            return nil
        }
        let names = Self.parseTextArray(elements)
        let values = Self.parseArray(freqs).map(Double.init)
        // The frequencies are followed by their minimum, their maximum and the share of empty rows.
        guard values.count >= names.count + 2 else { return nil }
        var frequency: [String: Double] = [:]
        for (index, name) in names.enumerated() { frequency[name] = values[index] }
        let stats = TermStatistics(rows: max(tuples, 1), frequency: frequency, floor: values[names.count], read: Date())
        termStats.withLock { $0 = stats }
        return stats
    }

    /// The lexemes of a `querytree` text: `'keep' | 'tabl' <-> 'row'` → keep, tabl, row.
    static func quotedLexemes(_ tree: String) -> [String] {
        var out: [String] = [], current = "", inside = false
        var characters = Array(tree)[...]
        while let c = characters.popFirst() {
            if c == "'" {
                if inside, characters.first == "'" { current.append("'"); characters.removeFirst(); continue }
                if inside { out.append(current); current = "" }
                inside.toggle()
            } else if inside {
                current.append(c)
            }
        }
        return out
    }

    /// A PostgreSQL text[] literal's elements (`{a,"b c",d}`).
    static func parseTextArray(_ text: String) -> [String] {
        var out: [String] = [], current = "", quoted = false, escaped = false
        for c in text.dropFirst().dropLast() {
            if escaped { current.append(c); escaped = false; continue }
            switch c {
            case "\\" where quoted: escaped = true
            case "\"": quoted.toggle()
            case "," where !quoted: out.append(current); current = ""
            default: current.append(c)
            }
        }
        if !current.isEmpty || text.count > 2 { out.append(current) }
        return out
    }

    static func textArray(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }

    public func keywordSearch(_ query: FTSQuery, terms: [String], limit: Int, perDocument: Int) throws -> [SearchHit] {
        guard limit > 0, query.tsquery != nil else { return [] }
        let ranked = try withConnection { conn in try rankedIDs(conn, query, limit: max(limit * 4, 40)) }
        let candidates = ranked.enumerated().map { (rank: $0.offset + 1, found: $0.element) }
        let chosen = diversify(candidates, limit: limit, perGroup: perDocument) { $0.found.document }
        var hits = try hits(forPassages: chosen.map(\.found.id), scores: chosen.map(\.found.score), terms: terms)
        // By id, not by place: a passage deleted since it was ranked is missing from `hits`.
        let rankByID = Dictionary(chosen.map { ($0.found.id, $0.rank) }, uniquingKeysWith: { first, _ in first })
        for index in hits.indices { hits[index].rank = rankByID[hits[index].passage.id] ?? hits[index].rank }
        return hits
    }

    public func keywordCandidates(_ query: FTSQuery, limit: Int) throws -> [RankedPassageID] {
        guard limit > 0, query.tsquery != nil else { return [] }
        return try withConnection { conn in try rankedIDs(conn, query, limit: limit) }
    }

    public func documentIDs(ofPassages ids: [Int64]) throws -> [Int64: Int64] {
        guard !ids.isEmpty else { return [:] }
        return try withConnection { conn in
            var out: [Int64: Int64] = [:]
            for row in try conn.query("SELECT id, document_id FROM lore_chunks WHERE id = ANY($1::bigint[])", [Self.array(ids)]).rows {
                if let id = Int64(row[0] ?? ""), let document = Int64(row[1] ?? "") { out[id] = document }
            }
            return out
        }
    }

    public func hits(forPassages ids: [Int64], scores: [Double], terms: [String]) throws -> [SearchHit] {
        guard !ids.isEmpty else { return [] }
        let found = try passages(where: "c.id = ANY($1::bigint[])", [Self.array(ids)])
        let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [SearchHit] = []
        for (index, id) in ids.enumerated() {
            guard var passage = byID[id] else { continue }
            passage.score = index < scores.count ? scores[index] : 0
            // The place in the list given, as in the SQLite store: an id that is gone leaves its rank unused.
            out.append(SearchHit(passage: passage, rank: index + 1, snippet: Snippet.make(passage.text, terms: terms)))
        }
        return out
    }

    // MARK: - Vectors

    public func passagesWithoutVectors(model: String, dimensions: Int, afterID: Int64, limit: Int) throws -> [PassageToEmbed] {
        try withConnection { conn in
            try conn.query("""
                SELECT c.id, c.title, c.headings, c.body FROM lore_chunks c
                WHERE c.id > $1 AND NOT EXISTS (
                    SELECT 1 FROM lore_vectors v WHERE v.chunk_id = c.id AND v.model = $2 AND v.dims = $3)
                ORDER BY c.id LIMIT $4
                """, [String(afterID), model, String(dimensions), String(limit)]).rows.map {
                PassageToEmbed(id: Int64($0[0] ?? "") ?? 0, title: $0[1] ?? "", headings: $0[2] ?? "", body: $0[3] ?? "")
            }
        }
    }

    public func vectorCoverage(model: String, dimensions: Int) throws -> VectorCoverage {
        try withConnection { conn in
            let row = try conn.query("""
                SELECT (SELECT count(*) FROM lore_chunks),
                       (SELECT count(DISTINCT chunk_id) FROM lore_vectors WHERE model = $1 AND dims = $2)
                """, [model, String(dimensions)])
            return VectorCoverage(passages: Int(row[0, 0] ?? "") ?? 0, embedded: Int(row[0, 1] ?? "") ?? 0)
        }
    }

    public func vectorCounts() throws -> [(model: String, dimensions: Int, count: Int)] {
        try withConnection { conn in
            try conn.query("SELECT model, dims, count(DISTINCT chunk_id) FROM lore_vectors GROUP BY model, dims ORDER BY model, dims").rows
                .map { (model: $0[0] ?? "", dimensions: Int($0[1] ?? "") ?? 0, count: Int($0[2] ?? "") ?? 0) }
        }
    }

    /// Writes vectors in one transaction, each only if its passage still holds the text it was computed
    /// from; makes the HNSW index of this model and size the first time.
    @discardableResult
    public func putVectors(_ vectors: [(passage: PassageToEmbed, vector: [Float])], model: String) throws -> Int {
        guard let dims = vectors.first?.vector.count else { return 0 }
        let written: Int = try withConnection { conn in
            try conn.execute("BEGIN")
            do {
                var written = 0
                for batch in stride(from: 0, to: vectors.count, by: 200) {
                    let slice = vectors[batch..<min(vectors.count, batch + 200)]
                    var values: [String] = []
                    var parameters: [String?] = [model]
                    for (passage, vector) in slice {
                        let n = parameters.count
                        values.append("($\(n + 1)::bigint, $\(n + 2)::integer, $\(n + 3)::integer, $\(n + 4)::\(vectorCast(nil)), $\(n + 5))")
                        parameters += [String(passage.id), String(vector.count), String(passage.part),
                                       Self.vectorLiteral(VectorSearch.normalized(vector), pgvector: hasPgvector), passage.body]
                    }
                    // Passages count once, by their part 0.
                    written += try conn.query("""
                        INSERT INTO lore_vectors(chunk_id, model, dims, part, embedding)
                        SELECT v.id, $1, v.dims, v.part, v.embedding
                        FROM (VALUES \(values.joined(separator: ", "))) AS v(id, dims, part, embedding, body)
                        JOIN lore_chunks c ON c.id = v.id AND c.body = v.body
                        ON CONFLICT (chunk_id, model, dims, part) DO UPDATE SET embedding = excluded.embedding
                        RETURNING part
                        """, parameters).rows.filter { $0[0] == "0" }.count
                }
                try conn.execute("COMMIT")
                return written
            } catch {
                _ = try? conn.execute("ROLLBACK")
                throw error
            }
        }
        if written > 0 { try ensureVectorIndex(model: model, dimensions: dims) }
        return written
    }

    /// The HNSW index (cosine) for one model and size, as a partial index on the vectors cast to that size:
    /// pgvector indexes only columns of a fixed size, and one table holds every model's vectors.
    public func ensureVectorIndex(model: String, dimensions: Int) throws {
        guard hasPgvector else { return }
        let key = "\(model)\u{0}\(dimensions)"
        guard !indexedModels.withLock({ $0.contains(key) }) else { return }
        try withConnection { conn in
            try conn.execute("""
                CREATE INDEX IF NOT EXISTS \(Self.indexName(model: model, dimensions: dimensions)) ON lore_vectors
                USING hnsw ((embedding::vector(\(dimensions))) vector_cosine_ops)
                WHERE model = \(Self.literal(model)) AND dims = \(dimensions)
                """)
        }
        indexedModels.withLock { _ = $0.insert(key) }
    }

    public static func indexName(model: String, dimensions: Int) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in model.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return "lore_vectors_hnsw_\(dimensions)_\(String(hash, radix: 16))"
    }

    /// HNSW search inside the server. The model and size are written into the SQL as literals so that the
    /// planner can match the partial index; the vector goes as a parameter.
    public func nearestPassages(to vector: [Float], model: String, k: Int) throws -> [(passageID: Int64, score: Float)]? {
        guard hasPgvector, k > 0 else { return nil }
        let dims = vector.count
        return try withConnection { conn in
            try conn.execute("BEGIN")
            defer { _ = try? conn.execute("COMMIT") }
            // Twice the rows asked for, so that the parts of one long passage, which count once, still
            // leave k passages; the candidate list must be at least that long, or HNSW returns fewer rows.
            let rows = k * 2
            try conn.execute("SET LOCAL hnsw.ef_search = \(max(try currentEfSearch(conn), min(1000, rows)))")
            let found = try conn.query("""
                SELECT chunk_id, 1 - (embedding::vector(\(dims)) <=> $1::vector(\(dims))) FROM lore_vectors
                WHERE model = \(Self.literal(model)) AND dims = \(dims)
                ORDER BY embedding::vector(\(dims)) <=> $1::vector(\(dims)) LIMIT \(rows)
                """, [Self.vectorLiteral(vector, pgvector: true)]).rows.map {
                (passageID: Int64($0[0] ?? "") ?? 0, score: Float($0[1] ?? "") ?? 0)
            }
            return Array(VectorSearch.bestPerPassage(found).prefix(k))
        }
    }

    /// Exact nearest neighbours by a full scan, for measuring how much HNSW misses.
    public func exactNearestPassages(to vector: [Float], model: String, k: Int) throws -> [Int64] {
        let dims = vector.count
        return try withConnection { conn in
            try conn.execute("BEGIN")
            defer { _ = try? conn.execute("COMMIT") }
            try conn.execute("SET LOCAL enable_indexscan = off")
            return try conn.query("""
                SELECT chunk_id FROM lore_vectors WHERE model = \(Self.literal(model)) AND dims = \(dims)
                GROUP BY chunk_id ORDER BY min(embedding::vector(\(dims)) <=> $1::vector(\(dims))), chunk_id LIMIT \(k)
                """, [Self.vectorLiteral(vector, pgvector: true)]).rows.compactMap { Int64($0[0] ?? "") }
        }
    }

    /// Drops the vectors of every other model and size, and their HNSW indexes with them.
    public func removeVectors(except model: String, dimensions: Int) throws -> Int {
        let kept = Self.indexName(model: model, dimensions: dimensions)
        let removed = try withConnection { conn in
            let removed = try conn.query("DELETE FROM lore_vectors WHERE model != $1 OR dims != $2", [model, String(dimensions)]).affected
            for row in try conn.query("""
                SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'lore_vectors'
                AND indexname LIKE 'lore\\_vectors\\_hnsw\\_%' AND indexname != $1
                """, [kept]).rows {
                if let name = row[0] { try conn.execute("DROP INDEX IF EXISTS \"\(name)\"") }
            }
            return removed
        }
        indexedModels.withLock { $0 = $0.filter { $0 == "\(model)\u{0}\(dimensions)" } }
        return removed
    }

    public func forEachVector(model: String, dimensions: Int, afterID: Int64,
                              _ body: (_ chunkID: Int64, _ vector: UnsafeBufferPointer<Float>) -> Void) throws -> Int64 {
        var last = afterID
        while true {
            let page = try withConnection { conn in
                try conn.query("""
                    SELECT id, chunk_id, embedding::real[] FROM lore_vectors WHERE model = $1 AND dims = $2 AND id > $3
                    ORDER BY id LIMIT 2000
                    """, [model, String(dimensions), String(last)]).rows
            }
            if page.isEmpty { return last }
            for row in page {
                last = Int64(row[0] ?? "") ?? last
                let values = Self.parseArray(row[2] ?? "")
                guard values.count == dimensions, let chunk = Int64(row[1] ?? "") else { continue }
                values.withUnsafeBufferPointer { body(chunk, $0) }
            }
        }
    }

    public func vectorVersion(model: String, dimensions: Int) throws -> (count: Int, maxID: Int64) {
        try withConnection { conn in
            let row = try conn.query("SELECT count(*), coalesce(max(id), 0) FROM lore_vectors WHERE model = $1 AND dims = $2",
                                     [model, String(dimensions)])
            return (Int(row[0, 0] ?? "") ?? 0, Int64(row[0, 1] ?? "") ?? 0)
        }
    }

    // MARK: - Checks

    /// Documents whose passage count disagrees with their rows, and vectors of the wrong size: what a
    /// half-applied write would leave. Empty when all is well.
    public func integrityProblems() throws -> [String] {
        try withConnection { conn in
            var problems = try conn.query("""
                SELECT d.path, d.passages, count(c.id) FROM lore_documents d LEFT JOIN lore_chunks c ON c.document_id = d.id
                WHERE d.status = 'indexed' GROUP BY d.id HAVING count(c.id) != d.passages ORDER BY d.path LIMIT 20
                """).rows.map { "\($0[0] ?? ""): \($0[1] ?? "?") passages recorded, \($0[2] ?? "?") stored" }
            if hasPgvector {
                let wrong = try conn.query("SELECT count(*) FROM lore_vectors WHERE vector_dims(embedding) != dims")[0, 0] ?? "0"
                if wrong != "0" { problems.append("\(wrong) vectors whose size differs from the size recorded") }
            }
            return problems
        }
    }

    /// Removes every table of this knowledge base from the database (`lore kb remove --drop`, and tests).
    public func dropAll() throws {
        try withConnection { conn in
            try conn.execute("DROP TABLE IF EXISTS lore_vectors, lore_chunks, lore_documents, lore_meta, lore_schema CASCADE")
        }
    }

    // MARK: - Literals

    private func vectorCast(_: Int?) -> String { hasPgvector ? "vector" : "real[]" }

    /// pgvector's text form `[a,b,…]`, or an array literal `{a,b,…}` for `real[]`.
    static func vectorLiteral(_ vector: [Float], pgvector: Bool) -> String {
        let body = vector.map { $0.isFinite ? "\($0)" : "0" }.joined(separator: ",")
        return pgvector ? "[" + body + "]" : "{" + body + "}"
    }

    static func parseArray(_ text: String) -> [Float] {
        text.trimmingCharacters(in: CharacterSet(charactersIn: "{}[]")).split(separator: ",").compactMap { Float($0) }
    }

    static func array(_ ids: [Int64]) -> String { "{" + ids.map(String.init).joined(separator: ",") + "}" }

    /// An SQL string literal, for the few values that must be literals (partial-index predicates).
    static func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
}

/// The writes of one indexing batch on PostgreSQL, inside `PostgresStore.writeBatch`'s transaction.
struct PostgresIndexWriter: IndexWriting {
    let conn: PGConnection
    let paths: SharedPaths

    @discardableResult
    func putDocument(path: String, size: Int64, mtimeNanoseconds: Int64, hash: String, title: String,
                     format: DocumentFormat, chunks: [ChunkDraft]) throws -> Int {
        let id = try upsertDocument(path: path, size: size, mtimeNanoseconds: mtimeNanoseconds, hash: hash, title: title,
                                    format: format.rawValue, status: .indexed, reason: nil, passages: chunks.count)
        try conn.query("DELETE FROM lore_chunks WHERE document_id = $1", [String(id)])
        // Many rows per statement: one round trip per hundred passages instead of one per passage.
        for start in stride(from: 0, to: chunks.count, by: 100) {
            var values: [String] = []
            var parameters: [String?] = [String(id), title]
            for ordinal in start..<min(chunks.count, start + 100) {
                let chunk = chunks[ordinal]
                let n = parameters.count
                values.append("($1, $\(n + 1)::integer, $2, $\(n + 2), $\(n + 3), $\(n + 4)::integer, $\(n + 5)::integer, $\(n + 6)::integer, $\(n + 7)::integer, $\(n + 8)::integer)")
                parameters += [String(ordinal), chunk.headingPath.joined(separator: PassageToEmbed.headingSeparator),
                               chunk.text, String(chunk.lineStart), String(chunk.lineEnd), String(chunk.tokenEstimate),
                               chunk.pageStart.map(String.init), chunk.pageEnd.map(String.init)]
            }
            try conn.query("""
                INSERT INTO lore_chunks(document_id, ordinal, title, headings, body, line_start, line_end, tokens, page_start, page_end)
                VALUES \(values.joined(separator: ", "))
                """, parameters)
        }
        return chunks.count
    }

    func putSkipped(path: String, size: Int64, mtimeNanoseconds: Int64, reason: String) throws {
        let id = try upsertDocument(path: path, size: size, mtimeNanoseconds: mtimeNanoseconds, hash: "", title: "",
                                    format: "", status: .skipped, reason: reason, passages: 0)
        try conn.query("DELETE FROM lore_chunks WHERE document_id = $1", [String(id)])
    }

    func moveDocument(id: Int64, to path: String, size: Int64, mtimeNanoseconds: Int64) throws {
        let key = paths.key(for: path)
        try conn.query("DELETE FROM lore_documents WHERE path = $1 AND id != $2", [key, String(id)])
        try conn.query("UPDATE lore_documents SET path = $1, size = $2, mtime_ns = $3, indexed_at = $4 WHERE id = $5",
                       [key, String(size), String(mtimeNanoseconds), String(Date().timeIntervalSince1970), String(id)])
    }

    func touchDocument(id: Int64, size: Int64, mtimeNanoseconds: Int64) throws {
        try conn.query("UPDATE lore_documents SET size = $1, mtime_ns = $2 WHERE id = $3",
                       [String(size), String(mtimeNanoseconds), String(id)])
    }

    func removeDocument(id: Int64) throws {
        // Passages and their vectors go with it (ON DELETE CASCADE).
        try conn.query("DELETE FROM lore_documents WHERE id = $1", [String(id)])
    }

    func setMeta(_ key: String, _ value: String) throws { try Self.setMeta(conn, key, value) }

    static func setMeta(_ conn: PGConnection, _ key: String, _ value: String) throws {
        try conn.query("""
            INSERT INTO lore_meta(key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """, [key, value])
    }

    private func upsertDocument(path: String, size: Int64, mtimeNanoseconds: Int64, hash: String, title: String,
                                format: String, status: DocumentStatus, reason: String?, passages: Int) throws -> Int64 {
        let row = try conn.query("""
            INSERT INTO lore_documents(path, size, mtime_ns, hash, title, format, status, skip_reason, passages, indexed_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, hash = excluded.hash,
                title = excluded.title, format = excluded.format, status = excluded.status,
                skip_reason = excluded.skip_reason, passages = excluded.passages, indexed_at = excluded.indexed_at
            RETURNING id
            """, [paths.key(for: path), String(size), String(mtimeNanoseconds), hash, title, format, status.rawValue, reason,
                  String(passages), String(Date().timeIntervalSince1970)])
        guard let id = row.rows.first?[0].flatMap({ Int64($0) }) else {
            throw StoreError(path: path, message: "could not record the document")
        }
        return id
    }
}
