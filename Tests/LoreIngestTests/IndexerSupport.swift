import Foundation
import GRDB
import LoreCore
@testable import LoreIngest
@testable import LoreStore
import Testing

/// A folder of documents and a knowledge-base file beside it (not inside, so the walk never sees it),
/// both removed when the test ends.
final class IndexerSandbox {
    let base: String
    let root: String
    let store: KnowledgeBaseStore

    init() throws {
        base = NSTemporaryDirectory() + "lore-indexer-" + UUID().uuidString
        root = base + "/docs"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        store = try KnowledgeBaseStore(path: base + "/kb.sqlite")
    }

    deinit { try? FileManager.default.removeItem(atPath: base) }

    func path(_ relative: String) -> String { root + "/" + relative }

    func write(_ relative: String, _ text: String) throws {
        try write(relative, bytes: Array(text.utf8))
    }

    /// Writes in place with open(2) and write(2): FileManager's atomic replace changes the inode and is
    /// slow enough to dominate a test that makes 20,000 files.
    func write(_ relative: String, bytes: [UInt8]) throws {
        let full = path(relative)
        let folder = (full as NSString).deletingLastPathComponent
        if !FileManager.default.fileExists(atPath: folder) {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let fd = open(full, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { writeAll(fd, $0) }
        guard written == bytes.count else { throw POSIXError(.EIO) }
    }

    /// Sets the modification time explicitly, so a test never depends on the clock's resolution.
    func setModified(_ relative: String, secondsFromNow: Double) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: secondsFromNow)],
                                              ofItemAtPath: path(relative))
    }

    func remove(_ relative: String) throws { try FileManager.default.removeItem(atPath: path(relative)) }

    func move(_ from: String, _ to: String) throws { try FileManager.default.moveItem(atPath: path(from), toPath: path(to)) }

    func copy(_ from: String, _ to: String) throws { try FileManager.default.copyItem(atPath: path(from), toPath: path(to)) }

    func indexer(_ options: LoreIngest.IndexOptions = .default) -> Indexer {
        Indexer(store: store, roots: [root], options: options)
    }

    @discardableResult
    func index(_ options: LoreIngest.IndexOptions = .default, events: (IndexEvent) -> Void = { _ in }) throws -> IndexSummary {
        try indexer(options).run(events: events)
    }

    /// Document paths of the passages a query finds, as a person searching would see them.
    func searchPaths(_ query: String) throws -> [String] {
        try search(query).map(\.passage.documentPath)
    }

    func search(_ query: String) throws -> [SearchHit] {
        guard let expression = FTSQuery.matchExpression(query) else { return [] }
        return try store.search(expression: expression, terms: FTSQuery.terms(query), limit: 50, perDocument: 50)
    }

    func passageIDs(_ relative: String) throws -> [Int64] {
        try store.passages(ofDocument: path(relative)).map(\.id)
    }

    func passageCount() throws -> Int {
        try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM chunks") ?? 0 }
    }

    /// Passages whose document row is gone: invisible to search, yet still in the file and the index.
    func orphanPassages() throws -> Int {
        try store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM chunks WHERE document_id NOT IN (SELECT id FROM documents)") ?? 0
        }
    }

    func indexedAt(_ relative: String) throws -> Double? {
        try store.pool.read { db in
            try Double.fetchOne(db, sql: "SELECT indexed_at FROM documents WHERE path = ?", arguments: [path(relative)])
        }
    }

    /// Both SQLite's and FTS5's checks pass and no passage lost its document.
    func expectSound(sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try store.integrityProblems() == [], sourceLocation: sourceLocation)
        #expect(try orphanPassages() == 0, sourceLocation: sourceLocation)
    }
}

private func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
    write(fd, bytes.baseAddress, bytes.count)
}

extension IndexSummary {
    /// The counts only, for comparing whole summaries without the timing.
    var counts: [String: Int] {
        ["added": added, "updated": updated, "removed": removed, "renamed": renamed, "unchanged": unchanged,
         "skipped": skipped]
    }
}
