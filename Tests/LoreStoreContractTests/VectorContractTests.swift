import Foundation
import LoreCore
import LoreIngest
import LorePostgres
import LoreStore
import Testing

/// Vectors are deterministic stand-ins (`fakeVector`, 8 dimensions), one direction per passage, so that
/// "the passage whose vector is the query comes first" is a fact and not a hope.
@Suite("Store contract: vectors")
struct VectorContractTests {
    static let model = "contract-fake"

    private func counts(_ store: any PassageStore) throws -> [String] {
        try store.vectorCounts().map { "\($0.model)/\($0.dimensions)=\($0.count)" }
    }

    private func allVectors(_ store: any PassageStore, model: String = Self.model, dimensions: Int = 8,
                            afterID: Int64 = 0) throws -> (vectors: [Int64: [Float]], last: Int64) {
        var vectors: [Int64: [Float]] = [:]
        let last = try store.forEachVector(model: model, dimensions: dimensions, afterID: afterID) { id, buffer in
            #expect(vectors[id] == nil, "passage \(id) handed over twice")
            vectors[id] = Array(buffer)
        }
        return (vectors, last)
    }

    /// Every passage, in id order, given `fakeVector(its place in that order)` under `model` at 8
    /// dimensions; the passages as they were handed out to embed.
    private func embedAll(_ store: any PassageStore) throws -> (all: [Passage], missing: [PassageToEmbed]) {
        let all = try store.allPassages().sorted { $0.id < $1.id }
        let missing = try store.passagesWithoutVectors(model: Self.model, dimensions: 8, afterID: 0, limit: 10_000)
        #expect(missing.map(\.id) == all.map(\.id))
        #expect(try store.putVectors(missing.enumerated().map { ($0.element, fakeVector($0.offset)) }, model: Self.model) == all.count)
        return (all, missing)
    }

    /// Whether this store searches vectors itself: PostgreSQL with pgvector.
    private func searchesInside(_ store: any PassageStore) -> Bool {
        (store as? PostgresStore)?.hasPgvector == true
    }

    @Test("the parts of a long passage: stored beside its first vector, counted once, found once at the best part",
          arguments: Backend.available)
    func passageParts(_ backend: Backend) throws {
        let kb = try IndexedFolder(backend)
        let store = kb.store
        let model = Self.model
        let (all, missing) = try embedAll(store)
        let n = all.count
        let long = missing[3]
        var parts: [(passage: PassageToEmbed, vector: [Float])] = []
        for part in 1...2 {
            var piece = long
            piece.part = part
            parts.append((piece, fakeVector(990 + part)))
        }
        #expect(try store.putVectors(parts, model: model) == 0, "further parts add no passage")
        #expect(try store.putVectors(parts, model: model) == 0, "writing them again replaces them")
        #expect(try store.vectorCoverage(model: model, dimensions: 8) == VectorCoverage(passages: n, embedded: n))
        #expect(try counts(store) == ["\(model)/8=\(n)"])
        #expect(try store.vectorVersion(model: model, dimensions: 8).count == n + 2)
        var rows: [Int64] = []
        try store.forEachVector(model: model, dimensions: 8, afterID: 0) { id, _ in rows.append(id) }
        #expect(rows.count == n + 2 && rows.filter { $0 == long.id }.count == 3)
        #expect(try store.passagesWithoutVectors(model: model, dimensions: 8, afterID: 0, limit: 10).isEmpty)
        if searchesInside(store) {
            // The second part's direction finds the passage first, once.
            let found = try #require(try store.nearestPassages(to: unit(fakeVector(992)), model: model, k: 5))
            #expect(found.first?.passageID == long.id)
            #expect(found.first.map { abs($0.score - 1) < 1e-4 } == true)
            #expect(Set(found.map(\.passageID)).count == found.count && found.count == 5)
            let exact = try (store as! PostgresStore).exactNearestPassages(to: unit(fakeVector(991)), model: model, k: 5)
            #expect(exact.first == long.id && Set(exact).count == 5)
        }
        #expect(try store.removeVectors(except: "another", dimensions: 8) == n + 2)
        #expect(try store.vectorVersion(model: model, dimensions: 8).count == 0)
    }

    @Test("missing vectors, writing them, coverage, counts, versions, loading and searching", arguments: Backend.available)
    func vectorLifecycle(_ backend: Backend) throws {
        let kb = try IndexedFolder(backend)
        let store = kb.store
        let model = Self.model
        let all = try store.allPassages().sorted { $0.id < $1.id }
        let n = all.count
        try #require(n >= 20)
        let seed = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($0.element.id, $0.offset) })

        // Nothing embedded yet: every passage is waiting, in id order, page by page.
        let missing = try store.passagesWithoutVectors(model: model, dimensions: 8, afterID: 0, limit: 10_000)
        #expect(missing.map(\.id) == all.map(\.id))
        #expect(missing.map(\.body) == all.map(\.text))
        #expect(missing.allSatisfy { $0.text.hasSuffix($0.body) })
        #expect(zip(missing, all).allSatisfy { $0.text.hasPrefix($1.title) })
        var paged: [Int64] = []
        var after: Int64 = 0
        while true {
            let page = try store.passagesWithoutVectors(model: model, dimensions: 8, afterID: after, limit: 7)
            guard let last = page.last else { break }
            #expect(page.count <= 7)
            paged += page.map(\.id)
            after = last.id
        }
        #expect(paged == all.map(\.id))
        #expect(try store.vectorCoverage(model: model, dimensions: 8) == VectorCoverage(passages: n, embedded: 0))
        #expect(try counts(store) == [])
        #expect(try store.vectorVersion(model: model, dimensions: 8) == (count: 0, maxID: 0))
        #expect(try allVectors(store).vectors.isEmpty)
        #expect(try allVectors(store, afterID: 17).last == 17)

        // One passage changed since it was read: its vector is not written.
        let stale = missing[n - 1]
        let wrongBody = PassageToEmbed(id: stale.id, text: stale.text, body: stale.body + " (edited since)")
        var batch = missing.dropLast().map { (passage: $0, vector: fakeVector(seed[$0.id]!)) }
        batch.append((passage: wrongBody, vector: fakeVector(n - 1)))
        #expect(try store.putVectors(batch, model: model) == n - 1)
        #expect(try store.vectorCoverage(model: model, dimensions: 8) == VectorCoverage(passages: n, embedded: n - 1))
        #expect(try store.passagesWithoutVectors(model: model, dimensions: 8, afterID: 0, limit: 100) == [stale])
        #expect(try counts(store) == ["\(model)/8=\(n - 1)"])
        let firstVersion = try store.vectorVersion(model: model, dimensions: 8)
        #expect(firstVersion.count == n - 1 && firstVersion.maxID > 0)

        // With the body it has now, it is written; the version moves on.
        #expect(try store.putVectors([(passage: stale, vector: fakeVector(n - 1))], model: model) == 1)
        let version = try store.vectorVersion(model: model, dimensions: 8)
        #expect(version.count == n && version.maxID > firstVersion.maxID)
        #expect(try store.passagesWithoutVectors(model: model, dimensions: 8, afterID: 0, limit: 100).isEmpty)
        // A passage that does not exist, and an empty batch, write nothing.
        #expect(try store.putVectors([(passage: PassageToEmbed(id: 987_654_321, text: "x", body: "x"), vector: fakeVector(1))],
                                     model: model) == 0)
        #expect(try store.putVectors([], model: model) == 0)
        #expect(try store.vectorVersion(model: model, dimensions: 8) == version)

        // Every vector comes back once, at unit length, and the last id is the version's.
        let loaded = try allVectors(store)
        #expect(loaded.last == version.maxID)
        #expect(Set(loaded.vectors.keys) == Set(all.map(\.id)))
        for (id, vector) in loaded.vectors {
            let expected = unit(fakeVector(seed[id]!))
            #expect(vector.count == 8)
            #expect(zip(vector, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "passage \(id)")
        }
        #expect(try allVectors(store, afterID: version.maxID) == ([:], version.maxID))
        #expect(try allVectors(store, dimensions: 4).vectors.isEmpty)
        #expect(try allVectors(store, model: "no-such-model").vectors.isEmpty)

        // Searching inside the store: the passage whose vector is the query comes first.
        let queries = [0, n / 2, n - 1]
        if searchesInside(store) {
            for place in queries {
                let query = fakeVector(place).map { $0 * 5 }  // any length: cosine does not care
                let found = try #require(try store.nearestPassages(to: unit(query), model: model, k: 3))
                #expect(found.count == 3)
                #expect(found.first?.passageID == all[place].id, "query \(place)")
                #expect(abs((found.first?.score ?? 0) - 1) < 1e-4)
                #expect(zip(found, found.dropFirst()).allSatisfy { $0.score >= $1.score })
            }
            #expect(try store.nearestPassages(to: unit(fakeVector(3)), model: model, k: n + 10)?.count == n)
            #expect(try store.nearestPassages(to: unit(fakeVector(3)), model: "no-such-model", k: 5)?.isEmpty == true)
        } else {
            #expect(try store.nearestPassages(to: unit(fakeVector(0)), model: model, k: 3) == nil)
        }
    }

    @Test("removeVectors(except:) drops other models and sizes; deleting or editing a document drops its vectors",
          arguments: Backend.available)
    func vectorsFollowTheirPassages(_ backend: Backend) throws {
        let kb = try IndexedFolder(backend)
        let store = kb.store
        let model = Self.model
        let (all, missing) = try embedAll(store)
        let n = all.count
        let seed = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($0.element.id, $0.offset) })

        // Other models, and this model at another size.
        #expect(try store.putVectors(missing.prefix(5).map { ($0, fakeVector(seed[$0.id]!, dimensions: 4)) },
                                     model: "other-model") == 5)
        #expect(try store.putVectors(missing.prefix(2).map { ($0, fakeVector(seed[$0.id]!, dimensions: 4)) },
                                     model: model) == 2)
        #expect(try counts(store) == ["\(model)/4=2", "\(model)/8=\(n)", "other-model/4=5"])
        #expect(try store.vectorCoverage(model: model, dimensions: 4) == VectorCoverage(passages: n, embedded: 2))
        #expect(try store.vectorCoverage(model: model, dimensions: 8) == VectorCoverage(passages: n, embedded: n))
        #expect(try allVectors(store, model: "other-model", dimensions: 4).vectors.count == 5)
        if searchesInside(store) {
            let found = try store.nearestPassages(to: unit(fakeVector(1, dimensions: 4)), model: "other-model", k: 1)
            #expect(found?.first?.passageID == all[1].id)
        }

        #expect(try store.removeVectors(except: model, dimensions: 8) == 7)
        #expect(try counts(store) == ["\(model)/8=\(n)"])
        #expect(try allVectors(store, model: "other-model", dimensions: 4).vectors.isEmpty)
        #expect(try store.removeVectors(except: model, dimensions: 8) == 0)
        if let postgres = store as? PostgresStore, postgres.hasPgvector {
            // The HNSW indexes of the models that went go with them; the kept one stays.
            let indexes = try postgres.withSQL { conn in
                try conn.query("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'lore_vectors_hnsw_%'").rows.compactMap { $0[0] }
            }
            #expect(indexes == [PostgresStore.indexName(model: model, dimensions: 8)])
        }
        if searchesInside(store) {
            #expect(try store.nearestPassages(to: unit(fakeVector(4)), model: model, k: 1)?.first?.passageID == all[4].id)
        }

        // A deleted document takes its vectors with it.
        let deleted = "primer/chunking.txt"
        let goneIDs = Set(try kb.ids(deleted))
        try #require(!goneIDs.isEmpty)
        try kb.folder.remove(deleted)
        #expect(try kb.index().removed == 1)
        let left = n - goneIDs.count
        #expect(try store.vectorCoverage(model: model, dimensions: 8) == VectorCoverage(passages: left, embedded: left))
        #expect(try counts(store) == ["\(model)/8=\(left)"])
        #expect(try store.vectorVersion(model: model, dimensions: 8).count == left)
        #expect(Set(try allVectors(store).vectors.keys) == Set(all.map(\.id)).subtracting(goneIDs))
        if searchesInside(store) {
            let goneSeed = seed[goneIDs.min()!]!
            let found = try #require(try store.nearestPassages(to: unit(fakeVector(goneSeed)), model: model, k: 5))
            #expect(found.allSatisfy { !goneIDs.contains($0.passageID) })
        }

        // An edited document has new passages, and they are the ones waiting for vectors.
        let edited = "guide/installing.md"
        let oldIDs = Set(try kb.ids(edited))
        try kb.folder.write(edited, try kb.folder.read(edited) + "\n\n## Afterword\n\nThe numbat step comes last.\n")
        try kb.folder.setModified(edited, to: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(try kb.index().updated == 1)
        let newIDs = try kb.ids(edited)
        let waiting = try store.passagesWithoutVectors(model: model, dimensions: 8, afterID: 0, limit: 1000)
        #expect(waiting.map(\.id) == newIDs.sorted())
        #expect(Set(newIDs).isDisjoint(with: oldIDs))
        let coverage = try store.vectorCoverage(model: model, dimensions: 8)
        #expect(coverage.embedded == left - oldIDs.count && coverage.missing == newIDs.count)
        #expect(try allVectors(store).vectors.keys.allSatisfy { !oldIDs.contains($0) })
    }
}
