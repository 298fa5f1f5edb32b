import Foundation
import LoreCore
@testable import LoreIngest
@testable import LoreStore
import Testing

private let alpha = """
    # Alpha guide

    The zorblax engine reclaims storage from retired widgets.

    ## Tuning

    Raise the quintessor limit when the widget queue grows.

    Lower it again once the queue drains; the engine logs every change it makes to the limit.
    """

private let bravo = """
    # Bravo notes

    Marmalade pipelines ferment overnight in the cellar.
    """

private let charlie = """
    Charlie is plain text about the velocipede registry and its yearly audit.
    """

@Suite("Indexer: incremental runs", .serialized)
struct IndexerIncrementalTests {
    private func sandboxWithThreeFiles() throws -> IndexerSandbox {
        let s = try IndexerSandbox()
        try s.write("alpha.md", alpha)
        try s.write("sub/bravo.md", bravo)
        try s.write("charlie.txt", charlie)
        return s
    }

    @Test("the first run adds every file; a second run with nothing changed reads and writes nothing")
    func firstRunThenNoChange() throws {
        let s = try sandboxWithThreeFiles()
        let first = try s.index()
        #expect(first.counts == ["added": 3, "updated": 0, "removed": 0, "renamed": 0, "unchanged": 0, "skipped": 0])
        #expect(first.passagesWritten == (try s.passageCount()))
        #expect(first.passagesWritten >= 3)
        #expect(try s.searchPaths("zorblax") == [s.path("alpha.md")])
        #expect(try s.searchPaths("marmalade") == [s.path("sub/bravo.md")])
        #expect(try s.searchPaths("velocipede") == [s.path("charlie.txt")])

        let ids = try ["alpha.md", "sub/bravo.md", "charlie.txt"].map { try s.passageIDs($0) }
        let stamps = try ["alpha.md", "sub/bravo.md", "charlie.txt"].map { try s.indexedAt($0) }
        var events: [IndexEvent] = []
        let second = try s.index { events.append($0) }
        #expect(second.counts == ["added": 0, "updated": 0, "removed": 0, "renamed": 0, "unchanged": 3, "skipped": 0])
        #expect(second.passagesWritten == 0)
        #expect(second.bytesRead == 0, "unchanged files are not even read")
        #expect(events.contains(.listed(files: 0, bytes: 0)))
        #expect(try ["alpha.md", "sub/bravo.md", "charlie.txt"].map { try s.passageIDs($0) } == ids)
        #expect(try ["alpha.md", "sub/bravo.md", "charlie.txt"].map { try s.indexedAt($0) } == stamps)
        try s.expectSound()
    }

    @Test("a file whose content changed is updated: the new text is found and the old text is not")
    func modifiedContent() throws {
        let s = try sandboxWithThreeFiles()
        try s.index()
        try s.write("alpha.md", alpha.replacingOccurrences(of: "zorblax", with: "flumdiddle"))
        try s.setModified("alpha.md", secondsFromNow: 5)
        // Same size, different bytes: only the modification time gives it away.
        try s.write("charlie.txt", charlie.replacingOccurrences(of: "velocipede", with: "hovercraft"))
        try s.setModified("charlie.txt", secondsFromNow: 5)
        let summary = try s.index()
        #expect(summary.counts == ["added": 0, "updated": 2, "removed": 0, "renamed": 0, "unchanged": 1, "skipped": 0])
        #expect(try s.searchPaths("flumdiddle") == [s.path("alpha.md")])
        #expect(try s.searchPaths("zorblax") == [])
        #expect(try s.searchPaths("hovercraft") == [s.path("charlie.txt")])
        #expect(try s.searchPaths("velocipede") == [])
        #expect(try s.searchPaths("marmalade") == [s.path("sub/bravo.md")])
        try s.expectSound()
    }

    @Test("a touched file (new modification time, same bytes) is hashed once, not chunked again")
    func touchedOnly() throws {
        let s = try sandboxWithThreeFiles()
        try s.index()
        let ids = try s.passageIDs("alpha.md")
        try s.setModified("alpha.md", secondsFromNow: 30)
        let touched = try s.index()
        #expect(touched.counts == ["added": 0, "updated": 0, "removed": 0, "renamed": 0, "unchanged": 3, "skipped": 0])
        #expect(touched.passagesWritten == 0)
        #expect(touched.bytesRead == Int64(alpha.utf8.count), "only the touched file is read, to hash it")
        #expect(try s.passageIDs("alpha.md") == ids)
        // The new time was remembered: the next run does not read the file again.
        let again = try s.index()
        #expect(again.bytesRead == 0)
        #expect(again.unchanged == 3)
        try s.expectSound()
    }

    @Test("a deleted file is removed and its passages are gone from search")
    func deleted() throws {
        let s = try sandboxWithThreeFiles()
        try s.index()
        let before = try s.passageCount()
        let bravoPassages = try s.passageIDs("sub/bravo.md").count
        try s.remove("sub/bravo.md")
        let summary = try s.index()
        #expect(summary.counts == ["added": 0, "updated": 0, "removed": 1, "renamed": 0, "unchanged": 2, "skipped": 0])
        #expect(try s.searchPaths("marmalade") == [])
        #expect(try s.passageCount() == before - bravoPassages)
        #expect(try s.store.storedDocuments()[s.path("sub/bravo.md")] == nil)
        try s.expectSound()
    }

    @Test("a renamed file keeps its passages (same ids) and search shows the new path")
    func renamed() throws {
        let s = try sandboxWithThreeFiles()
        try s.index()
        let ids = try s.passageIDs("alpha.md")
        try s.move("alpha.md", "sub/moved-alpha.md")
        let summary = try s.index()
        #expect(summary.counts == ["added": 0, "updated": 0, "removed": 0, "renamed": 1, "unchanged": 2, "skipped": 0])
        #expect(summary.renamed == 1)
        #expect(summary.passagesWritten == 0)
        #expect(try s.passageIDs("sub/moved-alpha.md") == ids)
        #expect(try s.passageIDs("alpha.md") == [])
        #expect(try s.searchPaths("zorblax") == [s.path("sub/moved-alpha.md")])
        try s.expectSound()
    }

    @Test("two files with the same bytes are both indexed, whether copied before or after the first run")
    func copies() throws {
        let s = try IndexerSandbox()
        try s.write("one.md", alpha)
        try s.write("two.md", alpha)
        let first = try s.index()
        #expect(first.added == 2)
        try s.copy("one.md", "three.md")
        let second = try s.index()
        #expect(second.counts == ["added": 1, "updated": 0, "removed": 0, "renamed": 0, "unchanged": 2, "skipped": 0])
        #expect(Set(try s.searchPaths("zorblax")) == [s.path("one.md"), s.path("two.md"), s.path("three.md")])
        try s.expectSound()
    }

    @Test("a moved file that was also copied: one copy takes over the passages, the other is new")
    func movedAndCopied() throws {
        let s = try sandboxWithThreeFiles()
        try s.index()
        let ids = try s.passageIDs("alpha.md")
        try s.move("alpha.md", "a1.md")
        try s.copy("a1.md", "a2.md")
        let summary = try s.index()
        #expect(summary.counts == ["added": 1, "updated": 0, "removed": 0, "renamed": 1, "unchanged": 2, "skipped": 0])
        let kept = try [s.passageIDs("a1.md"), s.passageIDs("a2.md")]
        #expect(kept.contains(ids), "one of the two copies keeps the original passages")
        #expect(Set(try s.searchPaths("zorblax")) == [s.path("a1.md"), s.path("a2.md")])
        try s.expectSound()
    }

    @Test("a deleted file's bytes written over another indexed file: the overwritten file's passages go")
    func movedOverAnotherIndexedFile() throws {
        let s = try sandboxWithThreeFiles()
        try s.index()
        let alphaIDs = try s.passageIDs("alpha.md")
        try s.remove("alpha.md")
        try s.write("sub/bravo.md", alpha)
        try s.setModified("sub/bravo.md", secondsFromNow: 5)
        let summary = try s.index()
        #expect(summary.renamed + summary.updated == 1)
        #expect(try s.searchPaths("marmalade") == [], "bravo's old text is gone")
        #expect(try s.searchPaths("zorblax") == [s.path("sub/bravo.md")])
        #expect(try s.passageCount() == alphaIDs.count + (try s.passageIDs("charlie.txt").count))
        try s.expectSound()
    }

    @Test("changing the chunking options chunks every file again, renamed ones included")
    func chunkingChanged() throws {
        let s = try sandboxWithThreeFiles()
        try s.index()
        let before = try ["alpha.md", "sub/bravo.md", "charlie.txt"].map { try s.passageIDs($0) }
        try s.move("charlie.txt", "renamed-charlie.txt")
        let small = IndexOptions(chunking: ChunkingOptions(targetTokens: 16, overlapTokens: 0, maxTokens: 16))
        let summary = try s.index(small)
        #expect(summary.renamed == 0, "a move must not carry over passages cut with the old options")
        #expect(summary.updated == 2)
        #expect(summary.added == 1)
        #expect(summary.removed == 1)
        #expect(summary.unchanged == 0)
        // With 16-token passages the second section of the alpha guide no longer fits in one.
        #expect(try s.passageIDs("alpha.md").count > before[0].count)
        let after = try ["alpha.md", "sub/bravo.md", "renamed-charlie.txt"].map { try s.passageIDs($0) }
        for (old, new) in zip(before, after) {
            #expect(!new.isEmpty)
            #expect(Set(old).isDisjoint(with: new), "every passage was written again")
        }
        // The new options are remembered: the next run with them changes nothing.
        let again = try s.index(small)
        #expect(again.unchanged == 3)
        #expect(again.passagesWritten == 0)
        try s.expectSound()
    }

    @Test("progress events count up to the files listed and end with the summary")
    func progressEvents() throws {
        let s = try IndexerSandbox()
        for i in 0..<25 { try s.write("f\(i).md", "# File \(i)\n\nword\(i) text\n") }
        var events: [IndexEvent] = []
        let summary = try s.index(IndexOptions(batchFiles: 10)) { events.append($0) }
        let progress = events.compactMap { event -> IndexProgress? in
            if case .progress(let p) = event { return p } else { return nil }
        }
        #expect(progress.map(\.filesDone) == [0, 10, 20, 25])
        #expect(progress.allSatisfy { $0.filesTotal == 25 })
        #expect(progress.last?.passagesWritten == summary.passagesWritten)
        #expect(events.last == .finished(summary))
        #expect(summary.added == 25)
    }
}
