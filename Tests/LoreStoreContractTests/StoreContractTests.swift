import Foundation
import LoreCore
import LoreIngest
import LorePostgres
import LoreStore
import Testing

/// What every `PassageStore` must do, run against each backend with real documents from `sample-kb`
/// indexed by the real indexer. Where SQLite is the reference, the same folder is indexed into a plain
/// SQLite file beside the store under test and the two are compared.
@Suite("Store contract: documents and passages")
struct DocumentContractTests {
    @Test("indexing gives the SQLite figures, keys are this machine's paths, passages read back whole",
          arguments: Backend.available)
    func indexMatchesSQLite(_ backend: Backend) throws {
        let kb = try IndexedFolder(backend) { folder in
            // One file that cannot be indexed, so the skipped side is compared too.
            try folder.write("data/blob.txt", bytes: Data([0x68, 0x69, 0x00, 0x01, 0x02]))
        }
        let reference = try ReferenceIndex(roots: [kb.folder.root])
        #expect(kb.first.counts == reference.summary.counts)
        #expect(kb.first.added == SampleKB.files.count)
        #expect(kb.first.skippedByReason == ["binary": 1])
        #expect(kb.first.passagesWritten == reference.summary.passagesWritten)

        let stats = try kb.store.statistics()
        let expected = try reference.store.statistics()
        #expect(stats.documents == expected.documents)
        #expect(stats.documents == SampleKB.files.count)
        #expect(stats.passages == expected.passages)
        #expect(stats.skipped == expected.skipped)
        #expect(stats.skippedByReason == expected.skippedByReason)
        #expect(stats.lastIndexed != nil)
        #expect(stats.fileBytes > 0)

        let stored = try kb.store.storedDocuments()
        let referenceStored = try reference.store.storedDocuments()
        #expect(Set(stored.keys) == Set(SampleKB.paths.map(kb.path) + [kb.path("data/blob.txt")]))
        for (path, document) in stored {
            #expect(path.hasPrefix(kb.folder.root + "/"), "\(path) is not this machine's absolute path")
            #expect(document.path == path)
            let same = try #require(referenceStored[path])
            #expect(document.status == same.status)
            #expect(document.hash == same.hash)
            #expect(document.size == same.size)
            #expect(document.mtimeNanoseconds == same.mtimeNanoseconds)
            #expect(document.skipReason == same.skipReason)
        }
        #expect(stored[kb.path("data/blob.txt")]?.status == .skipped)
        let skipped = try kb.store.skippedDocuments()
        #expect(skipped.map(\.path) == [kb.path("data/blob.txt")])
        #expect(skipped.map(\.reason) == ["binary"])

        var total = 0
        for relative in SampleKB.paths {
            let passages = try kb.store.passages(ofDocument: kb.path(relative))
            let same = try reference.store.passages(ofDocument: kb.path(relative))
            #expect(!passages.isEmpty, "\(relative)")
            #expect(passages.map(PassageShape.init) == same.map(PassageShape.init), "\(relative)")
            #expect(Set(passages.map(\.id)).count == passages.count)
            // Document order: each passage starts no earlier than the one before it.
            #expect(zip(passages, passages.dropFirst()).allSatisfy { $0.lineStart <= $1.lineStart }, "\(relative)")
            for passage in passages {
                #expect(passage.documentPath == kb.path(relative))
                #expect(passage.lineStart >= 1 && passage.lineEnd >= passage.lineStart)
                #expect(try kb.store.passage(id: passage.id) == passage)
            }
            total += passages.count
        }
        #expect(total == stats.passages)
        #expect(try kb.store.passages(ofDocument: kb.path("data/blob.txt")).isEmpty)
        #expect(try kb.store.passages(ofDocument: "/no/such/file.md").isEmpty)
        #expect(try kb.store.passage(id: 987_654_321) == nil)

        // Every passage once, each document's in its own order.
        let all = try kb.store.allPassages()
        #expect(all.count == total)
        let byDocument = Dictionary(grouping: all, by: \.documentPath)
        for relative in SampleKB.paths {
            #expect(byDocument[kb.path(relative)] == (try kb.store.passages(ofDocument: kb.path(relative))))
        }

        // A heading path and line numbers checked against the file itself.
        let installing = try kb.store.passages(ofDocument: kb.path("guide/installing.md"))
        let toolchain = try #require(installing.first { $0.text.contains("swift --version") })
        #expect(toolchain.headingPath.suffix(2) == ["Requirements", "Toolchain"])
        #expect(try kb.store.passage(id: toolchain.id)?.headingPath == toolchain.headingPath)
        let lines = try kb.folder.read("guide/installing.md").components(separatedBy: "\n")
        let versionLine = try #require(lines.firstIndex { $0.contains("swift --version") }) + 1
        #expect((toolchain.lineStart...toolchain.lineEnd).contains(versionLine))

        #expect(try kb.store.integrityProblems() == [])
    }

    @Test("meta values are stored, replaced and missing ones are nil", arguments: Backend.available)
    func metaValues(_ backend: Backend) throws {
        let scratch = try ScratchStore.make(backend, roots: ["/srv/kb"])
        #expect(try scratch.store.metaValue("contract.key") == nil)
        try scratch.store.setMetaValue("contract.key", "first 'value'; --")
        #expect(try scratch.store.metaValue("contract.key") == "first 'value'; --")
        try scratch.store.setMetaValue("contract.key", "second")
        #expect(try scratch.store.metaValue("contract.key") == "second")
        #expect(try scratch.reopened(roots: ["/srv/kb"]).metaValue("contract.key") == "second")
    }
}

@Suite("Store contract: keyword search")
struct KeywordContractTests {
    @Test("a phrase from a file finds that file first", arguments: Backend.available)
    func phraseFindsItsFile(_ backend: Backend) throws {
        let kb = try IndexedFolder(backend)
        for (file, phrase) in SampleKB.files {
            let hits = try kb.store.keywordSearch(phrase, limit: 5)
            // Intermittent in the sense "may pass": the PostgreSQL ranking is being reworked (IDF weights).
            withKnownIssue("""
                PostgreSQL ranks with ts_rank, which has no inverse document frequency and averages each word's \
                best weight: a heading holding one or two common words of the sentence ("A model (optional)", \
                "A file format", weight B) outranks the passage holding all of it in its body (weight D)
                """, isIntermittent: true) {
                #expect(hits.first?.passage.documentPath == kb.path(file), "\(phrase)")
                let words = hits.first?.passage.text.split(whereSeparator: \.isWhitespace).joined(separator: " ") ?? ""
                #expect(words.contains(phrase), "the best passage for \(phrase.debugDescription) holds it")
            } when: {
                backend == .postgres && file == "guide/reference/configuration.rst"
            }
            #expect(hits.count <= 5)
            #expect(zip(hits, hits.dropFirst()).allSatisfy { $0.rank < $1.rank })
            #expect(zip(hits, hits.dropFirst()).allSatisfy { $0.passage.score >= $1.passage.score })
            #expect(hits.first?.snippet.contains(SearchHit.highlightStart) == true)
            for hit in hits {
                var plain = hit.passage
                plain.score = 0
                #expect(try kb.store.passage(id: hit.passage.id) == plain)
            }
        }
    }

    @Test("at most perDocument passages from one document while others match", arguments: Backend.available)
    func perDocumentCap(_ backend: Backend) throws {
        let kb = try IndexedFolder(backend)
        let text = "passages model question retrieval documents"
        let matching = try kb.store.keywordCandidates(FTSQuery(text), limit: 1000)
        let matchingDocuments = Set(matching.map(\.document)).count
        #expect(matchingDocuments >= 4, "the query should match most sample files")
        for perDocument in [1, 2] {
            let limit = 8
            let hits = try kb.store.keywordSearch(text, limit: limit, perDocument: perDocument)
            #expect(hits.count == min(limit, matching.count))
            let counts = Dictionary(grouping: hits, by: \.passage.documentPath).mapValues(\.count)
            if matchingDocuments * perDocument >= limit {
                #expect(counts.values.allSatisfy { $0 <= perDocument }, "perDocument \(perDocument): \(counts)")
            }
        }
        // Without a cap the best document gives more than one passage: the cap above did something.
        let uncapped = try kb.store.keywordSearch(text, limit: 8, perDocument: 100)
        let uncappedCounts = Dictionary(grouping: uncapped, by: \.passage.documentPath).mapValues(\.count)
        #expect((uncappedCounts.values.max() ?? 0) > 1)
    }

    static let hostileQueries: [String] = [
        "'; DROP TABLE lore_chunks; --",
        "a & b | !c <-> d:*",
        "\"unclosed",
        "\\",
        "😀🔥🚀",
        "server 😀 model",
        String(repeating: "configuration ", count: 715) + "tail",
        String(repeating: "x", count: 10_000),
        "",
        "   ",
        "'",
        "''",
        "\\'; SELECT pg_sleep(10); --",
        "$1 $2 ?1",
        "NULL",
        "\u{0}",
        "vacuum\u{0}analyze",
        "(((( )))) :* * ** !",
        "OR AND NOT NEAR(a b)",
        "title:config* headings:model",
        "日本語のテキスト",
        "e-mail 3.14 pg_dump config.toml",
    ]

    @Test("hostile input neither throws nor finds anything strange, and the store still works",
          arguments: Backend.available)
    func hostileInput(_ backend: Backend) throws {
        let kb = try IndexedFolder(backend)
        let before = try kb.store.statistics()
        let documents = Set(try kb.store.storedDocuments().keys)
        for text in Self.hostileQueries {
            let label = String(text.prefix(40)).debugDescription
            let hits = try kb.store.keywordSearch(text, limit: 10)
            #expect(hits.count <= 10, "\(label)")
            for hit in hits {
                #expect(documents.contains(hit.passage.documentPath), "\(label)")
                var plain = hit.passage
                plain.score = 0
                #expect(try kb.store.passage(id: hit.passage.id) == plain, "\(label)")
            }
            let candidates = try kb.store.keywordCandidates(FTSQuery(text), limit: 10)
            #expect(candidates.count <= 10, "\(label)")
            #expect(try kb.store.documentIDs(ofPassages: candidates.map(\.id)).count == candidates.count)
        }
        for text in ["", "   ", "😀🔥🚀", "\\", "'", "(((( )))) :* * ** !", "\u{0}"] {
            #expect(try kb.store.keywordSearch(text, limit: 10).isEmpty, "\(text.debugDescription)")
            #expect(try kb.store.keywordCandidates(FTSQuery(text), limit: 10).isEmpty, "\(text.debugDescription)")
        }
        #expect(try kb.store.keywordSearch("configuration", limit: 0).isEmpty)

        // Nothing was dropped or changed, and searching still works.
        let after = try kb.store.statistics()
        #expect(after.documents == before.documents)
        #expect(after.passages == before.passages)
        #expect(Set(try kb.store.storedDocuments().keys) == documents)
        #expect(try kb.store.integrityProblems() == [])
        let (file, phrase) = SampleKB.files[3]
        #expect(try kb.store.keywordSearch(phrase, limit: 3).first?.passage.documentPath == kb.path(file))
        try kb.store.writeBatch { writer in try writer.setMeta("after-hostile", "ok") }
        #expect(try kb.store.metaValue("after-hostile") == "ok")
    }

    @Test("keywordCandidates, documentIDs and hits(forPassages:) agree; ids that are gone are left out",
          arguments: Backend.available)
    func candidatesDocumentsAndHitsAgree(_ backend: Backend) throws {
        let kb = try IndexedFolder(backend)
        let text = "passages ranking question model server"
        let candidates = try kb.store.keywordCandidates(FTSQuery(text), limit: 25)
        #expect(candidates.count == 25)
        let ids = candidates.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(zip(candidates, candidates.dropFirst()).allSatisfy { $0.score >= $1.score })
        #expect(candidates.allSatisfy { $0.score > 0 })

        // The document of each candidate is the one documentIDs names and the one its path is stored under.
        let documents = try kb.store.documentIDs(ofPassages: ids)
        #expect(documents == Dictionary(uniqueKeysWithValues: candidates.map { ($0.id, $0.document) }))
        let stored = try kb.store.storedDocuments()
        for candidate in candidates {
            let passage = try #require(try kb.store.passage(id: candidate.id))
            #expect(stored[passage.documentPath]?.id == candidate.document)
        }

        let scores = candidates.map(\.score)
        let hits = try kb.store.hits(forPassages: ids, scores: scores, terms: FTSQuery.terms(text))
        #expect(hits.map(\.passage.id) == ids)
        #expect(hits.map(\.passage.score) == scores)
        #expect(hits.map(\.rank) == Array(1...ids.count))
        for hit in hits {
            var plain = hit.passage
            plain.score = 0
            #expect(try kb.store.passage(id: hit.passage.id) == plain)
        }

        // keywordSearch without a cap keeps the candidates' order of scores.
        let searched = try kb.store.keywordSearch(text, limit: 10, perDocument: 100)
        #expect(searched.map(\.passage.score) == Array(scores.prefix(10)))

        // Ids that never existed are left out; the others keep the place they were given.
        let mixed = [ids[0], 987_654_321, ids[1], -5, ids[2]]
        #expect(Set(try kb.store.documentIDs(ofPassages: mixed).keys) == Set([ids[0], ids[1], ids[2]]))
        let mixedHits = try kb.store.hits(forPassages: mixed, scores: [5, 4, 3, 2, 1], terms: [])
        #expect(mixedHits.map(\.passage.id) == [ids[0], ids[1], ids[2]])
        #expect(mixedHits.map(\.passage.score) == [5, 3, 1])
        #expect(mixedHits.map(\.rank) == [1, 3, 5], "rank is the place in the list given")
        #expect(try kb.store.documentIDs(ofPassages: []).isEmpty)
        #expect(try kb.store.hits(forPassages: [], scores: [], terms: []).isEmpty)

        // Ids of a document deleted since are left out as well.
        let goneDocument = candidates[0].document
        let gonePath = try #require(stored.first { $0.value.id == goneDocument }?.key)
        let goneIDs = Set(try kb.store.passages(ofDocument: gonePath).map(\.id))
        try FileManager.default.removeItem(atPath: gonePath)
        #expect(try kb.index().removed == 1)
        let remaining = ids.filter { !goneIDs.contains($0) }
        #expect(remaining.count < ids.count)
        #expect(Set(try kb.store.documentIDs(ofPassages: ids).keys) == Set(remaining))
        #expect(try kb.store.hits(forPassages: ids, scores: scores, terms: []).map(\.passage.id) == remaining)
        #expect(try kb.store.keywordCandidates(FTSQuery(text), limit: 100).allSatisfy { !goneIDs.contains($0.id) })
        for id in goneIDs { #expect(try kb.store.passage(id: id) == nil) }
    }
}

@Suite("Store contract: incremental indexing")
struct IncrementalContractTests {
    @Test("unchanged, edited, touched, deleted and renamed files each cost only what changed",
          arguments: Backend.available)
    func incrementalRuns(_ backend: Backend) throws {
        let kb = try IndexedFolder(backend)
        let n = SampleKB.files.count
        #expect(kb.first.counts == ["added": n, "updated": 0, "removed": 0, "renamed": 0, "unchanged": 0, "skipped": 0])

        let second = try kb.index()
        #expect(second.counts == ["added": 0, "updated": 0, "removed": 0, "renamed": 0, "unchanged": n, "skipped": 0])
        #expect(second.passagesWritten == 0)
        #expect(second.bytesRead == 0, "unchanged files are not read")

        // Edited: new words found, the rest of the knowledge base untouched.
        let edited = "primer/chunking.txt"
        let otherIDs = try kb.ids("guide/installing.md")
        try kb.folder.write(edited, try kb.folder.read(edited) + "\n\nAddendum: the quokka rule keeps one sentence of overlap.\n")
        try kb.folder.setModified(edited, to: Date(timeIntervalSince1970: 1_800_000_000))
        let third = try kb.index()
        #expect(third.counts == ["added": 0, "updated": 1, "removed": 0, "renamed": 0, "unchanged": n - 1, "skipped": 0])
        #expect(try kb.store.keywordSearch("quokka", limit: 5).map(\.passage.documentPath) == [kb.path(edited)])
        #expect(try kb.ids("guide/installing.md") == otherIDs)

        // Touched: same bytes, new time. Read to hash it, never chunked again.
        let touchedIDs = try kb.ids("guide/installing.md")
        try kb.folder.setModified("guide/installing.md", to: Date(timeIntervalSince1970: 1_800_000_100))
        let touched = try kb.index()
        #expect(touched.counts == ["added": 0, "updated": 0, "removed": 0, "renamed": 0, "unchanged": n, "skipped": 0])
        #expect(touched.passagesWritten == 0)
        #expect(try kb.ids("guide/installing.md") == touchedIDs)
        #expect(try kb.index().bytesRead == 0, "the new time was remembered")

        // Deleted.
        let deleted = "guide/troubleshooting.txt"
        let deletedPhrase = SampleKB.files.first { $0.path == deleted }!.phrase
        let passagesBefore = try kb.store.statistics().passages
        let deletedCount = try kb.ids(deleted).count
        try kb.folder.remove(deleted)
        let fourth = try kb.index()
        #expect(fourth.counts == ["added": 0, "updated": 0, "removed": 1, "renamed": 0, "unchanged": n - 1, "skipped": 0])
        #expect(try kb.store.storedDocuments()[kb.path(deleted)] == nil)
        #expect(try kb.ids(deleted).isEmpty)
        #expect(try kb.store.statistics().passages == passagesBefore - deletedCount)
        #expect(try !kb.store.keywordSearch(deletedPhrase, limit: 20).contains { $0.passage.documentPath == kb.path(deleted) })

        // Renamed with the same content: the same passages, under the new path.
        let from = "primer/rag-vs-fine-tuning.md", to = "archive/2024/rag-versus-fine-tuning.md"
        let phrase = SampleKB.files.first { $0.path == from }!.phrase
        let ids = try kb.ids(from)
        try kb.folder.move(from, to)
        let fifth = try kb.index()
        #expect(fifth.counts == ["added": 0, "updated": 0, "removed": 0, "renamed": 1, "unchanged": n - 2, "skipped": 0])
        #expect(fifth.passagesWritten == 0)
        #expect(try kb.ids(to) == ids)
        #expect(try kb.ids(from).isEmpty)
        let stored = try kb.store.storedDocuments()
        #expect(stored[kb.path(to)] != nil && stored[kb.path(from)] == nil)
        #expect(try kb.store.passage(id: ids[0])?.documentPath == kb.path(to))
        #expect(try kb.store.keywordSearch(phrase, limit: 3).first?.passage.documentPath == kb.path(to))
        #expect(try kb.store.statistics().documents == n - 1)

        let last = try kb.index()
        #expect(last.counts == ["added": 0, "updated": 0, "removed": 0, "renamed": 0, "unchanged": n - 1, "skipped": 0])
        #expect(try kb.store.integrityProblems() == [])
    }
}

@Suite("Store contract: transactions")
struct TransactionContractTests {
    @Test("a batch that throws leaves no trace, and the store goes on working", arguments: Backend.available)
    func writeBatchRollsBack(_ backend: Backend) throws {
        let kb = try IndexedFolder(backend)
        let statistics = try kb.store.statistics()
        let stored = try kb.store.storedDocuments()
        let installingIDs = try kb.ids("guide/installing.md")
        let chunking = try kb.store.metaValue("chunking")
        let ghost = ChunkDraft(headingPath: ["Ghost"], text: "The wraithmoss ledger is never committed.",
                               lineStart: 1, lineEnd: 2, tokenEstimate: 8)

        #expect(throws: Deliberate.self) {
            try kb.store.writeBatch { writer in
                try writer.putDocument(path: kb.path("ghost.md"), size: 42, mtimeNanoseconds: 1, hash: "ghost",
                                       title: "Ghost", format: .markdown, chunks: [ghost])
                try writer.putDocument(path: kb.path("guide/installing.md"), size: 1, mtimeNanoseconds: 1, hash: "other",
                                       title: "Replaced", format: .markdown, chunks: [ghost])
                try writer.removeDocument(id: stored[kb.path("guide/troubleshooting.txt")]!.id)
                try writer.putSkipped(path: kb.path("skipped.bin"), size: 3, mtimeNanoseconds: 1, reason: "binary")
                try writer.touchDocument(id: stored[kb.path("primer/chunking.txt")]!.id, size: 1, mtimeNanoseconds: 2)
                try writer.setMeta("chunking", "tampered")
                throw Deliberate()
            }
        }
        #expect(try kb.store.statistics().documents == statistics.documents)
        #expect(try kb.store.statistics().passages == statistics.passages)
        #expect(try kb.store.statistics().skipped == 0)
        #expect(try kb.store.storedDocuments() == stored)
        #expect(try kb.ids("guide/installing.md") == installingIDs)
        #expect(try kb.store.passages(ofDocument: kb.path("ghost.md")).isEmpty)
        #expect(try kb.store.keywordSearch("wraithmoss", limit: 5).isEmpty)
        #expect(try kb.store.metaValue("chunking") == chunking)
        #expect(try kb.index().counts["unchanged"] == SampleKB.files.count, "the indexer sees nothing to redo")

        // The same store commits the next batch, and hands back what the body returns.
        let written = try kb.store.writeBatch { writer in
            try writer.putDocument(path: kb.path("ghost.md"), size: 42, mtimeNanoseconds: 1, hash: "ghost",
                                   title: "Ghost", format: .markdown, chunks: [ghost])
        }
        #expect(written == 1)
        #expect(try kb.store.keywordSearch("wraithmoss", limit: 5).map(\.passage.documentPath) == [kb.path("ghost.md")])
        #expect(try kb.store.writeBatch { _ in "value" } == "value")
        // The ghost is not on disk: the next run removes it.
        #expect(try kb.index().removed == 1)
        #expect(try kb.store.integrityProblems() == [])
    }
}

@Suite("Store contract: passage runs")
struct PassageRunContractTests {
    @Test("passageRuns(around:radius:) cuts the same runs on every backend", arguments: Backend.available)
    func passageRuns(_ backend: Backend) throws {
        let kb = try IndexedFolder(backend)
        let reference = try ReferenceIndex(roots: [kb.folder.root])
        for relative in ["guide/reference/configuration.rst", "primer/rag-vs-fine-tuning.md"] {
            let passages = try kb.store.passages(ofDocument: kb.path(relative))
            let referencePassages = try reference.store.passages(ofDocument: kb.path(relative))
            try #require(passages.count >= 5, "\(relative) should have several passages")
            let places = [2, 0, passages.count - 1, 2]
            for radius in [0, 1, 2] {
                let runs = try kb.store.passageRuns(around: places.map { passages[$0].id } + [987_654_321], radius: radius)
                let expected = places.map { Array(passages[max(0, $0 - radius)...min(passages.count - 1, $0 + radius)]) }
                #expect(runs == expected, "\(relative) radius \(radius)")
                let same = try reference.store.passageRuns(around: places.map { referencePassages[$0].id }, radius: radius)
                #expect(runs.map { $0.map(PassageShape.init) } == same.map { $0.map(PassageShape.init) },
                        "\(relative) radius \(radius)")
            }
        }
        // Ids of two documents in one call, each with its own neighbours only.
        let a = try kb.store.passages(ofDocument: kb.path("guide/installing.md"))
        let b = try kb.store.passages(ofDocument: kb.path("primer/chunking.txt"))
        let runs = try kb.store.passageRuns(around: [b[1].id, a[1].id], radius: 1)
        #expect(runs == [Array(b[0...2]), Array(a[0...2])])
        #expect(try kb.store.passageRuns(around: [a[0].id], radius: -1).isEmpty)
        #expect(try kb.store.passageRuns(around: [], radius: 3).isEmpty)
        #expect(try kb.store.passageRuns(around: [987_654_321], radius: 3).isEmpty)
    }
}

@Suite("Store contract: words written with punctuation")
struct CompoundWordContractTests {
    /// Among them what PostgreSQL's default parser reads as one token (host, file, float, version:
    /// config.toml, 127.0.0.1, 1.2, a path), which matched nothing before schema 2 read punctuation as space.
    static let compounds = ["config.toml", "max_tokens", "base_url", "llama-server", "fine-tuned", "127.0.0.1",
                            "nDCG@5", "primer/ranking.html", "models.NAME", "1.2", "~/.config/lore/config.toml", "LORE_HOME"]


    @Test("a compound finds the documents it finds in SQLite", arguments: Backend.available)
    func compoundsFindTheSameDocuments(_ backend: Backend) throws {
        let kb = try IndexedFolder(backend)
        let reference = try ReferenceIndex(roots: [kb.folder.root])
        for text in Self.compounds {
            let found = Set(try kb.store.keywordSearch(text, limit: 50, perDocument: 50).map(\.passage.documentPath))
            let expected = Set(try reference.store.keywordSearch(text, limit: 50, perDocument: 50).map(\.passage.documentPath))
            #expect(!expected.isEmpty, "\(text)")
            #expect(found == expected, "\(text)")
        }
    }
}
