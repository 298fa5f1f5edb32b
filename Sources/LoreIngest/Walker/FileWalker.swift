import LoreCore

/// A file the walk found and the indexer should consider.
public struct FoundFile: Sendable, Equatable {
    /// The root folder (as given to the walker) this file was found under.
    public let root: String
    public let absolutePath: String
    /// The path from the root, '/'-separated, as the walk reached it (through symbolic links, if any).
    public let relativePath: String
    public let format: DocumentFormat
    public let size: Int64
    /// Modification time in nanoseconds since 1970, so that two writes within a second still differ.
    public let modificationTimeNanoseconds: Int64
    /// With the inode, identifies the file on disk: a rename keeps it, a rewrite-by-replace changes it.
    public let device: UInt64
    public let inode: UInt64
}

/// Something the walk could not list, with the reason the status line counts it under.
public struct WalkSkip: Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: SkipReason
    /// What exactly went wrong, for `--verbose` and logs ("open /kb/x: Permission denied").
    public let detail: String

    public var description: String { "\(path): \(reason) (\(detail))" }
}

public struct WalkResult: Sendable {
    /// Files to index, sorted by root (in the order given) and then by relative path.
    public var files: [FoundFile] = []
    /// Entries the walk wanted but could not take, sorted by path.
    public var skipped: [WalkSkip] = []
    /// Files skipped only because Lore has no loader for their kind; counted, not listed, since a folder
    /// of images would otherwise flood the list.
    public var unsupportedCount = 0
}

/// Lists the files of a knowledge base: every file under its root folders that Lore can read, minus
/// hidden entries, what .gitignore and .ignore files exclude, and what the include/exclude globs filter.
///
/// The walk uses POSIX calls (`open`, `readdir`, `fstatat`) rather than FileManager: one `fstatat` per entry
/// and nothing else, which lists 100,000 files in a fraction of a second. Symbolic links are followed, files
/// and folders alike; a link back to a folder on the current path is reported as `symlinkLoop` instead of
/// being entered. Ignore files are honoured wherever they are found under a root, whether or not the folder
/// is a git repository (as ripgrep does with `.ignore`); a `.ignore` overrides a `.gitignore` beside it.
public struct FileWalker: Sendable {
    public let roots: [String]
    public let filter: PathFilter
    public let respectIgnoreFiles: Bool
    public let includeHidden: Bool

    /// Ignore files larger than this are not read: a real one is a few KiB.
    static let ignoreFileLimit = 1 << 20

    public init(roots: [String], include: [String] = [], exclude: [String] = [],
                respectIgnoreFiles: Bool = true, includeHidden: Bool = false) {
        self.roots = roots
        self.filter = PathFilter(include: include, exclude: exclude)
        self.respectIgnoreFiles = respectIgnoreFiles
        self.includeHidden = includeHidden
    }

    public func walk() -> WalkResult {
        var result = WalkResult()
        for root in roots {
            var pass = RootWalk(walker: self, root: FileWalker.normalizedRoot(root))
            pass.run()
            pass.files.sort { $0.relativePath.utf8.lexicographicallyPrecedes($1.relativePath.utf8) }
            result.files.append(contentsOf: pass.files)
            result.skipped.append(contentsOf: pass.skipped)
            result.unsupportedCount += pass.unsupportedCount
        }
        result.skipped.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        return result
    }

    /// The root as an absolute path without trailing slashes, so that every `absolutePath` really is one
    /// even when the user named a folder relative to where Lore was started.
    static func normalizedRoot(_ root: String) -> String {
        var path = root
        if !path.hasPrefix("/"), case .success(let cwd) = SystemCall.currentDirectory() {
            while path.hasPrefix("./") { path.removeFirst(2) }
            path = path == "." || path.isEmpty ? cwd : cwd + "/" + path
        }
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }
}

/// The state of walking one root.
private struct RootWalk {
    struct Identity: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    /// A folder waiting to be listed.
    struct Pending {
        let absolute: String
        let relative: String
        let components: [[Unicode.Scalar]]
        let rules: IgnoreRules
        /// Folders on the path from the root to this one: entering any of them again would loop.
        let ancestors: Set<Identity>
    }

    let walker: FileWalker
    let root: String
    var files: [FoundFile] = []
    var skipped: [WalkSkip] = []
    var unsupportedCount = 0

    init(walker: FileWalker, root: String) {
        self.walker = walker
        self.root = root
    }

    mutating func run() {
        switch SystemCall.status(atPath: root) {
        case .failure(let error):
            skip(root, error)
        case .success(let status) where status.kind == .regular:
            // A single file given as a root is taken as it is, filters aside: naming it was explicit.
            let name = String(root.split(separator: "/").last ?? Substring(root))
            if let format = DocumentFormat.forPath(name) {
                files.append(FoundFile(root: root, absolutePath: root, relativePath: name, format: format,
                                       size: status.size,
                                       modificationTimeNanoseconds: status.modificationTimeNanoseconds,
                                       device: status.device, inode: status.inode))
            } else {
                unsupportedCount += 1
            }
        case .success(let status) where status.kind == .directory:
            // Depth-first with an explicit stack: a deep tree cannot overflow the call stack, and only one
            // folder is open at a time, so descriptor limits do not bound the depth either.
            var stack = [Pending(absolute: root, relative: "", components: [], rules: IgnoreRules(),
                                 ancestors: [])]
            while let next = stack.popLast() {
                let children = list(next)
                stack.append(contentsOf: children.reversed())
            }
        case .success:
            skipped.append(WalkSkip(path: root, reason: .unsupported, detail: "not a regular file or folder"))
        }
    }

    /// Lists one folder: records its files and returns its subfolders to walk, in name order.
    mutating func list(_ folder: Pending) -> [Pending] {
        let outcome = SystemCall.withDirectory(atPath: folder.absolute) { dir -> [Pending] in
            listEntries(of: folder, in: dir)
        }
        switch outcome {
        case .success(let children): return children
        case .failure(let error):
            skip(folder.absolute, error)
            return []
        }
    }

    private mutating func listEntries(of folder: Pending, in dir: OpenDirectory) -> [Pending] {
        var ancestors = folder.ancestors
        let identity = Identity(device: dir.status.device, inode: dir.status.inode)
        ancestors.insert(identity)
        for name in dir.undecodableNames {
            skipped.append(WalkSkip(path: join(folder.absolute, name), reason: .unreadable,
                                    detail: "file name is not valid UTF-8"))
        }
        var rules = folder.rules
        if walker.respectIgnoreFiles {
            for ignoreFile in [".gitignore", ".ignore"] where dir.names.contains(ignoreFile) {
                if let text = readIgnoreFile(ignoreFile, in: dir, folder: folder) {
                    rules.push(Gitignore(text: text, baseDirectory: folder.relative))
                }
            }
        }
        let names = dir.names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var children: [Pending] = []
        for name in names {
            if name.hasPrefix(".") && (!walker.includeHidden || name == ".git") { continue }
            let absolute = join(folder.absolute, name)
            let relative = folder.relative.isEmpty ? name : folder.relative + "/" + name
            let status: FileStatus
            switch SystemCall.status(of: name, in: dir.fd, displayPath: absolute) {
            case .success(let s): status = s
            case .failure(let error):
                reportStatFailure(error, name: name, absolute: absolute, in: dir.fd)
                continue
            }
            let components = folder.components + [Array(name.unicodeScalars)]
            switch status.kind {
            case .directory:
                if rules.decision(components: components, isDirectory: true) == .ignored { continue }
                if !walker.filter.allowsDirectory(components: components) { continue }
                if ancestors.contains(Identity(device: status.device, inode: status.inode)) {
                    skipped.append(WalkSkip(path: absolute, reason: .symlinkLoop,
                                            detail: "leads back to a folder that contains it"))
                    continue
                }
                children.append(Pending(absolute: absolute, relative: relative, components: components,
                                        rules: rules, ancestors: ancestors))
            case .regular:
                if rules.decision(components: components, isDirectory: false) == .ignored { continue }
                guard let format = DocumentFormat.forPath(name) else {
                    unsupportedCount += 1
                    continue
                }
                if !walker.filter.allowsFile(components: components) { continue }
                if let error = SystemCall.checkReadable(name, in: dir.fd, displayPath: absolute) {
                    skip(absolute, error)
                    continue
                }
                files.append(FoundFile(root: root, absolutePath: absolute, relativePath: relative, format: format,
                                       size: status.size,
                                       modificationTimeNanoseconds: status.modificationTimeNanoseconds,
                                       device: status.device, inode: status.inode))
            case .other:
                // Sockets, pipes and devices hold no documents; reading a FIFO would even block the walk.
                continue
            }
        }
        return children
    }

    private mutating func readIgnoreFile(_ name: String, in dir: OpenDirectory, folder: Pending) -> String? {
        let path = join(folder.absolute, name)
        switch SystemCall.readFile(name, in: dir.fd, limit: FileWalker.ignoreFileLimit, displayPath: path) {
        case .success(let bytes):
            return String(decoding: bytes, as: UTF8.self)
        case .failure(let error):
            // A folder holding an ignore file may not be read (EISDIR) or may be unreadable; its rules are
            // then unknown, which the person should hear about.
            skip(path, error)
            return nil
        }
    }

    /// Tells a dangling link from a file that vanished between `readdir` and `stat`.
    private mutating func reportStatFailure(_ error: SystemCallError, name: String, absolute: String, in fd: Int32) {
        if error.isSymlinkLoop {
            skipped.append(WalkSkip(path: absolute, reason: .symlinkLoop, detail: error.description))
        } else if error.isNotFound,
                  case .success = SystemCall.status(of: name, in: fd, followSymlinks: false, displayPath: absolute) {
            skipped.append(WalkSkip(path: absolute, reason: .unreadable,
                                    detail: "symbolic link to a missing file"))
        } else {
            skip(absolute, error)
        }
    }

    private mutating func skip(_ path: String, _ error: SystemCallError) {
        let reason: SkipReason = error.isNotFound ? .vanished : error.isSymlinkLoop ? .symlinkLoop : .unreadable
        skipped.append(WalkSkip(path: path, reason: reason, detail: error.description))
    }

    private func join(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }
}
