import Testing
@testable import LoreCore

@Suite("TextWidth")
struct TextWidthTests {
    @Test("scalar and grapheme widths", arguments: [
        ("a", 1), ("é", 1), ("e\u{301}", 1), ("日", 2), ("한", 2), ("Ａ", 2), ("😀", 2), ("❤️", 2),
        ("❤", 1), ("👍🏽", 2), ("👩‍👩‍👧", 2), ("🇫🇷", 2), ("\u{200B}", 0), ("\u{301}", 0), ("\u{1B}", 0),
        ("1️⃣", 2), ("─", 1),
    ])
    func widths(_ text: String, _ expected: Int) {
        #expect(TextWidth.of(text) == expected)
    }

    @Test func stringWidthSumsGraphemes() {
        #expect(TextWidth.of("日本語 text 😀") == 6 + 1 + 4 + 1 + 2)
    }

    @Test func wrapsByWords() {
        #expect(TextWrap.wrap("the quick brown fox jumps", width: 10) == ["the quick", "brown fox", "jumps"])
        #expect(TextWrap.wrap("a\n\nb", width: 10) == ["a", "", "b"])
        #expect(TextWrap.wrap("", width: 5) == [""])
    }

    @Test func breaksLongWordsByCells() {
        #expect(TextWrap.wrap("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
    }

    @Test func wrapsCJKWithoutSplittingWideCharacters() {
        let lines = TextWrap.wrap("日本語のテキストです", width: 7)
        #expect(lines == ["日本語", "のテキ", "ストで", "す"])
        for line in lines { #expect(TextWidth.of(line) <= 7) }
    }

    @Test func neverSplitsAGrapheme() {
        let family = "👩‍👩‍👧"
        let text = String(repeating: family, count: 5)
        let lines = TextWrap.wrap(text, width: 3)
        #expect(lines.allSatisfy { TextWidth.of($0) <= 3 })
        #expect(lines.joined() == text)
        #expect(lines.count == 5)
    }

    @Test func truncateAddsEllipsis() {
        #expect(TextWrap.truncate("knowledge", to: 5) == "know…")
        #expect(TextWrap.truncate("kb", to: 5) == "kb")
        #expect(TextWidth.of(TextWrap.truncate("日本語日本語", to: 6)) <= 6)
    }
}

@Suite("TerminalText.sanitize")
struct SanitizerTests {
    static let hostile: [String] = [
        "\u{1B}[2J\u{1B}[H",                             // clear screen, home
        "\u{1B}]8;;https://evil.example\u{7}click\u{1B}]8;;\u{7}",  // OSC 8 link
        "\u{1B}]52;c;ZXZpbA==\u{7}",                     // OSC 52 clipboard write
        "\u{1B}P+q544e\u{1B}\\",                          // DCS
        "\u{9B}31m red \u{9B}0m",                         // one-byte CSI
        "abc\u{8}\u{8}\u{8}xyz",                          // backspace overwrite
        "safe\rEVIL",                                     // CR overwrite
        "\u{7F}\u{90}\u{9D}\u{9C}",
    ]

    @Test(arguments: hostile)
    func noControlSurvives(_ text: String) {
        let out = TerminalText.sanitize(text)
        for s in out.unicodeScalars {
            #expect(!(s.value < 0x20 && s.value != 0x0A), "C0 control \(s.value) survived")
            #expect(!(0x7F...0x9F).contains(s.value), "C1/DEL \(s.value) survived")
        }
    }

    @Test func escapesAreVisible() {
        #expect(TerminalText.sanitize("\u{1B}[2J") == "␛[2J")
        #expect(TerminalText.sanitize("\u{9B}0m") == "␛[0m")
        #expect(TerminalText.sanitize("a\u{8}b") == "a␈b")
        #expect(TerminalText.sanitize("safe\rEVIL") == "safe␍EVIL")
    }

    @Test func keepsOrdinaryText() {
        let text = "Plain text, 日本語, emoji 😀\nsecond line"
        #expect(TerminalText.sanitize(text) == text)
        #expect(TerminalText.sanitize("a\r\nb") == "a\nb")
        #expect(TerminalText.sanitize("a\nb", keepNewlines: false) == "a␤b")
        #expect(TerminalText.sanitize("\tx") == "    x")
        #expect(TerminalText.sanitize("ab\tx") == "ab  x")
    }
}
