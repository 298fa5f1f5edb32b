import LoreCore

/// What shows instead of the UI when the terminal is below the minimum size.
struct TooSmallNoticeView {
    var rows: Int
    var cols: Int
    /// "Ctrl-C to quit", from the key map.
    var quitHint: String

    func draw(into buffer: inout ScreenBuffer) {
        let message = "Terminal too small (\(cols)×\(rows)). Lore needs at least "
            + "\(AppModel.minimumCols)×\(AppModel.minimumRows). Enlarge the window, or \(quitHint)."
        let lines = TextWrap.wrap(message, width: max(1, cols - 2))
        let top = max(0, (rows - lines.count) / 2)
        for (i, l) in lines.enumerated() where top + i < rows {
            buffer.put(l, row: top + i, col: max(0, (cols - TextWidth.of(l)) / 2), style: TextStyle(.warning, on: .background, [.bold]))
        }
    }
}
