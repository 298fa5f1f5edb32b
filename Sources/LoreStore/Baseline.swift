import Dispatch
import Foundation
import GRDB

/// Plain SQLite FTS5 on the same passages, with none of Lore's structure: one table, one prepared insert in
/// one transaction, one `MATCH … ORDER BY rank LIMIT k` per query. Its timings beside Lore's show what
/// Lore itself costs.
public struct FTSBaseline: Sendable {
    public struct Report: Sendable {
        public var passages: Int
        public var insertSeconds: Double
        public var queryMilliseconds: [Double]
    }

    public static func run(copyingFrom store: KnowledgeBaseStore, to path: String, queries: [String],
                           repetitions: Int, limit: Int) throws -> Report {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let texts: [(String, String, String)] = try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT title, headings, body FROM chunks ORDER BY id").map { ($0[0], $0[1], $0[2]) }
        }
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        let started = DispatchTime.now()
        try queue.write { db in
            try db.execute(sql: """
                CREATE VIRTUAL TABLE plain USING fts5(title, headings, body,
                    tokenize = 'porter unicode61 remove_diacritics 2')
                """)
            let insert = try db.makeStatement(sql: "INSERT INTO plain(title, headings, body) VALUES (?, ?, ?)")
            for (title, headings, body) in texts { try insert.execute(arguments: [title, headings, body]) }
        }
        let insertSeconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        var times: [Double] = []
        try queue.read { db in
            let statement = try db.makeStatement(sql: "SELECT rowid, rank FROM plain WHERE plain MATCH ? ORDER BY rank LIMIT ?")
            for _ in 0..<repetitions {
                for query in queries {
                    let t = DispatchTime.now()
                    _ = try Row.fetchAll(statement, arguments: [query, limit])
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - t.uptimeNanoseconds) / 1e6)
                }
            }
        }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        return Report(passages: texts.count, insertSeconds: insertSeconds, queryMilliseconds: times)
    }
}
