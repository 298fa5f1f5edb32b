import LoreCore
import Testing
@testable import LoreTUI

@Suite("watching the open knowledge base")
struct WatchUpdateTests {
    let totals = IndexTotals(added: 0, updated: 0, removed: 0, unchanged: 3, skipped: 0)

    /// Opens `Fixtures.kb`, finishes its first index run and returns the watch's request id.
    func opened(_ m: inout AppModel) -> Int? {
        let effects = update(&m, .knowledgeBaseOpened(Fixtures.kb))
        guard case .reindex(let index, "docs")? = effects.first, case .watch(let watch, "docs")? = effects.last else {
            Issue.record("opening should index and watch, got \(effects)")
            return nil
        }
        _ = update(&m, .indexProgress(request: index, .finished(totals)))
        return watch
    }

    func statusLine(_ m: AppModel, cols: Int = 80) -> String {
        drawn(rows: 1, cols: cols) { b, r in m.statusBar.draw(into: &b, in: r) }[0]
    }

    @Test func openingWatchesAndTheStatusBarSaysSo() throws {
        var m = AppModel(rows: 24, cols: 80, kbName: "docs")
        let watch = try #require(opened(&m))
        #expect(m.watch == .off)
        #expect(update(&m, .watchStatus(request: watch, .watching)) == [])
        #expect(m.watch == .watching)
        #expect(statusLine(m).hasPrefix(" docs │ 1,170 docs · 8,432 passages │ up to date │ model … │ watching"))
        // The count refresh after the index run starts neither another run nor another watch.
        #expect(update(&m, .knowledgeBaseOpened(Fixtures.kb)) == [])
    }

    @Test func aRefreshIsShownBrieflyAndRefreshesTheCounts() throws {
        var m = AppModel(rows: 24, cols: 80, kbName: "docs")
        let watch = try #require(opened(&m))
        _ = update(&m, .watchStatus(request: watch, .watching))
        m.now = 100
        let effects = update(&m, .watchStatus(request: watch, .refreshed(files: 1, millis: 40)))
        #expect(effects == [.openKnowledgeBase("docs"), .tickAfter(seconds: AppModel.refreshNoteSeconds)])
        #expect(statusLine(m).hasPrefix(" docs │ 1,170 docs · 8,432 passages │ refreshed 1 file │ model … │ watching"))
        m.now = 100 + AppModel.refreshNoteSeconds
        _ = update(&m, .tick)
        #expect(statusLine(m).hasPrefix(" docs │ 1,170 docs · 8,432 passages │ up to date │ model … │ watching"))
        _ = update(&m, .watchStatus(request: watch, .refreshed(files: 3, millis: 40)))
        #expect(statusLine(m).contains("refreshed 3 files │"))
    }

    @Test func theFallbackReasonIsANotice() throws {
        var m = AppModel(rows: 24, cols: 80, kbName: "docs")
        let watch = try #require(opened(&m))
        let reason = "the inotify watch limit (fs.inotify.max_user_watches = 8192) is reached; checking for changes "
            + "every 30 s instead — raise it with sysctl"
        _ = update(&m, .watchStatus(request: watch, .polling(reason: reason)))
        #expect(m.watch == .polling)
        #expect(m.items.last == .notice(Notice(.warning, reason)))
        #expect(statusLine(m).contains("up to date │ model … │ polling"))
    }

    @Test func switchingStopsTheOldWatchAndStartsTheNew() throws {
        var m = AppModel(rows: 24, cols: 80, kbName: "docs")
        let old = try #require(opened(&m))
        _ = update(&m, .watchStatus(request: old, .watching))
        Fixtures.type(&m, "/kb python")
        _ = update(&m, .key(.enter))
        let python = KnowledgeBaseSummary(name: "python", paths: ["/srv/python"], documents: 5, passages: 9,
                                          lastIndexed: nil)
        let effects = update(&m, .knowledgeBaseOpened(python))
        guard case .watch(let new, "python")? = effects.last else {
            Issue.record("switching should watch the new knowledge base, got \(effects)")
            return
        }
        #expect(new != old)
        #expect(m.watch == .off)
        // A late event of the old watch changes nothing.
        let before = m
        #expect(update(&m, .watchStatus(request: old, .refreshed(files: 2, millis: 5))) == [])
        #expect(m == before)
        _ = update(&m, .watchStatus(request: new, .watching))
        #expect(m.watch == .watching)
    }

    @Test func aFailedRefreshIsShownAndTheWatchGoesOn() throws {
        var m = AppModel(rows: 24, cols: 80, kbName: "docs")
        let watch = try #require(opened(&m))
        _ = update(&m, .watchStatus(request: watch, .watching))
        _ = update(&m, .watchStatus(request: watch, .failed("refreshing docs failed: disk I/O error")))
        #expect(m.items.last == .notice(Notice(.error, "refreshing docs failed: disk I/O error")))
        #expect(m.watch == .watching)
    }
}
