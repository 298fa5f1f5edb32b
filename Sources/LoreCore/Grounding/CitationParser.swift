import Foundation

/// Finds citation markers in an answer as it streams in, one delta at a time.
///
/// Recognised: `[2]`, `[1, 3]`, `[1,3]`, `[1; 3]`, `[2-4]`, `[2–4]` (en dash), `[^2]` (footnote style), and
/// runs such as `[1][3]` (two markers). Spaces may surround the numbers. Numbers run from 1 to 999 and are
/// written without leading zeros; a range spans at most 50 numbers and must not run backwards.
///
/// Not citations:
/// - anything inside Markdown code: an inline code span (`` `array[1]` ``) or a fenced block (``` or ~~~).
///   An inline span that is never closed ends at the end of its line, so one stray backtick cannot hide
///   every citation after it.
/// - a marker directly followed by `(`: that is a Markdown link such as `[1](https://…)`.
/// - `[0]`, `[01]`, `[1000]`, `[]`, `[1,]`, `[4-2]`, `[1 2]`, or any bracket holding other characters, such as
///   `[link](url)` or `[x]`.
///
/// What comes before the `[` does not matter: models often glue markers to the word they cite
/// (`enabled by default[1].`), and losing those would lose the link to the source. The price is that an
/// index expression written as prose outside code, like `items[2]`, counts as a citation of source 2;
/// `array[0]` never does, as there is no source 0.
///
/// Because of the link rule a marker is reported only once the character after its `]` has arrived (or at
/// `finish()`), so a marker split across deltas — `"[1"` then `", 3]"` — is reported exactly once, whole.
/// Ranges are UTF-16 offsets into the concatenation of every delta fed (see `Citation`).
public struct CitationParser: Sendable {
    public static let maxNumber = 999
    static let maxRangeSpan = 50
    /// Longer brackets are prose, not markers; capping them keeps memory flat on adversarial input.
    static let maxMarkerLength = 48

    private var offset = 0

    // Markdown code state.
    private var lineHasContent = false
    private var lineIndent = 0
    private var fenceChar: Unicode.Scalar?
    private var fenceLength = 0
    private var inlineTicks = 0
    private var runChar: Unicode.Scalar?
    private var runLength = 0
    private var runAtLineStart = false

    // A bracket being read, and a finished marker waiting to see whether a `(` follows it.
    private var candidate: [Unicode.Scalar]?
    private var candidateStart = 0
    private var pending: Citation?

    public init() {}

    /// Reads the next piece of the answer and returns the markers it completed.
    public mutating func feed(_ delta: String) -> [CitationEvent] {
        var events: [Citation] = []
        for scalar in delta.unicodeScalars {
            process(scalar, into: &events)
            offset += scalar.utf16.count
        }
        return events
    }

    /// Ends the answer: reports a marker still waiting for its next character. An unclosed `[3` is dropped.
    public mutating func finish() -> [CitationEvent] {
        var events: [Citation] = []
        if let waiting = pending { events.append(waiting) }
        pending = nil
        candidate = nil
        resolveRun()
        return events
    }

    /// Every citation marker in a whole answer.
    public static func citations(in text: String) -> [Citation] {
        var parser = CitationParser()
        return parser.feed(text) + parser.finish()
    }

    /// The answer with its citation markers taken out, for reuse where the numbers mean nothing (an earlier
    /// turn replayed to the model with different sources). A space left dangling before punctuation or
    /// another space goes too: "on by default [1]." becomes "on by default.".
    public static func removingCitations(from text: String) -> String {
        let found = citations(in: text)
        guard !found.isEmpty else { return text }
        let units = Array(text.utf16)
        var out: [UInt16] = []
        out.reserveCapacity(units.count)
        var cursor = 0
        for citation in found {
            out.append(contentsOf: units[cursor..<citation.range.lowerBound])
            cursor = citation.range.upperBound
            let next = cursor < units.count ? units[cursor] : nil
            if out.last == 0x20, next == nil || isSpaceOrClosingPunctuation(next!) || next == 0x5B {
                out.removeLast()
            }
        }
        out.append(contentsOf: units[cursor...])
        return String(decoding: out, as: UTF16.self)
    }

    private static func isSpaceOrClosingPunctuation(_ unit: UInt16) -> Bool {
        switch unit {
        case 0x20, 0x0A, 0x0D, 0x09, 0x2E, 0x2C, 0x3B, 0x3A, 0x21, 0x3F, 0x29: return true // space \n \r \t . , ; : ! ? )
        default: return false
        }
    }

    // MARK: Scanning

    private var inCode: Bool { fenceChar != nil || inlineTicks > 0 }

    private mutating func process(_ c: Unicode.Scalar, into events: inout [Citation]) {
        if let waiting = pending {
            pending = nil
            if c != "(" { events.append(waiting) }
        }
        if var body = candidate {
            if c == "]" {
                candidate = nil
                lineHasContent = true
                if let (numbers, items) = Self.parse(body) {
                    // Every scalar a marker may hold is one UTF-16 unit, so scalar counts are offsets.
                    let inside = candidateStart + 1
                    pending = Citation(numbers: numbers, range: candidateStart..<(offset + 1), parts: items.map {
                        Citation.Part(numbers: $0.numbers, range: (inside + $0.range.lowerBound)..<(inside + $0.range.upperBound))
                    })
                }
                return
            }
            if body.count < Self.maxMarkerLength, Self.isMarkerScalar(c, first: body.isEmpty) {
                body.append(c)
                candidate = body
                return
            }
            // Not a marker after all; the character that ended it is read as ordinary text below.
            candidate = nil
        }
        if let run = runChar, c != run { resolveRun() }
        if c == "`" || c == "~" {
            if runChar == nil {
                runChar = c
                runLength = 0
                runAtLineStart = !lineHasContent && lineIndent <= 3
            }
            runLength += 1
            lineHasContent = true
            return
        }
        switch c {
        case "\n", "\r":
            lineHasContent = false
            lineIndent = 0
            // An inline code span never crosses a line here (see the type's documentation).
            inlineTicks = 0
        case " " where !lineHasContent:
            lineIndent += 1
        case "[" where !inCode:
            candidate = []
            candidateStart = offset
            lineHasContent = true
        default:
            lineHasContent = true
        }
    }

    /// Decides what a finished run of backticks or tildes meant: a fence opening or closing, or the edge of
    /// an inline code span.
    private mutating func resolveRun() {
        guard let char = runChar else { return }
        let length = runLength
        runChar = nil
        runLength = 0
        if let fence = fenceChar {
            if runAtLineStart, char == fence, length >= fenceLength {
                fenceChar = nil
                fenceLength = 0
            }
        } else if inlineTicks > 0 {
            if char == "`", length == inlineTicks { inlineTicks = 0 }
        } else if runAtLineStart, length >= 3 {
            fenceChar = char
            fenceLength = length
        } else if char == "`" {
            inlineTicks = length
        }
    }

    private static func isMarkerScalar(_ c: Unicode.Scalar, first: Bool) -> Bool {
        switch c {
        case "0"..."9", " ", ",", ";", "-", "\u{2013}": return true
        case "^": return first
        default: return false
        }
    }

    /// The numbers a bracket's contents name, or nil when they are not a well-formed marker.
    static func numbers(in body: [Unicode.Scalar]) -> [Int]? { parse(body)?.numbers }

    /// The numbers a bracket's contents name, and each item with its numbers and its place among `body`'s
    /// scalars (spaces around it left out); nil when the contents are not a well-formed marker.
    static func parse(_ body: [Unicode.Scalar]) -> (numbers: [Int], items: [(numbers: [Int], range: Range<Int>)])? {
        var start = 0
        if body.first == "^" { start = 1 }
        var out: [Int] = []
        var seen = Set<Int>()
        var items: [(numbers: [Int], range: Range<Int>)] = []
        var itemStart = start
        for end in start...body.count where end == body.count || body[end] == "," || body[end] == ";" {
            var low = itemStart
            var high = end
            while low < high, body[low] == " " { low += 1 }
            while high > low, body[high - 1] == " " { high -= 1 }
            itemStart = end + 1
            let item = String(String.UnicodeScalarView(body[low..<high]))
            let bounds = item.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "-" || $0 == "\u{2013}" })
            let values: [Int]
            switch bounds.count {
            case 1:
                guard let n = number(bounds[0]) else { return nil }
                values = [n]
            case 2:
                guard let first = number(bounds[0]), let last = number(bounds[1]), first <= last,
                      last - first < maxRangeSpan else { return nil }
                values = Array(first...last)
            default:
                return nil
            }
            items.append((values, low..<high))
            for v in values where seen.insert(v).inserted { out.append(v) }
        }
        return out.isEmpty ? nil : (out, items)
    }

    private static func number(_ raw: Substring) -> Int? {
        let digits = raw.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed()
        guard (1...3).contains(digits.count), digits.first != "0", digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let value = Int(String(digits)), value <= maxNumber else { return nil }
        return value
    }
}
