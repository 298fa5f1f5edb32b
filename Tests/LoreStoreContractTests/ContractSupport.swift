import Foundation
import LoreCore
import LoreIngest
import LorePostgres
import LoreStore
import Testing

/// The repository's own sample knowledge base: real Markdown, reStructuredText and plain text.
enum SampleKB {
    static let root: String = {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("sample-kb").path
    }()

    /// The files most tests index, with a phrase from each that names it.
    static let files: [(path: String, phrase: String)] = [
        ("guide/installing.md", "links a handful of C libraries that most Linux distributions package"),
        ("guide/troubleshooting.txt", "Lore gives up after a bounded time and says so"),
        ("guide/reference/configuration.rst", "Every setting has a default, so the file is optional"),
        ("primer/chunking.txt", "a citation to twelve lines under a named heading can be checked in seconds"),
        ("primer/rag-vs-fine-tuning.md", "continue training the model on examples drawn from your material"),
        ("primer/evaluating-retrieval.md", "Such questions flatter keyword search"),
    ]

    static var paths: [String] { files.map(\.path) }
}

/// A folder of sample documents in a fresh temporary place, removed when the test ends.
final class DocumentFolder: @unchecked Sendable {
    let base: String
    let root: String

    /// Copies `files` (paths inside the sample knowledge base) to `base/name/…`.
    init(_ files: [String] = SampleKB.paths, name: String = "docs") throws {
        base = NSTemporaryDirectory() + "lore-contract-docs-" + UUID().uuidString
        root = base + "/" + name
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for file in files { try copy(from: SampleKB.root + "/" + file, to: file) }
    }

    deinit { try? FileManager.default.removeItem(atPath: base) }

    func path(_ relative: String) -> String { root + "/" + relative }

    func copy(from source: String, to relative: String) throws {
        let target = path(relative)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: source, toPath: target)
    }

    func write(_ relative: String, _ text: String) throws { try write(relative, bytes: Data(text.utf8)) }

    func write(_ relative: String, bytes: Data) throws {
        let target = path(relative)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try bytes.write(to: URL(fileURLWithPath: target))
    }

    func read(_ relative: String) throws -> String { try String(contentsOfFile: path(relative), encoding: .utf8) }

    /// Sets a modification time explicitly, so no test depends on the clock or its resolution.
    func setModified(_ relative: String, to date: Date) throws {
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path(relative))
    }

    func remove(_ relative: String) throws { try FileManager.default.removeItem(atPath: path(relative)) }

    func move(_ from: String, _ to: String) throws {
        let target = path(to)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: path(from), toPath: target)
    }

    /// Every regular file below the root, as paths relative to it, sorted.
    func relativeFiles() -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: root)
        var out: [String] = []
        while let next = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path(next), isDirectory: &isDirectory), !isDirectory.boolValue {
                out.append(next)
            }
        }
        return out.sorted()
    }
}

/// A scratch store of one backend with a folder of sample documents indexed into it.
final class IndexedFolder: @unchecked Sendable {
    let folder: DocumentFolder
    let scratch: ScratchStore
    let first: IndexSummary

    var store: any PassageStore { scratch.store }

    /// `prepare` may add files to the folder before the first index run.
    init(_ backend: Backend, files: [String] = SampleKB.paths,
         prepare: (DocumentFolder) throws -> Void = { _ in }) throws {
        folder = try DocumentFolder(files)
        try prepare(folder)
        scratch = try ScratchStore.make(backend, roots: [folder.root])
        first = try Indexer(store: scratch.store, roots: [folder.root]).run()
    }

    @discardableResult
    func index() throws -> IndexSummary { try Indexer(store: store, roots: [folder.root]).run() }

    func path(_ relative: String) -> String { folder.path(relative) }

    func ids(_ relative: String) throws -> [Int64] { try store.passages(ofDocument: path(relative)).map(\.id) }
}

/// The same folder indexed into a plain SQLite store: the reference the other backend is held to.
final class ReferenceIndex: @unchecked Sendable {
    let directory: String
    let store: KnowledgeBaseStore
    let summary: IndexSummary

    init(roots: [String]) throws {
        directory = NSTemporaryDirectory() + "lore-contract-ref-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try KnowledgeBaseStore(path: directory + "/kb.sqlite")
        summary = try Indexer(store: store, roots: roots).run()
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }
}

/// A passage without its store-given id: what two stores holding the same folder must agree on.
struct PassageShape: Equatable, CustomStringConvertible {
    var documentPath: String
    var title: String
    var headingPath: [String]
    var lineStart: Int
    var lineEnd: Int
    var text: String
    var pageStart: Int?
    var pageEnd: Int?

    init(_ p: Passage) {
        documentPath = p.documentPath
        title = p.title
        headingPath = p.headingPath
        lineStart = p.lineStart
        lineEnd = p.lineEnd
        text = p.text
        pageStart = p.pageStart
        pageEnd = p.pageEnd
    }

    var description: String { "\(documentPath):\(lineStart)-\(lineEnd) \(headingPath) \(text.prefix(40).debugDescription)" }
}

extension IndexSummary {
    /// The counts only, for comparing whole summaries without the timing.
    var counts: [String: Int] {
        ["added": added, "updated": updated, "removed": removed, "renamed": renamed, "unchanged": unchanged,
         "skipped": skipped]
    }
}

/// A deterministic stand-in for an embedding: `dimensions` values from a small generator seeded by `seed`,
/// different in direction for every seed.
func fakeVector(_ seed: Int, dimensions: Int = 8) -> [Float] {
    var state = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 &+ 0x2545_F491_4F6C_DD1D
    var out: [Float] = []
    for _ in 0..<dimensions {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        out.append(Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 1000)
    }
    // One component stands out, so that vectors of neighbouring seeds point clearly apart.
    out[seed % dimensions] += 3
    return out
}

func unit(_ vector: [Float]) -> [Float] {
    let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return norm > 0 ? vector.map { $0 / norm } : vector
}

struct Deliberate: Error, Equatable {}

/// A one-shot signal between threads, with a generous safety limit so a broken lock fails the test
/// instead of hanging it. The limit is never what a passing run waits for.
final class Signal: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var raised = false

    func raise() {
        lock.lock()
        let first = !raised
        raised = true
        lock.unlock()
        if first { semaphore.signal() }
    }

    var isRaised: Bool {
        lock.lock()
        defer { lock.unlock() }
        return raised
    }

    /// True when raised; false only if the safety limit passed.
    func wait(safetyLimitSeconds: Double = 300) -> Bool {
        semaphore.wait(timeout: .now() + safetyLimitSeconds) == .success
    }
}

/// Something kept alive on purpose until `release()`: what a held index turn is put in, so that its
/// lifetime ends exactly where the test says and not where the optimizer decides.
final class Holder: @unchecked Sendable {
    private let lock = NSLock()
    private var value: AnyObject?

    init(_ value: AnyObject?) { self.value = value }

    var isHolding: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value != nil
    }

    func set(_ value: AnyObject?) {
        lock.lock()
        let old = self.value
        self.value = value
        lock.unlock()
        withExtendedLifetime(old) {}
    }

    func release() {
        lock.lock()
        let old = value
        value = nil
        lock.unlock()
        withExtendedLifetime(old) {}
    }
}
