import LoreCore

/// Small pieces of drawing and number formatting that several views share.
func drawStyledLine(_ buffer: inout ScreenBuffer, _ line: StyledLine, row: Int, col: Int, width: Int) {
    var c = col
    let end = col + width
    if let fill = line.fill { buffer.fill(row: row, col: col, height: 1, width: width, style: fill) }
    for span in line.spans {
        c = buffer.put(span.text, row: row, col: c, style: span.style, limit: end)
    }
}

func formatOneDecimal(_ x: Double) -> String {
    let tenths = Int((x * 10).rounded())
    return "\(tenths / 10).\(abs(tenths % 10))"
}

func spinner(_ tick: Int) -> String {
    let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
    return frames[(tick / 4) % frames.count]
}

/// 1234567 as "1,234,567".
func grouped(_ n: Int) -> String {
    let digits = String(abs(n))
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return n < 0 ? "-" + out : out
}
