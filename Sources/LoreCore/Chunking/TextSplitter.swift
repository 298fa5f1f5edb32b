/// Cuts one block's text that is too large for a chunk into pieces of at most about `target` tokens.
///
/// It works on UTF-8 bytes and looks at each byte a bounded number of times, so a 200 MB paragraph with
/// no line break is cut in linear time with memory proportional to the pieces themselves.
struct TextSplitter {
    enum Mode {
        /// Code and tables: cut only between lines unless one line alone is too large; no overlap, and
        /// leading indentation is kept.
        case lines
        /// Prose: prefer line breaks, then sentence ends, then spaces; pieces overlap.
        case prose
    }

    struct Piece {
        var text: String
        /// Byte offsets into the split text.
        var start: Int
        var end: Int
    }

    let target: Int
    let overlap: Int
    let mode: Mode

    func split(_ text: String) -> [Piece] {
        var native = text
        native.makeContiguousUTF8()
        let source = native
        return source.utf8.withContiguousStorageIfAvailable { split(source, $0) } ?? []
    }

    private func split(_ source: String, _ bytes: UnsafeBufferPointer<UInt8>) -> [Piece] {
        var pieces: [Piece] = []
        let n = bytes.count
        var s = 0
        while s < n {
            // Leading blank lines never start a piece; leading spaces of code are its indentation.
            while s < n && (mode == .lines ? bytes[s] == 0x0A : isSpace(bytes[s])) { s += 1 }
            if s >= n { break }

            var words = 0
            var count = 0
            var inWord = false
            var e = s
            var lastNewline = -1
            var lastSentence = -1
            var lastSpace = -1
            while e < n {
                let b = bytes[e]
                let space = isSpace(b)
                if !space && !inWord { words += 1 }
                inWord = !space
                count += 1
                if max(words, (count + 3) / 4) > target && e > s { break }
                if b == 0x0A {
                    lastNewline = e + 1
                } else if space {
                    lastSpace = e + 1
                    if endsSentence(bytes, before: e, floor: s) { lastSentence = e + 1 }
                }
                e += 1
            }
            if e >= n {
                appendPiece(bytes, s, n, into: &pieces)
                break
            }

            let half = s + (e - s) / 2
            let cut: Int
            if lastNewline > half {
                cut = lastNewline
            } else if mode == .prose && lastSentence > half {
                cut = lastSentence
            } else if mode == .lines && lastNewline > s {
                cut = lastNewline
            } else if lastSpace > half {
                cut = lastSpace
            } else {
                cut = characterBoundary(source, bytes, atOrBefore: e, after: s)
            }
            appendPiece(bytes, s, cut, into: &pieces)

            var next = cut
            if mode == .prose && overlap > 0 {
                // Never step back past the middle of the piece just cut, so each piece advances by half a
                // piece at least and the total work stays linear.
                let floor = max(s + (cut - s) / 2, cut - overlap * 4)
                if let start = overlapStart(bytes, from: floor, to: cut), start > s { next = start }
            }
            s = next
        }
        return pieces
    }

    /// The last sentences (else words) of `text` that fit about `target` tokens, or nil when no boundary
    /// leaves something shorter than the whole text.
    func trailing(_ text: String) -> Piece? {
        var native = text
        native.makeContiguousUTF8()
        return native.utf8.withContiguousStorageIfAvailable { bytes -> Piece? in
            var end = bytes.count
            while end > 0 && isSpace(bytes[end - 1]) { end -= 1 }
            guard let start = overlapStart(bytes, from: max(1, end - target * 4), to: end), start < end else {
                return nil
            }
            let tail = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            return Piece(text: tail, start: start, end: end)
        } ?? nil
    }

    private func appendPiece(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into pieces: inout [Piece]) {
        var e = end
        while e > start && isSpace(bytes[e - 1]) { e -= 1 }
        guard e > start else { return }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<e]), as: UTF8.self)
        pieces.append(Piece(text: text, start: start, end: e))
    }

    private func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }

    private func endsSentence(_ bytes: UnsafeBufferPointer<UInt8>, before i: Int, floor: Int) -> Bool {
        var j = i - 1
        // A closing quote or bracket may follow the full stop: `He said "stop." Then…`
        if j > floor, bytes[j] == 0x22 || bytes[j] == 0x27 || bytes[j] == 0x29 { j -= 1 }
        guard j >= floor else { return false }
        let p = bytes[j]
        return p == 0x2E || p == 0x21 || p == 0x3F || p == 0x3B
    }

    /// The earliest sentence start in `from..<to`, else the earliest word start, else nil.
    private func overlapStart(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        var firstWord: Int?
        var i = max(from, 1)
        while i < to {
            if isSpace(bytes[i - 1]) && !isSpace(bytes[i]) {
                if endsSentence(bytes, before: i - 1, floor: from - 1) || bytes[i - 1] == 0x0A { return i }
                if firstWord == nil { firstWord = i }
            }
            i += 1
        }
        return firstWord
    }

    /// The last position at or before `limit` (and after `floor`) where a cut leaves whole Characters on
    /// both sides; falls back to a Unicode scalar boundary when a pathological cluster runs for too long.
    private func characterBoundary(_ source: String, _ bytes: UnsafeBufferPointer<UInt8>,
                                   atOrBefore limit: Int, after floor: Int) -> Int {
        var e = limit
        while e > floor + 1 && bytes[e] & 0xC0 == 0x80 { e -= 1 }
        let scalarBoundary = e
        var tries = 0
        while e > floor + 1 && tries < 32 {
            let index = source.utf8.index(source.utf8.startIndex, offsetBy: e)
            if String.Index(index, within: source) != nil { return e }
            e -= 1
            while e > floor + 1 && bytes[e] & 0xC0 == 0x80 { e -= 1 }
            tries += 1
        }
        return scalarBoundary
    }
}

/// Maps byte offsets inside a block's text to lines of the original file. When the text has as many line
/// breaks as the block spans lines (code, tables, verbatim prose) the mapping is exact; when a loader joined
/// or collapsed lines (HTML, Markdown paragraphs) it is proportional, which keeps ranges inside the block.
struct LineMapper {
    let lineStart: Int
    let lineEnd: Int
    let byteCount: Int
    let exact: Bool
    private let newlineOffsets: [Int]

    init(text: String, lineStart: Int, lineEnd: Int) {
        self.lineStart = lineStart
        self.lineEnd = max(lineStart, lineEnd)
        var offsets: [Int] = []
        var i = 0
        for b in text.utf8 {
            if b == 0x0A { offsets.append(i) }
            i += 1
        }
        byteCount = i
        exact = offsets.count == self.lineEnd - lineStart
        newlineOffsets = exact ? offsets : []
    }

    func line(at offset: Int) -> Int {
        if exact {
            // Binary search: the number of line breaks before `offset`.
            var lo = 0
            var hi = newlineOffsets.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if newlineOffsets[mid] < offset { lo = mid + 1 } else { hi = mid }
            }
            return lineStart + lo
        }
        guard byteCount > 0 else { return lineStart }
        let span = lineEnd - lineStart
        return lineStart + Int((Double(min(offset, byteCount)) / Double(byteCount) * Double(span)).rounded(.down))
    }

    func lines(_ start: Int, _ end: Int) -> (Int, Int) {
        let a = line(at: start)
        let b = line(at: max(start, end - 1))
        return (a, min(lineEnd, max(a, b)))
    }
}
