import LoreCore

/// A whole document opened from a source, the passage marked and the question's words emphasised.
struct SourceViewerView {
    var viewer: SourceViewer
    var tick: Int
    var footer: String

    func draw(into buffer: inout ScreenBuffer, in rect: Rect) {
        let rows = rect.height, cols = rect.width
        let top = rect.row, left = rect.col
        let base = TextStyle(.foreground, on: .background)
        buffer.fill(row: top, col: left, height: rows, width: cols, style: base)
        let p = viewer.passage
        let header = "\(p.title.isEmpty ? p.documentPath : p.title) — \(p.location)"
        buffer.fill(row: top, col: left, height: 1, width: cols, style: TextStyle(.foreground, on: .surface))
        buffer.put(" " + TextWrap.truncate(header, to: cols - 2), row: top, col: left, style: TextStyle(.primary, on: .surface, [.bold]))
        if let notice = viewer.notice {
            buffer.put(TextWrap.truncate(" " + TerminalText.sanitize(notice, keepNewlines: false), to: cols),
                       row: top + rows - 1, col: left, style: TextStyle(.error, on: .background))
        } else {
            buffer.put(TextWrap.truncate(" " + footer, to: cols), row: top + rows - 1, col: left, style: TextStyle(.muted, on: .background))
        }
        let bodyTop = top + 1
        let bodyHeight = rows - 2
        guard bodyHeight > 0 else { return }
        if let error = viewer.error {
            for (i, l) in TextWrap.wrap(TerminalText.sanitize(error), width: cols - 2).prefix(bodyHeight).enumerated() {
                buffer.put(l, row: bodyTop + i, col: left + 1, style: TextStyle(.error))
            }
            return
        }
        guard let text = viewer.text else {
            buffer.put("\(spinner(tick)) opening \(p.documentPath)…", row: bodyTop, col: left + 1, style: TextStyle(.muted))
            return
        }
        let docLines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let gutter = max(4, String(docLines.count).count + 1)
        let width = cols - gutter - 2
        var row = bodyTop
        var n = viewer.scroll
        while row < bodyTop + bodyHeight && n < docLines.count {
            let lineNumber = n + 1
            let inPassage = lineNumber >= p.lineStart && lineNumber <= p.lineEnd
            let bg: ThemeRole = inPassage ? .surface : .background
            let raw = TerminalText.sanitize(String(docLines[n]), keepNewlines: false)
            let pieces = TextWrap.breakByCells(raw, width: max(1, width))
            for (k, piece) in pieces.enumerated() where row < bodyTop + bodyHeight {
                buffer.fill(row: row, col: left, height: 1, width: cols, style: TextStyle(.foreground, on: bg))
                let number = k == 0 ? String(lineNumber) : ""
                let numberText = String(repeating: " ", count: gutter - number.count) + number
                buffer.put(numberText, row: row, col: left, style: TextStyle(inPassage ? .citation : .muted, on: bg))
                if inPassage { buffer.put("▌", row: row, col: left + gutter, style: TextStyle(.citation, on: bg)) }
                var c = left + gutter + 2
                for span in Self.emphasise(piece, terms: viewer.terms, base: TextStyle(.foreground, on: bg)) {
                    c = buffer.put(span.text, row: row, col: c, style: span.style)
                }
                row += 1
            }
            n += 1
        }
    }

    /// Splits `line` so that occurrences of the question's terms (any case) stand out.
    static func emphasise(_ line: String, terms: [String], base: TextStyle) -> [Span] {
        guard !terms.isEmpty else { return [Span(line, base)] }
        let chars = Array(line)
        let lower = chars.map { String($0).lowercased() }
        let termChars = terms.map { $0.map { String($0) } }
        var spans: [Span] = []
        var plain = ""
        var i = 0
        let strong = TextStyle(.accent, on: base.bg, [.bold, .underline])
        outer: while i < chars.count {
            for t in termChars where !t.isEmpty && i + t.count <= chars.count {
                if Array(lower[i..<(i + t.count)]) == t {
                    if !plain.isEmpty { spans.append(Span(plain, base)); plain = "" }
                    spans.append(Span(String(chars[i..<(i + t.count)]), strong))
                    i += t.count
                    continue outer
                }
            }
            plain.append(chars[i])
            i += 1
        }
        if !plain.isEmpty { spans.append(Span(plain, base)) }
        return spans
    }
}
