/// How many terminal cells text occupies, and how to wrap it to a width. Pure tables, no `wcwidth`: the
/// result must not depend on the C library's locale data, so that layout tests mean the same everywhere.
public enum TextWidth {
    /// Cells a single scalar takes on its own: 0 for controls, combining marks and other invisible
    /// format characters, 2 for East Asian wide/fullwidth and emoji-presentation characters, else 1.
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
        if v < 0x300 { return 1 }
        if v == 0x200B || v == 0x200C || v == 0x200D || v == 0x2060 || v == 0xFEFF { return 0 }
        if (0x1160...0x11FF).contains(v) || (0xD7B0...0xD7FF).contains(v) { return 0 }  // Hangul vowels/finals join
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        return inRanges(v, wideRanges) ? 2 : 1
    }

    /// Cells one grapheme cluster takes. The base scalar decides, except that a variation selector 16 asks
    /// for emoji presentation (two cells) and a pair of regional indicators is a flag (two cells).
    public static func of(_ grapheme: Character) -> Int {
        var width = 0
        var sawBase = false
        for s in grapheme.unicodeScalars {
            if s.value == 0xFE0F { return 2 }
            if !sawBase {
                let w = of(s)
                if w > 0 {
                    width = (0x1F1E6...0x1F1FF).contains(s.value) ? 2 : w
                    sawBase = true
                }
            }
        }
        return width
    }

    /// Display width of a whole string in cells.
    public static func of(_ text: some StringProtocol) -> Int {
        var total = 0
        for ch in text { total += of(ch) }
        return total
    }

    static func inRanges(_ v: UInt32, _ ranges: [ClosedRange<UInt32>]) -> Bool {
        var lo = 0
        var hi = ranges.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let r = ranges[mid]
            if v < r.lowerBound { hi = mid - 1 } else if v > r.upperBound { lo = mid + 1 } else { return true }
        }
        return false
    }

    /// East Asian Wide (W) and Fullwidth (F) code points plus the emoji that default to emoji presentation,
    /// from Unicode 15's EastAsianWidth.txt and emoji-data.txt, merged and sorted for binary search.
    static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0, 0x23F3...0x23F3,
        0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F, 0x2693...0x2693, 0x26A1...0x26A1,
        0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE...0x26CE, 0x26D4...0x26D4, 0x26EA...0x26EA,
        0x26F2...0x26F3, 0x26F5...0x26F5, 0x26FA...0x26FA, 0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B,
        0x2728...0x2728, 0x274C...0x274C, 0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797,
        0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55,
        0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F,
        0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
        0x16FE0...0x16FE4, 0x16FF0...0x16FF1, 0x17000...0x187F7, 0x18800...0x18CD5, 0x18D00...0x18D08,
        0x1AFF0...0x1B2FF, 0x1F004...0x1F004, 0x1F0CF...0x1F0CF, 0x1F18E...0x1F18E, 0x1F191...0x1F19A,
        0x1F200...0x1F202, 0x1F210...0x1F23B, 0x1F240...0x1F248, 0x1F250...0x1F251, 0x1F260...0x1F265,
        0x1F300...0x1F320, 0x1F32D...0x1F335, 0x1F337...0x1F37C, 0x1F37E...0x1F393, 0x1F3A0...0x1F3CA,
        0x1F3CF...0x1F3D3, 0x1F3E0...0x1F3F0, 0x1F3F4...0x1F3F4, 0x1F3F8...0x1F43E, 0x1F440...0x1F440,
        0x1F442...0x1F4FC, 0x1F4FF...0x1F53D, 0x1F54B...0x1F54E, 0x1F550...0x1F567, 0x1F57A...0x1F57A,
        0x1F595...0x1F596, 0x1F5A4...0x1F5A4, 0x1F5FB...0x1F64F, 0x1F680...0x1F6C5, 0x1F6CC...0x1F6CC,
        0x1F6D0...0x1F6D2, 0x1F6D5...0x1F6D7, 0x1F6DC...0x1F6DF, 0x1F6EB...0x1F6EC, 0x1F6F4...0x1F6FC,
        0x1F7E0...0x1F7EB, 0x1F7F0...0x1F7F0, 0x1F90C...0x1F93A, 0x1F93C...0x1F945, 0x1F947...0x1F9FF,
        0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]
}

/// Wrapping by display width.
public enum TextWrap {
    /// Wraps `text` into lines of at most `width` cells. Words move whole to the next line; a word longer
    /// than a line is broken between graphemes; a wide character never straddles the edge. Newlines in the
    /// text start new lines, and an empty line stays an empty line.
    public static func wrap(_ text: String, width: Int) -> [String] {
        let width = max(1, width)
        var out: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            out.append(contentsOf: wrapParagraph(paragraph, width: width))
        }
        return out
    }

    static func wrapParagraph(_ paragraph: Substring, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        var lineWidth = 0
        for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
            let w = TextWidth.of(word)
            if lineWidth > 0 && lineWidth + 1 + w <= width {
                line += " " + word
                lineWidth += 1 + w
                continue
            }
            if lineWidth > 0 {
                lines.append(line)
                line = ""
                lineWidth = 0
            }
            if w <= width {
                line = String(word)
                lineWidth = w
            } else {
                var pieces = breakByCells(String(word), width: width)
                let last = pieces.removeLast()
                lines.append(contentsOf: pieces)
                line = last
                lineWidth = TextWidth.of(last)
            }
        }
        if lineWidth > 0 || lines.isEmpty { lines.append(line) }
        return lines
    }

    /// Cuts text into pieces of at most `width` cells without regard to words (for code and long tokens).
    public static func breakByCells(_ text: String, width: Int) -> [String] {
        let width = max(1, width)
        var pieces: [String] = []
        var piece = ""
        var used = 0
        for ch in text {
            let w = TextWidth.of(ch)
            if used + w > width && used > 0 {
                pieces.append(piece)
                piece = ""
                used = 0
            }
            piece.append(ch)
            used += w
        }
        pieces.append(piece)
        return pieces
    }

    /// The longest prefix of `text` that fits in `width` cells, and its width.
    public static func prefix(_ text: some StringProtocol, fitting width: Int) -> (text: String, width: Int) {
        var out = ""
        var used = 0
        for ch in text {
            let w = TextWidth.of(ch)
            if used + w > width { break }
            out.append(ch)
            used += w
        }
        return (out, used)
    }

    /// `text` cut to `width` cells, ending in "…" when something was cut.
    public static func truncate(_ text: String, to width: Int) -> String {
        if width <= 0 { return "" }
        if TextWidth.of(text) <= width { return text }
        return prefix(text, fitting: width - 1).text + "…"
    }
}

/// Making untrusted text (model output, document contents, file names) safe to put on a terminal.
public enum TerminalText {
    /// Replaces every character a terminal would act on instead of print: C0 controls (ESC, backspace, CR,
    /// BEL …), DEL and the C1 range 0x80–0x9F (0x9B is a one-byte CSI). ESC becomes "␛" and other C0
    /// controls their Unicode control pictures, so "ESC [2J" shows as the harmless text "␛[2J"; a C1
    /// control is shown as its 7-bit equivalent ("␛[" for 0x9B). CRLF becomes a newline; tabs expand to
    /// the next multiple of `tabWidth` columns. Newlines are kept only when `keepNewlines` is true.
    public static func sanitize(_ text: String, keepNewlines: Bool = true, tabWidth: Int = 4) -> String {
        if !needsSanitizing(text) && (keepNewlines || !text.unicodeScalars.contains("\n")) { return text }
        var out = String.UnicodeScalarView()
        var column = 0
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let s = scalars[i]
            let v = s.value
            i += 1
            switch v {
            case 0x0A:
                if keepNewlines { out.append(s); column = 0 } else { out.append("␤"); column += 1 }
            case 0x0D where i < scalars.count && scalars[i].value == 0x0A:
                continue
            case 0x09:
                let spaces = tabWidth - column % tabWidth
                for _ in 0..<spaces { out.append(" ") }
                column += spaces
            case 0x1B:
                out.append("␛")
                column += 1
            case 0x00..<0x20:
                out.append(Unicode.Scalar(0x2400 + v)!)
                column += 1
            case 0x7F:
                out.append("␡")
                column += 1
            case 0x80..<0xA0:
                out.append("␛")
                out.append(Unicode.Scalar(v - 0x40)!)
                column += 2
            case 0x2028, 0x2029:
                if keepNewlines { out.append("\n"); column = 0 } else { out.append(" "); column += 1 }
            default:
                out.append(s)
                column += 1
            }
        }
        return String(out)
    }

    /// True when `text` holds anything `sanitize` would change.
    public static func needsSanitizing(_ text: String) -> Bool {
        for s in text.unicodeScalars {
            let v = s.value
            if v < 0x20 && v != 0x0A { return true }
            if v >= 0x7F && v < 0xA0 { return true }
            if v == 0x2028 || v == 0x2029 { return true }
        }
        return false
    }
}
