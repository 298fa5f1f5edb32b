import Foundation
import LoreCore
import LoreIngest
import LorePostgres
import LoreStore
import Testing

/// What only a shared store does: two machines on one database, the one-indexer-at-a-time turn, and
/// connection errors a person can act on.
@Suite("Store contract: a shared store")
struct SharedStoreTests {
    @Test("two machines with the same folder at different paths share the passages; nothing is chunked twice",
          .enabled(if: Backend.postgresURL != nil, "needs LORE_TEST_POSTGRES"))
    func sharedFolderFromTwoMachines() throws {
        // Machine A has the folder at one path, machine B a byte-identical copy at another.
        let a = try DocumentFolder(name: "team-docs")
        let b = try DocumentFolder([], name: "mnt-share-docs")
        // The indexer compares size and modification time first, then the content hash: copies that kept
        // their times are not even read, copies that did not are hashed and found the same.
        let stamp = Date(timeIntervalSince1970: 1_700_000_000)
        for relative in a.relativeFiles() {
            try a.setModified(relative, to: stamp)
            try b.copy(from: a.path(relative), to: relative)
            try b.setModified(relative, to: stamp)
            #expect(try Data(contentsOf: URL(fileURLWithPath: a.path(relative)))
                    == Data(contentsOf: URL(fileURLWithPath: b.path(relative))))
        }
        #expect(b.relativeFiles() == a.relativeFiles())
        let n = SampleKB.files.count

        let scratch = try ScratchStore.make(.postgres, roots: [a.root])
        let machineA = scratch.store
        let first = try Indexer(store: machineA, roots: [a.root]).run()
        #expect(first.added == n)
        var ids: [String: [Int64]] = [:]
        for relative in SampleKB.paths { ids[relative] = try machineA.passages(ofDocument: a.path(relative)).map(\.id) }

        let machineB = try scratch.reopened(roots: [b.root])
        let second = try Indexer(store: machineB, roots: [b.root]).run()
        #expect(second.counts == ["added": 0, "updated": 0, "removed": 0, "renamed": 0, "unchanged": n, "skipped": 0])
        #expect(second.passagesWritten == 0)
        #expect(second.bytesRead == 0, "same size and time: not even read")

        // Each machine sees its own paths.
        #expect(Set(try machineB.storedDocuments().keys) == Set(SampleKB.paths.map(b.path)))
        #expect(Set(try machineA.storedDocuments().keys) == Set(SampleKB.paths.map(a.path)))
        for (relative, phrase) in SampleKB.files {
            let passages = try machineB.passages(ofDocument: b.path(relative))
            #expect(passages.map(\.id) == ids[relative])
            #expect(passages.allSatisfy { $0.documentPath == b.path(relative) })
            #expect(try machineA.passages(ofDocument: b.path(relative)).isEmpty, "A does not know B's paths")
            // The same hits from both machines, each under its own folder.
            let fromA = try machineA.keywordSearch(phrase, limit: 5)
            let fromB = try machineB.keywordSearch(phrase, limit: 5)
            #expect(!fromA.isEmpty)
            #expect(fromB.map(\.passage.id) == fromA.map(\.passage.id))
            #expect(fromB.map(\.passage.documentPath)
                    == fromA.map { b.root + $0.passage.documentPath.dropFirst(a.root.count) })
        }
        #expect(try machineB.allPassages().allSatisfy { $0.documentPath.hasPrefix(b.root + "/") })
        let someID = try #require(ids[SampleKB.paths[0]]?.first)
        #expect(try machineB.passage(id: someID)?.documentPath == b.path(SampleKB.paths[0]))
        #expect(try machineB.passageRuns(around: [someID], radius: 1).flatMap { $0 }
                .allSatisfy { $0.documentPath == b.path(SampleKB.paths[0]) })
        #expect(try machineB.hits(forPassages: [someID], scores: [1], terms: []).first?.passage.documentPath
                == b.path(SampleKB.paths[0]))

        // B's copy gets other times (a copy that did not keep them): hashed, found the same, not re-chunked.
        for relative in b.relativeFiles() { try b.setModified(relative, to: stamp.addingTimeInterval(500)) }
        let third = try Indexer(store: machineB, roots: [b.root]).run()
        #expect(third.counts == ["added": 0, "updated": 0, "removed": 0, "renamed": 0, "unchanged": n, "skipped": 0])
        #expect(third.passagesWritten == 0)
        #expect(third.bytesRead > 0)
        // A's files now differ in time from what B stored: the same again from A's side.
        let fourth = try Indexer(store: machineA, roots: [a.root]).run()
        #expect(fourth.counts == ["added": 0, "updated": 0, "removed": 0, "renamed": 0, "unchanged": n, "skipped": 0])
        #expect(fourth.passagesWritten == 0)
        for relative in SampleKB.paths {
            #expect(try machineA.passages(ofDocument: a.path(relative)).map(\.id) == ids[relative])
        }

        // An edit on A reaches B's view of the same document.
        let edited = SampleKB.paths[1]
        try a.write(edited, try a.read(edited) + "\n\nThe wombat procedure was added on machine A.\n")
        try a.setModified(edited, to: stamp.addingTimeInterval(900))
        #expect(try Indexer(store: machineA, roots: [a.root]).run().updated == 1)
        #expect(try machineB.keywordSearch("wombat", limit: 3).map(\.passage.documentPath) == [b.path(edited)])
        #expect(try machineB.integrityProblems() == [])
    }

    @Test("a second index run waits for the turn and gets it when the first lets go; SQLite has none",
          arguments: Backend.available)
    func indexRunTurn(_ backend: Backend) throws {
        let scratch = try ScratchStore.make(backend, roots: ["/srv/kb"])
        let store = scratch.store
        let problems = Problems()
        guard backend == .postgres else {
            #expect(try store.indexRunTurn(waiting: { problems.add("SQLite has no turn to wait for") }) == nil)
            #expect(problems.all == [])
            return
        }
        let held = Holder(try store.indexRunTurn(waiting: { problems.add("nobody held the turn yet") }))
        #expect(held.isHolding)

        // Another thread, and another store on the same database (as another machine would be).
        let other = try scratch.reopened(roots: ["/elsewhere/kb"])
        let waiting = Signal(), acquired = Signal(), finished = Signal()
        let second = Holder(nil)
        Thread.detachNewThread {
            do {
                let turn = try other.indexRunTurn { waiting.raise() }
                if turn == nil { problems.add("no turn object from PostgreSQL") }
                acquired.raise()
                second.set(turn)
            } catch {
                problems.add("second turn: \(error)")
            }
            finished.raise()
        }
        #expect(waiting.wait(), "the second caller was told it waits")
        #expect(!acquired.isRaised, "the turn is still held by the first")
        held.release()
        #expect(acquired.wait())
        #expect(finished.wait())
        #expect(problems.all == [])

        // Let go by the second too: the next one gets the turn at once, without waiting.
        second.release()
        let third = Holder(try store.indexRunTurn(waiting: { problems.add("the turn was released but still held") }))
        #expect(third.isHolding)
        third.release()
        #expect(problems.all == [])
    }

    @Test("an index run started while another holds the turn says it waits, then indexes",
          .enabled(if: Backend.postgresURL != nil, "needs LORE_TEST_POSTGRES"))
    func indexerWaitsForTheTurn() throws {
        let folder = try DocumentFolder()
        let scratch = try ScratchStore.make(.postgres, roots: [folder.root])
        let store = scratch.store
        let held = Holder(try store.indexRunTurn(waiting: {}))
        let waiting = Signal(), finished = Signal()
        let result = Box<Result<IndexSummary, any Error>>()
        Thread.detachNewThread {
            result.set(Result {
                try Indexer(store: store, roots: [folder.root]).run { event in
                    if case .waitingForAnotherRun = event { waiting.raise() }
                }
            })
            finished.raise()
        }
        #expect(waiting.wait())
        #expect(!finished.isRaised)
        #expect(try store.statistics().documents == 0, "nothing is written while waiting")
        held.release()
        #expect(finished.wait())
        let summary = try #require(try result.get()?.get())
        #expect(summary.added == SampleKB.files.count)
        #expect(try store.statistics().documents == SampleKB.files.count)
    }
}

/// Problems noticed on other threads, checked by the test afterwards.
final class Problems: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []

    func add(_ problem: String) {
        lock.lock()
        items.append(problem)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}

/// One value handed from another thread.
final class Box<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value?

    func set(_ value: Value) {
        lock.lock()
        self.value = value
        lock.unlock()
    }

    func get() -> Value? {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}

@Suite("PostgreSQL: errors a person can act on")
struct PostgresErrorTests {
    private func connectError(_ location: PostgresLocation, roots: [String] = ["/srv/kb"]) -> StoreError? {
        do {
            _ = try PostgresStore(url: location, roots: roots)
            return nil
        } catch let error as StoreError {
            return error
        } catch {
            Issue.record("not a StoreError: \(error)")
            return nil
        }
    }

    @Test("a user the server does not know: says how to give the password",
          .enabled(if: Backend.postgresURL != nil, "needs LORE_TEST_POSTGRES"))
    func wrongUser() throws {
        var location = try #require(Backend.postgresURL)
        location.user = "nosuchuser"
        let error = try #require(connectError(location), "logged in as a user that does not exist")
        #expect(error.path == location.display)
        #expect(error.message.hasPrefix("cannot log in"), "\(error.message)")
        #expect(error.message.contains("PGPASSWORD") && error.message.contains("~/.pgpass"))
        if let password = ProcessInfo.processInfo.environment["PGPASSWORD"], !password.isEmpty {
            #expect(!error.description.contains(password))
        }
    }

    @Test("a database that does not exist: says to create it",
          .enabled(if: Backend.postgresURL != nil, "needs LORE_TEST_POSTGRES"))
    func missingDatabase() throws {
        var location = try #require(Backend.postgresURL)
        location.database = "lore_contract_never_created"
        let error = try #require(connectError(location))
        #expect(error.message.contains("does not exist") && error.message.contains("createdb"), "\(error.message)")
    }

    @Test("two folders with one name are refused before anything is written, naming both")
    func clashingFolders() throws {
        // Refused before connecting: no server is needed to see it.
        let location = try PostgresLocation(parsing: "postgres://lore@127.0.0.1:1/lore")
        let error = try #require(connectError(location, roots: ["/home/ana/docs", "/mnt/old/docs"]))
        #expect(error.message.contains("/home/ana/docs and /mnt/old/docs are both named docs"), "\(error.message)")
        #expect(error.message.contains("give one folder another name"))
    }

    @Test("nothing listening on the port: cannot reach the server")
    func nothingListening() throws {
        let location = try PostgresLocation(parsing: "postgres://lore@127.0.0.1:1/lore")
        let error = try #require(connectError(location))
        #expect(error.path == "postgres://lore@127.0.0.1:1/lore")
        #expect(error.message.hasPrefix("cannot reach the server"), "\(error.message)")
        #expect(error.message.contains("check that PostgreSQL runs there"))
    }

    @Test("a database name with a quote, a backslash and a space reaches that database",
          .enabled(if: Backend.postgresURL != nil, "needs LORE_TEST_POSTGRES"))
    func conninfoQuoting() throws {
        let server = try #require(Backend.postgresURL)
        let name = "lore contract 'q' \\ \(getpid())_\(Int.random(in: 0..<1_000_000))"
        let identifier = "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        let admin = try PGConnection(conninfo: server.conninfo)
        try admin.execute("CREATE DATABASE \(identifier)")
        defer { _ = try? admin.execute("DROP DATABASE IF EXISTS \(identifier) WITH (FORCE)") }
        var location = server
        location.database = name
        #expect(try PGConnection(conninfo: location.conninfo).query("SELECT current_database()")[0, 0] == name)
        let store = try PostgresStore(url: location, roots: ["/srv/kb"])
        try store.setMetaValue("k", "v")
        #expect(try store.metaValue("k") == "v")
    }
}

@Suite("PostgreSQL: the tsquery side of FTSQuery on a real server")
struct TSQueryServerTests {
    static let nastyInputs: [String] = KeywordContractTests.hostileQueries + [
        "it's", "O'Reilly's", "a'b", "''''", "\\\\", "\\'", "a\\b", "x:A", "x:*B", "<->", "<2>", "!!a", "-a",
        "a:1", ":", "':'", "*", "a*", "*a", "pg_du*", "\"a b\"*", "\"a b\"", "\"the of\"", "the", "the a an of",
        "to be or not to be", "ß straße", "İstanbul", "a\u{301}", "\u{200B}zero\u{200B}width", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "テキスト*", "中文 搜索", "Ⅻ ² ½", "١٢٣", "עברית", "tab\there\nnewline", "\u{FEFF}bom",
        String(repeating: "ab", count: 3000), String(repeating: "a-b ", count: 200), "\"" + String(repeating: "w ", count: 100) + "\"",
        "%", "_", "&&", "||", "(", ")", "a(b)c", "select * from pg_user", "$$ $tag$", "E'\\x41'",
    ]

    @Test("to_tsquery('english', …) accepts every rendered query",
          .enabled(if: Backend.postgresURL != nil, "needs LORE_TEST_POSTGRES"))
    func serverAcceptsEveryRenderedQuery() throws {
        let server = try #require(Backend.postgresURL)
        let conn = try PGConnection(conninfo: server.conninfo)
        var rendered = 0
        for text in Self.nastyInputs {
            guard let tsquery = FTSQuery.tsquery(text) else { continue }
            rendered += 1
            do {
                _ = try conn.query("SELECT to_tsquery('english', $1)::text", [tsquery])
            } catch {
                Issue.record("\(String(text.prefix(40)).debugDescription) → \(String(tsquery.prefix(80))): \(error)")
            }
        }
        #expect(rendered > 40)
    }

    @Test("a rendered query matches the words it was made from, stemmed as the index stems them",
          .enabled(if: Backend.postgresURL != nil, "needs LORE_TEST_POSTGRES"))
    func renderedQueriesMatch() throws {
        let server = try #require(Backend.postgresURL)
        let conn = try PGConnection(conninfo: server.conninfo)
        let cases: [(text: String, query: String, matches: Bool)] = [
            ("Routine vacuuming reclaims storage.", "vacuum", true),
            ("Routine vacuuming reclaims storage.", "vacu*", true),
            ("Routine vacuuming reclaims storage.", "\"reclaims storage\"", true),
            ("Routine vacuuming reclaims storage.", "\"storage reclaims\"", false),
            ("Routine vacuuming reclaims storage.", "zebra OR storage", true),
            ("Routine vacuuming reclaims storage.", "zebra", false),
            ("Run pg_dump nightly.", "pg_dump", true),
            ("O'Reilly's book", "O'Reilly's", true),
        ]
        for (text, query, matches) in cases {
            let tsquery = try #require(FTSQuery.tsquery(query))
            let row = try conn.query("SELECT to_tsvector('english', $1) @@ to_tsquery('english', $2)", [text, tsquery])
            #expect(row[0, 0] == (matches ? "t" : "f"), "\(query) in \(text): \(tsquery)")
        }
    }
}
