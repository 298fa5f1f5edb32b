import Foundation
import LoreCore
@testable import LorePostgres
import LoreStore
import Testing

/// A shared database written by an older Lore is brought up to date when a newer one opens it, keeping
/// what it holds.
@Suite("PostgreSQL schema migrations", .enabled(if: Backend.postgresURL != nil, "LORE_TEST_POSTGRES is not set"))
struct PostgresMigrationTests {
    @Test("a schema 1 database gains the punctuation-as-space tsvector and keeps its passages")
    func schemaOneToTwo() throws {
        let server = try #require(Backend.postgresURL)
        let name = "lore_migrate_\(getpid())_\(Int.random(in: 0..<1_000_000))"
        let admin = try PGConnection(conninfo: server.conninfo)
        try admin.execute("CREATE DATABASE \(name)")
        defer { _ = try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        var location = server
        location.database = name

        // What Lore with schema 1 made: its tables, one document, one passage naming a file.
        let old = try PGConnection(conninfo: location.conninfo)
        try old.execute("CREATE TABLE lore_schema (version integer NOT NULL)")
        try old.execute(PostgresSchema.migrations(vectorType: "real[]")[0])
        try old.execute("INSERT INTO lore_schema(version) VALUES (1)")
        try old.execute("INSERT INTO lore_meta(key, value) VALUES ('vector_type', 'real[]')")
        try old.execute("""
            INSERT INTO lore_documents(path, size, mtime_ns, hash, title, format, status, passages, indexed_at)
            VALUES ('notes/setup.md', 10, 0, 'h', 'Setup', 'markdown', 'indexed', 1, 0)
            """)
        try old.execute("""
            INSERT INTO lore_chunks(document_id, ordinal, title, headings, body, line_start, line_end, tokens)
            SELECT id, 0, 'Setup', 'Setup', 'Edit config.toml and start the server on 127.0.0.1.', 1, 1, 12
            FROM lore_documents
            """)
        // Schema 1's parser kept the file name and the address as single lexemes.
        #expect(try old.query("SELECT count(*) FROM lore_chunks WHERE tsv @@ to_tsquery('english', $1)",
                              [FTSQuery.tsquery("config.toml")!])[0, 0] == "0")

        let store = try PostgresStore(url: location, roots: ["/kb"])
        #expect(try old.query("SELECT max(version) FROM lore_schema")[0, 0] == "\(PostgresSchema.migrations(vectorType: "real[]").count)")
        #expect(try store.statistics().passages == 1)
        for text in ["config.toml", "127.0.0.1", "server"] {
            let hits = try store.keywordSearch(text, limit: 5)
            #expect(hits.map(\.passage.text) == ["Edit config.toml and start the server on 127.0.0.1."], "\(text)")
        }
        // The GIN index came back with the column.
        #expect(try old.query("SELECT count(*) FROM pg_indexes WHERE indexname = 'lore_chunks_tsv'")[0, 0] == "1")
    }
}
