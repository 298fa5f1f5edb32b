import Foundation

/// The part of a search that goes to the trigram index: the words of scripts written without spaces
/// (`UnsegmentedScript`), which unicode61 cannot look inside, and which FTS5's `trigram` tokenizer matches
/// as substrings of three or more scalars.
///
/// It is read back from an expression `FTSQuery` wrote, because that expression is what reaches the store.
/// Each clause holding such a word moves here; the other clauses stay, verbatim and in order, in
/// `remainder`, for the unicode61 table. An expression without such words is left exactly as it came, so a
/// Latin-script search runs the query it ran before this existed; so is any text FTSQuery could not have
/// written, which the caller owns.
///
/// A run of three or more scalars is searched as its overlapping trigrams joined with `OR`, plus the whole
/// run (its first `maxTerms` trigrams) as one phrase. A typed question (`如何创建索引`) arrives as one run that no passage holds whole; its
/// trigrams still find the passages that share words with it, and the phrase puts the passages holding the
/// exact run first. Runs of one or two scalars (`索引`, `검색`) are shorter than any trigram and FTS5
/// cannot match them; they are `shortRuns`, for the store to find by scanning and score with
/// `TrigramBM25`.
public struct TrigramQuery: Sendable, Equatable {
    /// Tokens holding a scalar of a script without spaces, in query order, without repeats.
    public let runs: [String]
    /// The expression's other clauses for the unicode61 table; nil when none is left.
    public let remainder: String?
    /// Strings in `matchExpression` at most (phrases and trigrams alike).
    public let maxTerms: Int

    /// More tiny runs than this add nothing a person meant; each costs a column in the scan.
    public static let maxShortRuns = 16

    public init(expression: String, maxTerms: Int = FTSQuery.defaultMaxTerms) {
        self.maxTerms = max(1, maxTerms)
        guard let clauses = Self.clauses(of: expression),
              clauses.contains(where: { $0.tokens.contains(where: UnsegmentedScript.appears) }) else {
            runs = []
            remainder = expression
            return
        }
        var runs: [String] = []
        var kept: [String] = []
        var seenRuns = Set<String>()
        var seenKept = Set<String>()
        for clause in clauses {
            let unsegmented = clause.tokens.filter(UnsegmentedScript.appears)
            if unsegmented.isEmpty {
                if seenKept.insert(clause.text.lowercased()).inserted { kept.append(clause.text) }
                continue
            }
            for token in unsegmented where seenRuns.insert(token.lowercased()).inserted { runs.append(token) }
            // A quoted phrase that mixes scripts cannot stay a phrase on either table; its other words
            // still count, one by one.
            for token in clause.tokens where !UnsegmentedScript.appears(in: token) {
                let word = FTSQuery.quote(token)
                if seenKept.insert(word.lowercased()).inserted { kept.append(word) }
            }
        }
        self.runs = runs
        remainder = kept.isEmpty ? nil : kept.joined(separator: " OR ")
    }

    public var isEmpty: Bool { runs.isEmpty }

    /// The expression for `WHERE trigram_table MATCH ?`; nil when no run is long enough for a trigram.
    public var matchExpression: String? {
        var terms: [String] = []
        var seen = Set<String>()
        func add(_ scalars: ArraySlice<Unicode.Scalar>) {
            let text = String(String.UnicodeScalarView(scalars))
            if terms.count < maxTerms, seen.insert(text.lowercased()).inserted { terms.append(FTSQuery.quote(text)) }
        }
        for run in runs {
            let scalars = Array(run.unicodeScalars)
            guard scalars.count >= 3 else { continue }
            // A phrase costs FTS5 one lookup per trigram; a pasted paragraph's first ones show enough.
            if scalars.count > 3 { add(scalars.prefix(maxTerms + 2)) }
            for start in 0...(scalars.count - 3) { add(scalars[start..<(start + 3)]) }
        }
        return terms.isEmpty ? nil : terms.joined(separator: " OR ")
    }

    /// Runs of one or two scalars, which only a scan can find.
    public var shortRuns: [String] {
        Array(runs.filter { $0.unicodeScalars.count < 3 }.prefix(Self.maxShortRuns))
    }

    /// The clauses of an expression as FTSQuery renders them, `"…"` or `"…"*` joined by ` OR `, each
    /// with its verbatim text and the space-separated tokens of its string; nil for any other text.
    static func clauses(of expression: String) -> [(text: String, tokens: [String])]? {
        let s = Array(expression.unicodeScalars)
        let separator = Array(" OR ".unicodeScalars)
        var out: [(text: String, tokens: [String])] = []
        var i = 0
        while true {
            guard i < s.count, s[i] == "\"" else { return nil }
            let start = i
            var content = String.UnicodeScalarView()
            i += 1
            while true {
                guard i < s.count else { return nil }
                if s[i] == "\"" {
                    guard i + 1 < s.count, s[i + 1] == "\"" else { break }
                    i += 1
                }
                content.append(s[i])
                i += 1
            }
            i += 1
            if i < s.count, s[i] == "*" { i += 1 }
            let tokens = String(content).split(separator: " ").map(String.init)
            out.append((String(String.UnicodeScalarView(s[start..<i])), tokens))
            if i == s.count { return out }
            guard s.count - i > separator.count, s[i..<(i + separator.count)].elementsEqual(separator) else { return nil }
            i += separator.count
        }
    }
}

/// FTS5's `bm25()` for runs FTS5 cannot match itself, from counts a scan of the trigram table's rows makes:
/// the same formula (k1 = 1.2, b = 0.75) over the same statistics, so that its scores add to the ones
/// `bm25()` gives the trigram phrases of the same search as if FTS5 had matched every run.
public struct TrigramBM25: Sendable, Equatable {
    /// Rows in the trigram table.
    public var rows: Int
    /// Trigrams in all their columns.
    public var totalLength: Int
    /// For each run, the rows holding it in any column.
    public var matchingRows: [Int]

    public init(rows: Int, totalLength: Int, matchingRows: [Int]) {
        self.rows = rows
        self.totalLength = totalLength
        self.matchingRows = matchingRows
    }

    /// The trigram tokenizer's token count for a column of `characters` scalars: one per position with
    /// three scalars from there on, spaces and punctuation included.
    public static func trigrams(inCharacters characters: Int) -> Int { max(0, characters - 2) }

    /// The row's score, higher is better (FTS5's `-bm25()`). `weightedHits[i]` is run i's occurrences,
    /// each counted by its column's weight; `length` is the row's trigrams over all columns.
    public func score(weightedHits: [Double], length: Int) -> Double {
        guard rows > 0 else { return 0 }
        let k1 = 1.2, b = 0.75
        let averageLength = Double(totalLength) / Double(rows)
        let norm = k1 * (1 - b + b * Double(length) / max(averageLength, .leastNonzeroMagnitude))
        var score = 0.0
        for (i, w) in weightedHits.enumerated() where w > 0 && i < matchingRows.count {
            let n = Double(matchingRows[i])
            // FTS5 floors the IDF of a term in more than half the rows just above zero, so it still counts.
            var idf = log((Double(rows) - n + 0.5) / (n + 0.5))
            if idf <= 0 { idf = 1e-6 }
            score += idf * (w * (k1 + 1)) / (w + norm)
        }
        return score
    }
}
