import ArgumentParser
import Foundation
import LoreCore
import LoreEngine
import LoreLLM
import LorePostgres
import LoreStore

extension BenchCommand {
    /// A shared knowledge base at a scale no real corpus here reaches: the passages and vectors of a local
    /// knowledge base, copied into PostgreSQL and multiplied. By default (`mix`) each copied vector is its
    /// original plus a share of another real passage's vector (a partner chosen per copy, with a weight per
    /// copy), normalised: the copies spread through the region the real vectors fill, none a near-duplicate
    /// of another, so a question's ten nearest are ten distinct passages and HNSW's recall means what it
    /// says. The other two ways are kept because they show what a synthetic set can get wrong: `noise`
    /// (copies moved by a little noise stay near-duplicates of their original, and which ten of a tight
    /// cluster an index returns says nothing of its quality) and `shuffle` (a signed permutation per copy
    /// puts each copy in a region of its own, far from the others, so the HNSW graph is many islands with
    /// few bridges, which no real corpus is).
    struct PostgresScale: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "postgres-scale",
            abstract: "Time hybrid search and measure HNSW recall on a PostgreSQL store of synthetic size.",
            discussion: """
                Copies the passages and vectors of the knowledge base --kb (indexed and embedded, on SQLite) into \
                the database --store, once as they are and then as copies until --passages passages exist; each \
                copy's vectors are the originals with their components permuted and their signs flipped by a \
                seeded permutation of its own (--copies shuffle), or moved by uniform noise of ±--noise per \
                component (--copies noise), or (--copies mix, the default) mixed with a share of another real \
                passage's vector; each is normalised again. Then it builds the HNSW index, embeds \
                each question of --questions with the configured embedding server (question i is asked of copy \
                i mod the number of copies, its vector permuted as that copy's are), and reports the hybrid query time without the embedding call (BM25 + HNSW + fusion, as \
                `lore search` ranks) and the recall of the HNSW top-k against an exact scan. The database's Lore \
                tables are dropped first: give a database of its own. --reuse skips the load when the database \
                already holds --passages passages.
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "The PostgreSQL database to fill (postgres://USER@HOST[:PORT]/DATABASE).") var store: String
        @Option(help: "Passages to reach.") var passages: Int = 1_000_000
        @Option(name: .customLong("copies"), help: "How copied vectors differ from their originals: mix (with another passage's vector), shuffle (a signed permutation per copy) or noise.")
        var spread: CopyVectors = .mix
        @Option(help: "Uniform noise added to each component of a copied vector (default 0.04 with --copies noise, else 0).")
        var noise: Double?
        @Option(help: "Questions (JSON Lines, as `lore eval` reads) to time.") var questions: String
        @Option(name: .short, help: "Passages per query.") var k: Int = 10
        @Option(help: "Times each question is asked.") var repeats: Int = 3
        @Flag(help: "Keep what the database holds when it already has --passages passages.") var reuse = false
        @Option(help: "HNSW candidate-list lengths (hnsw.ef_search) to measure, comma-separated; 0 is the length Lore picks for the store's size.")
        var efSearch: String = "100,200,400,600,0"

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
            let copyCount = max(1, try target.withSQL { conn in
                Int(try conn.query("SELECT count(DISTINCT split_part(path, '/', 1)) FROM lore_documents WHERE path LIKE 'copy-%'")[0, 0] ?? "0") ?? 0
            } + 1)
            for (index, question) in set.enumerated() {
                let vector = VectorSearch.normalized(try await client.embedQuery(question.question))
                vectors.append((question.question, spread == .shuffle ? Self.shuffled(vector, copy: index % copyCount) : vector))
            }
            if spread == .shuffle { print("questions:      \(set.count), question i asked of copy i mod \(copyCount)") }
            // The exact answers once: a full scan per question.
            var truths: [[Int64]] = []
            var exact: [Double] = []
            for (_, vector) in vectors {
                let t = DispatchTime.now()
                truths.append(try target.exactNearestPassages(to: vector, model: model, k: k))
                exact.append(Self.ms(since: t))
            }
            print("exact scan:     " + Percentiles(exact).line)
            let lengths = efSearch.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 >= 0 }
            for ef in lengths.isEmpty ? [100] : lengths {
                let store = try PostgresStore(url: location, roots: source.definition.paths, efSearch: ef == 0 ? nil : ef)
                let retriever = Retriever(store: store, settings: library.config.retrieval(forKnowledgeBase: source.name))
                for (text, vector) in vectors.prefix(3) { _ = try retriever.rank(text, vector: vector, mode: .hybrid, embedding: embedding, limit: k) }
                var hybrid: [Double] = [], hnsw: [Double] = []
                var found = 0, wanted = 0
                var perQuestion: [Int] = []
                for round in 0..<repeats {
                    for (index, (text, vector)) in vectors.enumerated() {
                        var t = DispatchTime.now()
                        _ = try retriever.rank(text, vector: vector, mode: .hybrid, embedding: embedding, limit: k)
                        hybrid.append(Self.ms(since: t))
                        t = DispatchTime.now()
                        let approximate = Set(try store.nearestPassages(to: vector, model: model, k: k)?.map(\.passageID) ?? [])
                        hnsw.append(Self.ms(since: t))
                        if round == 0 {
                            let hits = truths[index].filter(approximate.contains).count
                            found += hits
                            wanted += truths[index].count
                            perQuestion.append(hits)
                        }
                    }
                }
                print(ef == 0 ? "ef_search by size (\(PostgresStore.efSearch(forVectors: try target.vectorCounts().first { $0.model == model }?.count ?? 0))):" : "ef_search \(ef):")
                print("  hybrid query: " + Percentiles(hybrid).line + "  (\(hybrid.count) queries, without the embedding call)")
                print("  HNSW alone:   " + Percentiles(hnsw).line)
                print(String(format: "  HNSW recall@%d: %.3f against the exact scan (%d of %d)", k, Double(found) / Double(max(1, wanted)), found, wanted))
                let all = perQuestion.filter { $0 == k }.count, few = perQuestion.filter { $0 * 2 < k }.count
                print("  per question:  \(all) of \(perQuestion.count) found all \(k), \(few) found fewer than half")
            }
        }

        enum CopyVectors: String, ExpressibleByArgument, CaseIterable, Sendable { case mix, shuffle, noise }

        var noiseLevel: Double { noise ?? (spread == .noise ? 0.04 : 0) }

        /// Copy `copy`'s signed permutation of `dimensions` components, 1-based as PostgreSQL arrays are:
        /// component `i` of a copied vector is `sign[i] * original[source[i]]`. Copy 0 is the identity.
        static func shuffle(copy: Int, dimensions: Int) -> (source: [Int], sign: [Float]) {
            guard copy > 0 else { return (Array(1...dimensions), Array(repeating: 1, count: dimensions)) }
            var random = SeededRandom(seed: 0x5348_5546 &+ UInt64(copy))
            let source = Array(1...dimensions).shuffled(using: &random)
            let sign: [Float] = (0..<dimensions).map { _ in Bool.random(using: &random) ? 1 : -1 }
            return (source, sign)
        }

        static func shuffled(_ vector: [Float], copy: Int) -> [Float] {
            let (source, sign) = shuffle(copy: copy, dimensions: vector.count)
            return zip(source, sign).map { vector[$0 - 1] * $1 }
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
                if vectorOf[id] == nil { vectorOf[id] = Array(vector) }  // a long passage's first part
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
            // The originals by rank, for choosing a mixed copy's partner.
            let originals = base
            try target.withSQL { conn in
                try conn.execute("DROP TABLE IF EXISTS lore_bench_ranks")
                try conn.execute("""
                    CREATE TABLE lore_bench_ranks AS SELECT c.id, row_number() OVER (ORDER BY c.id) - 1 AS rank
                    FROM lore_chunks c JOIN lore_documents d ON d.id = c.document_id
                    """)
                try conn.execute("CREATE UNIQUE INDEX ON lore_bench_ranks(rank)")
                try conn.execute("CREATE UNIQUE INDEX ON lore_bench_ranks(id)")
                try conn.execute("ANALYZE lore_bench_ranks")
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
                    // Each copied vector is its original under the copy's signed permutation (the cast to
                    // real[] once per row: OFFSET 0 keeps the planner from inlining it into every element),
                    // plus noise of its own (the subquery names the outer row, so it is drawn again per row),
                    // then back to unit length.
                    if spread == .mix {
                        // The partner of the original of rank r is the original of rank r + offset (mod n);
                        // offsets stay under n / 2 and differ per copy, so no copy repeats another's pair
                        // the other way round. Its share is a weight per copy between 0.35 and 1.
                        let offset = 1 + (copy * 53) % max(1, originals / 2 - 1)
                        let weight = 0.35 + 0.65 * Double(copy % 13) / 12
                        try conn.query("""
                            INSERT INTO lore_vectors(chunk_id, model, dims, part, embedding)
                            SELECT nc.id, v.model, v.dims, v.part,
                                   l2_normalize(v.embedding + w.embedding * array_fill($3::real, ARRAY[v.dims])::vector)
                            FROM lore_chunks nc JOIN lore_documents nd ON nd.id = nc.document_id AND nd.path LIKE 'copy-\(copy)/%'
                            JOIN lore_documents od ON od.path = substr(nd.path, length('copy-\(copy)/') + 1)
                            JOIN lore_chunks oc ON oc.document_id = od.id AND oc.ordinal = nc.ordinal
                            JOIN lore_vectors v ON v.chunk_id = oc.id AND v.model = $1
                            JOIN lore_bench_ranks r ON r.id = oc.id
                            JOIN lore_bench_ranks q ON q.rank = (r.rank + $2::bigint) % \(originals)
                            JOIN lore_vectors w ON w.chunk_id = q.id AND w.model = $1 AND w.part = 0
                            """, [model, String(offset), String(weight)])
                    } else {
                    let (source, sign) = Self.shuffle(copy: spread == .shuffle ? copy : 0, dimensions: dims)
                    try conn.query("""
                        INSERT INTO lore_vectors(chunk_id, model, dims, part, embedding)
                        SELECT nc.id, v.model, v.dims, v.part, l2_normalize(
                            (SELECT array_agg(x.e[p.s] * p.g + (random() - 0.5) * 2 * $1::float8 + 0 * nc.id ORDER BY p.o)
                             FROM unnest($3::int[], $4::real[]) WITH ORDINALITY AS p(s, g, o))::vector)
                        FROM lore_chunks nc JOIN lore_documents nd ON nd.id = nc.document_id AND nd.path LIKE 'copy-\(copy)/%'
                        JOIN lore_documents od ON od.path = substr(nd.path, length('copy-\(copy)/') + 1)
                        JOIN lore_chunks oc ON oc.document_id = od.id AND oc.ordinal = nc.ordinal
                        JOIN lore_vectors v ON v.chunk_id = oc.id AND v.model = $2
                        CROSS JOIN LATERAL (SELECT v.embedding::real[] AS e OFFSET 0) x
                        """, [String(noiseLevel), model, "{" + source.map(String.init).joined(separator: ",") + "}",
                              "{" + sign.map { String($0) }.joined(separator: ",") + "}"])
                    }
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
                try conn.execute("DROP TABLE IF EXISTS lore_bench_ranks")
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
