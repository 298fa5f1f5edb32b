import LoreCore
import Testing
@testable import LoreTUI

@Suite("ScreenBuffer")
struct ScreenBufferTests {
    let plain = TextStyle.plain
    let bold = TextStyle(.primary, on: .background, [.bold])

    @Test func wideCharactersTakeTwoCells() {
        var b = ScreenBuffer(rows: 1, cols: 6)
        let end = b.put("a日b", row: 0, col: 0, style: plain)
        #expect(end == 4)
        #expect(b[0, 1].text == "日")
        #expect(b[0, 2].isContinuation)
        #expect(b.lines == ["a日b  "])
    }

    @Test func wideCharacterAtTheEdgeBecomesABlank() {
        var b = ScreenBuffer(rows: 1, cols: 4)
        b.put("abc日", row: 0, col: 0, style: plain)
        #expect(b.lines == ["abc "])
        #expect(!b.cells.contains { $0.isContinuation })
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var b = ScreenBuffer(rows: 1, cols: 4)
        b.put("日本", row: 0, col: 0, style: plain)
        b.put("x", row: 0, col: 1, style: plain)
        #expect(b.lines == [" x本"])
        b.put("y", row: 0, col: 2, style: plain)
        #expect(b.lines == [" xy "])
    }

    @Test func combiningMarksJoinThePreviousCell() {
        var b = ScreenBuffer(rows: 1, cols: 3)
        b.put("e\u{301}x", row: 0, col: 0, style: plain)
        #expect(b[0, 0].text == "e\u{301}")
        #expect(b[0, 1].text == "x")
    }

    @Test func putClipsAtTheLimit() {
        var b = ScreenBuffer(rows: 1, cols: 10)
        let end = b.put("abcdefgh", row: 0, col: 2, style: plain, limit: 5)
        #expect(end == 5)
        #expect(b.lines == ["  abc     "])
    }

    @Test func diffOfIdenticalBuffersIsEmpty() {
        var b = ScreenBuffer(rows: 2, cols: 5)
        b.put("hi", row: 0, col: 0, style: plain)
        #expect(ScreenBuffer.diff(old: b, new: b).isEmpty)
    }

    @Test func diffWritesOnlyChangedRunsSplitByStyle() {
        var old = ScreenBuffer(rows: 2, cols: 10)
        old.put("hello", row: 0, col: 0, style: plain)
        var new = old
        new.put("HE", row: 0, col: 0, style: bold)
        new.put("x", row: 1, col: 9, style: plain)
        let runs = ScreenBuffer.diff(old: old, new: new)
        #expect(runs == [
            ScreenBuffer.Run(row: 0, col: 0, text: "HE", style: bold),
            ScreenBuffer.Run(row: 1, col: 9, text: "x", style: plain),
        ])
    }

    @Test func diffRewritesAWideCharacterFromItsFirstCell() {
        var old = ScreenBuffer(rows: 1, cols: 4)
        old.put("日本", row: 0, col: 0, style: plain)
        var new = old
        new.put("日語", row: 0, col: 0, style: plain)
        #expect(ScreenBuffer.diff(old: old, new: new) == [ScreenBuffer.Run(row: 0, col: 2, text: "語", style: plain)])
    }

    @Test func diffAfterResizeWritesEverything() {
        let old = ScreenBuffer(rows: 2, cols: 3)
        var new = ScreenBuffer(rows: 2, cols: 4)
        new.put("abcd", row: 0, col: 0, style: plain)
        let runs = ScreenBuffer.diff(old: old, new: new)
        #expect(runs.map(\.text) == ["abcd", "    "])
        #expect(ScreenBuffer.diff(old: nil, new: new).count == 2)
    }

    @Test func applyingTheDiffReproducesTheNewScreen() {
        var old = ScreenBuffer(rows: 3, cols: 12)
        old.put("first line", row: 0, col: 0, style: plain)
        old.put("日本語", row: 1, col: 2, style: bold)
        var new = ScreenBuffer(rows: 3, cols: 12)
        new.put("first lane", row: 0, col: 0, style: plain)
        new.put("x日本", row: 1, col: 1, style: bold)
        new.put("😀 end", row: 2, col: 6, style: plain)
        var replay = old
        for run in ScreenBuffer.diff(old: old, new: new) {
            replay.put(run.text, row: run.row, col: run.col, style: run.style)
        }
        #expect(replay == new)
    }
}

@Suite("frames")
struct FrameDiffTests {
    @Test func oneStreamedTokenRewritesOnlyTheLinesItTouches() {
        var m = AppModel(rows: 40, cols: 120, kbName: "docs")
        Fixtures.type(&m, "q")
        _ = update(&m, .key(.enter))
        let id = m.activeAnswer!
        _ = update(&m, .answer(request: id, .retrieved(Fixtures.passages, millis: 5)))
        _ = update(&m, .answer(request: id, .delta("The first words of the answer")))
        let before = view(m)
        _ = update(&m, .answer(request: id, .delta(" and one more")))
        let runs = ScreenBuffer.diff(old: before, new: view(m))
        #expect(Set(runs.map(\.row)).count <= 2)
        // Blanks between the new words were blank before too, so only the words themselves are written.
        #expect(runs.map(\.text).joined() == " andonemore▍")
    }
}
