import Foundation
import GRDB
import LoreCore
@testable import LoreStore
import Testing

@Suite struct VectorPartsMigrationTests {
    @Test("vectors written before parts existed become part 0, keep their ids, and still go with their passages")
    func migratesVectors() throws {
        let directory = NSTemporaryDirectory() + "lore-parts-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/old.sqlite"
        // A file as schema 6 left it: two passages, each with a vector, by plain SQL.
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator().migrate(queue, upTo: "6 ratings of answers")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO documents(id, path, size, mtime_ns, hash, title, format, status, passages, indexed_at)
                VALUES (1, '/kb/a.md', 10, 0, 'h', 'A', 'markdown', 'indexed', 2, 0)
                """)
            for (id, body) in [(10, "first passage"), (11, "second passage")] {
                try db.execute(sql: """
                    INSERT INTO chunks(id, document_id, ordinal, title, headings, body, line_start, line_end, tokens)
                    VALUES (?, 1, ?, 'A', 'A', ?, 1, 1, 2)
                    """, arguments: [id, id - 10, body])
                try db.execute(sql: "INSERT INTO chunk_vectors(id, chunk_id, model, dims, vector) VALUES (?, ?, 'm', 2, ?)",
                               arguments: [id + 90, id, KnowledgeBaseStore.vectorBlob([1, 0])])
            }
        }
        try queue.close()

        let store = try KnowledgeBaseStore(path: path)
        #expect(try store.vectorCoverage(model: "m", dimensions: 2) == VectorCoverage(passages: 2, embedded: 2))
        var rows: [Int64] = []
        try store.forEachVector(model: "m", dimensions: 2) { chunk, _ in rows.append(chunk) }
        #expect(rows == [10, 11])
        #expect(try store.vectorVersion(model: "m", dimensions: 2).maxID == 101)
        // A second part of passage 10 now fits beside its first; the passage still counts once.
        let ten = PassageToEmbed(id: 10, text: "A\nfirst passage", body: "first passage", part: 1)
        #expect(try store.putVectors([(ten, [0, 1])], model: "m") == 0, "a further part adds no passage")
        #expect(try store.vectorCounts().map(\.count) == [2])
        #expect(try store.vectorVersion(model: "m", dimensions: 2).count == 3)
        // The trigger that drops a passage's vectors survived the rebuild, for every part.
        try store.writeBatch { try $0.removeDocument(id: 1) }
        #expect(try store.vectorVersion(model: "m", dimensions: 2).count == 0)
        #expect(try store.integrityProblems().isEmpty)
    }
}
