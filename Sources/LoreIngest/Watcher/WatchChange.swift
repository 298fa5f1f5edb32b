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
        if event.mask.contains(.ignored) { return .watchGone(event.watch) }
        guard let folder else { return nil }
        if event.name.isEmpty {
            // Events about the watched folder itself: its parent's watch reports the same deletion or move,
            // except for a root, which has no watched parent.
            if folder.relativePath.isEmpty, !event.mask.isDisjoint(with: [.deleteSelf, .moveSelf, .unmount]) {
                return .folderGone(folder.absolutePath)
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
