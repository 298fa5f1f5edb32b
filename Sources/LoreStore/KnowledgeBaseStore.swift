import Foundation
import GRDB
import LoreCore

/// What the store remembers of a file, to decide whether it changed since it was indexed.
public struct StoredDocument: Sendable, Equatable {
    public var id: Int64
    public var path: String
    public var size: Int64
    public var mtimeNanoseconds: Int64
    public var hash: String
    public var status: DocumentStatus
    /// Why a skipped file was skipped (a `SkipReason` raw value); nil for an indexed one.
    public var skipReason: String?

    public init(id: Int64, path: String, size: Int64, mtimeNanoseconds: Int64, hash: String, status: DocumentStatus,
                skipReason: String?) {
        self.id = id
        self.path = path
        self.size = size
        self.mtimeNanoseconds = mtimeNanoseconds
        self.hash = hash
        self.status = status
        self.skipReason = skipReason
    }
}

public enum DocumentStatus: String, Sendable, Codable {
    case indexed
    case skipped
}

/// Counts for `lore kb list` and the status bar.
public struct StoreStatistics: Sendable, Equatable, Codable {
    public var documents: Int
    public var passages: Int
    public var skipped: Int
    public var skippedByReason: [String: Int]
    public var lastIndexed: Date?
    public var fileBytes: Int64

    public init(documents: Int, passages: Int, skipped: Int, skippedByReason: [String: Int], lastIndexed: Date?,
                fileBytes: Int64) {
        self.documents = documents
        self.passages = passages
        self.skipped = skipped
        self.skippedByReason = skippedByReason
        self.lastIndexed = lastIndexed
        self.fileBytes = fileBytes
    }
}

/// One SQLite file holding a knowledge base: its documents, passages, full-text index and conversations.
/// WAL mode through a `DatabasePool`: searches read concurrently while one writer indexes, and a second
/// process waits for the writer instead of failing with "database is locked".
public final class KnowledgeBaseStore: Sendable {
    public let path: String
    let pool: DatabasePool

    public init(path: String, readOnly: Bool = false) throws {
        self.path = path
        var configuration = Configuration()
        configuration.readonly = readOnly
        // Another process indexing the same knowledge base holds the write lock for one batch at a time;
        // waiting is what a person wants, not an error.
        configuration.busyMode = .timeout(30)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            try db.execute(sql: "PRAGMA cache_size = -16000")
        }
        do {
            let directory = (path as NSString).deletingLastPathComponent
            if !readOnly && !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            pool = try Self.open(path: path, configuration: configuration, migrate: !readOnly)
        } catch let error as DatabaseError {
            throw StoreError(path: path, message: Self.explain(error))
        }
    }

    /// Brings the schema up to date. Two processes opening a new file at once (two `lore index` runs, or the
    /// UI and a CLI command) both find a migration unapplied; each migration is one write transaction, so
    /// the second waits for the first to commit and then fails on a table that now exists. Reading the
    /// applied migrations again settles it: the migrator goes on from where the other process got.
    /// Opens the pool and brings the schema up to date. A file that another process is creating at the same
    /// moment can answer SQLITE_BUSY without waiting (SQLite does not wait where waiting could deadlock, as
    /// when a new file turns to WAL while another connection holds it); that settles within moments, so the
    /// open is tried again for a bounded while, as the busy timeout would for an ordinary lock.
    static func open(path: String, configuration: Configuration, migrate: Bool) throws -> DatabasePool {
        let deadline = Date().addingTimeInterval(30)
        while true {
            do {
                let pool = try DatabasePool(path: path, configuration: configuration)
                if migrate { try Self.migrate(pool) }
                return pool
            } catch let error as DatabaseError
                where (error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED) && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }

    static func migrate(_ pool: DatabasePool) throws {
        let migrator = Schema.migrator()
        var attempt = 0
        while true {
            do {
                try migrator.migrate(pool)
                return
            } catch let error as DatabaseError
                where error.resultCode == .SQLITE_ERROR && Self.isLostMigrationRace(error.message ?? "") && attempt < 8 {
                attempt += 1
            }
        }
    }

    /// What a migration step says when another process applied it first: a table or index it creates
    /// exists, or a column it adds (`ALTER TABLE … ADD COLUMN`, migrations 4–6) is there already.
    static func isLostMigrationRace(_ message: String) -> Bool {
        message.contains("already exists") || message.contains("duplicate column name")
    }

    static func explain(_ error: DatabaseError) -> String {
        switch error.resultCode {
        case .SQLITE_NOTADB:
            return "not a Lore knowledge base (the file is not an SQLite database); move it away and index again"
        case .SQLITE_CORRUPT:
            return "the knowledge-base file is damaged; remove it and run `lore index` to rebuild it"
        case .SQLITE_CANTOPEN:
            return "cannot open the file; check that its folder exists and is writable"
        case .SQLITE_READONLY:
            return "the file is read-only; check its permissions"
        case .SQLITE_FULL:
            return "the disk is full"
        default:
            return error.description
        }
    }

    // MARK: - Reading the index

    /// Every known document, keyed by path, to compare against what is on disk.
    public func storedDocuments() throws -> [String: StoredDocument] {
        try pool.read { db in
            var result: [String: StoredDocument] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT id, path, size, mtime_ns, hash, status, skip_reason FROM documents")
            while let row = try rows.next() {
                let doc = StoredDocument(id: row[0], path: row[1], size: row[2], mtimeNanoseconds: row[3],
                                         hash: row[4], status: DocumentStatus(rawValue: row[5]) ?? .skipped,
                                         skipReason: row[6])
                result[doc.path] = doc
            }
            return result
        }
    }

    public func statistics() throws -> StoreStatistics {
        try pool.read { db in
            let documents = try Int.fetchOne(db, sql: "SELECT count(*) FROM documents WHERE status = 'indexed'") ?? 0
            let passages = try Int.fetchOne(db, sql: "SELECT count(*) FROM chunks") ?? 0
            var byReason: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT skip_reason, count(*) FROM documents WHERE status = 'skipped' GROUP BY skip_reason
                """) {
                byReason[row[0] ?? "unknown"] = row[1]
            }
            let last = try Double.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'last_indexed'")
            return StoreStatistics(documents: documents, passages: passages,
                                   skipped: byReason.values.reduce(0, +), skippedByReason: byReason,
                                   lastIndexed: last.map { Date(timeIntervalSince1970: $0) },
                                   fileBytes: Self.bytesOnDisk(path))
        }
    }

    static func bytesOnDisk(_ path: String) -> Int64 {
        var total: Int64 = 0
        for suffix in ["", "-wal", "-shm"] {
            if let attributes = try? FileManager.default.attributesOfItem(atPath: path + suffix),
               let size = attributes[.size] as? NSNumber {
                total += size.int64Value
            }
        }
        return total
    }

    /// Skipped files with their reasons, for `lore index --verbose` and the UI.
    public func skippedDocuments() throws -> [(path: String, reason: String)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT path, skip_reason FROM documents WHERE status = 'skipped' ORDER BY path")
                .map { (path: $0[0], reason: $0[1] ?? "unknown") }
        }
    }

    /// The passages of one document in order, for the source viewer.
    public func passages(ofDocument documentPath: String) throws -> [Passage] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Schema.passageColumns)
                FROM chunks c JOIN documents d ON d.id = c.document_id
                WHERE d.path = ? ORDER BY c.ordinal
                """, arguments: [documentPath]).map { Self.passage(from: $0, score: 0) }
        }
    }

    /// Every passage of the knowledge base, by document path and then in document order, for passes that
    /// read the whole index (`lore synth`).
    public func allPassages() throws -> [Passage] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Schema.passageColumns)
                FROM chunks c JOIN documents d ON d.id = c.document_id
                ORDER BY d.path, c.ordinal
                """).map { Self.passage(from: $0, score: 0) }
        }
    }

    public func passage(id: Int64) throws -> Passage? {
        try pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT \(Schema.passageColumns)
                FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ?
                """, arguments: [id]).map { Self.passage(from: $0, score: 0) }
        }
    }

    static func passage(from row: Row, score: Double) -> Passage {
        let headings: String = row[3]
        return Passage(id: row[0], documentPath: row[1], title: row[2],
                       headingPath: headings.isEmpty ? [] : headings.components(separatedBy: Schema.headingSeparator),
                       lineStart: row[4], lineEnd: row[5], text: row[6], score: score, pageStart: row[7], pageEnd: row[8])
    }

    public func metaValue(_ key: String) throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) }
    }

    public func setMetaValue(_ key: String, _ value: String) throws {
        try pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", arguments: [key, value])
        }
    }

    // MARK: - Writing the index

    /// Runs `body` in one write transaction: everything it does is committed together or not at all,
    /// which is what makes `kill -9` during indexing lose nothing that was committed.
    // `writeBatch` is in PassageStore.swift, where the store meets the protocol.

    // MARK: - Checks

    /// SQLite's and FTS5's own consistency checks; empty when all is well.
    public func integrityProblems() throws -> [String] {
        try pool.write { db in
            var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
            do {
                try db.execute(sql: "INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('integrity-check', 1)")
            } catch {
                problems.append("full-text index: \(error)")
            }
            do {
                try db.execute(sql: "INSERT INTO chunks_cjk(chunks_cjk, rank) VALUES ('integrity-check', 1)")
            } catch {
                problems.append("trigram index: \(error)")
            }
            return problems
        }
    }

    /// Merges the full-text indexes' segments; worth it after a large index run.
    public func optimize() throws {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO chunks_fts(chunks_fts) VALUES ('optimize')")
            try db.execute(sql: "INSERT INTO chunks_cjk(chunks_cjk) VALUES ('optimize')")
        }
    }

    /// Drops the write-ahead log back into the main file so the size on disk is honest.
    public func checkpoint() throws {
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }
}

/// The writes one indexing batch may make, valid only inside `writeBatch`.
public struct IndexWriter {
    let db: Database

    /// Inserts or replaces a document row and its passages. Returns the number of passages written.
    @discardableResult
    public func putDocument(path: String, size: Int64, mtimeNanoseconds: Int64, hash: String, title: String,
                            format: DocumentFormat, chunks: [ChunkDraft]) throws -> Int {
        let id = try upsertDocument(path: path, size: size, mtimeNanoseconds: mtimeNanoseconds, hash: hash,
                                    title: title, format: format.rawValue, status: .indexed, reason: nil,
                                    passages: chunks.count)
        try deleteChunks(documentID: id)
        let insert = try db.cachedStatement(sql: """
            INSERT INTO chunks(document_id, ordinal, title, headings, body, line_start, line_end, tokens, page_start, page_end, cjk)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let titleIsUnsegmented = UnsegmentedScript.appears(in: title)
        for (ordinal, chunk) in chunks.enumerated() {
            let headings = chunk.headingPath.joined(separator: Schema.headingSeparator)
            // Marks the passages the trigram index takes (schema migration 5).
            let cjk = titleIsUnsegmented || UnsegmentedScript.appears(in: headings) || UnsegmentedScript.appears(in: chunk.text)
            try insert.execute(arguments: [id, ordinal, title, headings, chunk.text, chunk.lineStart, chunk.lineEnd,
                                           chunk.tokenEstimate, chunk.pageStart, chunk.pageEnd, cjk ? 1 : 0])
        }
        return chunks.count
    }

    /// Records a file that was not indexed and why, so the count and the reason show in the status.
    public func putSkipped(path: String, size: Int64, mtimeNanoseconds: Int64, reason: String) throws {
        let id = try upsertDocument(path: path, size: size, mtimeNanoseconds: mtimeNanoseconds, hash: "",
                                    title: "", format: "", status: .skipped, reason: reason, passages: 0)
        try deleteChunks(documentID: id)
    }

    /// A file that moved with the same content keeps its passages; only its path changes.
    public func moveDocument(id: Int64, to path: String, size: Int64, mtimeNanoseconds: Int64) throws {
        // A file already indexed at the destination was overwritten by the moved one: its passages go with it.
        for displaced in try Int64.fetchAll(db, sql: "SELECT id FROM documents WHERE path = ? AND id != ?",
                                            arguments: [path, id]) {
            try removeDocument(id: displaced)
        }
        try db.execute(sql: "UPDATE documents SET path = ?, size = ?, mtime_ns = ?, indexed_at = ? WHERE id = ?",
                       arguments: [path, size, mtimeNanoseconds, Date().timeIntervalSince1970, id])
    }

    /// The file did not change in content, only in its modification time: remember the new time.
    public func touchDocument(id: Int64, size: Int64, mtimeNanoseconds: Int64) throws {
        try db.execute(sql: "UPDATE documents SET size = ?, mtime_ns = ? WHERE id = ?",
                       arguments: [size, mtimeNanoseconds, id])
    }

    public func removeDocument(id: Int64) throws {
        try deleteChunks(documentID: id)
        try db.execute(sql: "DELETE FROM documents WHERE id = ?", arguments: [id])
    }

    public func setMeta(_ key: String, _ value: String) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", arguments: [key, value])
    }

    private func deleteChunks(documentID: Int64) throws {
        try db.cachedStatement(sql: "DELETE FROM chunks WHERE document_id = ?").execute(arguments: [documentID])
    }

    private func upsertDocument(path: String, size: Int64, mtimeNanoseconds: Int64, hash: String, title: String,
                                format: String, status: DocumentStatus, reason: String?, passages: Int) throws -> Int64 {
        let now = Date().timeIntervalSince1970
        let statement = try db.cachedStatement(sql: """
            INSERT INTO documents(path, size, mtime_ns, hash, title, format, status, skip_reason, passages, indexed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,
                hash = excluded.hash, title = excluded.title, format = excluded.format, status = excluded.status,
                skip_reason = excluded.skip_reason, passages = excluded.passages, indexed_at = excluded.indexed_at
            RETURNING id
            """)
        let arguments: StatementArguments = [path, size, mtimeNanoseconds, hash, title, format, status.rawValue,
                                             reason, passages, now]
        guard let id = try Int64.fetchOne(statement, arguments: arguments) else {
            throw StoreError(path: path, message: "could not record the document")
        }
        return id
    }
}
