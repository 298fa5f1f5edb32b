import LoreCore
import Testing
@testable import LoreTUI

/// Bugs the end-to-end runs found, pinned at the `update` level where they are cheap to check.
@Suite("end-to-end findings")
struct EndToEndFindingsTests {
    /// The model server came up after Lore's start-up probe: once its answer streams, the status bar must
    /// stop calling it unreachable.
    @Test func aStreamedAnswerClearsAnUnreachableStatus() {
        var m = AppModel(rows: 24, cols: 80, kbName: "docs")
        _ = update(&m, .modelStatus(ModelStatus(name: "openai", state: .unreachable("cannot reach"))))
        Fixtures.type(&m, "what is lore")
        _ = update(&m, .key(.enter))
        let id = m.activeAnswer!
        _ = update(&m, .answer(request: id, .retrieved(Fixtures.passages, millis: 3)))
        _ = update(&m, .answer(request: id, .delta("Lore answers [1].")))
        _ = update(&m, .answer(request: id, .finished(AnswerStats(model: "openai", ttftMillis: 5,
                                                                   tokensPerSecond: nil, incomplete: false))))
        #expect(m.model?.state == .ready)
        #expect(view(m).lines[22].contains("openai ready"))
        #expect(!view(m).lines[22].contains("unreachable"))
    }

    /// An answer that fails before any text leaves the unreachable status alone.
    @Test func aFailedAnswerKeepsTheUnreachableStatus() {
        var m = AppModel(rows: 24, cols: 80, kbName: "docs")
        _ = update(&m, .modelStatus(ModelStatus(name: "openai", state: .unreachable("cannot reach"))))
        Fixtures.type(&m, "what is lore")
        _ = update(&m, .key(.enter))
        let id = m.activeAnswer!
        _ = update(&m, .answer(request: id, .error("cannot reach http://127.0.0.1:9/v1")))
        #expect(m.model?.state == .unreachable("cannot reach"))
    }
}
