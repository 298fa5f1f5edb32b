import LoreCore

/// The passages retrieved for the latest question, cited ones standing out, with a preview of the selected
/// one when there is room.
struct SourcesPaneView {
    /// The latest exchange; nil before the first question.
    var exchange: Exchange?
    var selection: Int
    /// The pane has the focus: its title stands out.
    var focused: Bool
    /// The selection shows while the focus is off the input.
    var showsSelection: Bool
    /// The knowledge base's folders, which locations are shown relative to.
    var roots: [String]

    func draw(into buffer: inout ScreenBuffer, in rect: Rect) {
        let panel = TextStyle(.foreground, on: .panel)
        buffer.fill(row: rect.row, col: rect.col, height: rect.height, width: rect.width, style: panel)
        guard rect.height > 2, rect.width > 10 else { return }
        let inner = rect.width - 2
        let passages = exchange?.passages ?? []
        let title = passages.isEmpty ? "Sources" : "Sources (\(passages.count))"
        buffer.put(title, row: rect.row, col: rect.col + 1,
                   style: TextStyle(focused ? .primary : .foreground, on: .panel, [.bold]))
        guard let exchange, !passages.isEmpty else {
            let hint = exchange == nil ? "Passages retrieved for a question appear here." : "No passages found."
            for (i, l) in TextWrap.wrap(hint, width: inner).enumerated() where i + 2 < rect.height {
                buffer.put(l, row: rect.row + 2 + i, col: rect.col + 1, style: TextStyle(.muted, on: .panel))
            }
            return
        }
        let cited = Set(exchange.citedNumbers)
        let dimUncited = !cited.isEmpty && !exchange.isActive
        let maxScore = passages.map(\.score).max() ?? 1
        let minScore = passages.map(\.score).min() ?? 0
        let previewHeight = rect.height >= 18 ? min(8, rect.height / 3) : 0
        let listHeight = rect.height - 1 - (previewHeight > 0 ? previewHeight + 1 : 0)
        let perItem = 3
        let visible = max(1, listHeight / perItem)
        let selection = min(self.selection, passages.count - 1)
        let firstItem = max(0, min(selection - visible + 1, passages.count - visible))
        var row = rect.row + 1
        for n in firstItem..<min(passages.count, firstItem + visible) {
            let p = passages[n]
            let selected = n == selection && showsSelection
            let bg: ThemeRole = selected ? .selection : .panel
            let isCited = cited.contains(n + 1)
            let dim: TextAttributes = dimUncited && !isCited ? [.dim] : []
            buffer.fill(row: row, col: rect.col, height: perItem, width: rect.width, style: TextStyle(.foreground, on: bg))
            let marker = "[\(n + 1)] "
            var c = buffer.put(marker, row: row, col: rect.col + 1,
                               style: TextStyle(isCited ? .citation : .muted, on: bg, isCited ? [.bold] : dim))
            c = buffer.put(TextWrap.truncate(p.title.isEmpty ? p.documentPath : p.title, to: rect.col + 1 + inner - c),
                           row: row, col: c, style: TextStyle(.foreground, on: bg, dim.union(isCited ? [.bold] : [])))
            let headings = p.headingsBelowTitle
            let heading = headings.isEmpty ? "—" : headings.joined(separator: " › ")
            buffer.put(TextWrap.truncate(heading, to: inner - 4), row: row + 1, col: rect.col + 5,
                       style: TextStyle(.muted, on: bg, dim))
            let bar = Self.scoreBar(p.score, min: minScore, max: maxScore)
            let location = TextWrap.truncate(TerminalText.sanitize(p.pathRelative(to: roots).map(p.location(path:)) ?? p.location,
                                                                   keepNewlines: false),
                                             to: max(1, inner - 4 - TextWidth.of(bar) - 1))
            buffer.put(location, row: row + 2, col: rect.col + 5, style: TextStyle(.muted, on: bg, dim))
            buffer.put(bar, row: row + 2, col: rect.col + 1 + inner - TextWidth.of(bar),
                       style: TextStyle(isCited ? .success : .muted, on: bg, dim))
            row += perItem
        }
        if previewHeight > 0 {
            let top = rect.row + rect.height - previewHeight - 1
            buffer.put(String(repeating: "─", count: rect.width), row: top, col: rect.col, style: TextStyle(.muted, on: .panel))
            let p = passages[selection]
            if let foundBy = Self.foundByLabel(p.foundBy), inner > 12 {
                buffer.put(" " + TextWrap.truncate(foundBy, to: inner - 2) + " ", row: top, col: rect.col + 1,
                           style: TextStyle(.muted, on: .panel))
            }
            // Line by line, so that the passage's own line breaks stay breaks, except inside a hard-wrapped
            // prose paragraph, whose lines are joined before wrapping at the pane's width; runs of blank
            // lines count once.
            var lines: [String] = []
            var lastBlank = true
            for line in ProseReflow.lines(p.text) where lines.count < previewHeight {
                let blank = line.allSatisfy(\.isWhitespace)
                if blank && lastBlank { continue }
                lastBlank = blank
                lines += blank ? [""] : TextWrap.wrap(TerminalText.sanitize(String(line), keepNewlines: false), width: inner)
            }
            for (i, l) in lines.prefix(previewHeight).enumerated() {
                buffer.put(l, row: top + 1 + i, col: rect.col + 1, style: TextStyle(.foreground, on: .panel))
            }
        }
    }

    /// Which searches found the passage when the question was rewritten, for the preview's rule:
    /// "found by your question · “pg_upgrade in place” · the model's sketch of an answer", in the order
    /// searched. Nil without rewriting.
    static func foundByLabel(_ labels: [String]?) -> String? {
        guard let labels, !labels.isEmpty else { return nil }
        let names = labels.map { label -> String in
            switch label {
            case "question": "your question"
            case "passage": "the model's sketch of an answer"
            default: "“" + TerminalText.sanitize(label, keepNewlines: false) + "”"
            }
        }
        return "found by " + names.joined(separator: " · ")
    }

    /// A five-step bar of a passage's score relative to the others retrieved with it.
    static func scoreBar(_ score: Double, min low: Double, max high: Double) -> String {
        let steps = 5
        let fraction = high > low ? (score - low) / (high - low) : 1
        let filled = Swift.max(1, Swift.min(steps, Int((fraction * Double(steps - 1)).rounded()) + 1))
        return String(repeating: "▰", count: filled) + String(repeating: "▱", count: steps - filled)
    }
}
