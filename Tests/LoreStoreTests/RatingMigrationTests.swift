import Foundation
import GRDB
import LoreCore
@testable import LoreStore
import Testing

@Suite struct RatingMigrationTests {
    /// A file exactly as the schema before ratings left it, with a conversation in it, written through the
    /// shipped migrations 1–5 and plain SQL.
    static func previousSchemaFile(in directory: String) throws -> String {
        let path = directory + "/old.sqlite"
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator().migrate(queue, upTo: "5 trigram index of passages in scripts without spaces")
        try queue.write { db in
            try db.execute(sql: "INSERT INTO conversations(id, title, created_at, updated_at) VALUES (7, 'vacuum', 1, 2)")
            for (ordinal, question) in ["What does VACUUM do?", "And FULL?"].enumerated() {
                try db.execute(sql: """
                    INSERT INTO turns(conversation_id, ordinal, question, answer, model, mode, state, asked_at)
                    VALUES (7, ?, ?, 'It reclaims space [1].', 'm', 'generative', 'complete', 3)
                    """, arguments: [ordinal, question])
                try db.execute(sql: """
                    INSERT INTO turn_sources(turn_id, number, chunk_id, document_path, title, headings, line_start,
                        line_end, body, score, cited) VALUES (?, 1, NULL, '/kb/vacuum.md', 'Vacuum', '', 1, 4,
                        'VACUUM reclaims storage.', 1.5, 1)
                    """, arguments: [db.lastInsertedRowID])
            }
        }
        #expect(try queue.read { db in try db.columns(in: "turns").contains { $0.name == "rating" } } == false)
        return path
    }

    @Test("a file made by the previous schema migrates without losing a turn, and its turns can then be rated")
    func migratesAndRates() throws {
        let directory = NSTemporaryDirectory() + "lore-rating-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try Self.previousSchemaFile(in: directory)

        let store = try KnowledgeBaseStore(path: path)
        let (summary, turns) = try #require(try store.conversation(id: 7))
        #expect(summary.turns == 2 && summary.good == 0 && summary.bad == 0)
        #expect(turns.map(\.question) == ["What does VACUUM do?", "And FULL?"])
        #expect(turns.map(\.number) == [1, 2])
        #expect(turns.allSatisfy { $0.rating == nil })
        #expect(turns[0].sources.first?.passage.text == "VACUUM reclaims storage.")
        #expect(try store.integrityProblems().isEmpty)

        let first = try store.turnID(conversationID: 7, number: 1)
        let second = try store.turnID(conversationID: 7, number: 2)
        try store.rateTurn(id: first, .good, note: "clear and cited")
        try store.rateTurn(id: second, .bad)
        var saved = try #require(try store.conversation(id: 7))
        #expect(saved.1.map(\.rating) == [.good, .bad])
        #expect(saved.1[0].ratingNote == "clear and cited")
        #expect(saved.0.good == 1 && saved.0.bad == 1)
        #expect(try store.conversations().first.map { [$0.good, $0.bad] } == [1, 1])

        // Rating again without a note keeps the note; clearing removes both.
        try store.rateTurn(id: first, .bad)
        saved = try #require(try store.conversation(id: 7))
        #expect(saved.1[0].rating == .bad && saved.1[0].ratingNote == "clear and cited")
        try store.rateTurn(id: first, nil)
        saved = try #require(try store.conversation(id: 7))
        #expect(saved.1[0].rating == nil && saved.1[0].ratingNote == nil)

        // Reopening finds the migration applied and the ratings kept.
        let reopened = try KnowledgeBaseStore(path: path)
        #expect(try reopened.conversation(id: 7)?.1.map(\.rating) == [nil, .bad])
        #expect(try reopened.allTurns().count == 2)
    }

    @Test("rating a turn that does not exist says how to find one")
    func badTurn() throws {
        let t = try TemporaryStore()
        let c = try t.store.createConversation(title: "x")
        #expect { try t.store.turnID(conversationID: c, number: 1) } throws: {
            String(describing: $0).contains("has 0 turns") && String(describing: $0).contains("lore show")
        }
        #expect { try t.store.turnID(conversationID: 99, number: 1) } throws: {
            String(describing: $0).contains("no conversation 99")
        }
        #expect(throws: StoreError.self) { try t.store.rateTurn(id: 12345, .good) }
    }
}
