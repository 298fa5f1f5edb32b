import LoreCore

/// Draws a bordered box and returns its inner rectangle.
@discardableResult
func drawBox(_ buffer: inout ScreenBuffer, _ rect: Rect, title: String) -> Rect {
    guard rect.height >= 3, rect.width >= 5 else { return Rect(row: rect.row, col: rect.col, height: 0, width: 0) }
    let style = TextStyle(.foreground, on: .panel)
    let border = TextStyle(.primary, on: .panel)
    buffer.fill(row: rect.row, col: rect.col, height: rect.height, width: rect.width, style: style)
    let horizontal = String(repeating: "─", count: max(0, rect.width - 2))
    buffer.put("┌" + horizontal + "┐", row: rect.row, col: rect.col, style: border)
    buffer.put("└" + horizontal + "┘", row: rect.row + rect.height - 1, col: rect.col, style: border)
    for r in (rect.row + 1)..<(rect.row + rect.height - 1) {
        buffer.put("│", row: r, col: rect.col, style: border)
        buffer.put("│", row: r, col: rect.col + rect.width - 1, style: border)
    }
    buffer.put(" " + TextWrap.truncate(title, to: rect.width - 6) + " ", row: rect.row, col: rect.col + 2,
               style: border.with(.bold))
    return Rect(row: rect.row + 1, col: rect.col + 2, height: rect.height - 2, width: rect.width - 4)
}

/// A box of at most `width` × `height` in the middle of `screen`, leaving a margin of one cell.
func centered(in screen: Rect, width: Int, height: Int) -> Rect {
    let w = min(screen.width - 2, width)
    let h = min(screen.height - 2, height)
    return Rect(row: screen.row + (screen.height - h) / 2, col: screen.col + (screen.width - w) / 2, height: h, width: w)
}
