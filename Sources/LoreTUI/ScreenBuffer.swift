import LoreCore

/// One terminal cell: a grapheme and its style. A wide grapheme occupies its cell and the next one, which
/// holds a continuation marker so that both columns are accounted for.
public struct Cell: Sendable, Hashable {
    public var text: String
    public var style: TextStyle
    public var isContinuation: Bool

    public init(_ text: String, style: TextStyle, isContinuation: Bool = false) {
        self.text = text
        self.style = style
        self.isContinuation = isContinuation
    }

    public static func blank(_ style: TextStyle = .plain) -> Cell { Cell(" ", style: style) }
}

/// A grid of cells that widgets draw into and the runtime diffs and writes. Everything written goes through
/// `put`, which sanitizes, so no control character can reach the terminal from here.
public struct ScreenBuffer: Sendable, Equatable {
    public let rows: Int
    public let cols: Int
    public private(set) var cells: [Cell]
    /// Where the terminal cursor should stand after drawing; nil hides it.
    public var cursor: Position?

    public struct Position: Sendable, Equatable {
        public var row: Int
        public var col: Int
        public init(row: Int, col: Int) {
            self.row = row
            self.col = col
        }
    }

    public init(rows: Int, cols: Int, fill: TextStyle = .plain) {
        self.rows = max(0, rows)
        self.cols = max(0, cols)
        cells = Array(repeating: .blank(fill), count: self.rows * self.cols)
    }

    public subscript(row: Int, col: Int) -> Cell {
        cells[row * cols + col]
    }

    /// Fills a rectangle with blanks of `style`.
    public mutating func fill(row: Int, col: Int, height: Int, width: Int, style: TextStyle) {
        let top = max(0, row), bottom = min(rows, row + height)
        let left = max(0, col), right = min(cols, col + width)
        guard top < bottom, left < right else { return }
        for r in top..<bottom {
            for c in left..<right {
                set(r, c, .blank(style))
            }
        }
    }

    /// Writes `text` from (row, col), clipped at `limit` columns (default: the right edge). Returns the
    /// column after the last cell written. A wide grapheme that would straddle the limit is replaced by a
    /// blank; zero-width graphemes attach to the previous cell.
    @discardableResult
    public mutating func put(_ text: String, row: Int, col: Int, style: TextStyle, limit: Int? = nil) -> Int {
        guard row >= 0, row < rows else { return col }
        let end = min(cols, limit ?? cols)
        let safe = TerminalText.sanitize(text, keepNewlines: false)
        var c = col
        for ch in safe {
            if c >= end { break }
            let w = TextWidth.of(ch)
            if w == 0 {
                if c > 0 && c - 1 >= col {
                    var base = c - 1
                    if self[row, base].isContinuation, base > 0 { base -= 1 }
                    var cell = self[row, base]
                    cell.text.append(ch)
                    cells[row * cols + base] = cell
                }
                continue
            }
            if c < 0 {
                c += w
                continue
            }
            if w == 2 && c + 1 >= end {
                set(row, c, .blank(style))
                c += 1
                break
            }
            set(row, c, Cell(String(ch), style: style))
            if w == 2 { set(row, c + 1, Cell("", style: style, isContinuation: true)) }
            c += w
        }
        return c
    }

    /// Writes `text` and pads with blanks up to `width` cells.
    public mutating func putPadded(_ text: String, row: Int, col: Int, width: Int, style: TextStyle) {
        let end = min(cols, col + width)
        let after = put(text, row: row, col: col, style: style, limit: end)
        if after < end { fill(row: row, col: after, height: 1, width: end - after, style: style) }
    }

    /// Sets one cell, repairing any wide character it cuts in half.
    mutating func set(_ row: Int, _ col: Int, _ cell: Cell) {
        guard row >= 0, row < rows, col >= 0, col < cols else { return }
        let i = row * cols + col
        let old = cells[i]
        if old.isContinuation && !cell.isContinuation && col > 0 {
            cells[i - 1] = .blank(cells[i - 1].style)
        }
        if !old.isContinuation && col + 1 < cols && cells[i + 1].isContinuation && !cell.isContinuation
            && TextWidth.of(Character(cell.text.isEmpty ? " " : cell.text)) < 2 {
            cells[i + 1] = .blank(cells[i + 1].style)
        }
        cells[i] = cell
    }

    /// The text of each row, continuation cells omitted: what a person would read on screen.
    public var lines: [String] {
        (0..<rows).map { r in
            var s = ""
            for c in 0..<cols where !self[r, c].isContinuation { s += self[r, c].text }
            return s
        }
    }

    /// A changed stretch of one row, all in one style.
    public struct Run: Sendable, Equatable {
        public var row: Int
        public var col: Int
        public var text: String
        public var style: TextStyle
    }

    /// The runs to write to turn `old` into `new`. Everything is written when the sizes differ. A changed
    /// wide character is written from its first cell.
    public static func diff(old: ScreenBuffer?, new: ScreenBuffer) -> [Run] {
        var runs: [Run] = []
        let full = old == nil || old!.rows != new.rows || old!.cols != new.cols
        for r in 0..<new.rows {
            var changed = [Bool](repeating: full, count: new.cols)
            if !full, let old {
                for c in 0..<new.cols where old[r, c] != new[r, c] {
                    changed[c] = true
                    if new[r, c].isContinuation && c > 0 { changed[c - 1] = true }
                }
            }
            var c = 0
            while c < new.cols {
                guard changed[c] else {
                    c += 1
                    continue
                }
                let style = new[r, c].style
                var run = Run(row: r, col: c, text: "", style: style)
                while c < new.cols && changed[c] && new[r, c].style == style {
                    if !new[r, c].isContinuation { run.text += new[r, c].text }
                    c += 1
                }
                runs.append(run)
            }
        }
        return runs
    }
}
