import LoreCore

/// A folder the watcher has a watch on, with what the walker would know on reaching it: its place under
/// the root and the ignore rules in force for its entries (its own .gitignore and .ignore included).
public struct WatchedFolder: Sendable {
    public var absolutePath: String
    /// '/'-separated from the root; empty for the root itself.
    public var relativePath: String
    public var rules: IgnoreRules

    public init(absolutePath: String, relativePath: String, rules: IgnoreRules = IgnoreRules()) {
        self.absolutePath = absolutePath
        self.relativePath = relativePath
        self.rules = rules
    }

    public var components: [[Unicode.Scalar]] {
        relativePath.isEmpty ? [] : relativePath.split(separator: "/").map { Array($0.unicodeScalars) }
    }

    public func child(_ name: String) -> (absolutePath: String, relativePath: String) {
        (absolutePath.hasSuffix("/") ? absolutePath + name : absolutePath + "/" + name,
         relativePath.isEmpty ? name : relativePath + "/" + name)
    }

}

/// What one inotify event means for the index.
public enum WatchChange: Sendable, Equatable {
    /// A file the index holds or would hold was written, created, moved in, or touched.
    case fileChanged(String)
    /// Such a file was deleted or moved away.
    case fileRemoved(String)
    /// A folder the walk would enter appeared (created or moved in): it needs watches, and its files,
    /// which may have been written before the watch existed, need indexing.
    case folderAppeared(String, parentWatch: Int32)
    /// A watched folder was deleted or moved away: its watches go, and its files leave the index.
    case folderGone(String)
    /// A root folder itself was deleted, moved away or unmounted: its files leave the index, and the
    /// watcher watches the nearest folder above it that exists, to see it come back.
    case rootGone(String)
    /// A root folder that was gone exists again (created, moved back, checked out): it is watched again
    /// and the index catches up with whatever it now holds.
    case rootReturned(String)
    /// A .gitignore or .ignore changed: which files belong to the knowledge base may have changed anywhere
    /// below that folder.
    case ignoreRulesChanged(String)
    /// The kernel dropped events: only a full pass can tell what changed.
    case overflow
    /// The watch no longer exists (its folder is gone, or it was removed).
    case watchGone(Int32)

    /// Whether the change calls for a refresh of the index.
    public var needsRefresh: Bool {
        if case .watchGone = self { return false }
        return true
    }
}

/// The walker's rules for what belongs to a knowledge base, applied to single events: hidden entries,
/// ignore files, the include/exclude globs, and files Lore has no loader for. An event none of them lets
/// through changes nothing the index holds, so it causes no refresh.
public struct WatchRules: Sendable {
    public let filter: PathFilter
    public let respectIgnoreFiles: Bool

    public init(include: [String] = [], exclude: [String] = [], respectIgnoreFiles: Bool = true) {
        filter = PathFilter(include: include, exclude: exclude)
        self.respectIgnoreFiles = respectIgnoreFiles
    }

    static let ignoreFileNames: Set<String> = [".gitignore", ".ignore"]

    /// Whether the walk would enter `name`, a folder inside `folder`.
    public func entersFolder(_ name: String, in folder: WatchedFolder) -> Bool {
        if name.hasPrefix(".") { return false }
        let components = folder.components + [Array(name.unicodeScalars)]
        if folder.rules.decision(components: components, isDirectory: true) == .ignored { return false }
        return filter.allowsDirectory(components: components)
    }

    /// Whether the walk would list `name`, a file inside `folder`, for indexing.
    public func indexesFile(_ name: String, in folder: WatchedFolder) -> Bool {
        if name.hasPrefix(".") || DocumentFormat.forPath(name) == nil { return false }
        let components = folder.components + [Array(name.unicodeScalars)]
        if folder.rules.decision(components: components, isDirectory: false) == .ignored { return false }
        return filter.allowsFile(components: components)
    }

    /// What `event` means, given the folder its watch is on (nil for a watch the watcher no longer knows,
    /// whose late events are dropped). Nil when it changes nothing the index holds.
    public func change(for event: InotifyEvent, in folder: WatchedFolder?) -> WatchChange? {
        if event.mask.contains(.queueOverflow) { return .overflow }
        if event.mask.contains(.ignored) {
            // The kernel dropped a root's watch without saying it was deleted or moved: it is gone all the same.
            if let folder, folder.relativePath.isEmpty { return .rootGone(folder.absolutePath) }
            return .watchGone(event.watch)
        }
        guard let folder else { return nil }
        if event.name.isEmpty {
            // Events about the watched folder itself: its parent's watch reports the same deletion or move,
            // except for a root, which has no watched parent.
            if folder.relativePath.isEmpty, !event.mask.isDisjoint(with: [.deleteSelf, .moveSelf, .unmount]) {
                return .rootGone(folder.absolutePath)
            }
            return nil
        }
        let absolute = folder.child(event.name).absolutePath
        if respectIgnoreFiles, Self.ignoreFileNames.contains(event.name) {
            return .ignoreRulesChanged(folder.absolutePath)
        }
        let leaves = !event.mask.isDisjoint(with: [.delete, .movedFrom])
        if event.mask.contains(.isDirectory) {
            guard entersFolder(event.name, in: folder) else { return nil }
            if leaves { return .folderGone(absolute) }
            if !event.mask.isDisjoint(with: [.create, .movedTo]) {
                return .folderAppeared(absolute, parentWatch: event.watch)
            }
            return nil
        }
        guard indexesFile(event.name, in: folder) else { return nil }
        return leaves ? .fileRemoved(absolute) : .fileChanged(absolute)
    }
}

/// Where the watcher waits for a root folder that does not exist: a watch on the nearest folder above it
/// that does, which reports the next folder on the way down appearing, or itself going too.
public struct RootWait: Sendable, Equatable {
    public var root: String
    /// The deepest existing folder above `root`, the one watched.
    public var ancestor: String
    public var watch: Int32

    public init(root: String, ancestor: String, watch: Int32) {
        self.root = root
        self.ancestor = ancestor
        self.watch = watch
    }

    /// The folders above `path`, nearest first, ending with "/".
    public static func ancestors(of path: String) -> [String] {
        var parts = path.split(separator: "/", omittingEmptySubsequences: true)
        var result: [String] = []
        while !parts.isEmpty {
            parts.removeLast()
            result.append("/" + parts.joined(separator: "/"))
        }
        return result
    }

    /// The name of the next folder on the way from `ancestor` down to `root` ("b" for /a and /a/b/c).
    public var nextName: String? {
        let prefix = ancestor.hasSuffix("/") ? ancestor : ancestor + "/"
        guard root.hasPrefix(prefix) else { return nil }
        return root.dropFirst(prefix.count).split(separator: "/").first.map(String.init)
    }

    /// Whether `event`, read from `watch`, can mean the root came back or the way to it changed: the next
    /// folder down appeared (created or moved in), or the watched ancestor itself went away.
    public func isAffected(by event: InotifyEvent) -> Bool {
        guard event.watch == watch else { return false }
        if event.name.isEmpty { return !event.mask.isDisjoint(with: [.deleteSelf, .moveSelf, .unmount, .ignored]) }
        return event.mask.contains(.isDirectory) && !event.mask.isDisjoint(with: [.create, .movedTo])
            && event.name == nextName
    }
}
