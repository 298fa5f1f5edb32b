import ArgumentParser
import Foundation
import LoreCore
import LoreEngine
import LoreLLM
import LorePostgres
import LoreStore

extension BenchCommand {
    /// A shared knowledge base at a scale no real corpus here reaches: the passages and vectors of a local
    /// knowledge base, copied into PostgreSQL and multiplied, each copy's vectors moved by noise so that
    /// the copies are near but not equal.
    struct PostgresScale: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "postgres-scale",
            abstract: "Time hybrid search and measure HNSW recall on a PostgreSQL store of synthetic size.",
            discussion: """
                Copies the passages and vectors of the knowledge base --kb (indexed and embedded, on SQLite) into \
                the database --store, once as they are and then as copies until --passages passages exist; each \
                copy's vectors get uniform noise of ±--noise per component and are normalised again. Then it \
                builds the HNSW index, embeds each question of --questions with the configured embedding \
                server, and reports the hybrid query time without the embedding call (BM25 + HNSW + fusion, as \
                `lore search` ranks) and the recall of the HNSW top-k against an exact scan. The database's Lore \
                tables are dropped first: give a database of its own. --reuse skips the load when the database \
                already holds --passages passages.
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "The PostgreSQL database to fill (postgres://USER@HOST[:PORT]/DATABASE).") var store: String
        @Option(help: "Passages to reach.") var passages: Int = 1_000_000
        @Option(help: "Noise added to each component of a copied vector.") var noise: Double = 0.04
        @Option(help: "Questions (JSON Lines, as `lore eval` reads) to time.") var questions: String
        @Option(name: .short, help: "Passages per query.") var k: Int = 10
        @Option(help: "Times each question is asked.") var repeats: Int = 3
        @Flag(help: "Keep what the database holds when it already has --passages passages.") var reuse = false
        @Option(help: "HNSW candidate-list lengths (hnsw.ef_search) to measure, comma-separated.") var efSearch: String = "40,100,200,400"

        func run() async throws {
            let library = try global.library()
            let source: KnowledgeBase
            do { source = try library.open(global.kb) } catch let e as LibraryError { throw CLIError(e.message) }
            guard let embedding = library.config.retrieval(forKnowledgeBase: source.name).embedding else {
                throw CLIError("no [embedding] is configured; the source knowledge base needs vectors")
            }
            let location: PostgresLocation
            do { location = try PostgresLocation(parsing: store) } catch let e as PostgresLocationError { throw CLIError(e.message) }
            let set: [EvalQuestion]
            do { set = try EvalSet.parse(try String(contentsOfFile: questions, encoding: .utf8)) } catch {
                throw CLIError("cannot read \(questions): \(error)")
            }
            print(Machine.description)
            let model = embedding.modelKey
            var target = try PostgresStore(url: location, roots: source.definition.paths)
            guard target.hasPgvector else { throw CLIError("\(location.display) has no pgvector extension; HNSW needs it") }
            let have = try target.statistics().passages
            if !(reuse && have >= passages) {
                try target.dropAll()
                target = try PostgresStore(url: location, roots: source.definition.paths)
                try await load(from: source.store, into: target, model: model)
            }
            let dims = try target.vectorCounts().first { $0.model == model }?.dimensions ?? 0
            guard dims > 0 else { throw CLIError("no vectors of \(model) were copied") }
            let stats = try target.statistics()
            print("store:          \(stats.passages) passages, \(stats.documents) documents, \(Format.bytes(stats.fileBytes)) in \(location.display)")

            let client = EmbeddingClient(settings: embedding, retry: .never)
            var vectors: [(String, [Float])] = []
            for question in set { vectors.append((question.question, VectorSearch.normalized(try await client.embedQuery(question.question)))) }
            // The exact answers once: a full scan per question.
            var truths: [[Int64]] = []
            var exact: [Double] = []
            for (_, vector) in vectors {
                let t = DispatchTime.now()
                truths.append(try target.exactNearestPassages(to: vector, model: model, k: k))
                exact.append(Self.ms(since: t))
            }
            print("exact scan:     " + Percentiles(exact).line)
            let lengths = efSearch.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 > 0 }
            for ef in lengths.isEmpty ? [100] : lengths {
                let store = try PostgresStore(url: location, roots: source.definition.paths, efSearch: ef)
                let retriever = Retriever(store: store, settings: library.config.retrieval(forKnowledgeBase: source.name))
                for (text, vector) in vectors.prefix(3) { _ = try retriever.rank(text, vector: vector, mode: .hybrid, embedding: embedding, limit: k) }
                var hybrid: [Double] = [], hnsw: [Double] = []
                var found = 0, wanted = 0
                for round in 0..<repeats {
                    for (index, (text, vector)) in vectors.enumerated() {
                        var t = DispatchTime.now()
                        _ = try retriever.rank(text, vector: vector, mode: .hybrid, embedding: embedding, limit: k)
                        hybrid.append(Self.ms(since: t))
                        t = DispatchTime.now()
                        let approximate = Set(try store.nearestPassages(to: vector, model: model, k: k)?.map(\.passageID) ?? [])
                        hnsw.append(Self.ms(since: t))
                        if round == 0 {
                            found += truths[index].filter(approximate.contains).count
                            wanted += truths[index].count
                        }
                    }
                }
                print("ef_search \(ef):")
                print("  hybrid query: " + Percentiles(hybrid).line + "  (\(hybrid.count) queries, without the embedding call)")
                print("  HNSW alone:   " + Percentiles(hnsw).line)
                print(String(format: "  HNSW recall@%d: %.3f against the exact scan (%d of %d)", k, Double(found) / Double(max(1, wanted)), found, wanted))
            }
        }

        static func ms(since t: DispatchTime) -> Double { Double(DispatchTime.now().uptimeNanoseconds - t.uptimeNanoseconds) / 1e6 }

        /// The source's documents, passages and vectors as they are, then copies in SQL until `passages`.
        func load(from source: any PassageStore, into target: PostgresStore, model: String) async throws {
            let started = DispatchTime.now()
            let all = try source.allPassages()
            var vectorOf: [Int64: [Float]] = [:]
            var dims = 0
            try source.forEachVector(model: model, dimensions: source.vectorCounts().first { $0.model == model }?.dimensions ?? 384,
                                     afterID: 0) { id, vector in
                vectorOf[id] = Array(vector)
                dims = vector.count
            }
            guard dims > 0 else { throw CLIError("the source knowledge base has no vectors of \(model); run `lore index` with [embedding] set") }
            let byDocument = Dictionary(grouping: all, by: \.documentPath)
            try target.writeBatch { writer in
                for (path, items) in byDocument {
                    let drafts = items.map {
                        ChunkDraft(headingPath: $0.headingPath, text: $0.text, lineStart: $0.lineStart, lineEnd: $0.lineEnd,
                                   tokenEstimate: max(1, $0.text.count / 4), pageStart: $0.pageStart, pageEnd: $0.pageEnd)
                    }
                    try writer.putDocument(path: path, size: 0, mtimeNanoseconds: 0, hash: path, title: items.first?.title ?? "",
                                           format: .html, chunks: drafts)
                }
            }
            // Pair the copied passages with their vectors by document and place.
            var pairs: [(passage: PassageToEmbed, vector: [Float])] = []
            for (path, items) in byDocument {
                let copied = try target.passages(ofDocument: path)
                for (original, copy) in zip(items, copied) {
                    if let vector = vectorOf[original.id] { pairs.append((PassageToEmbed(id: copy.id, text: "", body: copy.text), vector)) }
                }
            }
            for start in stride(from: 0, to: pairs.count, by: 1000) {
                try target.putVectors(Array(pairs[start..<min(pairs.count, start + 1000)]), model: model)
            }
            let base = try target.statistics().passages
            print("copied:         \(base) passages, \(pairs.count) vectors in \(String(format: "%.1f", Self.ms(since: started) / 1000)) s")
            let index = "lore_vectors_hnsw_\(dims)_" // dropped while copies go in: one build at the end is much faster
            try target.withSQL { conn in
                for row in try conn.query("SELECT indexname FROM pg_indexes WHERE indexname LIKE $1", [index + "%"]).rows {
                    try conn.execute("DROP INDEX IF EXISTS \(row[0] ?? "")")
                }
            }
            let copies = max(0, Int((Double(passages) / Double(max(1, base))).rounded(.up)) - 1)
            let copyStarted = DispatchTime.now()
            for copy in 1...max(1, copies) where copies > 0 {
                let remaining = passages - (try target.statistics().passages)
                if remaining <= 0 { break }
                try target.withSQL { conn in
                    try conn.execute("BEGIN")
                    try conn.query("""
                        INSERT INTO lore_documents(path, size, mtime_ns, hash, title, format, status, passages, indexed_at)
                        SELECT 'copy-\(copy)/' || path, size, mtime_ns, hash, title, format, status, passages, indexed_at
                        FROM lore_documents WHERE path NOT LIKE 'copy-%'
                        """)
                    try conn.query("""
                        INSERT INTO lore_chunks(document_id, ordinal, title, headings, body, line_start, line_end, tokens, page_start, page_end)
                        SELECT n.id, c.ordinal, c.title, c.headings, c.body, c.line_start, c.line_end, c.tokens, c.page_start, c.page_end
                        FROM lore_chunks c JOIN lore_documents o ON o.id = c.document_id AND o.path NOT LIKE 'copy-%'
                        JOIN lore_documents n ON n.path = 'copy-\(copy)/' || o.path
                        ORDER BY c.id LIMIT $1
                        """, [String(remaining)])
                    // Each copied vector moves by its own noise (the subquery names the outer row, so it is
                    // drawn again per row; naming its own `g` keeps the aggregate inside it), then returns to unit length.
                    try conn.query("""
                        INSERT INTO lore_vectors(chunk_id, model, dims, embedding)
                        SELECT nc.id, v.model, v.dims, l2_normalize(v.embedding + (
                            SELECT array_agg((random() - 0.5) * 2 * $1::float8 + 0 * g + 0 * nc.id)::vector
                            FROM generate_series(1, v.dims) g))
                        FROM lore_chunks nc JOIN lore_documents nd ON nd.id = nc.document_id AND nd.path LIKE 'copy-\(copy)/%'
                        JOIN lore_documents od ON od.path = substr(nd.path, length('copy-\(copy)/') + 1)
                        JOIN lore_chunks oc ON oc.document_id = od.id AND oc.ordinal = nc.ordinal
                        JOIN lore_vectors v ON v.chunk_id = oc.id AND v.model = $2
                        """, [String(noise), model])
                    // Documents of the last, partial copy that got no passage are left out.
                    try conn.query("""
                        DELETE FROM lore_documents d WHERE d.path LIKE 'copy-\(copy)/%'
                        AND NOT EXISTS (SELECT 1 FROM lore_chunks c WHERE c.document_id = d.id)
                        """)
                    try conn.execute("COMMIT")
                }
                if copy % 10 == 0 || copy == copies {
                    let have = try target.statistics().passages
                    print(String(format: "copies:         %d of %d, %d passages, %.0f s", copy, copies, have, Self.ms(since: copyStarted) / 1000))
                }
            }
            try target.withSQL { conn in
                try conn.execute("UPDATE lore_documents d SET passages = (SELECT count(*) FROM lore_chunks c WHERE c.document_id = d.id) WHERE d.path LIKE 'copy-%'")
                try conn.execute("VACUUM ANALYZE lore_chunks")
                try conn.execute("VACUUM ANALYZE lore_vectors")
                try conn.execute("SET maintenance_work_mem = '3GB'")
                try conn.execute("SET max_parallel_maintenance_workers = 1")
            }
            let build = DispatchTime.now()
            try target.withSQL { conn in
                try conn.execute("SET maintenance_work_mem = '3GB'")
                try conn.execute("""
                    CREATE INDEX IF NOT EXISTS \(PostgresStore.indexName(model: model, dimensions: dims)) ON lore_vectors
                    USING hnsw ((embedding::vector(\(dims))) vector_cosine_ops)
                    WHERE model = '\(model.replacingOccurrences(of: "'", with: "''"))' AND dims = \(dims)
                    """)
            }
            print(String(format: "HNSW build:     %.0f s (m 16, ef_construction 64)", Self.ms(since: build) / 1000))
        }
    }
}
