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
                    guard let change = rules.change(for: event, in: state.folders[event.watch]) else { continue }
                    if let reason = state.apply(change) {
                        polling = reason
                        mode(.polling(reason: reason))
                    }
                    if change.needsRefresh {
                        debouncer.record(at: Self.now())
                        burst.append(change)
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

    fileprivate func addWatch(_ path: String) -> Result<Int32, SystemCallError> {
        inotify.addWatch(path, mask: .folderEvents)
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

/// The watches of one `run`: which folder each descriptor is on.
private struct WatchState {
    let watcher: FolderWatcher
    var folders: [Int32: WatchedFolder] = [:]

    init(watcher: FolderWatcher) {
        self.watcher = watcher
    }

    /// Watches every root; the fallback reason if the watch limit stopped it.
    mutating func watchAll() -> String? {
        for root in watcher.roots {
            if let reason = watchTree(WatchedFolder(absolutePath: root, relativePath: "")) { return reason }
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
    }
}
