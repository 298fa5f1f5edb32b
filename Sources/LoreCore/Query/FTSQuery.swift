import Foundation

/// Turns whatever a person typed into a SQLite FTS5 `MATCH` expression that cannot be a syntax error.
///
/// Every search term is emitted as an FTS5 string ("…"), so FTS5 operators typed by the user (`AND`, `OR`,
/// `NOT`, `NEAR(`, `-`, `^`, `:`, `(`) are plain words or plain punctuation. Terms are joined with `OR`: a
/// passage that has only some of the words still comes back, and BM25 puts passages with more of them (and
/// rarer ones) first. Two pieces of user intent are honoured: a `"quoted phrase"` (with a closing quote) stays
/// a phrase, and a trailing `*` on a word (`vacu*`) makes it a prefix query.
///
/// Words are cut the way FTS5's `unicode61` tokenizer cuts them, so a term never holds a character the
/// index could not hold: letters and digits of any script are word characters; punctuation, symbols and
/// emoji separate words. Words joined by in-word punctuation (`pg_dump`, `e-mail`, `3.14`) become a phrase,
/// because the index holds them as adjacent tokens.
///
/// Scripts written without spaces (Chinese, Japanese, Thai, …; see `UnsegmentedScript`): unicode61 does not
/// segment them, so `日本語のテキスト` is ONE token in a unicode61 index and the query `日本語` as a whole
/// token would never match it. Such terms are therefore emitted as prefix queries (`"日本語"*`), which on a
/// unicode61 table alone find every token that starts with them: `日本語` finds `日本語のテキスト`, `テキスト`
/// does not. The knowledge-base store reads them back out of the expression (`TrigramQuery`) and matches
/// them against its trigram index of the passages written in those scripts instead, anywhere inside a run,
/// so there `テキスト` finds `日本語のテキスト` too; only a file too old for that index gets the prefixes.
///
/// Ranking by column is the caller's: with FTS5 columns (title, headings, body), order by
/// `bm25(fts, ColumnWeights.standard.title, .headings, .body)` — see `ColumnWeights`.
public struct FTSQuery: Sendable, Equatable {
    /// One part of the expression, joined to the others with `OR`.
    public enum Clause: Sendable, Equatable {
        case word(String)
        /// A word typed with a trailing `*`, or a run of a script written without spaces.
        case prefix(String)
        /// Tokens that must appear next to each other, in order; `prefix` applies to the last one.
        case phrase([String], prefix: Bool)
    }

    /// Suggested BM25 column weights: a word in a title says more about a passage than the same word in its
    /// body. Lower `bm25()` is better in SQLite, so order ascending.
    public struct ColumnWeights: Sendable, Equatable {
        public var title: Double
        public var headings: Double
        public var body: Double

        public init(title: Double, headings: Double, body: Double) {
            self.title = title
            self.headings = headings
            self.body = body
        }

        public static let standard = ColumnWeights(title: 8, headings: 4, body: 1)
    }

    /// More terms than this add little to BM25 but cost time per row; a pasted page becomes its first 64.
    public static let defaultMaxTerms = 64

    public let clauses: [Clause]

    public init(_ text: String, maxTerms: Int = FTSQuery.defaultMaxTerms) {
        clauses = FTSQuery.parse(text, maxTerms: max(1, maxTerms))
    }

    /// The expression for `WHERE fts MATCH ?`, or nil when nothing searchable remains (then run no MATCH).
    public var matchExpression: String? {
        if clauses.isEmpty { return nil }
        return clauses.map(FTSQuery.render).joined(separator: " OR ")
    }

    public static func matchExpression(_ text: String) -> String? {
        FTSQuery(text).matchExpression
    }

    /// The lowercased words a result view should highlight, in query order, without repeats.
    public static func terms(_ text: String) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for clause in FTSQuery(text).clauses {
            let words: [String]
            switch clause {
            case .word(let w), .prefix(let w): words = [w]
            case .phrase(let ws, _): words = ws
            }
            for word in words {
                let lower = word.lowercased()
                if seen.insert(lower).inserted { out.append(lower) }
            }
        }
        return out
    }

    /// Words as unicode61 would cut `text` (case kept: FTS5 folds case and diacritics itself, and Swift's
    /// case mapping differs from SQLite's for a few letters such as 'İ').
    public static func tokenize(_ text: String) -> [String] {
        let scalars = Array(text.precomposedStringWithCanonicalMapping.unicodeScalars)
        return words(in: scalars[...]).map { String(String.UnicodeScalarView(scalars[$0])) }
    }

    // MARK: Parsing

    /// Short English function words: dropped when anything else is left, since they match nearly every
    /// passage and only dilute BM25. A query made only of them keeps them ("to be or not to be").
    static let stopWords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "by", "can", "could", "do", "does", "did", "for", "from",
        "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "our", "please",
        "should", "so", "tell", "than", "that", "the", "their", "them", "then", "there", "these", "this",
        "those", "to", "us", "was", "we", "were", "what", "when", "where", "which", "who", "whom", "why",
        "will", "with", "would", "you", "your",
    ]

    /// Punctuation that joins two words into one written unit (`pg_dump`, `e-mail`, `don't`, `a/b`, `3.14`).
    static let joiners: Set<Unicode.Scalar> = ["-", "_", ".", "'", "\u{2019}", "/", ":", "@", "+", "#", "&", "\\"]

    private static func parse(_ text: String, maxTerms: Int) -> [Clause] {
        let scalars = Array(text.precomposedStringWithCanonicalMapping.unicodeScalars)
        var clauses: [Clause] = []
        var i = 0
        var chunkStart = 0

        func flushChunk(upTo end: Int) {
            if chunkStart < end { clauses.append(contentsOf: chunkClauses(scalars[chunkStart..<end])) }
        }

        while i < scalars.count {
            let c = scalars[i]
            if c == "\"", let close = scalars[(i + 1)...].firstIndex(of: "\"") {
                flushChunk(upTo: i)
                let inner = scalars[(i + 1)..<close]
                let tokens = words(in: inner).map { String(String.UnicodeScalarView(scalars[$0])) }
                // Even one quoted word is a phrase: quoting says "this word", so it is not a stop word.
                if !tokens.isEmpty { clauses.append(.phrase(tokens, prefix: false)) }
                i = close + 1
                chunkStart = i
                continue
            }
            if c.properties.isWhitespace || c == "\"" {
                flushChunk(upTo: i)
                chunkStart = i + 1
            }
            i += 1
        }
        flushChunk(upTo: scalars.count)
        return finish(clauses, maxTerms: maxTerms)
    }

    /// The clauses of one whitespace-free run of text.
    private static func chunkClauses(_ chunk: ArraySlice<Unicode.Scalar>) -> [Clause] {
        let ranges = words(in: chunk)
        guard !ranges.isEmpty else { return [] }
        // Group words separated by exactly one joiner into a compound written as one unit.
        var groups: [[Range<Int>]] = [[ranges[0]]]
        for range in ranges.dropFirst() {
            let previous = groups[groups.count - 1].last!
            let gap = chunk[previous.upperBound..<range.lowerBound]
            if gap.count == 1, let joiner = gap.first, joiners.contains(joiner) {
                groups[groups.count - 1].append(range)
            } else {
                groups.append([range])
            }
        }
        return groups.map { group in
            let last = group[group.count - 1]
            // Only a star that ends the word counts: `va*cuum` is two words, not a prefix.
            let star = last.upperBound
            let starred = star < chunk.endIndex && chunk[star] == "*"
                && (star + 1 == chunk.endIndex || !isTokenScalar(chunk[star + 1]))
            let tokens = group.map { String(String.UnicodeScalarView(chunk[$0])) }
            if tokens.count > 1 { return .phrase(tokens, prefix: starred) }
            if starred || isUnsegmentedScript(chunk[last]) { return .prefix(tokens[0]) }
            return .word(tokens[0])
        }
    }

    /// Drops stop words (when something else remains), repeats, and terms past the cap. The cap counts
    /// tokens, so one pasted quotation cannot grow the expression without bound either.
    private static func finish(_ clauses: [Clause], maxTerms: Int) -> [Clause] {
        let hasContent = clauses.contains { clause in
            if case .word(let w) = clause { return !stopWords.contains(w.lowercased()) }
            return true
        }
        var seen = Set<String>()
        var budget = maxTerms
        var out: [Clause] = []
        for var clause in clauses where budget > 0 {
            if hasContent, case .word(let w) = clause, stopWords.contains(w.lowercased()) { continue }
            if case .phrase(let tokens, _) = clause, tokens.count > budget {
                // Cut short, the starred word is gone, and so is the prefix.
                clause = budget == 1 ? .word(tokens[0]) : .phrase(Array(tokens.prefix(budget)), prefix: false)
            }
            guard seen.insert(render(clause).lowercased()).inserted else { continue }
            switch clause {
            case .word, .prefix: budget -= 1
            case .phrase(let tokens, _): budget -= tokens.count
            }
            out.append(clause)
        }
        return out
    }

    static func render(_ clause: Clause) -> String {
        switch clause {
        case .word(let w): return quote(w)
        case .prefix(let w): return quote(w) + "*"
        case .phrase(let ws, let prefix): return quote(ws.joined(separator: " ")) + (prefix ? "*" : "")
        }
    }

    /// An FTS5 string literal: the text in double quotes with each embedded quote doubled.
    static func quote(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: unicode61

    /// The index ranges of the words in `scalars`.
    static func words(in scalars: ArraySlice<Unicode.Scalar>) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start: Int? = nil
        for index in scalars.indices {
            if isTokenScalar(scalars[index]) {
                if start == nil { start = index }
            } else if let s = start {
                out.append(s..<index)
                start = nil
            }
        }
        if let s = start { out.append(s..<scalars.endIndex) }
        return out
    }

    /// unicode61's default token characters: general categories L*, N* and Co, plus the combining marks it
    /// strips with `remove_diacritics` (measured against SQLite 3.40: those marks stay inside the token).
    /// Everything else, emoji included, separates words.
    static func isTokenScalar(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII {
            let v = c.value
            return (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A)
        }
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber, .privateUse:
            return true
        case .nonspacingMark:
            return foldedDiacritics.contains(c.value)
        default:
            return false
        }
    }

    private static let foldedDiacritics: Set<UInt32> = {
        var set = Set<UInt32>()
        for range in [0x300...0x304, 0x306...0x30C, 0x30F...0x30F, 0x311...0x311, 0x31B...0x31B,
                      0x323...0x328, 0x32D...0x32E, 0x330...0x331] as [ClosedRange<UInt32>] {
            set.formUnion(range)
        }
        return set
    }()

    /// Whether a word is in a script written without spaces, which unicode61 leaves as one long token.
    static func isUnsegmentedScript(_ word: ArraySlice<Unicode.Scalar>) -> Bool {
        word.contains(where: UnsegmentedScript.contains)
    }
}
