import Foundation
import LoreCore

/// A run of text in one style.
public struct Span: Sendable, Equatable {
    public var text: String
    public var style: TextStyle
    /// The source numbers this span cites: one item of a citation marker, such as "3" in "[1, 3]" or
    /// "2-4" in "[2-4]". Empty for all other text, the brackets and separators of a marker included.
    public var citations: [Int]

    public init(_ text: String, _ style: TextStyle, citations: [Int] = []) {
        self.text = text
        self.style = style
        self.citations = citations
    }
}

/// One screen line of rendered text. `fill` paints the rest of the line (code blocks sit on a band).
public struct StyledLine: Sendable, Equatable {
    public var spans: [Span]
    public var fill: TextStyle?

    public init(_ spans: [Span] = [], fill: TextStyle? = nil) {
        self.spans = spans
        self.fill = fill
    }

    public var text: String { spans.map(\.text).joined() }
}

/// Renders the Markdown a model writes into styled, wrapped lines. Written for text that is still arriving:
/// an unclosed code fence is a code block so far, an unclosed `**` styles what follows it, and a half
/// table row is shown as it is.
public struct MarkdownRenderer: Sendable {
    public var width: Int
    public var base: TextStyle

    public init(width: Int, base: TextStyle = .plain) {
        self.width = max(8, width)
        self.base = base
    }

    /// Renders `markdown`, styling as citations exactly the markers in `citations` (found by the engine's
    /// `CitationParser`, their ranges UTF-16 offsets into `markdown`); the renderer has no citation grammar
    /// of its own, so what the engine counts and what the screen shows cannot disagree.
    public func render(_ markdown: String, citations: [Citation] = []) -> [StyledLine] {
        let source = TerminalText.sanitize(CitationMarkup.mark(markdown, citations))
        guard source.utf8.count >= SettledMarkdown.minimumLength else { return renderSanitized(Substring(source)) }
        return SettledMarkdown.shared.render(source, with: self)
    }

    /// Renders text that is already sanitized.
    func renderSanitized(_ source: Substring) -> [StyledLine] {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var out: [StyledLine] = []
        var i = 0
        var paragraph: [String] = []

        func flushParagraph() {
            guard !paragraph.isEmpty else { return }
            out += wrapSpans(inline(paragraph.joined(separator: " "), base), width: width)
            paragraph = []
        }

        while i < lines.count {
            let line = lines[i]
            let trimmed = line.trimmingLeadingSpaces()
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                flushParagraph()
                let fence = String(trimmed.prefix(3))
                let language = trimmed.dropFirst(3).trimmingLeadingSpaces()
                var code: [String] = []
                i += 1
                while i < lines.count && !lines[i].trimmingLeadingSpaces().hasPrefix(fence) {
                    code.append(lines[i])
                    i += 1
                }
                i += 1
                out += codeBlock(code, language: String(language))
                continue
            }
            if trimmed.isEmpty {
                flushParagraph()
                if let last = out.last, !last.spans.isEmpty || last.fill != nil { out.append(StyledLine()) }
                i += 1
                continue
            }
            if let level = headingLevel(trimmed) {
                flushParagraph()
                let text = String(trimmed.dropFirst(level).trimmingLeadingSpaces())
                let style = TextStyle(.primary, on: base.bg, level <= 2 ? [.bold, .underline] : [.bold])
                out += wrapSpans(inline(text, style), width: width)
                i += 1
                continue
            }
            if trimmed.hasPrefix("|") {
                flushParagraph()
                var rows: [String] = []
                while i < lines.count && lines[i].trimmingLeadingSpaces().hasPrefix("|") {
                    rows.append(lines[i].trimmingLeadingSpaces())
                    i += 1
                }
                out += table(rows)
                continue
            }
            if trimmed.hasPrefix(">") {
                flushParagraph()
                var quote: [String] = []
                while i < lines.count && lines[i].trimmingLeadingSpaces().hasPrefix(">") {
                    quote.append(String(lines[i].trimmingLeadingSpaces().dropFirst().trimmingLeadingSpaces()))
                    i += 1
                }
                let style = TextStyle(.muted, on: base.bg, [.italic])
                for l in wrapSpans(inline(quote.joined(separator: " "), style), width: width - 2) {
                    out.append(StyledLine([Span("│ ", TextStyle(.muted, on: base.bg))] + l.spans))
                }
                continue
            }
            if let (marker, rest) = listItem(line) {
                flushParagraph()
                let indent = min(8, (line.count - line.trimmingLeadingSpaces().count) / 2 * 2)
                let bullet = String(repeating: " ", count: indent) + marker
                let hang = TextWidth.of(bullet)
                let wrapped = wrapSpans(inline(rest, base), width: width - hang)
                for (n, l) in wrapped.enumerated() {
                    let lead = n == 0 ? Span(bullet, TextStyle(.accent, on: base.bg))
                        : Span(String(repeating: " ", count: hang), base)
                    out.append(StyledLine([lead] + l.spans))
                }
                i += 1
                continue
            }
            paragraph.append(trimmed)
            i += 1
        }
        flushParagraph()
        while let last = out.last, last.spans.isEmpty, last.fill == nil { out.removeLast() }
        return out
    }

    func headingLevel(_ line: String) -> Int? {
        var n = 0
        for c in line {
            if c == "#" { n += 1 } else { break }
        }
        guard (1...6).contains(n) else { return nil }
        let after = line.dropFirst(n)
        return after.isEmpty || after.first == " " ? n : nil
    }

    func listItem(_ line: String) -> (String, String)? {
        let t = line.trimmingLeadingSpaces()
        if let first = t.first, "-*+".contains(first), t.dropFirst().first == " " {
            return ("• ", String(t.dropFirst(2)))
        }
        let digits = t.prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty, digits.count <= 3 {
            let after = t.dropFirst(digits.count)
            if let p = after.first, p == "." || p == ")", after.dropFirst().first == " " {
                return ("\(digits). ", String(after.dropFirst(2)))
            }
        }
        return nil
    }

    func codeBlock(_ code: [String], language: String) -> [StyledLine] {
        let band = TextStyle(.foreground, on: .surface)
        var out: [StyledLine] = []
        let label = language.isEmpty ? "" : " " + language
        out.append(StyledLine([Span(label, TextStyle(.muted, on: .surface))], fill: band))
        for line in code {
            for piece in TextWrap.breakByCells(CitationMarkup.unmarked(line), width: width - 2) {
                out.append(StyledLine([Span(" " + piece, band)], fill: band))
            }
        }
        out.append(StyledLine([], fill: band))
        return out
    }

    func table(_ rows: [String]) -> [StyledLine] {
        func cells(_ row: String) -> [String] {
            var r = row.trimmingLeadingSpaces()
            if r.hasPrefix("|") { r.removeFirst() }
            if r.hasSuffix("|") { r.removeLast() }
            return r.split(separator: "|", omittingEmptySubsequences: false)
                .map { String($0).trimming(" ") }
        }
        func isRule(_ row: [String]) -> Bool {
            !row.isEmpty && row.allSatisfy { c in !c.isEmpty && c.allSatisfy { "-:".contains($0) } }
        }
        let parsed = rows.map(cells)
        let columns = parsed.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in parsed where !isRule(row) {
            for (j, c) in row.enumerated() { widths[j] = max(widths[j], TextWidth.of(stripInline(c))) }
        }
        let total = widths.reduce(0, +) + max(0, columns - 1) * 3
        let border = TextStyle(.muted, on: base.bg)
        if total > width {
            // Too wide to align: show each row as wrapped text rather than a broken grid.
            return parsed.filter { !isRule($0) }.flatMap { row in
                wrapSpans(inline(row.joined(separator: " │ "), base), width: width)
            }
        }
        var out: [StyledLine] = []
        for (n, row) in parsed.enumerated() {
            if isRule(row) {
                let rule = widths.map { String(repeating: "─", count: $0) }.joined(separator: "─┼─")
                out.append(StyledLine([Span(rule, border)]))
                continue
            }
            var spans: [Span] = []
            for j in 0..<columns {
                if j > 0 { spans.append(Span(" │ ", border)) }
                let cell = j < row.count ? row[j] : ""
                let style = n == 0 ? base.with(.bold) : base
                let content = inline(cell, style)
                spans += content
                let pad = widths[j] - content.reduce(0) { $0 + TextWidth.of($1.text) }
                if pad > 0 { spans.append(Span(String(repeating: " ", count: pad), base)) }
            }
            out.append(StyledLine(spans))
        }
        return out
    }

    func stripInline(_ s: String) -> String { inline(s, base).map(\.text).joined() }

    /// Inline Markdown: **strong**, *emphasis* / _emphasis_, `code`, and the citation markers `CitationMarkup`
    /// marked.
    func inline(_ text: String, _ style: TextStyle) -> [Span] {
        var spans: [Span] = []
        var current = ""
        var bold = false
        var italic = false
        let chars = Array(text)
        var i = 0

        func currentStyle() -> TextStyle {
            var s = style
            if bold { s.attributes.insert(.bold) }
            if italic { s.attributes.insert(.italic) }
            return s
        }
        func flush() {
            if !current.isEmpty { spans.append(Span(current, currentStyle())) }
            current = ""
        }
        func opens(_ at: Int) -> Bool { at < chars.count && chars[at] != " " }
        func closes(_ at: Int) -> Bool { at > 0 && chars[at - 1] != " " }

        while i < chars.count {
            let c = chars[i]
            if c == "`" {
                var j = i + 1
                while j < chars.count && chars[j] != "`" { j += 1 }
                flush()
                // Code shows no citation styling, even where the engine's reading of code differs from ours.
                let code = CitationMarkup.unmarked(String(chars[(i + 1)..<min(j, chars.count)]))
                spans.append(Span(code, TextStyle(.accent, on: style.bg == base.bg ? .surface : style.bg)))
                i = j + 1
                continue
            }
            if c == "*" && i + 1 < chars.count && chars[i + 1] == "*" {
                if bold ? closes(i) : opens(i + 2) {
                    flush()
                    bold.toggle()
                    i += 2
                    continue
                }
            } else if c == "*" || c == "_" {
                let wordInside = c == "_" && i > 0 && chars[i - 1].isLetter
                if !wordInside && (italic ? closes(i) : opens(i + 1) && hasCloser(chars, from: i + 1, c)) {
                    flush()
                    italic.toggle()
                    i += 1
                    continue
                }
            } else if c == CitationMarkup.markerOpen, let end = chars[i...].firstIndex(of: CitationMarkup.markerClose) {
                flush()
                spans += citationSpans(chars[(i + 1)..<end], TextStyle(.citation, on: style.bg, style.attributes))
                i = end + 1
                continue
            }
            current.append(c)
            i += 1
        }
        flush()
        return spans
    }

    /// A single `*` opens emphasis only if it closes later in the text, or if the text may still be
    /// arriving (the marker is near the end); otherwise "2 * 3" would italicise the rest.
    func hasCloser(_ chars: [Character], from: Int, _ marker: Character) -> Bool {
        var j = from
        while j < chars.count {
            if chars[j] == marker && chars[j - 1] != " " { return true }
            j += 1
        }
        return chars.count - from < 40
    }

    /// The spans of one marked citation: its brackets and separators in the citation style, and each item
    /// as a span of its own that carries the numbers it names, so either of "[1, 3]" can be highlighted.
    func citationSpans(_ marker: ArraySlice<Character>, _ cite: TextStyle) -> [Span] {
        var spans: [Span] = []
        var text = ""
        var numbers: [Int] = []
        var readingNumbers = false
        for c in marker {
            switch c {
            case CitationMarkup.partOpen:
                if !text.isEmpty { spans.append(Span(text, cite)) }
                text = ""
                numbers = []
                readingNumbers = true
            case CitationMarkup.partBody:
                readingNumbers = false
            case CitationMarkup.partClose:
                spans.append(Span(text, cite, citations: numbers))
                text = ""
                numbers = []
            default:
                if readingNumbers, let n = CitationMarkup.number(c) { numbers.append(n) } else { text.append(c) }
            }
        }
        if !text.isEmpty { spans.append(Span(text, cite)) }
        return spans
    }
}

/// How the engine's citation ranges reach the renderer through text that is sanitized, split into lines
/// and re-joined on the way: each marker is wrapped in private-use characters before any of that, and each
/// of its items carries its numbers, encoded as private-use characters too. Any such characters the model
/// itself wrote are replaced first, so an answer cannot forge a citation.
enum CitationMarkup {
    static let markerOpen: Character = "\u{E000}"
    static let markerClose: Character = "\u{E001}"
    /// An item: `partOpen`, its numbers, `partBody`, its text, `partClose`.
    static let partOpen: Character = "\u{E002}"
    static let partBody: Character = "\u{E003}"
    static let partClose: Character = "\u{E004}"
    /// Source number n is written as the scalar `numberBase + n` (supplementary private use area A).
    static let numberBase: UInt32 = 0xF0000

    static func isReserved(_ scalar: Unicode.Scalar) -> Bool {
        (0xE000...0xE004).contains(scalar.value) || (0xF0000...0xFFFFD).contains(scalar.value)
    }

    /// Marked text with the marks taken out again: the marker text stays, the sentinels and numbers go.
    static func unmarked(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isReserved) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.filter { !isReserved($0) }))
    }

    static func number(_ c: Character) -> Int? {
        guard let scalar = c.unicodeScalars.first, c.unicodeScalars.count == 1,
              (numberBase...numberBase + 0xFFFD).contains(scalar.value) else { return nil }
        return Int(scalar.value - numberBase)
    }

    /// `text` with every citation of `citations` marked; citations whose ranges do not fit the text, or
    /// overlap an earlier one, are left as plain text.
    static func mark(_ text: String, _ citations: [Citation]) -> String {
        let needsCleaning = text.unicodeScalars.contains(where: isReserved)
        if citations.isEmpty && !needsCleaning { return text }
        let units = Array(text.utf16)
        func isBoundary(_ offset: Int) -> Bool {
            offset <= 0 || offset >= units.count || !UTF16.isTrailSurrogate(units[offset])
        }
        var out = String.UnicodeScalarView()
        func plain(_ range: Range<Int>) {
            for scalar in String(decoding: units[range], as: UTF16.self).unicodeScalars {
                out.append(isReserved(scalar) ? "\u{FFFD}" : scalar)
            }
        }
        func sentinel(_ c: Character) { out.append(contentsOf: c.unicodeScalars) }
        var cursor = 0
        for citation in citations.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) {
            let range = citation.range
            guard range.lowerBound >= cursor, range.upperBound <= units.count, !range.isEmpty,
                  isBoundary(range.lowerBound), isBoundary(range.upperBound),
                  citation.parts.allSatisfy({ range.contains($0.range.lowerBound) && $0.range.upperBound <= range.upperBound }),
                  zip(citation.parts, citation.parts.dropFirst()).allSatisfy({ $0.range.upperBound <= $1.range.lowerBound })
            else { continue }
            plain(cursor..<range.lowerBound)
            sentinel(markerOpen)
            var inner = range.lowerBound
            for part in citation.parts {
                plain(inner..<part.range.lowerBound)
                sentinel(partOpen)
                for n in part.numbers {
                    if let scalar = Unicode.Scalar(numberBase + UInt32(clamping: max(0, min(n, 0xFFFD)))) { out.append(scalar) }
                }
                sentinel(partBody)
                plain(part.range)
                sentinel(partClose)
                inner = part.range.upperBound
            }
            plain(inner..<range.upperBound)
            sentinel(markerClose)
            cursor = range.upperBound
        }
        plain(cursor..<units.count)
        return String(out)
    }
}

/// Wraps styled spans to `width` cells by words, keeping each word's style; too-long words break between
/// graphemes.
public func wrapSpans(_ spans: [Span], width: Int) -> [StyledLine] {
    let width = max(1, width)
    var lines: [StyledLine] = []
    var line: [Span] = []
    var used = 0
    var pendingSpace: TextStyle?

    func append(_ text: String, _ span: Span) {
        if let last = line.last, last.style == span.style, last.citations == span.citations {
            line[line.count - 1].text += text
        } else {
            line.append(Span(text, span.style, citations: span.citations))
        }
    }
    func newLine() {
        lines.append(StyledLine(line))
        line = []
        used = 0
        pendingSpace = nil
    }

    // Split into words with their styles; a word may cross span boundaries ("**bold**text").
    var words: [[Span]] = []
    var word: [Span] = []
    var spaceStyles: [TextStyle?] = []
    var spaceBefore: TextStyle?
    for span in spans {
        var piece = ""
        for ch in span.text {
            if ch == " " {
                if !piece.isEmpty { word.append(Span(piece, span.style, citations: span.citations)); piece = "" }
                if !word.isEmpty {
                    words.append(word)
                    spaceStyles.append(spaceBefore)
                    word = []
                }
                spaceBefore = span.style
            } else {
                piece.append(ch)
            }
        }
        if !piece.isEmpty { word.append(Span(piece, span.style, citations: span.citations)) }
    }
    if !word.isEmpty {
        words.append(word)
        spaceStyles.append(spaceBefore)
    }

    for (n, w) in words.enumerated() {
        let wWidth = w.reduce(0) { $0 + TextWidth.of($1.text) }
        pendingSpace = used > 0 ? (spaceStyles[n] ?? w[0].style) : nil
        if used > 0 && used + 1 + wWidth > width { newLine() }
        if let space = pendingSpace, used > 0 {
            append(" ", Span(" ", space))
            used += 1
        }
        for span in w {
            for ch in span.text {
                let cw = TextWidth.of(ch)
                if used + cw > width && used > 0 { newLine() }
                append(String(ch), span)
                used += cw
            }
        }
    }
    if !line.isEmpty || lines.isEmpty { lines.append(StyledLine(line)) }
    return lines
}

extension StringProtocol {
    func trimmingLeadingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" })
    }
}

extension String {
    func trimming(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}

/// Keeps the rendered lines of a long answer's settled part: everything up to its last blank line outside a
/// code fence. Blocks on either side of such a line render independently (the renderer carries no state
/// across it), so while an answer streams each frame renders only the paragraph still arriving instead of
/// the whole answer again; the output is the same as rendering the whole text.
final class SettledMarkdown: @unchecked Sendable {
    static let shared = SettledMarkdown()
    /// Shorter texts render whole: cheap, and not worth a cache entry.
    static let minimumLength = 2048
    static let capacity = 4

    private struct Entry {
        var width: Int
        var base: TextStyle
        /// The sanitized text whose lines are kept; it ends just after a blank line outside a fence.
        var settled: String
        var lines: [StyledLine]
    }

    private let lock = NSLock()
    private var entries: [Entry] = []

    func render(_ source: String, with renderer: MarkdownRenderer) -> [StyledLine] {
        let found = lock.withLock { () -> Entry? in
            entries.last { $0.width == renderer.width && $0.base == renderer.base
                && source.utf8.count >= $0.settled.utf8.count && source.utf8.starts(with: $0.settled.utf8) }
        }
        var entry = found ?? Entry(width: renderer.width, base: renderer.base, settled: "", lines: [])
        let restStart = source.utf8.index(source.startIndex, offsetBy: entry.settled.utf8.count)
        var rest = source[restStart...]
        if let end = Self.settledEnd(rest), end > rest.startIndex {
            entry.lines = Self.join(entry.lines, renderer.renderSanitized(rest[..<end]))
            entry.settled = String(source[..<end])
            rest = source[end...]
            lock.withLock {
                entries.removeAll { $0.width == entry.width && $0.base == entry.base
                    && entry.settled.utf8.starts(with: $0.settled.utf8) }
                entries.append(entry)
                if entries.count > Self.capacity { entries.removeFirst() }
            }
        }
        return Self.join(entry.lines, renderer.renderSanitized(rest))
    }

    /// What rendering `a` and then `b` as one text gives, when `a` ends with a blank line: one blank line
    /// between the two when both have lines (the renderer drops trailing blank lines and collapses runs).
    static func join(_ a: [StyledLine], _ b: [StyledLine]) -> [StyledLine] {
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        return a + [StyledLine()] + b
    }

    /// Where the settled part of `text` ends: just after the newline of its last blank line outside a code
    /// fence, or nil. `text` must start at the beginning of a line, outside a fence.
    static func settledEnd(_ text: Substring) -> String.Index? {
        let bytes = text.utf8
        var fence: [UInt8]?
        var result: String.Index?
        var lineStart = bytes.startIndex
        while let newline = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
            let next = bytes.index(after: newline)
            let content = bytes[lineStart..<newline].drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            let marker = Array(content.prefix(3))
            if let open = fence {
                if marker == open { fence = nil }
            } else if marker == Array("```".utf8) || marker == Array("~~~".utf8) {
                fence = marker
            } else if content.isEmpty {
                result = next
            }
            lineStart = next
        }
        return result
    }
}
