import Foundation
import LoreCore
import LorePostgres
import LoreStore
import Testing

/// The two stores the contract suite runs against. PostgreSQL takes part when `LORE_TEST_POSTGRES` names a
/// server (`eval "$(scripts/pg-server.sh start)"` starts one on loopback); each test gets a database of its
/// own, dropped afterwards, so tests run in parallel without meeting.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// The server given to the tests, or nil: then only SQLite runs and `postgresIsSkipped` says why.
    static let postgresURL: PostgresLocation? = {
        guard let text = ProcessInfo.processInfo.environment["LORE_TEST_POSTGRES"], !text.isEmpty else { return nil }
        return try? PostgresLocation(parsing: text)
    }()

    static var available: [Backend] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }
}

/// A store of one backend, in a scratch place, with what removes it.
final class ScratchStore: @unchecked Sendable {
    let store: any PassageStore
    let backend: Backend
    private let cleanup: () -> Void

    init(store: any PassageStore, backend: Backend, cleanup: @escaping () -> Void) {
        self.store = store
        self.backend = backend
        self.cleanup = cleanup
    }

    deinit { cleanup() }

    private static let counter = Mutex(0)

    /// A new, empty store whose documents live under `roots`.
    static func make(_ backend: Backend, roots: [String]) throws -> ScratchStore {
        switch backend {
        case .sqlite:
            let path = NSTemporaryDirectory() + "lore-contract-\(UUID().uuidString).sqlite"
            return ScratchStore(store: try KnowledgeBaseStore(path: path), backend: backend) {
                for suffix in ["", "-wal", "-shm", ".index-lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
        case .postgres:
            guard let server = Backend.postgresURL else { throw PostgresError("LORE_TEST_POSTGRES is not set") }
            let n = counter.withLock { value -> Int in value += 1; return value }
            let name = "lore_contract_\(getpid())_\(n)_\(Int.random(in: 0..<1_000_000))"
            let admin = try PGConnection(conninfo: server.conninfo)
            try admin.execute("CREATE DATABASE \(name)")
            var location = server
            location.database = name
            let store = try PostgresStore(url: location, roots: roots)
            return ScratchStore(store: store, backend: backend) {
                _ = try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            }
        }
    }

    /// A second store on the same database or file, as another machine (other `roots`) or process sees it.
    func reopened(roots: [String]) throws -> any PassageStore {
        if let sqlite = store as? KnowledgeBaseStore { return try KnowledgeBaseStore(path: sqlite.path) }
        let postgres = store as! PostgresStore
        return try PostgresStore(url: postgres.url, roots: roots)
    }
}

import Synchronization

@Suite struct BackendAvailability {
    @Test(.enabled(if: Backend.postgresURL == nil,
                   "LORE_TEST_POSTGRES is set: the contract suite runs against PostgreSQL too"))
    func postgresIsSkipped() {
        // A run that started a server (CI sets LORE_REQUIRE_POSTGRES then) must not quietly lose it.
        #expect(ProcessInfo.processInfo.environment["LORE_REQUIRE_POSTGRES"] == nil,
                "a PostgreSQL server was started for this run but LORE_TEST_POSTGRES did not reach the tests")
        print("PostgreSQL store tests skipped: LORE_TEST_POSTGRES is not set; start a server with `eval \"$(scripts/pg-server.sh start)\"`")
    }
}
