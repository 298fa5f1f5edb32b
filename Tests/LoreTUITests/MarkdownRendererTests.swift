import LoreCore
import Testing
@testable import LoreTUI

@Suite("MarkdownRenderer")
struct MarkdownRendererTests {
    func texts(_ md: String, width: Int = 40) -> [String] {
        MarkdownRenderer(width: width).render(md).map(\.text)
    }

    @Test func headingsParagraphsAndLists() {
        #expect(texts("# Title\n\nSome *text* here.\n\n- one\n- two\n1. first\n2) second") == [
            "Title", "", "Some text here.", "", "• one", "• two", "1. first", "2. second",
        ])
    }

    @Test func inlineStyles() {
        let line = MarkdownRenderer(width: 60).render("a **bold** and *em* and `code` [2]")[0]
        let byText = Dictionary(line.spans.map { ($0.text, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byText["bold"]?.style.attributes.contains(.bold) == true)
        #expect(byText["em"]?.style.attributes.contains(.italic) == true)
        #expect(byText["code"]?.style.fg == .accent)
        #expect(byText["2"]?.citation == 2)
        #expect(byText["2"]?.style.fg == .citation)
        #expect(byText["["]?.style.fg == .citation)
    }

    @Test func multiCitationMarker() {
        let spans = MarkdownRenderer(width: 60).render("see [1, 3] and [x] and [12]").flatMap(\.spans)
        #expect(spans.compactMap(\.citation) == [1, 3, 12])
        #expect(spans.map(\.text).joined() == "see [1, 3] and [x] and [12]")
    }

    @Test func lonelyAsteriskStaysLiteral() {
        #expect(texts("2 * 3 = 6, and so on for a long while until the end of this line") .joined(separator: " ")
            .contains("2 * 3"))
    }

    @Test func fencedCodeKeepsIndentationAndBand() {
        let lines = MarkdownRenderer(width: 30).render("```swift\nlet x = 1\n    indented\n```\nafter")
        #expect(lines.map(\.text) == [" swift", " let x = 1", "     indented", "", "after"])
        #expect(lines[1].fill?.bg == .surface)
        #expect(lines[4].fill == nil)
    }

    @Test func unclosedFenceWhileStreamingIsStillCode() {
        let lines = MarkdownRenderer(width: 30).render("Intro\n```\nlet partial =")
        #expect(lines.map(\.text) == ["Intro", "", " let partial =", ""])
        #expect(lines[2].fill != nil)
    }

    @Test func unclosedBoldWhileStreamingStylesTheRest() {
        let spans = MarkdownRenderer(width: 30).render("so **importa").flatMap(\.spans)
        #expect(spans.last?.text == "importa")
        #expect(spans.last?.style.attributes.contains(.bold) == true)
    }

    @Test func tablesAlignByDisplayWidth() {
        let md = "| name | 値 |\n|---|---|\n| 日本 | 1 |\n| ab | 22 |"
        #expect(texts(md) == ["name │ 値", "─────┼───", "日本 │ 1 ", "ab   │ 22"])
    }

    @Test func quotesAreMarked() {
        #expect(texts("> quoted words\n> more") == ["│ quoted words more"])
    }

    @Test func wrapsByWidthWithHangingListIndent() {
        let lines = texts("- alpha beta gamma delta epsilon", width: 14)
        #expect(lines == ["• alpha beta", "  gamma delta", "  epsilon"])
        for l in texts(String(repeating: "日本語 ", count: 20), width: 13) { #expect(TextWidth.of(l) <= 13) }
    }

    @Test func controlCharactersAreEscapedBeforeRendering() {
        let all = texts("\u{1B}[2Jhello\u{9B}1m").joined()
        #expect(all == "␛[2Jhello␛[1m")
    }
}

@Suite("InputEditor")
struct InputEditorTests {
    @Test func layoutPlacesCursorByDisplayWidth() {
        var e = InputEditor("日本語abc")
        let full = e.layout(width: 6)
        #expect(full.lines == ["日本", "語abc"])
        #expect(full.cursorRow == 1 && full.cursorCol == 5)
        e.moveToLineStart()
        #expect(e.layout(width: 6).cursorCol == 0)
        e.moveRight()
        e.moveRight()
        let mid = e.layout(width: 6)
        #expect(mid.cursorRow == 1 && mid.cursorCol == 0)
    }

    @Test func multiLineNavigation() {
        var e = InputEditor("first line\nsecond")
        #expect(e.cursorOnLastLine && !e.cursorOnFirstLine)
        e.moveLine(-1)
        #expect(e.cursorOnFirstLine)
        e.insert("!")
        #expect(e.text == "first !line\nsecond")
        e.moveToLineEnd()
        e.killToLineEnd()
        #expect(e.text == "first !linesecond")
    }

    @Test func pastedControlCharactersAreNeutralised() {
        var e = InputEditor()
        e.insert("a\u{1B}[2Jb")
        #expect(e.text == "a␛[2Jb")
    }
}

@Suite("KeyEvent.decode")
struct KeyDecodeTests {
    static let codes = KeyCodes(up: 259, down: 258, left: 260, right: 261, home: 262, end: 360, pageUp: 339,
                                pageDown: 338, backspace: 263, delete: 330, enter: 343, backTab: 353, f0: 264,
                                ctrlLeft: 545, ctrlRight: 560, altLeft: 543, altRight: 558)

    @Test(arguments: [
        (UInt32(0x0D), false, KeyEvent.enter),
        (0x0A, false, KeyEvent.ctrl("j")),
        (0x01, false, KeyEvent.ctrl("a")),
        (0x7F, false, KeyEvent(.backspace)),
        (0x1B, false, KeyEvent.escape),
        (0x09, false, KeyEvent.tab),
        (0x65E5, false, KeyEvent.char("日")),
        (259, true, KeyEvent(.up)),
        (545, true, KeyEvent(.left, ctrl: true)),
        (265, true, KeyEvent(.function(1))),
        (266, true, KeyEvent(.function(2))),
        (353, true, KeyEvent(.backTab)),
    ])
    func decodes(_ code: UInt32, _ isKey: Bool, _ expected: KeyEvent) {
        #expect(KeyEvent.decode(code: code, isFunctionKey: isKey, keyCodes: Self.codes) == expected)
    }

    @Test func c1CodesAreNotKeys() {
        #expect(KeyEvent.decode(code: 0x9B, isFunctionKey: false, keyCodes: Self.codes) == nil)
        #expect(KeyEvent.decode(code: 9999, isFunctionKey: true, keyCodes: Self.codes) == nil)
    }
}
