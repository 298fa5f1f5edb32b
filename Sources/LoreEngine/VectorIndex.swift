import Foundation
import LoreCore
import LoreStore

/// The vectors of one knowledge base under one (model, size), held as a single contiguous row-major
/// matrix of unit-length rows so that a search is one sequential scan. Loaded from the store on first
/// use; later searches append only the rows added since (ids grow, never reused) and reload in full only
/// when rows disappeared. Half precision halves the memory and costs a conversion per element.
public final class VectorIndex: @unchecked Sendable {
    public let store: any PassageStore
    public let model: String
    public let dimensions: Int
    public let halfPrecision: Bool
    /// Seconds between checks of the store for new vectors; searches in between use what is loaded.
    public let refreshInterval: Double = 2

    private let lock = NSLock()
    private var single: [Float] = []
    private var half: [Float16] = []
    private var chunkIDs: [Int64] = []
    private var loadedMaxID: Int64 = 0
    private var loaded = false
    private var lastCheck = Date.distantPast

    public init(store: any PassageStore, model: String, dimensions: Int, halfPrecision: Bool = false) {
        self.store = store
        self.model = model
        self.dimensions = dimensions
        self.halfPrecision = halfPrecision
    }

    /// One index per (store file, model, size, precision) in this process, so every retrieval of a chat
    /// shares the loaded matrix.
    public static func shared(store: any PassageStore, model: String, dimensions: Int,
                              halfPrecision: Bool = false) -> VectorIndex {
        let key = "\(store.location)\u{0}\(model)\u{0}\(dimensions)\u{0}\(halfPrecision)"
        return registryLock.withLock {
            if let existing = registry[key] { return existing }
            let index = VectorIndex(store: store, model: model, dimensions: dimensions, halfPrecision: halfPrecision)
            registry[key] = index
            return index
        }
    }
    nonisolated(unsafe) private static var registry: [String: VectorIndex] = [:]
    private static let registryLock = NSLock()

    /// Drops the shared indexes of a store file that was deleted, so that a knowledge base added again
    /// under the same name starts from its new file instead of the old one's matrix and connection.
    public static func forget(storePath: String) {
        registryLock.withLock { registry = registry.filter { !$0.key.hasPrefix(storePath + "\u{0}") } }
    }

    public var count: Int { lock.withLock { chunkIDs.count } }

    /// Bytes held by the matrix and its id column.
    public var memoryBytes: Int {
        lock.withLock {
            (halfPrecision ? half.capacity * 2 : single.capacity * 4) + chunkIDs.capacity * 8
        }
    }

    /// Brings the matrix up to date with the store now, whatever the interval.
    public func refresh() throws {
        try lock.withLock { try refreshLocked(force: true) }
    }

    /// The `k` passages most similar to `query` (any length; normalised here), best first, with cosine scores.
    public func search(_ query: [Float], k: Int) throws -> [(passageID: Int64, score: Float)] {
        guard query.count == dimensions else {
            throw LibraryError("the query vector has \(query.count) dimensions, the index \(dimensions); was the embedding model changed? run `lore index`")
        }
        let unit = VectorSearch.normalized(query)
        return try lock.withLock {
            try refreshLocked(force: false)
            let parts = ProcessInfo.processInfo.activeProcessorCount
            // Rows beyond one per passage are the further parts of long passages, which count once: ask
            // for more rows until k passages are among them or every row is. Without parts the first
            // round has k passages or every row.
            var rows = k
            while true {
                let matches: [VectorMatch]
                if halfPrecision {
                    matches = half.withUnsafeBufferPointer {
                        VectorSearch.parallelTopK(query: unit, matrix: $0, dimensions: dimensions, k: rows, parts: parts)
                    }
                } else {
                    matches = single.withUnsafeBufferPointer {
                        VectorSearch.parallelTopK(query: unit, matrix: $0, dimensions: dimensions, k: rows, parts: parts)
                    }
                }
                let best = VectorSearch.bestPerPassage(matches.map { (chunkIDs[$0.row], $0.score) })
                if best.count >= k || matches.count < rows || rows >= chunkIDs.count {
                    return Array(best.prefix(k))
                }
                rows = min(chunkIDs.count, rows * 4)
            }
        }
    }

    private func refreshLocked(force: Bool) throws {
        if loaded && !force && Date().timeIntervalSince(lastCheck) < refreshInterval { return }
        lastCheck = Date()
        let version = try store.vectorVersion(model: model, dimensions: dimensions)
        if loaded && version.maxID == loadedMaxID && version.count == chunkIDs.count { return }
        // Rows gone (passages deleted, model pruned): start over. Otherwise append what is new.
        if !loaded || version.count < chunkIDs.count || version.maxID < loadedMaxID {
            single = []
            half = []
            chunkIDs = []
            loadedMaxID = 0
        }
        let expected = version.count - chunkIDs.count
        if halfPrecision { half.reserveCapacity(half.count + expected * dimensions) }
        else { single.reserveCapacity(single.count + expected * dimensions) }
        chunkIDs.reserveCapacity(chunkIDs.count + expected)
        loadedMaxID = try store.forEachVector(model: model, dimensions: dimensions, afterID: loadedMaxID) { id, vector in
            chunkIDs.append(id)
            if halfPrecision {
                for value in vector { half.append(Float16(value)) }
            } else {
                single.append(contentsOf: vector)
            }
        }
        loaded = true
        // The appended rows and the deletions since may still disagree with the count (rows deleted while
        // others were added); a second pass from empty settles it.
        if chunkIDs.count != version.count && !force {
            loaded = false
            try refreshLocked(force: true)
        }
    }
}

/// The last query embeddings, so that asking again, paging or evaluating several modes embeds a
/// question once. Least recently used entries go first.
public final class QueryEmbeddingCache: @unchecked Sendable {
    public static let shared = QueryEmbeddingCache(capacity: 256)

    private let capacity: Int
    private let lock = NSLock()
    private var entries: [String: (vector: [Float], tick: Int)] = [:]
    private var tick = 0

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public func vector(model: String, text: String) -> [Float]? {
        lock.withLock {
            let key = model + "\u{0}" + text
            guard var entry = entries[key] else { return nil }
            tick += 1
            entry.tick = tick
            entries[key] = entry
            return entry.vector
        }
    }

    public func store(_ vector: [Float], model: String, text: String) {
        lock.withLock {
            tick += 1
            entries[model + "\u{0}" + text] = (vector, tick)
            if entries.count > capacity, let oldest = entries.min(by: { $0.value.tick < $1.value.tick })?.key {
                entries.removeValue(forKey: oldest)
            }
        }
    }

    public var count: Int { lock.withLock { entries.count } }
}
