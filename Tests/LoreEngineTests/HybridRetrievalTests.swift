import Foundation
import LoreBench
import LoreCore
import LoreEngine
import LoreIngest
import LoreLLM
import LoreStore
import Testing

/// An embedding server on loopback whose vectors are hashed bags of words: texts sharing words are
/// similar, which is enough to check the plumbing without a model.
final class BagOfWordsServer: @unchecked Sendable {
    static let dims = 32
    let server: LoopbackServer
    /// Requests after this many are answered by closing the connection, as a server that died.
    init(dieAfter: Int = .max) throws {
        server = try LoopbackServer { request, index in
            guard index < dieAfter else {
                return .init(status: 503, contentType: "application/json", body: Data(#"{"error":{"message":"shutting down"}}"#.utf8))
            }
            let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any]
            let texts = object?["input"] as? [String] ?? []
            let items = texts.enumerated().map { ["index": $0.offset, "embedding": Self.vector($0.element)] as [String: Any] }
            return .init(contentType: "application/json", body: try! JSONSerialization.data(withJSONObject: ["data": items]))
        }
    }

    static func vector(_ text: String) -> [Float] {
        var v = [Float](repeating: 0, count: dims)
        for word in text.lowercased().split(whereSeparator: { !$0.isLetter }) where word.count > 3 {
            var h: UInt32 = 2166136261
            for b in word.utf8 { h = (h ^ UInt32(b)) &* 16777619 }
            v[Int(h % UInt32(dims))] += 1
        }
        return v
    }

    func settings(model: String = "bag") -> EmbeddingSettings {
        EmbeddingSettings(baseURL: server.baseURL + "/v1", model: model, batchSize: 2, concurrency: 2)
    }

    deinit { server.stop() }
}

final class HybridFixture {
    let root: String
    let docs: String
    let store: KnowledgeBaseStore

    init() throws {
        root = NSTemporaryDirectory() + "lore-hybrid-\(UUID().uuidString)"
        docs = root + "/docs"
        try FileManager.default.createDirectory(atPath: docs, withIntermediateDirectories: true)
        let pages = [
            "vacuum.md": "# Routine Vacuuming\n\nVACUUM reclaims storage occupied by dead tuples and frees disk space.\n",
            "backup.md": "# Backup\n\nThe pg_dump program writes a consistent snapshot of one database.\n",
            "roles.md": "# Roles\n\nCREATE ROLE adds a new role; roles own database objects and hold privileges.\n",
            "indexes.md": "# Indexes\n\nAn index speeds up lookups; a partial index covers only rows matching a predicate.\n",
            "locks.md": "# Locking\n\nExplicit locks block concurrent writers until the transaction commits.\n",
        ]
        for (name, text) in pages { try text.write(toFile: docs + "/" + name, atomically: true, encoding: .utf8) }
        store = try KnowledgeBaseStore(path: root + "/kb.sqlite")
        try Indexer(store: store, roots: [docs]).run()
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }
}

@Suite struct EmbeddingIndexerTests {
    @Test func embedsEveryPassageOnceAndResumesAfterTheServerDies() async throws {
        let fixture = try HybridFixture()
        let passages = try fixture.store.statistics().passages
        let quick = RetryPolicy(maxAttempts: 2, maxDelay: 1, baseDelay: 0.01)
        // Dies after the probe and one batch: some passages are committed, the run stops with an error.
        let dying = try BagOfWordsServer(dieAfter: 2)
        await #expect(throws: LLMError.self) {
            _ = try await EmbeddingIndexer(store: fixture.store, settings: dying.settings(), environment: [:], retry: quick).run()
        }
        let partial = try fixture.store.vectorCoverage(model: "bag", dimensions: BagOfWordsServer.dims)
        #expect(partial.embedded > 0 && partial.embedded < passages)

        let healthy = try BagOfWordsServer()
        var events: [EmbeddingEvent] = []
        let summary = try await EmbeddingIndexer(store: fixture.store, settings: healthy.settings(), environment: [:]).run {
            events.append($0)
        }
        #expect(summary.embedded == passages - partial.embedded)
        #expect(summary.coverage.missing == 0)
        #expect(summary.failed == 0)
        #expect(events.first == .started(missing: passages - partial.embedded, model: "bag", dimensions: BagOfWordsServer.dims))
        #expect(events.last == .progress(done: passages - partial.embedded, total: passages - partial.embedded, failed: 0))

        let again = try await EmbeddingIndexer(store: fixture.store, settings: healthy.settings(), environment: [:]).run()
        #expect(again.embedded == 0)
    }

    @Test func changingTheModelReEmbedsAndDropsTheOldVectors() async throws {
        let fixture = try HybridFixture()
        let server = try BagOfWordsServer()
        let passages = try fixture.store.statistics().passages
        _ = try await EmbeddingIndexer(store: fixture.store, settings: server.settings(model: "one"), environment: [:]).run()
        let second = try await EmbeddingIndexer(store: fixture.store, settings: server.settings(model: "two"), environment: [:]).run()
        #expect(second.embedded == passages)
        #expect(try fixture.store.vectorCoverage(model: "one", dimensions: BagOfWordsServer.dims).embedded == 0)
        #expect(try fixture.store.vectorCoverage(model: "two", dimensions: BagOfWordsServer.dims).embedded == passages)
    }

    @Test func vectorsGoWithTheirPassages() async throws {
        let fixture = try HybridFixture()
        let server = try BagOfWordsServer()
        _ = try await EmbeddingIndexer(store: fixture.store, settings: server.settings(), environment: [:]).run()
        try FileManager.default.removeItem(atPath: fixture.docs + "/locks.md")
        try "# Backup\n\nChanged text about archives.\n".write(toFile: fixture.docs + "/backup.md", atomically: true, encoding: .utf8)
        try Indexer(store: fixture.store, roots: [fixture.docs]).run()
        let coverage = try fixture.store.vectorCoverage(model: "bag", dimensions: BagOfWordsServer.dims)
        // The deleted file's vectors are gone; the rewritten file's passage waits for a new vector.
        #expect(coverage.embedded == coverage.passages - 1)
        #expect(try fixture.store.integrityProblems().isEmpty)
    }
}

@Suite struct VectorIndexTests {
    @Test func searchMatchesBruteForceAndRefreshesIncrementally() async throws {
        let fixture = try HybridFixture()
        let server = try BagOfWordsServer()
        _ = try await EmbeddingIndexer(store: fixture.store, settings: server.settings(), environment: [:]).run()
        let index = VectorIndex(store: fixture.store, model: "bag", dimensions: BagOfWordsServer.dims)
        let query = BagOfWordsServer.vector("reclaims disk space from dead tuples")
        let found = try index.search(query, k: 3)
        var reference: [(Int64, Float)] = []
        try fixture.store.forEachVector(model: "bag", dimensions: BagOfWordsServer.dims) { id, v in
            let q = VectorSearch.normalized(query)
            reference.append((id, zip(q, v).reduce(0) { $0 + $1.0 * $1.1 }))
        }
        let expected = reference.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(3)
        #expect(found.map(\.passageID) == expected.map(\.0))
        #expect(try fixture.store.passage(id: found[0].passageID)?.documentPath.hasSuffix("vacuum.md") == true)
        #expect(index.memoryBytes >= index.count * BagOfWordsServer.dims * 4)

        let before = index.count
        try "# WAL\n\nThe write-ahead log makes commits durable.\n".write(toFile: fixture.docs + "/wal.md", atomically: true, encoding: .utf8)
        try Indexer(store: fixture.store, roots: [fixture.docs]).run()
        _ = try await EmbeddingIndexer(store: fixture.store, settings: server.settings(), environment: [:]).run()
        try index.refresh()
        #expect(index.count == before + 1)
        let wal = try index.search(BagOfWordsServer.vector("write-ahead log durable commits"), k: 1)
        #expect(try fixture.store.passage(id: wal[0].passageID)?.documentPath.hasSuffix("wal.md") == true)
    }

    @Test func halfPrecisionHalvesTheMatrix() async throws {
        let fixture = try HybridFixture()
        let server = try BagOfWordsServer()
        _ = try await EmbeddingIndexer(store: fixture.store, settings: server.settings(), environment: [:]).run()
        let full = VectorIndex(store: fixture.store, model: "bag", dimensions: BagOfWordsServer.dims)
        let half = VectorIndex(store: fixture.store, model: "bag", dimensions: BagOfWordsServer.dims, halfPrecision: true)
        let q = BagOfWordsServer.vector("partial index predicate")
        #expect(try full.search(q, k: 2).map(\.passageID) == half.search(q, k: 2).map(\.passageID))
    }
}

@Suite struct HybridRetrievalTests {
    @Test func hybridExplainsBothRanksAndFallsBackWhenTheServerIsDown() async throws {
        let fixture = try HybridFixture()
        let server = try BagOfWordsServer()
        _ = try await EmbeddingIndexer(store: fixture.store, settings: server.settings(), environment: [:]).run()
        // Plain fusion, equal weights and no document support, so that the fused score can be checked by hand.
        var settings = RetrievalSettings(topK: 3, vectorWeight: 1, documentWeight: 0, embedding: server.settings())
        #expect(settings.effectiveMode == .hybrid)
        let retriever = Retriever(store: fixture.store, settings: settings, environment: [:])
        let hybrid = try await retriever.retrieve("vacuum reclaims disk space", mode: nil)
        #expect(hybrid.mode == .hybrid)
        #expect(hybrid.fallbackReason == nil)
        #expect(hybrid.hits.first?.passage.documentPath.hasSuffix("vacuum.md") == true)
        let top = try #require(hybrid.explanations.first)
        #expect(top.bm25Rank == 1 && top.vectorRank == 1)
        #expect(top.fusedScore == 2.0 / 61)
        // A long question: its keyword list counts less, in proportion to its terms past four.
        let long = "vacuum reclaims disk space taken by dead rows after nightly deletes"
        let terms = FTSQuery(long).clauses.count
        #expect(terms > 4)
        let found = try await retriever.retrieve(long, mode: nil)
        let first = try #require(found.explanations.first)
        let keyword = keywordListWeight(1, contentTerms: terms)
        #expect(keyword == 4.0 / Double(terms))
        let expected = (first.bm25Rank.map { keyword / Double(60 + $0) } ?? 0) + (first.vectorRank.map { 1 / Double(60 + $0) } ?? 0)
        #expect(abs((first.fusedScore ?? 0) - expected) < 1e-12, "\(first)")

        let vector = try await retriever.retrieve("storage occupied by dead tuples", mode: .vector)
        #expect(vector.explanations.allSatisfy { $0.bm25Rank == nil && $0.vectorScore != nil })

        // Without a reranker configured, rerank runs hybrid and says so.
        let rerank = try await retriever.retrieve("vacuum", mode: .rerank)
        #expect(rerank.fallbackReason?.contains("rerank") == true)

        server.server.stop()
        settings.embedding?.baseURL = "http://127.0.0.1:\(try LoopbackServer.closedPort())/v1"
        let down = try await Retriever(store: fixture.store, settings: settings, environment: [:])
            .retrieve("how do roles hold privileges", mode: .hybrid)
        #expect(down.mode == .bm25)
        #expect(down.fallbackReason?.contains("keywords only") == true)
        #expect(down.hits.first?.passage.documentPath.hasSuffix("roles.md") == true)
    }

    @Test func rerankReordersThroughTheEndpoint() async throws {
        let fixture = try HybridFixture()
        let embed = try BagOfWordsServer()
        _ = try await EmbeddingIndexer(store: fixture.store, settings: embed.settings(), environment: [:]).run()
        // A reranker that prefers whichever document mentions "snapshot".
        let reranker = try LoopbackServer { request, _ in
            let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any]
            let documents = object?["documents"] as? [String] ?? []
            let results = documents.enumerated().map {
                ["index": $0.offset, "relevance_score": $0.element.contains("snapshot") ? 0.99 : 0.01] as [String: Any]
            }
            return .init(contentType: "application/json", body: try! JSONSerialization.data(withJSONObject: ["results": results]))
        }
        defer { reranker.stop() }
        let settings = RetrievalSettings(topK: 3, embedding: embed.settings(),
                                         rerank: RerankSettings(baseURL: reranker.baseURL + "/v1", topN: 10))
        let result = try await Retriever(store: fixture.store, settings: settings, environment: [:])
            .retrieve("database", mode: nil)
        #expect(result.mode == .rerank)
        #expect(result.hits.first?.passage.documentPath.hasSuffix("backup.md") == true)
        #expect(result.explanations.first?.rerankScore == 0.99)
    }

    @Test func configReadsEmbeddingAndRetrievalTables() throws {
        let file = ConfigFile(path: "/tmp/x.toml", text: """
            [retrieval]
            mode = "hybrid"
            rrf_k = 20
            vector_weight = 1.5
            candidates = 80
            document_weight = 0.5

            [retrieval.rerank]
            base_url = "http://127.0.0.1:9/v1"
            top_n = 15

            [embedding]
            base_url = "http://127.0.0.1:18082/v1"
            model = "all-MiniLM-L6-v2"
            max_input_tokens = 256
            half_precision = true

            [kb.pg]
            paths = ["/tmp"]

            [kb.pg.embedding]
            provider = "ollama"
            model = "nomic-embed-text"
            """)
        let config = try file.parse()
        #expect(config.retrieval.mode == .hybrid)
        #expect(config.retrieval.rrfK == 20)
        #expect(config.retrieval.vectorWeight == 1.5)
        #expect(config.retrieval.candidates == 80)
        #expect(config.retrieval.documentWeight == 0.5)
        #expect(config.retrieval.rerank?.topN == 15)
        #expect(config.retrieval.embedding?.maxInputTokens == 256)
        #expect(config.retrieval.embedding?.halfPrecision == true)
        #expect(config.retrieval(forKnowledgeBase: "pg").embedding?.provider == .ollama)
        #expect(config.retrieval(forKnowledgeBase: "other").embedding?.model == "all-MiniLM-L6-v2")
        #expect(throws: ConfigError.self) { try ConfigFile(path: "/tmp/x.toml", text: "[retrieval]\nmode = \"magic\"\n").parse() }
        #expect(throws: ConfigError.self) { try ConfigFile(path: "/tmp/x.toml", text: "[embedding]\nprovider = \"x\"\n").parse() }
    }
}

@Suite struct LongPassagePartsTests {
    /// A page whose one long passage names what it is about only in its second half.
    static func fixture() throws -> HybridFixture {
        let fixture = try HybridFixture()
        let opening = (0..<12).map { "Storage parameters tune table \($0) behaviour." }.joined(separator: " ")
        let later = "The autovacuum daemon prevents transaction wraparound by freezing tuples."
        try "# Maintenance\n\n\(opening) \(later)\n".write(toFile: fixture.docs + "/maintenance.md", atomically: true, encoding: .utf8)
        try Indexer(store: fixture.store, roots: [fixture.docs]).run()
        return fixture
    }

    static let query = BagOfWordsServer.vector("autovacuum daemon transaction wraparound freezing")

    static func maintenance(_ store: KnowledgeBaseStore) throws -> Int64 {
        try #require(try store.allPassages().first { $0.documentPath.hasSuffix("maintenance.md") }).id
    }

    /// The fixture embedded with a 40-token input limit and at most `parts` vectors per passage.
    static func embedded(parts: Int, server: BagOfWordsServer) async throws -> (HybridFixture, EmbeddingSummary, EmbeddingSettings) {
        let fixture = try Self.fixture()
        var settings = server.settings()
        settings.maxInputTokens = 40
        settings.passageParts = parts
        let summary = try await EmbeddingIndexer(store: fixture.store, settings: settings, environment: [:]).run()
        return (fixture, summary, settings)
    }

    /// The query's results over the fixture's vectors, and the long passage's score among them.
    static func search(_ fixture: HybridFixture) throws -> (found: [(passageID: Int64, score: Float)], score: Float) {
        let index = VectorIndex(store: fixture.store, model: "bag", dimensions: BagOfWordsServer.dims)
        let found = try index.search(Self.query, k: try fixture.store.statistics().passages)
        let id = try Self.maintenance(fixture.store)
        return (found, found.first { $0.passageID == id }?.score ?? 0)
    }

    @Test("a passage over the input limit gets a vector per part, counts once, and is found by words of its tail")
    func partsFindTheTail() async throws {
        let server = try BagOfWordsServer()
        let (fixture, summary, settings) = try await Self.embedded(parts: 8, server: server)
        let passages = try fixture.store.statistics().passages
        #expect(summary.embedded == passages)
        #expect(summary.inParts == 1 && summary.parts > 2, "\(summary.line)")
        #expect(summary.cut == 0, "every word of the long passage is in some part")
        #expect(summary.coverage == VectorCoverage(passages: passages, embedded: passages))
        #expect(try fixture.store.vectorCounts().map(\.count) == [passages])
        #expect(try fixture.store.vectorVersion(model: "bag", dimensions: BagOfWordsServer.dims).count == passages - 1 + summary.parts)

        let found = try Self.search(fixture).found
        #expect(found.first?.passageID == (try Self.maintenance(fixture.store)))
        #expect(Set(found.map(\.passageID)).count == found.count, "each passage once, at its best part")
        #expect(found.count == passages)
        #expect(try fixture.store.integrityProblems().isEmpty)
        let again = try await EmbeddingIndexer(store: fixture.store, settings: settings, environment: [:]).run()
        #expect(again.embedded == 0)
    }

    @Test("with one part a long passage keeps only its head, which misses the tail's words")
    func headOnly() async throws {
        let server = try BagOfWordsServer()
        let (head, summary, _) = try await Self.embedded(parts: 1, server: server)
        #expect(summary.inParts == 0 && summary.cut >= 1)
        let passages = try head.store.statistics().passages
        #expect(try head.store.vectorVersion(model: "bag", dimensions: BagOfWordsServer.dims).count == passages)
        let (parts, _, _) = try await Self.embedded(parts: 8, server: server)
        let (headScore, partsScore) = (try Self.search(head).score, try Self.search(parts).score)
        #expect(partsScore > headScore, "best part \(partsScore), head \(headScore)")
    }
}
