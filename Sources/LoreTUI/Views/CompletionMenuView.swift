import LoreCore

/// The popup of commands (or theme names) that completing the input could give, sitting at the bottom of
/// the area it is given.
struct CompletionMenuView {
    var items: [(text: String, summary: String)]
    var selection: Int

    func draw(into buffer: inout ScreenBuffer, in rect: Rect) {
        guard !items.isEmpty else { return }
        let shown = Array(items.prefix(min(8, rect.height)))
        let width = min(rect.width - 2, (shown.map { TextWidth.of($0.text) + TextWidth.of($0.summary) }.max() ?? 0) + 5)
        let top = rect.row + rect.height - shown.count
        let col = rect.col + 1
        let selection = min(self.selection, items.count - 1)
        for (i, item) in shown.enumerated() {
            let bg: ThemeRole = i == selection ? .selection : .panel
            buffer.fill(row: top + i, col: col, height: 1, width: width, style: TextStyle(.foreground, on: bg))
            let c = buffer.put(" " + item.text, row: top + i, col: col, style: TextStyle(.primary, on: bg, [.bold]),
                               limit: col + width)
            buffer.put("  " + item.summary, row: top + i, col: c, style: TextStyle(.muted, on: bg), limit: col + width)
        }
    }
}
