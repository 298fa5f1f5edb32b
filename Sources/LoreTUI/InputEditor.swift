import LoreCore

/// The multi-line question editor: text as graphemes and a cursor between them, with emacs-style edits.
public struct InputEditor: Sendable, Equatable {
    public private(set) var chars: [Character] = []
    /// Index in `chars` the cursor stands before.
    public private(set) var cursor = 0

    public init(_ text: String = "") {
        chars = Array(text)
        cursor = chars.count
    }

    public var text: String { String(chars) }
    public var isEmpty: Bool { chars.isEmpty }

    public mutating func setText(_ text: String) {
        chars = Array(text)
        cursor = chars.count
    }

    public mutating func insert(_ s: String) {
        let new = Array(TerminalText.sanitize(s))
        chars.insert(contentsOf: new, at: cursor)
        cursor += new.count
    }

    public mutating func backspace() {
        guard cursor > 0 else { return }
        chars.remove(at: cursor - 1)
        cursor -= 1
    }

    public mutating func deleteForward() {
        guard cursor < chars.count else { return }
        chars.remove(at: cursor)
    }

    public mutating func moveLeft() { cursor = max(0, cursor - 1) }
    public mutating func moveRight() { cursor = min(chars.count, cursor + 1) }

    var lineStart: Int {
        var i = cursor
        while i > 0 && chars[i - 1] != "\n" { i -= 1 }
        return i
    }

    var lineEnd: Int {
        var i = cursor
        while i < chars.count && chars[i] != "\n" { i += 1 }
        return i
    }

    public mutating func moveToLineStart() { cursor = lineStart }
    public mutating func moveToLineEnd() { cursor = lineEnd }

    /// Ctrl-K: deletes to the end of the line, or the newline itself when already there.
    public mutating func killToLineEnd() {
        let end = lineEnd
        if end == cursor {
            if cursor < chars.count { chars.remove(at: cursor) }
        } else {
            chars.removeSubrange(cursor..<end)
        }
    }

    /// Ctrl-U: deletes from the start of the line to the cursor.
    public mutating func killToLineStart() {
        let start = lineStart
        chars.removeSubrange(start..<cursor)
        cursor = start
    }

    static func isWordChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }

    func wordStartBefore(_ i: Int) -> Int {
        var j = i
        while j > 0 && !Self.isWordChar(chars[j - 1]) { j -= 1 }
        while j > 0 && Self.isWordChar(chars[j - 1]) { j -= 1 }
        return j
    }

    func wordEndAfter(_ i: Int) -> Int {
        var j = i
        while j < chars.count && !Self.isWordChar(chars[j]) { j += 1 }
        while j < chars.count && Self.isWordChar(chars[j]) { j += 1 }
        return j
    }

    /// Ctrl-W: deletes the word before the cursor (and the spaces after it).
    public mutating func deleteWordBackward() {
        var j = cursor
        while j > 0 && chars[j - 1] == " " { j -= 1 }
        while j > 0 && chars[j - 1] != " " && chars[j - 1] != "\n" { j -= 1 }
        chars.removeSubrange(j..<cursor)
        cursor = j
    }

    public mutating func moveWordLeft() { cursor = wordStartBefore(cursor) }
    public mutating func moveWordRight() { cursor = wordEndAfter(cursor) }

    var lineCount: Int { chars.reduce(1) { $1 == "\n" ? $0 + 1 : $0 } }
    var cursorLine: Int { chars[..<cursor].reduce(0) { $1 == "\n" ? $0 + 1 : $0 } }
    public var cursorOnFirstLine: Bool { cursorLine == 0 }
    public var cursorOnLastLine: Bool { cursorLine == lineCount - 1 }

    /// Moves the cursor one logical line up or down, keeping its column where the line is long enough.
    public mutating func moveLine(_ delta: Int) {
        let column = cursor - lineStart
        if delta < 0 {
            guard lineStart > 0 else { return }
            cursor = lineStart - 1
            cursor = min(lineStart + column, lineEnd)
        } else {
            guard lineEnd < chars.count else { return }
            cursor = lineEnd + 1
            cursor = min(cursor + column, lineEnd)
        }
    }

    /// The editor's text laid out in `width` cells: visual lines, and the row and column of the cursor.
    /// Lines break at newlines and, for long lines, between graphemes, so every cursor position maps to
    /// exactly one cell.
    public func layout(width: Int) -> (lines: [String], cursorRow: Int, cursorCol: Int) {
        let width = max(2, width)
        var lines: [String] = [""]
        var used = 0
        var cursorRow = 0
        var cursorCol = 0
        for (i, ch) in chars.enumerated() {
            if i == cursor {
                cursorRow = lines.count - 1
                cursorCol = used
            }
            if ch == "\n" {
                lines.append("")
                used = 0
                continue
            }
            let w = TextWidth.of(ch)
            // Keep one column free at the end of a line for the cursor.
            if used + w > width - 1 {
                lines.append("")
                used = 0
                if i == cursor {
                    cursorRow = lines.count - 1
                    cursorCol = 0
                }
            }
            lines[lines.count - 1].append(ch)
            used += w
        }
        if cursor == chars.count {
            cursorRow = lines.count - 1
            cursorCol = used
        }
        return (lines, cursorRow, cursorCol)
    }
}
