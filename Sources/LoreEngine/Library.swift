import Foundation
import LoreCore
import LoreIngest
import LorePostgres
import LoreStore
import Synchronization

/// A knowledge base ready to use: its definition, the store of its passages, and the person's own file
/// of conversations about it.
public struct KnowledgeBase: Sendable {
    public var definition: KnowledgeBaseDefinition
    /// Documents, passages, keyword index and vectors: an SQLite file, or a shared PostgreSQL database.
    public var store: any PassageStore
    /// Conversations and ratings: always this person's SQLite file, the same one as `store` when the
    /// passages are local too.
    public var history: KnowledgeBaseStore
    /// True for a folder given with `--kb PATH` rather than a name from the config.
    public var isAdHoc: Bool

    public var name: String { definition.name }

    public init(definition: KnowledgeBaseDefinition, store: KnowledgeBaseStore, isAdHoc: Bool) {
        self.init(definition: definition, store: store, history: store, isAdHoc: isAdHoc)
    }

    public init(definition: KnowledgeBaseDefinition, store: any PassageStore, history: KnowledgeBaseStore, isAdHoc: Bool) {
        self.definition = definition
        self.store = store
        self.history = history
        self.isAdHoc = isAdHoc
    }

    /// True when the passages live in a shared database rather than in `history`'s file.
    public var isShared: Bool { store !== history }

    public func indexer(config: LoreConfig) -> Indexer {
        Indexer(store: store, roots: definition.paths, include: definition.include, exclude: definition.exclude,
                options: IndexOptions(chunking: config.chunking, maxFileBytes: config.maxFileBytes))
    }
}

/// A row of `lore kb list`.
public struct KnowledgeBaseListing: Sendable, Codable {
    public var name: String
    public var paths: [String]
    public var isDefault: Bool
    public var statistics: StoreStatistics?
    /// "not indexed yet", "indexed", or why the file could not be read.
    public var state: String
}

/// A person's error about knowledge bases: which one, and what to do.
public struct LibraryError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The knowledge bases of one Lore installation: the config that names them and the files that hold them.
public struct Library: Sendable {
    public var paths: LorePaths
    public var configFile: ConfigFile
    public var config: LoreConfig

    public init(paths: LorePaths = .resolve()) throws {
        self.paths = paths
        configFile = try ConfigFile(path: paths.configFile)
        config = try configFile.parse()
    }

    public func storePath(for name: String) -> String {
        paths.dataDirectory + "/kb/\(name).sqlite"
    }

    /// A folder used with `--kb PATH` gets a store of its own, named after the folder and its full path.
    public func adHocStorePath(for folder: String) -> String {
        let name = (folder as NSString).lastPathComponent.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in folder.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return paths.dataDirectory + "/adhoc/\(name.isEmpty ? "root" : name)-\(String(hash, radix: 16)).sqlite"
    }

    /// The name a command should use: the one given, else `default_kb`, else the only one there is.
    public func resolveName(_ requested: String?) throws -> String {
        if let requested { return requested }
        if let name = config.defaultKnowledgeBase { return name }
        if config.knowledgeBases.count == 1, let only = config.knowledgeBases.keys.first { return only }
        if config.knowledgeBases.isEmpty {
            throw LibraryError("no knowledge base yet; add one with `lore kb add NAME FOLDER`, or pass `--kb FOLDER`")
        }
        let names = config.knowledgeBases.keys.sorted().joined(separator: ", ")
        throw LibraryError("several knowledge bases (\(names)) and none is the default; choose with `--kb NAME` or `lore kb use NAME`")
    }

    /// Opens a knowledge base by name, or a folder ad hoc when `nameOrPath` is a path to one.
    public func open(_ nameOrPath: String?) throws -> KnowledgeBase {
        if let value = nameOrPath, value.contains("/") || value == "." || value == ".." || (config.knowledgeBases[value] == nil && isDirectory(value)) {
            let folder = Self.absolute(value)
            guard isDirectory(folder) else {
                throw LibraryError("\(value): no such folder; give an existing folder or a knowledge-base name from `lore kb list`")
            }
            let store = try KnowledgeBaseStore(path: adHocStorePath(for: folder))
            return KnowledgeBase(definition: KnowledgeBaseDefinition(name: (folder as NSString).lastPathComponent,
                                                                     paths: [folder]),
                                 store: store, isAdHoc: true)
        }
        let name = try resolveName(nameOrPath)
        guard let definition = config.knowledgeBases[name] else { throw unknownKnowledgeBase(name) }
        let history = try KnowledgeBaseStore(path: storePath(for: name))
        guard let shared = definition.store else {
            return KnowledgeBase(definition: definition, store: history, isAdHoc: false)
        }
        return KnowledgeBase(definition: definition, store: try Self.sharedStore(shared, definition: definition),
                             history: history, isAdHoc: false)
    }

    /// The shared PostgreSQL store of a knowledge base, one per URL in this process (its connection pool
    /// and the HNSW indexes it made sure of are worth keeping across questions).
    static func sharedStore(_ text: String, definition: KnowledgeBaseDefinition) throws -> PostgresStore {
        let location: PostgresLocation
        do { location = try PostgresLocation(parsing: text) } catch let error as PostgresLocationError {
            throw LibraryError("[kb.\(definition.name)] store: \(error.message)")
        }
        let key = location.display + "\u{0}" + definition.paths.joined(separator: "\u{0}")
        return try sharedStores.withLock { stores in
            if let open = stores[key] { return open }
            let store = try PostgresStore(url: location, roots: definition.paths)
            stores[key] = store
            return store
        }
    }
    private static let sharedStores = Mutex<[String: PostgresStore]>([:])

    /// The error for a name that is not in the config: the known names, and how to add this one.
    public func unknownKnowledgeBase(_ name: String) -> LibraryError {
        let known = config.knowledgeBases.keys.sorted()
        let hint = known.isEmpty ? "add it with `lore kb add \(name) FOLDER`"
            : "known: \(known.joined(separator: ", ")); or add it with `lore kb add \(name) FOLDER`"
        return LibraryError("no knowledge base named \"\(name)\"; \(hint)")
    }

    public func listings() -> [KnowledgeBaseListing] {
        config.knowledgeBases.values.sorted { $0.name < $1.name }.map { definition in
            let file = storePath(for: definition.name)
            var listing = KnowledgeBaseListing(name: definition.name, paths: definition.paths,
                                               isDefault: definition.name == config.defaultKnowledgeBase,
                                               statistics: nil, state: "not indexed yet")
            if let shared = definition.store {
                do {
                    let store = try Self.sharedStore(shared, definition: definition)
                    listing.statistics = try store.statistics()
                    listing.state = (listing.statistics?.lastIndexed == nil ? "not indexed yet" : "indexed") + " on \(store.location)"
                } catch {
                    listing.state = "unreachable: \(error)"
                }
            } else if FileManager.default.fileExists(atPath: file) {
                do {
                    let store = try KnowledgeBaseStore(path: file)
                    listing.statistics = try store.statistics()
                    listing.state = listing.statistics?.lastIndexed == nil ? "indexing interrupted; run `lore index`" : "indexed"
                } catch {
                    listing.state = "unreadable: \(error)"
                }
            }
            let missing = definition.paths.filter { !isDirectory($0) && !FileManager.default.fileExists(atPath: $0) }
            if !missing.isEmpty { listing.state += "; missing folder \(missing.joined(separator: ", "))" }
            return listing
        }
    }

    // MARK: - Changing the set of knowledge bases

    public mutating func add(_ definition: KnowledgeBaseDefinition) throws {
        guard KnowledgeBaseDefinition.isValidName(definition.name) else {
            throw LibraryError("\"\(definition.name)\" cannot be a knowledge-base name; use letters, digits, '-' and '_'")
        }
        guard config.knowledgeBases[definition.name] == nil else {
            throw LibraryError("a knowledge base named \"\(definition.name)\" exists; remove it first or choose another name")
        }
        var resolved = definition
        resolved.paths = definition.paths.map(Self.absolute)
        for folder in resolved.paths where !isDirectory(folder) && !FileManager.default.fileExists(atPath: folder) {
            throw LibraryError("\(folder): no such file or folder")
        }
        if let shared = resolved.store {
            // Reach the database (and set up its tables) before the config names it, so that a wrong
            // host, user or password is said now and leaves nothing half-added.
            do { _ = try Self.sharedStore(shared, definition: resolved) } catch let error as StoreError {
                throw LibraryError("\(error)")
            }
        }
        var file = configFile
        file.addKnowledgeBase(resolved)
        if config.knowledgeBases.isEmpty && config.defaultKnowledgeBase == nil {
            file.setDefaultKnowledgeBase(resolved.name)
        }
        try commit(file)
    }

    public mutating func remove(_ name: String) throws {
        guard config.knowledgeBases[name] != nil else {
            throw LibraryError("no knowledge base named \"\(name)\"; see `lore kb list`")
        }
        var file = configFile
        file.removeKnowledgeBase(name)
        try commit(file)
        VectorIndex.forget(storePath: storePath(for: name))
        for suffix in ["", "-wal", "-shm", ".index-lock"] {
            try? FileManager.default.removeItem(atPath: storePath(for: name) + suffix)
        }
    }

    public mutating func setDefault(_ name: String) throws {
        guard config.knowledgeBases[name] != nil else {
            throw LibraryError("no knowledge base named \"\(name)\"; see `lore kb list`")
        }
        var file = configFile
        file.setDefaultKnowledgeBase(name)
        try commit(file)
    }

    /// Checks the edited text parses before it replaces the file, so an edit never leaves a broken config.
    private mutating func commit(_ file: ConfigFile) throws {
        let parsed = try file.parse()
        try file.save()
        configFile = file
        config = parsed
    }

    static func absolute(_ path: String) -> String {
        let expanded = ConfigFile.expandTilde(path)
        let full = expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
        return URL(fileURLWithPath: full).standardizedFileURL.path
    }

    private func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: ConfigFile.expandTilde(path), isDirectory: &isDir) && isDir.boolValue
    }
}

