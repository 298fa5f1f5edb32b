import Foundation
import LoreCore
import LoreStore
import Testing

/// A store in a fresh temporary folder, removed when the test ends.
final class TemporaryStore {
    let directory: String
    let store: KnowledgeBaseStore

    init() throws {
        directory = NSTemporaryDirectory() + "lore-store-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try KnowledgeBaseStore(path: directory + "/kb.sqlite")
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }
}

private func chunk(_ text: String, headings: [String] = [], lines: ClosedRange<Int> = 1...3) -> ChunkDraft {
    ChunkDraft(headingPath: headings, text: text, lineStart: lines.lowerBound, lineEnd: lines.upperBound,
               tokenEstimate: estimateTokens(text))
}

@Suite struct KnowledgeBaseStoreTests {
    @Test func pagesOfAPagedDocumentAreKeptWithItsPassagesAndInSavedTurns() throws {
        let t = try TemporaryStore()
        var paged = chunk("The checkpointer flushes dirty pages to disk.", headings: ["WAL"], lines: 40...52)
        paged.pageStart = 12
        paged.pageEnd = 13
        try t.store.writeBatch { w in
            try w.putDocument(path: "/kb/manual.pdf", size: 10, mtimeNanoseconds: 1, hash: "h1", title: "Manual",
                              format: .pdf, chunks: [paged])
            try w.putDocument(path: "/kb/notes.md", size: 10, mtimeNanoseconds: 1, hash: "h2", title: "Notes",
                              format: .markdown, chunks: [chunk("Checkpoints are cheap.", headings: ["Notes"])])
        }
        let hits = try t.store.search(expression: FTSQuery.matchExpression("dirty pages")!,
                                      terms: FTSQuery.terms("dirty pages"), limit: 5)
        let passage = try #require(hits.first?.passage)
        #expect(passage.pageStart == 12 && passage.pageEnd == 13)
        #expect(passage.location(path: "manual.pdf") == "manual.pdf p. 12–13")
        let notes = try #require(try t.store.passages(ofDocument: "/kb/notes.md").first)
        #expect(notes.pageStart == nil && notes.location(path: "notes.md") == "notes.md:1-3")

        let conversation = try t.store.createConversation(title: "wal")
        let record = TurnRecord(question: "wal?", answer: "It flushes [1].", reasoning: "", model: "m", mode: "generative",
                                state: "complete", error: nil, askedAt: Date(), retrievalMilliseconds: 1,
                                firstTokenMilliseconds: nil, totalMilliseconds: 2, promptTokens: nil, completionTokens: nil,
                                sources: [SavedSource(number: 1, passage: passage, cited: true)])
        _ = try t.store.saveTurn(record, conversationID: conversation)
        let saved = try #require(try t.store.conversation(id: conversation)?.1.first?.sources.first?.passage)
        #expect(saved.pageStart == 12 && saved.pageEnd == 13)
    }

    @Test func storesDocumentsAndFindsThemByBM25() throws {
        let t = try TemporaryStore()
        try t.store.writeBatch { w in
            try w.putDocument(path: "/kb/vacuum.md", size: 10, mtimeNanoseconds: 1, hash: "h1", title: "Routine Vacuuming",
                              format: .markdown, chunks: [
                                chunk("VACUUM reclaims storage occupied by dead tuples.", headings: ["Routine Vacuuming", "Recovering Disk Space"], lines: 10...14),
                                chunk("Autovacuum runs in the background.", headings: ["Routine Vacuuming", "The Autovacuum Daemon"], lines: 20...22),
                              ])
            try w.putDocument(path: "/kb/backup.md", size: 10, mtimeNanoseconds: 1, hash: "h2", title: "Backup",
                              format: .markdown, chunks: [chunk("pg_dump writes a consistent snapshot.", headings: ["Backup"])])
        }
        let hits = try t.store.search(expression: FTSQuery.matchExpression("reclaim storage")!, terms: FTSQuery.terms("reclaim storage"), limit: 5)
        #expect(hits.first?.passage.documentPath == "/kb/vacuum.md")
        #expect(hits.first?.passage.headingPath == ["Routine Vacuuming", "Recovering Disk Space"])
        #expect(hits.first?.passage.lineStart == 10)
        #expect(hits.first?.passage.lineEnd == 14)
        #expect(hits.first?.snippet.contains("\u{1}") == true)
        let stats = try t.store.statistics()
        #expect(stats.documents == 2)
        #expect(stats.passages == 3)
        #expect(try t.store.integrityProblems().isEmpty)
    }

    @Test func stemmingMatchesOtherFormsOfAWord() throws {
        let t = try TemporaryStore()
        try t.store.writeBatch { w in
            try w.putDocument(path: "/a.md", size: 1, mtimeNanoseconds: 1, hash: "a", title: "A", format: .markdown,
                              chunks: [chunk("The table was vacuumed twice.")])
        }
        #expect(try t.store.search(expression: FTSQuery.matchExpression("vacuuming")!, limit: 3).count == 1)
    }

    @Test func headingMatchesOutrankBodyMatches() throws {
        let t = try TemporaryStore()
        try t.store.writeBatch { w in
            try w.putDocument(path: "/body.md", size: 1, mtimeNanoseconds: 1, hash: "b", title: "Misc", format: .markdown,
                              chunks: [chunk("Some words and then replication is mentioned once among many other words here.")])
            try w.putDocument(path: "/head.md", size: 1, mtimeNanoseconds: 1, hash: "h", title: "Replication", format: .markdown,
                              chunks: [chunk("Some words and then it is mentioned once among many other words here.", headings: ["Replication"])])
        }
        let hits = try t.store.search(expression: FTSQuery.matchExpression("replication")!, limit: 2)
        #expect(hits.map(\.passage.documentPath) == ["/head.md", "/body.md"])
    }

    @Test func oneDocumentDoesNotCrowdOutTheOthers() throws {
        let t = try TemporaryStore()
        try t.store.writeBatch { w in
            try w.putDocument(path: "/big.md", size: 1, mtimeNanoseconds: 1, hash: "big", title: "Big", format: .markdown,
                              chunks: (0..<10).map { chunk("checkpoint checkpoint checkpoint number \($0)") })
            try w.putDocument(path: "/small.md", size: 1, mtimeNanoseconds: 1, hash: "small", title: "Small", format: .markdown,
                              chunks: [chunk("a checkpoint is mentioned here among other words")])
        }
        let hits = try t.store.search(expression: FTSQuery.matchExpression("checkpoint")!, limit: 3, perDocument: 2)
        #expect(hits.map(\.passage.documentPath).contains("/small.md"))
        #expect(hits.filter { $0.passage.documentPath == "/big.md" }.count == 2)
    }

    @Test func replacingAndRemovingKeepTheFullTextIndexInStep() throws {
        let t = try TemporaryStore()
        try t.store.writeBatch { w in
            try w.putDocument(path: "/x.md", size: 1, mtimeNanoseconds: 1, hash: "1", title: "X", format: .markdown,
                              chunks: [chunk("alpha bravo"), chunk("charlie delta")])
        }
        try t.store.writeBatch { w in
            try w.putDocument(path: "/x.md", size: 2, mtimeNanoseconds: 2, hash: "2", title: "X", format: .markdown,
                              chunks: [chunk("echo foxtrot")])
        }
        #expect(try t.store.search(expression: FTSQuery.matchExpression("alpha")!, limit: 3).isEmpty)
        #expect(try t.store.search(expression: FTSQuery.matchExpression("foxtrot")!, limit: 3).count == 1)
        let id = try #require(try t.store.storedDocuments()["/x.md"]?.id)
        try t.store.writeBatch { w in try w.moveDocument(id: id, to: "/y.md", size: 2, mtimeNanoseconds: 3) }
        #expect(try t.store.search(expression: FTSQuery.matchExpression("foxtrot")!, limit: 3).first?.passage.documentPath == "/y.md")
        try t.store.writeBatch { w in try w.removeDocument(id: id) }
        #expect(try t.store.search(expression: FTSQuery.matchExpression("foxtrot")!, limit: 3).isEmpty)
        #expect(try t.store.statistics().passages == 0)
        #expect(try t.store.integrityProblems().isEmpty)
    }

    @Test func skippedFilesAreCountedByReason() throws {
        let t = try TemporaryStore()
        try t.store.writeBatch { w in
            try w.putSkipped(path: "/bin.md", size: 5, mtimeNanoseconds: 1, reason: "binary")
            try w.putSkipped(path: "/latin1.txt", size: 5, mtimeNanoseconds: 1, reason: "invalidUTF8")
        }
        let stats = try t.store.statistics()
        #expect(stats.skipped == 2)
        #expect(stats.skippedByReason == ["binary": 1, "invalidUTF8": 1])
        #expect(stats.documents == 0)
    }

    /// Every hostile query of TESTING.md goes through the query builder to real FTS5 without an error.
    @Test(arguments: [
        "\"", "'", "-", "*", "^", ":", "NEAR(", "AND", "OR", "NOT", "a AND OR NOT b", "!!!", "", "   ",
        "col:vacuum", "-vacuum", "^start", "\"unterminated phrase", "vacu*", "(a OR b", "日本語", "🎉 emoji",
        String(repeating: "word ", count: 2000),
    ])
    func hostileQueriesNeverRaise(_ query: String) throws {
        let t = try TemporaryStore()
        try t.store.writeBatch { w in
            try w.putDocument(path: "/j.md", size: 1, mtimeNanoseconds: 1, hash: "j", title: "J", format: .markdown,
                              chunks: [chunk("日本語のテキスト and vacuum and words")])
        }
        if let expression = FTSQuery.matchExpression(query) {
            _ = try t.store.search(expression: expression, limit: 5)
        }
    }

    @Test func aFileThatIsNotADatabaseGetsAnExplanation() throws {
        let directory = NSTemporaryDirectory() + "lore-notdb-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/kb.sqlite"
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        do {
            _ = try KnowledgeBaseStore(path: path)
            Issue.record("opening garbage should fail")
        } catch let error as StoreError {
            #expect(error.description.contains("not a Lore knowledge base"))
        }
    }
}

@Suite struct ConversationStoreTests {
    @Test func turnsKeepTheirSourcesAfterDocumentsChange() throws {
        let t = try TemporaryStore()
        try t.store.writeBatch { w in
            try w.putDocument(path: "/a.md", size: 1, mtimeNanoseconds: 1, hash: "a", title: "A", format: .markdown,
                              chunks: [chunk("original text", headings: ["H"], lines: 3...4)])
        }
        let passage = try #require(try t.store.search(expression: FTSQuery.matchExpression("original")!, limit: 1).first?.passage)
        let conversation = try t.store.createConversation(title: "What is original?")
        try t.store.saveTurn(TurnRecord(question: "What is original?", answer: "It is original [1].", reasoning: "",
                                        model: "test", mode: "extractive", state: "complete", error: nil, askedAt: Date(),
                                        retrievalMilliseconds: 1.5, firstTokenMilliseconds: nil, totalMilliseconds: 3,
                                        promptTokens: nil, completionTokens: nil,
                                        sources: [SavedSource(number: 1, passage: passage, cited: true)]),
                             conversationID: conversation)
        try t.store.writeBatch { w in
            try w.putDocument(path: "/a.md", size: 2, mtimeNanoseconds: 2, hash: "b", title: "A", format: .markdown,
                              chunks: [chunk("rewritten text")])
        }
        let (summary, turns) = try #require(try t.store.conversation(id: conversation))
        #expect(summary.turns == 1)
        #expect(turns[0].sources[0].passage.text == "original text")
        #expect(turns[0].sources[0].passage.headingPath == ["H"])
        #expect(turns[0].sources[0].cited)
        #expect(try t.store.conversations().map(\.id) == [conversation])

        // A saved turn encodes flat (id and conversationID beside the record's fields) and decodes back.
        let encoded = try JSONEncoder().encode(turns[0])
        let object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        #expect(object["answer"] as? String == "It is original [1].")
        #expect(object["conversationID"] as? Int64 == conversation)
        #expect(try JSONDecoder().decode(SavedTurn.self, from: encoded) == turns[0])
    }
}
