import LoreCore

/// The question being typed, up to five lines, with the terminal cursor in it while it has the focus.
struct InputLineView {
    var input: InputEditor
    var focused: Bool
    /// While an answer streams, the empty line says how to stop it.
    var streaming: Bool

    func draw(into buffer: inout ScreenBuffer, in rect: Rect) {
        let style = TextStyle(.foreground, on: .background)
        let text = rect.col + 2
        buffer.put("›", row: rect.row, col: rect.col, style: TextStyle(focused ? .primary : .muted, on: .background, [.bold]))
        if input.isEmpty {
            let hint = streaming ? "Esc stops the answer" : "Ask a question · / for commands · F1 for keys"
            buffer.put(TextWrap.truncate(hint, to: rect.width - 2), row: rect.row, col: text,
                       style: TextStyle(.muted, on: .background, [.dim]))
            if focused { buffer.cursor = ScreenBuffer.Position(row: rect.row, col: text) }
            return
        }
        let laid = input.layout(width: rect.width - 2)
        let first = max(0, min(laid.cursorRow - rect.height + 1, laid.lines.count - rect.height))
        for i in 0..<rect.height where first + i < laid.lines.count {
            buffer.put(laid.lines[first + i], row: rect.row + i, col: text, style: style)
        }
        if focused {
            buffer.cursor = ScreenBuffer.Position(row: rect.row + laid.cursorRow - first, col: text + laid.cursorCol)
        }
    }
}
