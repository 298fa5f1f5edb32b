/// How a shared store names documents: by their place inside the knowledge base's folders, not by where
/// this machine mounted them, so that two people indexing the same folder from different machines (one
/// at /home/ana/team-docs, one at /mnt/share/docs) meet on the same documents and re-index only what
/// changed.
///
/// With one folder the key is the path inside it (`guide/setup.md`). With several, it starts with the
/// folder's own name (`docs/guide/setup.md`, `notes/todo.md`), which is what both machines share. A root
/// that is a single file is `.` when it is the only root, else its name. A path outside every root keeps
/// its absolute form.
public struct SharedPaths: Sendable, Equatable {
    public let roots: [String]

    public init(roots: [String]) {
        self.roots = roots.map { $0.count > 1 && $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    /// Roots that share a last component, and so would give their documents the same keys: a store that
    /// names documents this way refuses them.
    public var clashingNames: [(name: String, roots: [String])] {
        guard roots.count > 1 else { return [] }
        return Dictionary(grouping: roots, by: Self.lastComponent).filter { $0.value.count > 1 }
            .map { (name: $0.key, roots: $0.value) }.sorted { $0.name < $1.name }
    }

    public func key(for path: String) -> String {
        for root in roots {
            if path == root { return roots.count == 1 ? "." : Self.lastComponent(root) }
            let prefix = root == "/" ? "/" : root + "/"
            if path.hasPrefix(prefix) {
                let inside = String(path.dropFirst(prefix.count))
                return roots.count == 1 ? inside : Self.lastComponent(root) + "/" + inside
            }
        }
        return path
    }

    public func localPath(for key: String) -> String {
        if key.hasPrefix("/") { return key }
        if roots.count == 1, let root = roots.first {
            if key == "." { return root }
            return (root == "/" ? "" : root) + "/" + key
        }
        let first = key.split(separator: "/", maxSplits: 1).first.map(String.init) ?? key
        guard let root = roots.first(where: { Self.lastComponent($0) == first }) else { return key }
        return root + key.dropFirst(first.count)
    }

    static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
