import Foundation
import GRDB
import LoreCore
@testable import LoreIngest
@testable import LoreStore
import LoreTestSupport
import Testing

/// Words from inside runs of Chinese, Japanese and Korean text, found through the trigram index: real
/// documents (Tests/Fixtures/cjk) through the real indexer into a real SQLite file.
@Suite("Searching Chinese, Japanese and Korean")
struct CJKSearchTests {
    static let fixtures = packageRoot + "/Tests/Fixtures/cjk"

    static let vacuum = """
        # Routine Vacuuming

        VACUUM reclaims storage occupied by dead tuples. Run it regularly, or let autovacuum do it.

        ## Backups

        A backup taken with pg_dump is a consistent snapshot; restore it with pg_restore.
        """

    static let wal = """
        # Write-Ahead Logging

        The write-ahead log makes commits durable: changes reach the log before the data files, and a
        checkpoint flushes dirty pages to storage.
        """

    /// The three fixture documents and two English ones, indexed.
    func sandbox() throws -> IndexerSandbox {
        let s = try IndexerSandbox()
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.fixtures) {
            try s.write(name, String(contentsOfFile: Self.fixtures + "/" + name, encoding: .utf8))
        }
        try s.write("vacuum.md", Self.vacuum)
        try s.write("wal.md", Self.wal)
        try s.index()
        return s
    }

    /// (file name, innermost heading) of each hit, best first.
    func found(_ s: IndexerSandbox, _ query: String) throws -> [String] {
        try s.search(query).map { hit in
            ((hit.passage.documentPath as NSString).lastPathComponent) + " " + (hit.passage.headingPath.last ?? "")
        }
    }

    func count(_ s: IndexerSandbox, _ sql: String) throws -> Int {
        try s.store.pool.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }

    /// The trigram index holds exactly the marked passages, and FTS5 agrees with the rows it reads.
    func expectTrigramIndexInStep(_ s: IndexerSandbox, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try s.expectSound(sourceLocation: sourceLocation)
        try s.store.pool.write { db in
            try db.execute(sql: "INSERT INTO chunks_cjk(chunks_cjk) VALUES ('integrity-check')")
            try db.execute(sql: "INSERT INTO chunks_cjk(chunks_cjk, rank) VALUES ('integrity-check', 1)")
        }
        #expect(try count(s, "SELECT count(*) FROM chunks_cjk_docsize") == count(s, "SELECT count(*) FROM chunks WHERE cjk = 1"),
                sourceLocation: sourceLocation)
    }

    @Test("a Japanese word from the middle of a run finds its passage")
    func japanese() throws {
        let s = try sandbox()
        // unicode61 alone holds 日本語のテキストには… as one token and cannot find テキスト in it.
        #expect(try count(s, "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH '\"テキスト\"*'") == 0)
        #expect(try found(s, "テキスト") == ["full-text-search.ja.md 日本語の難しさ"])
        #expect(try found(s, "形態素解析").first == "full-text-search.ja.md 日本語の難しさ")
        #expect(try found(s, "トライグラムとは何ですか").first == "full-text-search.ja.md 日本語の難しさ")
        #expect(try found(s, "辞書") == ["full-text-search.ja.md 日本語の難しさ"])
        #expect(try Set(found(s, "索引")) == ["full-text-search.ja.md 転置インデックス", "full-text-search.ja.md 日本語の難しさ"])
        #expect(try found(s, "転置インデックス").first == "full-text-search.ja.md 転置インデックス")
    }

    @Test("a Chinese word of two or three characters inside a sentence finds its passage")
    func chinese() throws {
        let s = try sandbox()
        #expect(try found(s, "五花肉") == ["braised-pork.zh.md 准备材料"])
        #expect(try found(s, "焯水") == ["braised-pork.zh.md 烹饪步骤"])
        // Twice in the shorter passage, once in the longer one.
        #expect(try found(s, "冰糖") == ["braised-pork.zh.md 准备材料", "braised-pork.zh.md 烹饪步骤"])
        // A question is one run; its trigrams 开大火, 大火收 and 火收汁 are in the cooking steps.
        #expect(try found(s, "什么时候开大火收汁").first == "braised-pork.zh.md 烹饪步骤")
    }

    @Test("a Korean word finds its passage with its particle attached, or another one")
    func korean() throws {
        let s = try sandbox()
        #expect(try found(s, "데이터베이스를").first == "backup.ko.md 백업이 필요한 이유")
        #expect(try found(s, "백업을") == ["backup.ko.md 백업이 필요한 이유"])
        // The document says 데이터베이스를; the passage holding it outranks the ones that only share the title.
        #expect(try found(s, "데이터베이스가 고장").first == "backup.ko.md 백업이 필요한 이유")
        #expect(try Set(found(s, "복원")) == ["backup.ko.md 논리 백업과 물리 백업", "backup.ko.md 복구 연습"])
        // A Latin word and a Korean one in one query: both indexes answer, and the scores add up.
        #expect(try found(s, "SQL 문장").first == "backup.ko.md 논리 백업과 물리 백업")
    }

    @Test("Latin-script queries rank exactly as the unicode61 table alone ranks them")
    func latinUnchanged() throws {
        let s = try sandbox()
        let w = FTSQuery.ColumnWeights.standard
        for query in ["vacuum dead tuples", "storage", "SQL", "backup restore", "the", "write-ahead log", "pg_dump", "checkpoint*"] {
            let expression = try #require(FTSQuery.matchExpression(query))
            let direct = try s.store.pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT rowid, bm25(chunks_fts, ?, ?, ?) AS score FROM chunks_fts
                    WHERE chunks_fts MATCH ? ORDER BY score LIMIT ?
                    """, arguments: [w.title, w.headings, w.body, expression, 50])
                    .map { (id: $0[0] as Int64, score: -($0[1] as Double)) }
            }
            #expect(!direct.isEmpty, "\(query)")
            let candidates = try s.store.keywordCandidates(expression: expression, limit: 50)
            #expect(candidates.map(\.id) == direct.map(\.id), "\(query)")
            #expect(candidates.map(\.score) == direct.map(\.score), "\(query)")
            let hits = try s.store.search(expression: expression, limit: 50, perDocument: 50)
            // The corpus is small enough that every match is among the first 50 either way.
            #expect(direct.count < 50)
            #expect(hits.map(\.passage.id) == direct.map(\.id), "\(query)")
            #expect(hits.map(\.passage.score) == direct.map(\.score), "\(query)")
        }
    }

    @Test("the scan scores a run the way FTS5's bm25() scores it on the trigram table")
    func scanMatchesBM25() throws {
        let s = try sandbox()
        let w = FTSQuery.ColumnWeights.standard
        for runs in [["テキスト"], ["데이터베이스"], ["冰糖炒", "インデックス", "데이터베이스를"]] {
            let expression = runs.map { "\"\($0)\"" }.joined(separator: " OR ")
            let (scanned, fts5) = try s.store.pool.read { db in
                (try KnowledgeBaseStore.shortRunScores(db, runs, weights: w, limit: 50),
                 try Row.fetchAll(db, sql: """
                    SELECT rowid, bm25(chunks_cjk, ?, ?, ?) AS score FROM chunks_cjk
                    WHERE chunks_cjk MATCH ? ORDER BY score, rowid
                    """, arguments: [w.title, w.headings, w.body, expression])
                    .map { (id: $0[0] as Int64, score: -($0[1] as Double)) })
            }
            #expect(!fts5.isEmpty)
            let expected = Dictionary(uniqueKeysWithValues: fts5.map { ($0.id, $0.score) })
            #expect(Set(scanned.map(\.id)) == Set(expected.keys), "\(runs)")
            for hit in scanned {
                let score = try #require(expected[hit.id])
                #expect(abs(hit.score - score) <= 1e-9 * max(1, abs(score)), "\(runs): \(hit.score) vs \(score)")
            }
        }
    }

    @Test("changing and deleting documents keeps the trigram index in step")
    func updatesAndDeletes() throws {
        let s = try sandbox()
        try expectTrigramIndexInStep(s)
        // The nine passages of the three fixtures, none of the English ones.
        #expect(try count(s, "SELECT count(*) FROM chunks_cjk_docsize") == 9)

        let japanese = try String(contentsOfFile: Self.fixtures + "/full-text-search.ja.md", encoding: .utf8)
        try s.write("full-text-search.ja.md", japanese.replacingOccurrences(of: "テキスト", with: "文章データ"))
        try s.setModified("full-text-search.ja.md", secondsFromNow: 10)
        // The Chinese recipe becomes English: its passages leave the trigram index.
        try s.write("braised-pork.zh.md", "# Braised pork\n\nCut pork belly into cubes and blanch it.\n")
        try s.setModified("braised-pork.zh.md", secondsFromNow: 10)
        // An English note gains a Japanese paragraph: it enters.
        try s.write("wal.md", Self.wal + "\n先行書き込みログはコミットを永続化する。\n")
        try s.setModified("wal.md", secondsFromNow: 10)
        try s.index()
        try expectTrigramIndexInStep(s)
        #expect(try found(s, "テキスト").isEmpty)
        #expect(try found(s, "文章データ") == ["full-text-search.ja.md 日本語の難しさ"])
        #expect(try found(s, "五花肉").isEmpty)
        #expect(try found(s, "書き込み") == ["wal.md Write-Ahead Logging"])
        #expect(try found(s, "pork") == ["braised-pork.zh.md Braised pork"])

        try s.remove("backup.ko.md")
        try s.index()
        try expectTrigramIndexInStep(s)
        #expect(try found(s, "데이터베이스를").isEmpty)
        #expect(try found(s, "복원").isEmpty)
    }

    @Test("updates made directly in SQL keep the trigram index in step, whichever way the flag goes")
    func triggerUpdates() throws {
        let s = try sandbox()
        let japanese = try #require(try s.passageIDs("full-text-search.ja.md").first)
        let english = try #require(try s.passageIDs("vacuum.md").first)
        try s.store.pool.write { db in
            try db.execute(sql: "UPDATE chunks SET body = '検索語を書き換えた本文' WHERE id = ?", arguments: [japanese])
        }
        try expectTrigramIndexInStep(s)
        #expect(try found(s, "書き換え").map { $0.hasPrefix("full-text-search.ja.md") } == [true])
        try s.store.pool.write { db in
            try db.execute(sql: "UPDATE chunks SET cjk = 0 WHERE id = ?", arguments: [japanese])
            try db.execute(sql: "UPDATE chunks SET cjk = 1 WHERE id = ?", arguments: [english])
        }
        try expectTrigramIndexInStep(s)
        #expect(try found(s, "書き換え").isEmpty)
        try s.store.pool.write { db in
            try db.execute(sql: "UPDATE chunks SET id = 100000 WHERE id = ?", arguments: [english])
            try db.execute(sql: "UPDATE chunks SET page_start = 3 WHERE cjk = 1")
            try db.execute(sql: "DELETE FROM chunks WHERE id IN (SELECT id FROM chunks WHERE cjk = 1 LIMIT 2)")
        }
        try expectTrigramIndexInStep(s)
    }

    @Test("a query in these scripts on a knowledge base without them finds nothing and fails on nothing")
    func noCJKPassages() throws {
        let s = try IndexerSandbox()
        try s.write("vacuum.md", Self.vacuum)
        try s.index()
        for query in ["テキスト", "索引", "の", "vacuum 索引", "\"日本語 テキスト\"", "데이터*"] {
            let hits = try s.search(query)
            #expect(hits.map(\.passage.documentPath).allSatisfy { $0.hasSuffix("vacuum.md") }, "\(query)")
        }
        #expect(try !s.searchPaths("vacuum 索引").isEmpty)
    }

    @Test("a knowledge base from before the trigram index gains it when opened")
    func migration() throws {
        let base = NSTemporaryDirectory() + "lore-cjk-migration-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        let path = base + "/kb.sqlite"
        do {
            // The file as the previous release left it: migrations 1 to 4, passages written without the flag.
            let old = try DatabasePool(path: path)
            try Schema.migrator().migrate(old, upTo: "4 pages")
            try old.write { db in
                try db.execute(sql: """
                    INSERT INTO documents(id, path, size, mtime_ns, hash, title, format, status, passages, indexed_at)
                    VALUES (1, '/kb/ja.md', 1, 1, 'a', '全文検索', 'markdown', 'indexed', 2, 0),
                           (2, '/kb/en.md', 1, 1, 'b', 'Vacuum', 'markdown', 'indexed', 1, 0);
                    INSERT INTO chunks(id, document_id, ordinal, title, headings, body, line_start, line_end, tokens)
                    VALUES (1, 1, 0, '全文検索', '全文検索', '日本語のテキストには空白がない。', 1, 2, 10),
                           (2, 1, 1, '全文検索', '全文検索 › BM25', 'Scores use BM25.', 3, 4, 4),
                           (3, 2, 0, 'Vacuum', 'Vacuum', 'VACUUM reclaims storage.', 1, 2, 4);
                    """)
            }
        }
        // Read-only, the file is not migrated: searches fall back to unicode61's prefixes, without an error.
        let readOnly = try KnowledgeBaseStore(path: path, readOnly: true)
        #expect(try readOnly.search(expression: FTSQuery.matchExpression("テキスト")!, limit: 5).isEmpty)
        #expect(try readOnly.search(expression: FTSQuery.matchExpression("日本語")!, limit: 5).map(\.passage.id) == [1])

        let store = try KnowledgeBaseStore(path: path)
        #expect(try store.integrityProblems() == [])
        let marked = try store.pool.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM chunks WHERE cjk = 1 ORDER BY id") }
        // The title is Japanese, so the passage in English under it is marked too.
        #expect(marked == [1, 2])
        #expect(try store.search(expression: FTSQuery.matchExpression("テキスト")!, limit: 5).map(\.passage.id) == [1])
        #expect(try store.search(expression: FTSQuery.matchExpression("検索")!, limit: 5).count == 2)
        #expect(try store.search(expression: FTSQuery.matchExpression("storage")!, limit: 5).map(\.passage.id) == [3])
    }
}
