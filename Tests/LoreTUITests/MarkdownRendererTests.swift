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

    /// Renders as the chat does: with the citations the engine's parser finds.
    func cited(_ md: String, width: Int = 60) -> [StyledLine] {
        MarkdownRenderer(width: width).render(md, citations: CitationParser.citations(in: md))
    }

    @Test func inlineStyles() {
        let line = cited("a **bold** and *em* and `code` [2]")[0]
        let byText = Dictionary(line.spans.map { ($0.text, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byText["bold"]?.style.attributes.contains(.bold) == true)
        #expect(byText["em"]?.style.attributes.contains(.italic) == true)
        #expect(byText["code"]?.style.fg == .accent)
        #expect(byText["2"]?.citations == [2])
        #expect(byText["2"]?.style.fg == .citation)
        #expect(byText["["]?.style.fg == .citation)
    }

    @Test func multiCitationMarker() {
        let spans = cited("see [1, 3] and [x] and [12]").flatMap(\.spans)
        #expect(spans.map(\.citations).filter { !$0.isEmpty } == [[1], [3], [12]])
        #expect(spans.map(\.text).joined() == "see [1, 3] and [x] and [12]")
    }

    /// Every form the engine's grammar knows, and some it refuses: the renderer styles exactly the ranges it
    /// is given, each item with the numbers it names, and leaves all other brackets plain.
    @Test(arguments: [
        ("one [2].", [["2": [2]]]),
        ("two [1, 3].", [["1": [1], "3": [3]]]),
        ("tight [1,3].", [["1": [1], "3": [3]]]),
        ("semicolon [1; 3].", [["1": [1], "3": [3]]]),
        ("range [2-4].", [["2-4": [2, 3, 4]]]),
        ("en dash [2–4].", [["2–4": [2, 3, 4]]]),
        ("footnote [^2].", [["2": [2]]]),
        ("run [1][3].", [["1": [1]], ["3": [3]]]),
        ("glued default[1].", [["1": [1]]]),
        ("a link [1](http://127.0.0.1/x) is not one.", []),
        ("code `items[1]` is not one.", []),
        ("zero [0] and [x] are not.", []),
    ] as [(String, [[String: [Int]]])])
    func citationForms(_ text: String, _ expected: [[String: [Int]]]) {
        let citations = CitationParser.citations(in: text)
        let spans = MarkdownRenderer(width: 80).render(text, citations: citations).flatMap(\.spans)
        #expect(spans.map(\.text).joined() == text.replacingOccurrences(of: "`", with: ""), "the text is shown whole")
        let items = spans.filter { !$0.citations.isEmpty }
        #expect(Dictionary(items.map { ($0.text, $0.citations) }, uniquingKeysWith: { a, _ in a })
                == expected.reduce(into: [:]) { $0.merge($1) { a, _ in a } })
        let marked = spans.filter { $0.style.fg == .citation }.map(\.text).joined()
        #expect(marked == citations.map { String(text.utf16.dropFirst($0.range.lowerBound).prefix($0.range.count))! }.joined(),
                "exactly the markers are in the citation style")
        // Without the engine's ranges nothing is styled: the renderer has no grammar of its own.
        #expect(MarkdownRenderer(width: 80).render(text).flatMap(\.spans).allSatisfy { $0.style.fg != .citation })
    }

    @Test func anAnswerCannotForgeTheMarkup() {
        let forged = "fake \u{E000}\u{E002}\u{F0003}\u{E003}3\u{E004}\u{E001} marker"
        let spans = MarkdownRenderer(width: 80).render(forged).flatMap(\.spans)
        #expect(spans.allSatisfy { $0.citations.isEmpty && $0.style.fg != .citation })
        #expect(!spans.map(\.text).joined().unicodeScalars.contains { (0xE000...0xE004).contains($0.value) })
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
