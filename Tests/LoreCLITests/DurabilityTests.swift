import Foundation
import LoreCore
import LoreStore
import Testing

/// Writes `count` Markdown files of a few KB each, in folders of 100, and returns their paths.
private func makeCorpus(at root: String, count: Int) throws -> Set<String> {
    let words = ["autovacuum", "checkpoint", "replication", "tablespace", "sequence", "trigger", "cursor", "index",
                 "planner", "statistics", "collation", "partition", "constraint", "transaction", "snapshot"]
    var paths = Set<String>()
    for i in 0..<count {
        let folder = root + "/part\(i / 100)"
        if i % 100 == 0 { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        var text = "# Document \(i)\n\nThis page, number \(i), is about \(words[i % words.count]).\n"
        for section in 0..<6 {
            text += "\n## Section \(section) of document \(i)\n\n"
            for sentence in 0..<8 {
                let a = words[(i + section + sentence) % words.count], b = words[(i * 7 + sentence) % words.count]
                text += "The \(a) setting interacts with \(b) in release \(i).\(section).\(sentence); read on. "
            }
            text += "\n"
        }
        let path = folder + "/doc-\(i).md"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        paths.insert(path)
    }
    return paths
}

/// The store file `lore index --kb FOLDER` keeps for a folder: the only one under data/adhoc.
private func adHocStore(_ s: CLISandbox) -> String? {
    let folder = s.home + "/data/adhoc"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return names.first { $0.hasSuffix(".sqlite") }.map { folder + "/" + $0 }
}

private func indexedDocuments(_ storePath: String) -> Int? {
    guard let store = try? KnowledgeBaseStore(path: storePath, readOnly: true) else { return nil }
    return try? store.statistics().documents
}

@Suite("Durability: kill -9 and concurrent processes", .serialized)
struct DurabilityTests {
    @Test("kill -9 during indexing loses nothing committed; the next run finishes the job and passes the checks")
    func killDuringIndexing() throws {
        let s = try CLISandbox()
        let corpus = s.work + "/corpus"
        let files = try makeCorpus(at: corpus, count: 3_000)

        let indexing = try s.start(["index", "--kb", corpus])
        // Wait for the first committed batch, then kill without warning.
        var committed = 0
        while indexing.isRunning {
            if let store = adHocStore(s), let count = indexedDocuments(store), count > 0 {
                committed = count
                break
            }
            usleep(5_000)
        }
        kill(indexing.pid, SIGKILL)
        let killed = try indexing.wait()
        try #require(killed.signalled, """
            the index run ended (status \(killed.status)) before it could be killed: \(killed.out) \(killed.err)
            """)
        #expect(committed > 0)

        let storePath = try #require(adHocStore(s))
        let survived: [String: StoredDocument]
        var passagesBefore: [String: [Int64]] = [:]
        do {
            let store = try KnowledgeBaseStore(path: storePath)
            #expect(try store.integrityProblems() == [], "the killed run left a consistent file")
            survived = try store.storedDocuments()
            for path in survived.keys { passagesBefore[path] = try store.passages(ofDocument: path).map(\.id) }
        }
        #expect(survived.count >= committed)
        #expect(survived.count < files.count, "the kill came before the last batch")
        #expect(Set(survived.keys).isSubset(of: files))

        let resumed = try s.run("index", "--kb", corpus, "--check")
        #expect(resumed.status == 0, "\(resumed.err)")
        #expect(resumed.out.contains("integrity: ok"), "\(resumed.out)")
        #expect(resumed.out.contains("added \(files.count - survived.count),"), "\(resumed.out)")
        #expect(resumed.out.contains("unchanged \(survived.count),"), "committed files are not redone: \(resumed.out)")

        let store = try KnowledgeBaseStore(path: storePath)
        let stored = try store.storedDocuments()
        #expect(Set(stored.keys) == files)
        #expect(stored.values.allSatisfy { $0.status == .indexed })
        #expect(try store.integrityProblems() == [])
        var kept = 0
        for (path, ids) in passagesBefore where try store.passages(ofDocument: path).map(\.id) == ids { kept += 1 }
        #expect(kept == passagesBefore.count, "passages committed before the kill are still there, same ids")
        #expect(try store.statistics().lastIndexed != nil)
    }

    @Test("two index runs of one knowledge base at once: the second waits, and no file is chunked twice")
    func concurrentIndexRuns() throws {
        let s = try CLISandbox()
        let corpus = s.work + "/corpus"
        let files = try makeCorpus(at: corpus, count: 1_500)
        let first = try s.start(["index", "--kb", corpus], tag: "first")
        let second = try s.start(["index", "--kb", corpus], tag: "second")
        let (a, b) = (try first.wait(), try second.wait())
        #expect(a.status == 0 && b.status == 0, "first: \(a.err)\nsecond: \(b.err)")
        func count(_ word: String, _ out: String) -> Int? {
            guard let range = out.range(of: word + #" \d+"#, options: .regularExpression) else { return nil }
            return Int(out[range].dropFirst(word.count + 1))
        }
        let added = [a, b].compactMap { count("added", $0.out) }
        let unchanged = [a, b].compactMap { count("unchanged", $0.out) }
        #expect(added.count == 2 && unchanged.count == 2, "\(a.out) \(b.out)")
        // Whichever ran first added every file; the other found them all done.
        #expect(added.reduce(0, +) == files.count, "added \(added): \(a.out) \(b.out)")
        #expect(unchanged.reduce(0, +) == files.count, "unchanged \(unchanged)")
        let waited = [a, b].filter { $0.err.contains("another index run is under way") }.count
        print("runs that waited for the other: \(waited)")
        #expect(waited <= 1)
        let store = try KnowledgeBaseStore(path: try #require(adHocStore(s)))
        #expect(try store.integrityProblems() == [])
        #expect(Set(try store.storedDocuments().keys) == files)
    }

    @Test("searches in other processes while one indexes wait or read; never 'database is locked'")
    func searchWhileIndexing() throws {
        let s = try CLISandbox()
        let corpus = s.work + "/corpus"
        _ = try makeCorpus(at: corpus, count: 2_000)
        let indexing = try s.start(["index", "--kb", corpus], tag: "indexer")
        while indexing.isRunning && adHocStore(s) == nil { usleep(5_000) }

        var searches: [CommandResult] = []
        var found = 0
        while indexing.isRunning || searches.isEmpty {
            let result = try s.run("search", "--kb", corpus, "--json", "autovacuum", "checkpoint")
            searches.append(result)
            if let hits = try? JSONSerialization.jsonObject(with: result.stdout) as? [Any], !hits.isEmpty { found += 1 }
        }
        let indexed = try indexing.wait()
        #expect(indexed.status == 0, "\(indexed.err)")
        #expect(searches.count >= 1)
        for (i, result) in searches.enumerated() {
            #expect(result.status == 0, "search \(i): \(result.err)")
            #expect(!result.err.lowercased().contains("locked"), "search \(i): \(result.err)")
            #expect(!result.err.lowercased().contains("busy"), "search \(i): \(result.err)")
        }
        // And a second indexer on the same folder while the first one runs: it waits its turn.
        let first = try s.start(["index", "--kb", corpus, "-q"], tag: "first")
        let second = try s.run("index", "--kb", corpus, "-q")
        let firstResult = try first.wait()
        #expect(firstResult.status == 0, "\(firstResult.err)")
        #expect(second.status == 0, "\(second.err)")
        #expect(!(firstResult.err + second.err).lowercased().contains("locked"))
        print("searches during indexing: \(searches.count), of which \(found) found passages")
    }
}
