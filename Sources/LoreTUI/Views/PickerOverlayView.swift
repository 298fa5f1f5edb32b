import LoreCore

/// The knowledge base picker: a filter (or the folder being added), the matching knowledge bases and the
/// keys of the current mode.
struct PickerOverlayView {
    var picker: KnowledgeBasePicker
    var knowledgeBases: [KnowledgeBaseSummary]
    /// Whether `knowledgeBases` has been read yet; until then the picker says it is reading the list.
    var listed = true
    /// The one in use, marked with a dot.
    var currentName: String
    var footer: String

    func draw(into buffer: inout ScreenBuffer, in screen: Rect) {
        let matches = picker.matches(knowledgeBases)
        // The keys wrap onto a second line rather than being cut at the box's edge.
        let innerWidth = min(screen.width - 2, 72) - 4
        let footerLines = Array(TextWrap.wrap(footer, width: max(1, innerWidth)).prefix(2))
        let height = min(screen.height - 2, max(8, matches.count + 5 + footerLines.count))
        let inner = drawBox(&buffer, centered(in: screen, width: 72, height: height), title: "Knowledge bases")
        let label: String
        switch picker.mode {
        case .browse: label = "filter: "
        case .addPath: label = "folder to add: "
        case .confirmRemove(let name): label = "remove \(name) and its index? y/n "
        }
        let c = buffer.put(label, row: inner.row, col: inner.col, style: TextStyle(.accent, on: .panel))
        if case .confirmRemove = picker.mode {} else {
            buffer.put(picker.filter.text, row: inner.row, col: c, style: TextStyle(.foreground, on: .panel),
                       limit: inner.col + inner.width)
            buffer.cursor = ScreenBuffer.Position(row: inner.row,
                                                  col: min(inner.col + inner.width - 1, c + TextWidth.of(picker.filter.text)))
        }
        let listHeight = inner.height - 2 - footerLines.count
        if !listed {
            buffer.put("Reading the knowledge bases…", row: inner.row + 2, col: inner.col, style: TextStyle(.muted, on: .panel))
        } else if knowledgeBases.isEmpty {
            buffer.put("No knowledge bases yet. Ctrl-A adds a folder.", row: inner.row + 2, col: inner.col,
                       style: TextStyle(.muted, on: .panel))
        } else if matches.isEmpty {
            buffer.put("Nothing matches.", row: inner.row + 2, col: inner.col, style: TextStyle(.muted, on: .panel))
        }
        let first = max(0, picker.selection - listHeight + 1)
        for (i, kb) in matches.enumerated().dropFirst(first).prefix(max(0, listHeight)) {
            let row = inner.row + 2 + i - first
            let bg: ThemeRole = i == picker.selection ? .selection : .panel
            buffer.fill(row: row, col: inner.col, height: 1, width: inner.width, style: TextStyle(.foreground, on: bg))
            let mark = kb.name == currentName ? "● " : "  "
            var col = buffer.put(mark + kb.name, row: row, col: inner.col, style: TextStyle(.primary, on: bg, [.bold]),
                                 limit: inner.col + inner.width)
            let counts = "  \(grouped(kb.documents)) docs · \(grouped(kb.passages)) passages"
            col = buffer.put(counts, row: row, col: col, style: TextStyle(.muted, on: bg), limit: inner.col + inner.width)
            if let path = kb.paths.first {
                buffer.put("  " + path, row: row, col: col, style: TextStyle(.muted, on: bg, [.dim]),
                           limit: inner.col + inner.width)
            }
        }
        for (i, line) in footerLines.enumerated() {
            buffer.put(TextWrap.truncate(line, to: inner.width), row: inner.row + inner.height - footerLines.count + i,
                       col: inner.col, style: TextStyle(.muted, on: .panel))
        }
    }
}
