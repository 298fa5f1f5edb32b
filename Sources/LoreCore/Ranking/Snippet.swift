/// Cuts the part of a passage that best shows why it matched: the window of words holding the most
/// distinct query terms, with matched words between `start` and `end` markers.
///
/// Matching is by shared stem prefix rather than equality, so that "vacuuming" in the text lights up for
/// the query "vacuum" as the index's Porter stemmer matched it. Done here rather than with FTS5's
/// `snippet()`, which re-runs the whole MATCH per passage and cost more than the ranking itself.
public enum Snippet {
    public static func make(_ text: String, terms: [String], maxWords: Int = 32,
                            start: String = "\u{1}", end: String = "\u{2}") -> String {
        let stems = terms.map(stemPrefix).filter { !$0.isEmpty }
        var words: [(range: Range<String.Index>, term: Int?)] = []
        var index = text.startIndex
        while index < text.endIndex {
            guard !text[index].isWhitespace else { index = text.index(after: index); continue }
            var wordEnd = index
            while wordEnd < text.endIndex && !text[wordEnd].isWhitespace { wordEnd = text.index(after: wordEnd) }
            let word = text[index..<wordEnd].lowercased().drop { !$0.isLetter && !$0.isNumber }
            let term = word.isEmpty ? nil : stems.firstIndex { word.hasPrefix($0) }
            words.append((index..<wordEnd, term))
            index = wordEnd
            // A passage can be long; the window search below only needs the words, and a bound keeps a
            // pathological passage from costing more than the search did.
            if words.count >= 4096 { break }
        }
        guard !words.isEmpty else { return "" }
        let width = min(maxWords, words.count)
        var best = 0
        var bestScore = -1
        var counts: [Int: Int] = [:]
        var distinct = 0
        for i in 0..<words.count {
            if let t = words[i].term {
                counts[t, default: 0] += 1
                if counts[t] == 1 { distinct += 1 }
            }
            if i >= width, let t = words[i - width].term {
                counts[t, default: 0] -= 1
                if counts[t] == 0 { distinct -= 1 }
            }
            if i >= width - 1 {
                let score = distinct * 100 + counts.values.reduce(0, +)
                if score > bestScore {
                    bestScore = score
                    best = i - width + 1
                }
            }
        }
        // Start a little before the first match so that it has some context.
        if let firstMatch = words[best..<(best + width)].firstIndex(where: { $0.term != nil }), firstMatch - best > 4 {
            best = min(words.count - width, firstMatch - 4)
        }
        var out = best > 0 ? "…" : ""
        for (n, word) in words[best..<(best + width)].enumerated() {
            if n > 0 { out += " " }
            let piece = text[word.range]
            out += word.term == nil ? String(piece) : start + piece + end
        }
        if best + width < words.count || index < text.endIndex { out += "…" }
        return out
    }

    /// A term cut back to what Porter stemming would leave of it at most, so that inflected forms match.
    static func stemPrefix(_ term: String) -> String {
        let lower = term.lowercased()
        for suffix in ["ations", "ation", "ings", "ing", "edly", "ed", "ies", "es", "s", "ly", "ment"]
        where lower.count > suffix.count + 2 && lower.hasSuffix(suffix) {
            return String(lower.dropLast(suffix.count))
        }
        return lower
    }
}
