import Foundation

/// A citation marker found in an answer, such as `[2]`, `[1, 3]` or `[2-4]`.
///
/// `range` counts UTF-16 code units from the start of the whole answer text, from the `[` through the `]`.
/// UTF-16 offsets were chosen because they never move when more text is appended (a later combining mark
/// can merge into an earlier `Character`, but it cannot change earlier UTF-16 offsets), and because they
/// map directly onto `NSRange` and `String.Index(utf16Offset:in:)`.
public struct Citation: Sendable, Equatable, Hashable {
    /// One item of a marker: `3` or `2-4` in `[1; 2-4]`, with the numbers it names and where it stands,
    /// so that a view can style and highlight each item from these ranges instead of reading the text again.
    public struct Part: Sendable, Equatable, Hashable {
        public var numbers: [Int]
        /// UTF-16 offsets into the whole answer, like the marker's own `range`.
        public var range: Range<Int>

        public init(numbers: [Int], range: Range<Int>) {
            self.numbers = numbers
            self.range = range
        }
    }

    /// Source numbers in the order written, ranges expanded (`[2-4]` is 2, 3, 4), without repeats.
    public var numbers: [Int]
    public var range: Range<Int>
    /// The marker's items in order; together they name `numbers`.
    public var parts: [Part]

    /// Without `parts`, the marker is one item filling the space between its brackets, as in `[2]`.
    public init(numbers: [Int], range: Range<Int>, parts: [Part]? = nil) {
        self.numbers = numbers
        self.range = range
        self.parts = parts ?? [Part(numbers: numbers, range: (range.lowerBound + 1)..<max(range.lowerBound + 1, range.upperBound - 1))]
    }

    /// The same citation in a text that has `units` UTF-16 units more in front of it.
    public func shifted(by units: Int) -> Citation {
        Citation(numbers: numbers, range: (range.lowerBound + units)..<(range.upperBound + units),
                 parts: parts.map { Part(numbers: $0.numbers, range: ($0.range.lowerBound + units)..<($0.range.upperBound + units)) })
    }

    /// The marker's position in `text` as string indices (`text` must be the answer the offsets refer to).
    public func stringRange(in text: String) -> Range<String.Index> {
        String.Index(utf16Offset: range.lowerBound, in: text)..<String.Index(utf16Offset: range.upperBound, in: text)
    }
}

/// What `CitationParser.feed` reports as markers complete in a streamed answer.
public typealias CitationEvent = Citation

extension Array where Element == Citation {
    /// The source numbers cited, in order of first mention, each once.
    public var citedNumbers: [Int] {
        var seen = Set<Int>()
        return flatMap(\.numbers).filter { seen.insert($0).inserted }
    }
}

/// Which source numbers an answer cites, split into those that exist and those that do not, so a view can
/// flag `[7]` in an answer built on five sources instead of opening nothing.
public struct CitationCheck: Sendable, Equatable {
    /// Cited numbers that name one of the given sources.
    public var cited: Set<Int>
    /// Cited numbers with no such source.
    public var unknown: Set<Int>

    public init(citations: [Citation], sourceNumbers: Set<Int>) {
        var cited = Set<Int>()
        var unknown = Set<Int>()
        for number in citations.lazy.flatMap(\.numbers) {
            if sourceNumbers.contains(number) { cited.insert(number) } else { unknown.insert(number) }
        }
        self.cited = cited
        self.unknown = unknown
    }

    /// Sources are numbered 1...sourceCount, as `GroundedPrompt` numbers them.
    public init(text: String, sourceCount: Int) {
        self.init(citations: CitationParser.citations(in: text),
                  sourceNumbers: Set(sourceCount > 0 ? Array(1...sourceCount) : []))
    }

    /// Every number the answer cites is a real source.
    public var isClean: Bool { unknown.isEmpty }
}
