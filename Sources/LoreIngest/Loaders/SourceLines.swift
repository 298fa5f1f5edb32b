/// The lines of a text as substrings, split on LF bytes (a trailing CR is dropped, in case a caller skipped
/// `TextDecoding`). Splitting on bytes rather than Characters keeps a 200 MB file fast.
struct SourceLines {
    let lines: [Substring]

    init(_ text: String) {
        var out: [Substring] = []
        for slice in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            var line = Substring(slice)
            if line.utf8.last == 0x0D { line = line[..<line.utf8.index(before: line.utf8.endIndex)] }
            out.append(line)
        }
        // A final line break does not open a line of its own.
        if out.count > 1, out.last?.isEmpty == true { out.removeLast() }
        lines = out
    }

    var count: Int { lines.count }
    subscript(i: Int) -> Substring { lines[i] }

    static func isBlank(_ line: Substring) -> Bool {
        line.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0C || $0 == 0x0B }
    }

    /// Leading spaces, a tab counting as up to the next multiple of 8 as in reST and most editors.
    static func indentation(_ line: Substring) -> Int {
        var width = 0
        for b in line.utf8 {
            if b == 0x20 { width += 1 } else if b == 0x09 { width = (width / 8 + 1) * 8 } else { break }
        }
        return width
    }

    static func trimmed(_ line: Substring) -> Substring {
        let utf8 = line.utf8
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end, utf8[start] == 0x20 || utf8[start] == 0x09 { start = utf8.index(after: start) }
        while end > start, utf8[utf8.index(before: end)] == 0x20 || utf8[utf8.index(before: end)] == 0x09 {
            end = utf8.index(before: end)
        }
        return line[start..<end]
    }
}
