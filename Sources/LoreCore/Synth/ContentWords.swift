import Foundation

/// The words of a text that carry its meaning, folded the way question and passage are compared when
/// synthetic questions are judged and answers scored: cut as FTS5 cuts, lowercased, function words dropped,
/// light stems (`LightStemmer`), and only tokens with a letter in them.
public enum ContentWords {
    /// A few more function words than the query parser drops: the ones questions are made of.
    static let extraStopWords: Set<String> = [
        "about", "all", "also", "any", "been", "being", "but", "each", "get", "has", "have", "here", "just",
        "may", "more", "most", "must", "no", "not", "one", "only", "other", "some", "such", "use", "used",
        "using", "way", "want", "need", "there", "very", "like", "after", "before", "out", "up", "own",
    ]

    /// Stems in text order, repeats kept.
    public static func stems(_ text: String) -> [String] {
        FTSQuery.tokenize(text).compactMap { token in
            let lower = token.lowercased()
            guard lower.count >= 2, lower.contains(where: \.isLetter),
                  !FTSQuery.stopWords.contains(lower), !extraStopWords.contains(lower) else { return nil }
            return LightStemmer.stem(lower)
        }
    }

    /// Distinct stems.
    public static func set(_ text: String) -> Set<String> { Set(stems(text)) }

    /// Share of `reference`'s distinct content words that also occur in `text` (0 when the reference has none).
    public static func coverage(of reference: String, in text: String) -> Double {
        let wanted = set(reference)
        guard !wanted.isEmpty else { return 0 }
        let have = set(text)
        return Double(wanted.intersection(have).count) / Double(wanted.count)
    }
}

/// How many passages of a knowledge base hold each content word, for the inverse document frequency of a
/// passage's terms.
public struct TermStatistics: Sendable, Equatable {
    public private(set) var passages = 0
    public private(set) var documentFrequency: [String: Int] = [:]

    public init() {}

    public init(texts: some Sequence<String>) {
        for text in texts { add(text) }
    }

    public mutating func add(_ text: String) {
        passages += 1
        for stem in ContentWords.set(text) { documentFrequency[stem, default: 0] += 1 }
    }

    /// Smoothed IDF, `ln(1 + N / df)`; a word no passage holds counts as held by one.
    public func idf(_ stem: String) -> Double {
        let df = Double(max(1, documentFrequency[stem] ?? 0))
        return log(1 + Double(max(passages, 1)) / df)
    }

    /// The passage's `count` rarest content words, highest IDF first (ties by spelling, so the list is stable).
    public func keyTerms(of text: String, count: Int) -> [String] {
        let distinct = ContentWords.set(text)
        return distinct.map { ($0, idf($0)) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            .prefix(count).map(\.0)
    }
}
