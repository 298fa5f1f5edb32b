import Dispatch
import Foundation
import LoreCore
@testable import LoreIngest
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A watcher running on a thread of its own over an `IndexerSandbox`, each refresh an ordinary index run,
/// with what it did recorded for the test to look at. Tests wait for states, never for a time: the
/// deadlines only bound a hang.
private final class WatchedSandbox {
    struct Record {
        var modes: [WatchMode] = []
        var bursts: [[WatchChange]] = []
        var summaries: [IndexSummary] = []
        var stopped = false
    }

    let sandbox: IndexerSandbox
    let watcher: FolderWatcher
    /// The record, shared with the watcher's thread.
    final class Recorder: Sendable {
        private let state = Mutex(Record())
        func withLock<R: Sendable>(_ body: (inout Record) -> R) -> R { state.withLock { body(&$0) } }
    }

    let record = Recorder()
    /// Taken before each refresh when set, so a test can hold the watcher in a refresh while it writes.
    let gate: DispatchSemaphore?

    init(exclude: [String] = [], options: WatchOptions = WatchOptions(), gate: DispatchSemaphore? = nil,
         prepare: (IndexerSandbox) throws -> Void = { _ in }) throws {
        sandbox = try IndexerSandbox()
        try prepare(sandbox)
        self.gate = gate
        watcher = try FolderWatcher(roots: [sandbox.root], exclude: exclude, options: options)
        indexer = Indexer(store: sandbox.store, roots: [sandbox.root], exclude: exclude)
        try indexer.run()
    }

    let indexer: Indexer

    func start() async throws {
        let (watcher, record, indexer) = (watcher, record, indexer)
        let gate = gate
        let thread = Thread {
            try? watcher.run(mode: { mode in record.withLock { $0.modes.append(mode) } }, refresh: { changes in
                gate?.wait()
                let summary = try? indexer.run()
                record.withLock {
                    $0.bursts.append(changes)
                    if let summary { $0.summaries.append(summary) }
                }
            })
            record.withLock { $0.stopped = true }
        }
        thread.start()
        try await waitFor("the watches") { !record.withLock { $0.modes.isEmpty } }
    }

    func stop() async throws {
        watcher.stop()
        try await waitFor("the watcher to stop") { record.withLock { $0.stopped } }
    }

    var refreshes: Int { record.withLock { $0.summaries.count } }
    var allChanges: [WatchChange] { record.withLock { $0.bursts.flatMap { $0 } } }

    /// Paths (relative to the root) the index holds, as a set.
    func indexedPaths() throws -> Set<String> {
        Set(try sandbox.store.storedDocuments().keys.map { String($0.dropFirst(sandbox.root.count + 1)) })
    }

    func waitForIndex(_ expected: Set<String>) async throws {
        try await waitFor("the index to hold \(expected.sorted())") { try indexedPaths() == expected }
    }
}

/// Polls `condition` until it holds; the deadline is there only so that a broken watcher fails the test
/// instead of hanging it.
private func waitFor(_ what: String, deadline seconds: Double = 60, _ condition: () throws -> Bool) async throws {
    let end = Date().addingTimeInterval(seconds)
    while try !condition() {
        if Date() > end {
            Issue.record("gave up waiting for \(what)")
            throw CancellationError()
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}

@Suite(.serialized) struct WatcherTests {
    @Test func createModifyRenameDelete() async throws {
        let kb = try WatchedSandbox { try $0.write("a.md", "alpha\n") }
        try await kb.start()
        try kb.sandbox.write("b.md", "bravo words\n")
        try await kb.waitForIndex(["a.md", "b.md"])

        try kb.sandbox.write("b.md", "bravo changed to zulu\n")
        try await waitFor("the new text") { try kb.sandbox.searchPaths("zulu") == [kb.sandbox.path("b.md")] }

        try kb.sandbox.move("b.md", "c.md")
        try await kb.waitForIndex(["a.md", "c.md"])
        #expect(try kb.sandbox.searchPaths("zulu") == [kb.sandbox.path("c.md")])

        try kb.sandbox.remove("a.md")
        try await kb.waitForIndex(["c.md"])
        try await kb.stop()
        #expect(kb.record.withLock { $0.modes } == [.watching(folders: 1)])
    }

    @Test func anEditorSaveByRenameIsSeen() async throws {
        let kb = try WatchedSandbox { try $0.write("note.md", "before\n") }
        try await kb.start()
        try kb.sandbox.write(".note.md.swp", "swap")
        try kb.sandbox.write("note.md.tmp", "after the save\n")
        #expect(rename(kb.sandbox.path("note.md.tmp"), kb.sandbox.path("note.md")) == 0)
        try kb.sandbox.remove(".note.md.swp")
        try await waitFor("the saved text") { try kb.sandbox.searchPaths("save") == [kb.sandbox.path("note.md")] }
        try await kb.stop()
        #expect(try kb.indexedPaths() == ["note.md"])
    }

    @Test func foldersCreatedAndMovedInAndOut() async throws {
        let outside = NSTemporaryDirectory() + "lore-outside-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try FileManager.default.createDirectory(atPath: outside + "/moved/deeper", withIntermediateDirectories: true)
        try "from outside\n".write(toFile: outside + "/moved/deeper/m.md", atomically: false, encoding: .utf8)

        let kb = try WatchedSandbox { try $0.write("top.md", "top\n") }
        try await kb.start()
        // mkdir -p and a write straight after: the file may land before the new folder has its watch.
        try kb.sandbox.write("a/b/f.md", "fresh\n")
        try await kb.waitForIndex(["top.md", "a/b/f.md"])
        // The new folder is watched from now on.
        try kb.sandbox.write("a/b/g.md", "second\n")
        try await kb.waitForIndex(["top.md", "a/b/f.md", "a/b/g.md"])

        try FileManager.default.moveItem(atPath: outside + "/moved", toPath: kb.sandbox.path("moved"))
        try await kb.waitForIndex(["top.md", "a/b/f.md", "a/b/g.md", "moved/deeper/m.md"])
        try kb.sandbox.write("moved/deeper/n.md", "watched after the move\n")
        try await kb.waitForIndex(["top.md", "a/b/f.md", "a/b/g.md", "moved/deeper/m.md", "moved/deeper/n.md"])

        try FileManager.default.moveItem(atPath: kb.sandbox.path("a"), toPath: outside + "/a")
        try await kb.waitForIndex(["top.md", "moved/deeper/m.md", "moved/deeper/n.md"])
        // A folder moved out is no longer watched: writing in it changes nothing here.
        try "gone\n".write(toFile: outside + "/a/b/h.md", atomically: false, encoding: .utf8)
        try kb.sandbox.write("sentinel.md", "sentinel\n")
        try await kb.waitForIndex(["top.md", "moved/deeper/m.md", "moved/deeper/n.md", "sentinel.md"])
        #expect(!kb.allChanges.contains { if case .fileChanged(let p) = $0 { return p.hasSuffix("h.md") }; return false })

        try FileManager.default.removeItem(atPath: kb.sandbox.path("moved"))
        try await kb.waitForIndex(["top.md", "sentinel.md"])
        try await kb.stop()
    }

    @Test func aRootDeletedAndMadeAgainIsFollowed() async throws {
        let kb = try WatchedSandbox {
            try $0.write("a.md", "alpha\n")
            try $0.write("sub/b.md", "bravo\n")
        }
        try await kb.start()
        let root = kb.sandbox.root
        // rm -rf docs: its documents leave the index as deleted files do.
        try FileManager.default.removeItem(atPath: root)
        try await kb.waitForIndex([])
        #expect(kb.allChanges.contains(.rootGone(root)))

        // git checkout docs: the folder and its files back at once, before or after the watcher looks.
        try kb.sandbox.write("a.md", "alpha again\n")
        try kb.sandbox.write("sub/b.md", "bravo again\n")
        try await kb.waitForIndex(["a.md", "sub/b.md"])
        #expect(kb.allChanges.contains(.rootReturned(root)))
        // The new folder and the folders below it are watched.
        try kb.sandbox.write("c.md", "charlie\n")
        try kb.sandbox.write("sub/d.md", "delta\n")
        try await kb.waitForIndex(["a.md", "sub/b.md", "c.md", "sub/d.md"])

        // Moved away (a sync tool replacing it) and back: what was written meanwhile is caught up with.
        let away = kb.sandbox.base + "/docs.old"
        try FileManager.default.moveItem(atPath: root, toPath: away)
        try await kb.waitForIndex([])
        try "echo\n".write(toFile: away + "/e.md", atomically: false, encoding: .utf8)
        try FileManager.default.moveItem(atPath: away, toPath: root)
        try await kb.waitForIndex(["a.md", "sub/b.md", "c.md", "sub/d.md", "e.md"])
        try kb.sandbox.write("f.md", "foxtrot\n")
        try await kb.waitForIndex(["a.md", "sub/b.md", "c.md", "sub/d.md", "e.md", "f.md"])
        try await kb.stop()
        #expect(kb.allChanges.filter { $0 == .rootGone(root) }.count == 2)
        #expect(kb.allChanges.filter { $0 == .rootReturned(root) }.count == 2)
    }

    @Test func aRootWhoseParentsGoTooIsAwaitedFromHigherUp() async throws {
        // The root three folders down, and the whole chain removed: the wait climbs as each folder goes and
        // comes down again as mkdir -p makes them, without an index in the way.
        let outside = NSTemporaryDirectory() + "lore-chain-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: outside) }
        let root = outside + "/a/b/docs"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let watcher = try FolderWatcher(roots: [root])
        let changes = Mutex<[WatchChange]>([])
        let stopped = Mutex(false)
        let started = Mutex(false)
        let thread = Thread {
            try? watcher.run(mode: { _ in started.withLock { $0 = true } },
                             refresh: { burst in changes.withLock { $0 += burst } })
            stopped.withLock { $0 = true }
        }
        thread.start()
        try await waitFor("the watches") { started.withLock { $0 } }
        try FileManager.default.removeItem(atPath: outside + "/a")
        try await waitFor("the root to be gone") { changes.withLock { $0.contains(.rootGone(root)) } }
        try FileManager.default.createDirectory(atPath: root + "/deep", withIntermediateDirectories: true)
        try await waitFor("the root back") { changes.withLock { $0.contains(.rootReturned(root)) } }
        try "new\n".write(toFile: root + "/deep/n.md", atomically: false, encoding: .utf8)
        try await waitFor("a file in the returned tree") {
            changes.withLock { $0.contains(.fileChanged(root + "/deep/n.md")) }
        }
        watcher.stop()
        try await waitFor("the watcher to stop") { stopped.withLock { $0 } }
    }

    @Test func aRootMissingAtTheStartIsWatchedOnceItAppears() async throws {
        let kb = try WatchedSandbox()
        try FileManager.default.removeItem(atPath: kb.sandbox.root)
        try await kb.start()
        #expect(kb.record.withLock { $0.modes } == [.watching(folders: 0)])
        try kb.sandbox.write("late.md", "late\n")
        try await kb.waitForIndex(["late.md"])
        try kb.sandbox.write("later.md", "later\n")
        try await kb.waitForIndex(["late.md", "later.md"])
        try await kb.stop()
    }

    @Test func aBurstOfAThousandWritesIsCoalesced() async throws {
        // The first refresh is held while the test writes, so the rest of the burst is queued by the kernel
        // and read at once: what is asserted is the coalescing, not how fast this machine writes.
        let gate = DispatchSemaphore(value: 0)
        let kb = try WatchedSandbox(gate: gate)
        try await kb.start()
        var expected: Set<String> = []
        for i in 0..<1_000 {
            let name = "burst/f\(i % 100).md"
            try kb.sandbox.write(name, "write \(i) of file \(i % 100) word\(i)\n")
            expected.insert(name)
        }
        for _ in 0..<10 { gate.signal() }
        try await kb.waitForIndex(expected)
        try await waitFor("the last writes") { try kb.sandbox.searchPaths("word999") == [kb.sandbox.path("burst/f99.md")] }
        try await kb.stop()
        #expect(kb.refreshes <= 3, "\(kb.refreshes) refreshes for 1,000 writes")
        #expect(try kb.sandbox.searchPaths("word800") == [])
        #expect(try kb.sandbox.searchPaths("word950") == [kb.sandbox.path("burst/f50.md")])
        #expect(try kb.sandbox.passageCount() == 100)
    }

    @Test func ignoredFilesCauseNoRefresh() async throws {
        let kb = try WatchedSandbox(exclude: ["drafts/", "*.tmp.md"]) {
            try $0.write(".gitignore", "build/\n*.log.md\n")
            try $0.write("kept.md", "kept\n")
            try FileManager.default.createDirectory(atPath: $0.path("build"), withIntermediateDirectories: true)
        }
        try await kb.start()
        try kb.sandbox.write("run.log.md", "ignored by .gitignore\n")
        try kb.sandbox.write("build/out.md", "inside an ignored folder\n")
        try kb.sandbox.write("drafts/d.md", "inside an excluded folder\n")
        try kb.sandbox.write("x.tmp.md", "excluded by glob\n")
        try kb.sandbox.write(".hidden.md", "hidden\n")
        try kb.sandbox.write("image.png", "no loader\n")
        // Events are read in order: once the sentinel is indexed, every event above has been looked at.
        try kb.sandbox.write("sentinel.md", "sentinel\n")
        try await kb.waitForIndex(["kept.md", "sentinel.md"])
        try await kb.stop()
        #expect(Set(kb.allChanges.map { "\($0)" }) == ["\(WatchChange.fileChanged(kb.sandbox.path("sentinel.md")))"])
    }

    @Test func changingAGitignoreRefreshesAndRewatches() async throws {
        let kb = try WatchedSandbox {
            try $0.write(".gitignore", "build/\n")
            try $0.write("build/old.md", "hidden by the rule\n")
        }
        try await kb.start()
        #expect(try kb.indexedPaths() == [])
        try kb.sandbox.write(".gitignore", "")
        try await kb.waitForIndex(["build/old.md"])
        try kb.sandbox.write("build/new.md", "now watched\n")
        try await kb.waitForIndex(["build/old.md", "build/new.md"])
        try await kb.stop()
    }

    @Test func theWatchLimitFallsBackToPeriodicScans() async throws {
        // Two watches allowed: the root and `one`; the folder made later finds the limit reached.
        let granted = Mutex(0)
        let limited: AddWatchCall = { fd, path, mask in
            let n = granted.withLock { count -> Int in count += 1; return count }
            if n > 2 { return .failure(SystemCallError(call: "inotify_add_watch", path: path, code: ENOSPC)) }
            let wd = inotify_add_watch(fd, path, mask)
            return wd >= 0 ? .success(wd) : .failure(SystemCallError(call: "inotify_add_watch", path: path, code: errno))
        }
        let kb = try WatchedSandbox(options: WatchOptions(pollingInterval: 0.05, addWatch: limited)) {
            try $0.write("one/a.md", "alpha\n")
        }
        try await kb.start()
        #expect(kb.record.withLock { $0.modes } == [.watching(folders: 2)])
        try kb.sandbox.write("two/b.md", "bravo\n")
        try await waitFor("the fallback") { kb.record.withLock { $0.modes.count } == 2 }
        guard case .polling(let reason) = kb.record.withLock({ $0.modes[1] }) else {
            Issue.record("expected polling")
            return
        }
        #expect(reason.contains("the inotify watch limit (fs.inotify.max_user_watches = "))
        #expect(reason.hasSuffix("is reached; checking for changes every 0.05 s instead — raise it with sysctl"))
        try await kb.waitForIndex(["one/a.md", "two/b.md"])
        // Scans keep the index current without watches.
        try kb.sandbox.write("two/c.md", "charlie\n")
        try await kb.waitForIndex(["one/a.md", "two/b.md", "two/c.md"])
        try await kb.stop()
    }

    @Test func aWatchLimitReachedAtTheStartIsReported() async throws {
        let none: AddWatchCall = { _, path, _ in
            .failure(SystemCallError(call: "inotify_add_watch", path: path, code: ENOSPC))
        }
        let kb = try WatchedSandbox(options: WatchOptions(pollingInterval: 0.05, addWatch: none))
        try await kb.start()
        guard case .polling? = kb.record.withLock({ $0.modes.first }) else {
            Issue.record("expected polling, got \(kb.record.withLock { $0.modes })")
            return
        }
        try kb.sandbox.write("late.md", "late\n")
        try await kb.waitForIndex(["late.md"])
        try await kb.stop()
    }
}
