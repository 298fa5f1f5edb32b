#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch
import LoreCore

/// How the watcher is keeping up with the folders.
public enum WatchMode: Sendable, Equatable {
    /// inotify watches are on every folder the walk would enter.
    case watching(folders: Int)
    /// Watches could not be had (the limit is reached); the folders are scanned every so often instead.
    /// The text says why and what to do.
    case polling(reason: String)
}

public struct WatchOptions: Sendable {
    /// A refresh waits until no change has come for this long…
    public var quiet: Double
    /// …but no longer than this after the first change of a burst.
    public var maximumDelay: Double
    /// How often the folders are scanned when inotify watches cannot be had.
    public var pollingInterval: Double
    /// Nil for `inotify_add_watch`; tests pass a stand-in.
    public var addWatch: AddWatchCall?

    public init(quiet: Double = 0.2, maximumDelay: Double = 1.0, pollingInterval: Double = 30,
                addWatch: AddWatchCall? = nil) {
        self.quiet = quiet
        self.maximumDelay = maximumDelay
        self.pollingInterval = pollingInterval
        self.addWatch = addWatch
    }
}

/// Watches a knowledge base's folders with inotify and calls `refresh` once per burst of changes that
/// touch what the index holds. Every folder the walker would enter gets a watch; folders that appear get
/// theirs as they come. Events for ignored, hidden and unsupported files are dropped before they can
/// start a refresh. When nothing is pending the watcher blocks in poll with no timeout, so an idle watch
/// costs no CPU; only the fallback for a reached watch limit wakes up on a timer.
///
/// A refresh is an ordinary incremental index run: it walks the tree and reads only files whose size or
/// modification time changed, which on a 10,000-file tree takes a small fraction of the debounce delay,
/// and it gets renames, deletions, ignore-rule changes and overflows right without bookkeeping here.
public final class FolderWatcher: Sendable {
    public let roots: [String]
    public let rules: WatchRules
    public let options: WatchOptions
    private let inotify: Inotify

    public init(roots: [String], include: [String] = [], exclude: [String] = [],
                options: WatchOptions = WatchOptions()) throws {
        self.roots = roots.map(FileWalker.normalizedRoot)
        rules = WatchRules(include: include, exclude: exclude)
        self.options = options
        inotify = try Inotify(addWatch: options.addWatch)
    }

    /// Ends `run`, from any thread; a refresh under way finishes first.
    public func stop() {
        inotify.wake()
    }

    /// Blocks until `stop`: puts the watches in place, says how it watches, then calls `refresh` with the
    /// changes of each burst (or, when polling, with none, every `pollingInterval`). `mode` is called again
    /// if the watcher has to fall back to polling later, when a new folder finds the limit reached.
    public func run(mode: (WatchMode) -> Void, refresh: ([WatchChange]) -> Void) throws {
        var state = WatchState(watcher: self)
        var polling = state.watchAll()
        mode(polling.map { .polling(reason: $0) } ?? .watching(folders: state.folders.count))
        var debouncer = Debouncer(quiet: options.quiet, maximumDelay: options.maximumDelay)
        var burst: [WatchChange] = []
        while true {
            if polling != nil {
                switch try inotify.wait(timeout: options.pollingInterval).get() {
                case .woken: return
                case .events:
                    // Watches from before the fallback were removed; anything left over is stale.
                    _ = try inotify.readEvents().get()
                case .timedOut: refresh([])
                }
                continue
            }
            let timeout = debouncer.deadline.map { $0 - Self.now() }
            switch try inotify.wait(timeout: timeout).get() {
            case .woken: return
            case .timedOut: break
            case .events:
                for event in try inotify.readEvents().get() {
                    // A missing root's wait first: the folder above it may be a watched folder too.
                    var reason = state.follow(event)
                    var found: [WatchChange] = []
                    if reason == nil, let change = rules.change(for: event, in: state.folders[event.watch]) {
                        reason = state.apply(change)
                        if change.needsRefresh { found.append(change) }
                    }
                    found += state.pending
                    state.pending = []
                    if let reason {
                        polling = reason
                        mode(.polling(reason: reason))
                    }
                    if !found.isEmpty {
                        debouncer.record(at: Self.now())
                        burst += found
                    }
                }
            }
            if polling != nil || debouncer.fire(at: Self.now()) {
                refresh(burst)
                burst = []
            }
        }
    }

    /// Seconds on the monotonic clock, for the debounce.
    static func now() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }

    fileprivate func addWatch(_ path: String, mask: InotifyMask = .folderEvents) -> Result<Int32, SystemCallError> {
        inotify.addWatch(path, mask: mask)
    }

    fileprivate func removeWatch(_ wd: Int32) {
        inotify.removeWatch(wd)
    }

    /// The message for a reached watch limit.
    static func limitReason(interval: Double) -> String {
        let limit = Inotify.maximumUserWatches().map(String.init) ?? "?"
        let seconds = interval == interval.rounded() ? String(Int(interval)) : String(interval)
        return "the inotify watch limit (fs.inotify.max_user_watches = \(limit)) is reached; checking for changes "
            + "every \(seconds) s instead — raise it with sysctl"
    }
}

/// The watches of one `run`: which folder each descriptor is on, and where missing roots are awaited.
private struct WatchState {
    let watcher: FolderWatcher
    var folders: [Int32: WatchedFolder] = [:]
    /// Roots that do not exist now, each with the watch on the folder above it that will see it return.
    var waits: [String: RootWait] = [:]
    /// Changes the watcher found itself (a root back) while handling an event, for the next refresh.
    var pending: [WatchChange] = []

    init(watcher: FolderWatcher) {
        self.watcher = watcher
    }

    /// How looking for a missing root ended.
    enum RootLookup { case present, awaited, limitReached(String) }

    /// Watches every root, or the folder above a root that does not exist; the fallback reason if the
    /// watch limit stopped it.
    mutating func watchAll() -> String? {
        for root in waits.keys { stopAwaiting(root) }
        // Present roots first, so that a missing root below another one shares that root's watch.
        let missing = watcher.roots.filter(Self.isMissing)
        for root in watcher.roots where !missing.contains(root) {
            if let reason = watchTree(WatchedFolder(absolutePath: root, relativePath: "")) { return reason }
        }
        for root in missing {
            switch awaitRoot(root) {
            case .present:
                if let reason = watchTree(WatchedFolder(absolutePath: root, relativePath: "")) { return reason }
            case .awaited: break
            case .limitReached(let reason): return reason
            }
        }
        return nil
    }

    /// Nothing is there (as opposed to something Lore cannot watch, a file given as a root).
    static func isMissing(_ path: String) -> Bool {
        guard case .failure(let error) = SystemCall.status(atPath: path) else { return false }
        return error.code == ENOENT || error.code == ENOTDIR
    }

    /// Watches the deepest existing folder above `root` for the way down to it to appear; `.present` if
    /// the root exists already (it may have come back before its removal was read).
    mutating func awaitRoot(_ root: String) -> RootLookup {
        stopAwaiting(root)
        while true {
            if !Self.isMissing(root) { return .present }
            guard let ancestor = RootWait.ancestors(of: root).first(where: { !Self.isMissing($0) }) else { return .awaited }
            let wd: Int32
            if let shared = folders.first(where: { $0.value.absolutePath == ancestor })?.key {
                // Already watched as part of another root, with a mask that includes what a wait needs;
                // a second inotify_add_watch would replace that mask.
                wd = shared
            } else {
                switch watcher.addWatch(ancestor, mask: .ancestorEvents) {
                case .success(let descriptor): wd = descriptor
                case .failure(let error) where error.code == ENOSPC:
                    fallBack()
                    return .limitReached(FolderWatcher.limitReason(interval: watcher.options.pollingInterval))
                case .failure(let error) where error.code == ENOENT || error.code == ENOTDIR:
                    // Removed between the look and the watch (`rm -rf` still on its way up): look again,
                    // from higher up.
                    continue
                case .failure:
                    // Not a folder, or unreadable: nothing can announce the root, as the walk cannot reach it.
                    return .awaited
                }
            }
            let wait = RootWait(root: root, ancestor: ancestor, watch: wd)
            // The next folder down may have appeared between the look and the watch: look again from there.
            if let next = wait.nextName, !Self.isMissing(ancestor == "/" ? "/" + next : ancestor + "/" + next) {
                release(wd)
                continue
            }
            waits[root] = wait
            return .awaited
        }
    }

    mutating func stopAwaiting(_ root: String) {
        if let wait = waits.removeValue(forKey: root) { release(wait.watch) }
    }

    /// Removes a wait's watch unless a folder or another wait still uses it.
    func release(_ wd: Int32) {
        if folders[wd] == nil && !waits.values.contains(where: { $0.watch == wd }) { watcher.removeWatch(wd) }
    }

    /// Moves each wait `event` concerns one step on: down as folders on the way to its root appear, up as
    /// its watched folder goes, and back to watching the root when it is there. The fallback reason if the
    /// watch limit was reached.
    mutating func follow(_ event: InotifyEvent) -> String? {
        for wait in waits.values where wait.isAffected(by: event) {
            switch awaitRoot(wait.root) {
            case .present:
                if let reason = watchTree(WatchedFolder(absolutePath: wait.root, relativePath: "")) { return reason }
                pending.append(.rootReturned(wait.root))
            case .awaited: break
            case .limitReached(let reason): return reason
            }
        }
        return nil
    }

    /// Puts a watch on `top` and every folder below it that the walk would enter, reading their ignore
    /// files on the way down. Folders that vanish or cannot be read are left out, as the walk leaves them.
    mutating func watchTree(_ top: WatchedFolder) -> String? {
        var stack = [top]
        while var folder = stack.popLast() {
            let wd: Int32
            switch watcher.addWatch(folder.absolutePath) {
            case .success(let descriptor): wd = descriptor
            case .failure(let error) where error.code == ENOSPC:
                fallBack()
                return FolderWatcher.limitReason(interval: watcher.options.pollingInterval)
            case .failure:
                continue
            }
            // The same folder reached twice (a symbolic link, a loop) has one watch; walk it once.
            if let known = folders[wd], known.absolutePath != folder.absolutePath { continue }
            let listing = SystemCall.withDirectory(atPath: folder.absolutePath) { dir -> [String] in
                if watcher.rules.respectIgnoreFiles {
                    for name in [".gitignore", ".ignore"] where dir.names.contains(name) {
                        let path = folder.child(name).absolutePath
                        if case .success(let bytes) = SystemCall.readFile(name, in: dir.fd, limit: FileWalker.ignoreFileLimit,
                                                                          displayPath: path) {
                            folder.rules.push(Gitignore(text: String(decoding: bytes, as: UTF8.self),
                                                        baseDirectory: folder.relativePath))
                        }
                    }
                }
                return dir.names.filter { name in
                    guard case .success(let status) = SystemCall.status(of: name, in: dir.fd, displayPath: name) else {
                        return false
                    }
                    return status.kind == .directory
                }
            }
            folders[wd] = folder
            guard case .success(let subfolders) = listing else { continue }
            for name in subfolders.sorted().reversed() where watcher.rules.entersFolder(name, in: folder) {
                let (absolute, relative) = folder.child(name)
                stack.append(WatchedFolder(absolutePath: absolute, relativePath: relative, rules: folder.rules))
            }
        }
        return nil
    }

    /// Brings the watches in line with one change; the fallback reason if the watch limit was reached.
    mutating func apply(_ change: WatchChange) -> String? {
        switch change {
        case .fileChanged, .fileRemoved:
            return nil
        case .folderAppeared(let path, let parentWatch):
            guard let parent = folders[parentWatch] else { return nil }
            let name = String(path.split(separator: "/").last ?? "")
            let relative = parent.child(name).relativePath
            return watchTree(WatchedFolder(absolutePath: path, relativePath: relative, rules: parent.rules))
        case .folderGone(let path):
            unwatch(below: path)
            return nil
        case .rootGone(let root):
            unwatch(below: root)
            switch awaitRoot(root) {
            case .present:
                // Replaced already (a move and a new folder in its place): watch the new one.
                pending.append(.rootReturned(root))
                return watchTree(WatchedFolder(absolutePath: root, relativePath: ""))
            case .awaited: return nil
            case .limitReached(let reason): return reason
            }
        case .rootReturned:
            return nil
        case .ignoreRulesChanged, .overflow:
            // Which folders the walk enters may have changed anywhere (or, after an overflow, folders may
            // have appeared unseen): watch everything again.
            for wd in folders.keys { watcher.removeWatch(wd) }
            folders = [:]
            return watchAll()
        case .watchGone(let wd):
            folders[wd] = nil
            return nil
        }
    }

    mutating func unwatch(below path: String) {
        for (wd, folder) in folders where folder.absolutePath == path || folder.absolutePath.hasPrefix(path + "/") {
            watcher.removeWatch(wd)
            folders[wd] = nil
        }
    }

    /// Polling replaces the watches altogether: a half-watched tree would look watched and miss changes.
    mutating func fallBack() {
        for wd in folders.keys { watcher.removeWatch(wd) }
        folders = [:]
        for root in waits.keys { stopAwaiting(root) }
    }
}
