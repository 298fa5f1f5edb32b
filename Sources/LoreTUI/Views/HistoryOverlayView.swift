import LoreCore

/// The saved conversations of the knowledge base, newest first, to reopen one.
struct HistoryOverlayView {
    var picker: HistoryPicker
    var kbName: String
    /// The keys, shown in the title.
    var hints: String

    func draw(into buffer: inout ScreenBuffer, in screen: Rect) {
        let inner = drawBox(&buffer, centered(in: screen, width: 72, height: min(screen.height - 2, picker.conversations.count + 4)),
                            title: "Conversations in \(kbName) — \(hints)")
        let first = max(0, picker.selection - inner.height + 1)
        for (i, conv) in picker.conversations.enumerated().dropFirst(first).prefix(inner.height) {
            let row = inner.row + i - first
            let bg: ThemeRole = i == picker.selection ? .selection : .panel
            buffer.fill(row: row, col: inner.col, height: 1, width: inner.width, style: TextStyle(.foreground, on: bg))
            var turns = conv.turns == 1 ? "1 turn" : "\(conv.turns) turns"
            let rated = [conv.good > 0 ? "+\(conv.good)" : nil, conv.bad > 0 ? "−\(conv.bad)" : nil].compactMap { $0 }
            if !rated.isEmpty { turns = rated.joined(separator: " ") + " · " + turns }
            buffer.put(conv.title, row: row, col: inner.col, style: TextStyle(.foreground, on: bg),
                       limit: inner.col + inner.width - TextWidth.of(turns) - 2)
            buffer.put(turns, row: row, col: inner.col + inner.width - TextWidth.of(turns), style: TextStyle(.muted, on: bg))
        }
    }
}
