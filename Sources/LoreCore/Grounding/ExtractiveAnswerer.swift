import Foundation

/// A sentence quoted from a source in an extractive answer.
public struct ExtractedSentence: Sendable, Equatable {
    public var sourceNumber: Int
    public var text: String

    public init(sourceNumber: Int, text: String) {
        self.sourceNumber = sourceNumber
        self.text = text
    }
}

/// An answer made of sentences taken word for word from the passages, each cited.
public struct ExtractiveAnswer: Sendable, Equatable {
    /// Markdown: each sentence followed by its `[n]`; one paragraph per source.
    public var text: String
    /// The sentences in the order the text gives them.
    public var sentences: [ExtractedSentence]
    /// The source numbers cited, ascending.
    public var usedSources: [Int]

    public init(text: String, sentences: [ExtractedSentence], usedSources: [Int]) {
        self.text = text
        self.sentences = sentences
        self.usedSources = usedSources
    }
}

/// Answers without a model, by quoting the sentences of the retrieved passages that best match the question.
///
/// 1. Passages are numbered as given (`passages[0]` is source 1, as in the prompt and the sources pane) and
///    split into prose sentences (`SentenceSplitter.proseSentences`: no code, tables or headings). Sentences
///    under `minimumWords` words, questions, lead-ins ending in `:`, unfinished fragments, and sentences made
///    mostly of symbols or identifiers are left out.
/// 2. Each sentence is scored with BM25 over the candidate sentences, as if each were a document: question
///    terms (`FTSQuery.terms`, stop words dropped) and sentence words both go through `LightStemmer`, and IDF
///    is computed over the candidates, so a word most sentences have counts for less. IDF is the smoothed
///    `ln(1 + N/df)` rather than BM25's `ln(1 + (N - df + 0.5)/(df + 0.5))`: the candidates were retrieved
///    *for* the question's main words, so those words are in most of them, and BM25's IDF would weigh them at
///    nearly zero; the smoothed form still halves a word found everywhere against one found once. The score is then
///    raised by up to half for covering more of the distinct question terms, and by up to a quarter for coming
///    from a better-ranked passage (1/4, 1/8, 1/12, … by rank).
/// 3. The best sentences are taken, up to `maxSentences`, skipping any that score under `relativeFloor` of the
///    best one (padding an answer with weak matches makes it worse) and any that share more than
///    `redundancyLimit` of their terms with a sentence already taken.
/// 4. They are shown grouped by source in rank order, and in document order within a source, so the answer
///    reads as the documents do.
///
/// When no sentence matches any question term the answer is `GroundedPrompt.notCoveredAnswer`, citing nothing.
public enum ExtractiveAnswerer {
    public static let minimumWords = 4
    public static let relativeFloor = 0.3
    public static let redundancyLimit = 0.6
    static let k1 = 1.2
    static let b = 0.75

    struct Candidate {
        var sourceNumber: Int
        var rank: Int
        var order: Int
        var text: String
        var termCounts: [String: Int]
        var length: Int
        var score = 0.0
    }

    public static func answer(question: String, passages: [Passage], maxSentences: Int = 5) -> ExtractiveAnswer {
        let notCovered = ExtractiveAnswer(text: GroundedPrompt.notCoveredAnswer, sentences: [], usedSources: [])
        guard maxSentences > 0 else { return notCovered }
        let candidates = scoredSentences(question: question, passages: passages)

        let ranked = candidates.filter { $0.score > 0 }.sorted {
            ($0.score, -$0.rank, -$0.order) > ($1.score, -$1.rank, -$1.order)
        }
        guard let best = ranked.first?.score else { return notCovered }
        var picked: [Candidate] = []
        for candidate in ranked where picked.count < maxSentences && candidate.score >= best * relativeFloor {
            let mine = Set(candidate.termCounts.keys)
            let redundant = picked.contains { other in
                let shared = mine.intersection(other.termCounts.keys).count
                return Double(shared) > redundancyLimit * Double(max(1, mine.count))
            }
            if !redundant { picked.append(candidate) }
        }
        picked.sort { ($0.rank, $0.order) < ($1.rank, $1.order) }

        var paragraphs: [String] = []
        var current: [String] = []
        var currentSource: Int?
        for candidate in picked {
            if candidate.sourceNumber != currentSource, !current.isEmpty {
                paragraphs.append(current.joined(separator: " "))
                current = []
            }
            currentSource = candidate.sourceNumber
            current.append(cited(candidate.text, candidate.sourceNumber))
        }
        if !current.isEmpty { paragraphs.append(current.joined(separator: " ")) }
        var used: [Int] = []
        for candidate in picked where !used.contains(candidate.sourceNumber) { used.append(candidate.sourceNumber) }
        return ExtractiveAnswer(
            text: paragraphs.joined(separator: "\n\n"),
            sentences: picked.map { ExtractedSentence(sourceNumber: $0.sourceNumber, text: $0.text) },
            usedSources: used.sorted())
    }

    /// Every quotable sentence of the passages with its score (steps 1 and 2 of the type's documentation), in
    /// passage and document order.
    static func scoredSentences(question: String, passages: [Passage]) -> [Candidate] {
        var queryTerms: [String] = []
        for term in FTSQuery.terms(question) where !FTSQuery.stopWords.contains(term) {
            let stem = LightStemmer.stem(term)
            if !queryTerms.contains(stem) { queryTerms.append(stem) }
        }
        guard !queryTerms.isEmpty else { return [] }

        var candidates: [Candidate] = []
        for (rank, passage) in passages.enumerated() {
            for (order, sentence) in SentenceSplitter.proseSentences(in: passage.text).enumerated() {
                // A footnote marker copied from the document would read as a citation of the wrong source.
                var text = CitationParser.removingCitations(from: sentence.text)
                guard isQuotable(text, fromListItem: sentence.fromListItem) else { continue }
                if text.hasSuffix(":") { text = String(text.dropLast()) + "." }
                let stems = terms(of: text)
                var counts: [String: Int] = [:]
                for stem in stems { counts[stem, default: 0] += 1 }
                candidates.append(Candidate(sourceNumber: rank + 1, rank: rank, order: order, text: text,
                                            termCounts: counts, length: stems.count))
            }
        }
        guard !candidates.isEmpty else { return [] }

        let n = Double(candidates.count)
        let averageLength = max(1, Double(candidates.reduce(0) { $0 + $1.length }) / n)
        var documentFrequency: [String: Int] = [:]
        for candidate in candidates {
            for term in queryTerms where candidate.termCounts[term] != nil { documentFrequency[term, default: 0] += 1 }
        }
        for index in candidates.indices {
            var score = 0.0
            var matched = 0
            let c = candidates[index]
            for term in queryTerms {
                guard let tf = c.termCounts[term].map(Double.init) else { continue }
                matched += 1
                let df = Double(documentFrequency[term] ?? 0)
                let idf = log(1 + n / df)
                score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * Double(c.length) / averageLength))
            }
            guard matched > 0 else { continue }
            let coverage = Double(matched - 1) / Double(max(1, queryTerms.count - 1))
            score *= 1 + 0.5 * coverage
            score *= 1 + 0.25 / Double(c.rank + 1)
            candidates[index].score = score
        }
        return candidates
    }

    /// Stemmed content words of a sentence, repeats kept (they are term frequencies).
    static func terms(of text: String) -> [String] {
        FTSQuery.tokenize(text).map { $0.lowercased() }.filter { !FTSQuery.stopWords.contains($0) }
            .map(LightStemmer.stem)
    }

    /// Whether a sentence can stand on its own in an answer.
    static func isQuotable(_ text: String, fromListItem: Bool) -> Bool {
        let words = text.split(whereSeparator: \.isWhitespace)
        guard words.count >= minimumWords, FTSQuery.tokenize(text).count >= minimumWords else { return false }
        guard let last = text.last(where: { !"\"'\u{201D}\u{2019})]*_".contains($0) }) else { return false }
        if last == "?" { return false }
        // A sentence that introduces what follows ("RRF sidesteps this by using only ranks:") often carries
        // the definition itself; it is quoted with a full stop once it is long enough to stand alone.
        // One that only points at what follows ("Run the following command:") says nothing by itself.
        if last == ":" {
            let lower = text.lowercased()
            let pointsAhead = ["following", "below", "as follows", "for example", "these", "this:", "here"]
                .contains { lower.contains($0) }
            return words.count >= 6 && !pointsAhead
        }
        // A paragraph's sentence without a final stop is a caption, a label or a cut-off fragment.
        if !fromListItem, last != ".", last != "!" { return false }
        let visible = text.filter { !$0.isWhitespace }
        let letters = visible.filter(\.isLetter).count
        guard Double(letters) >= 0.6 * Double(visible.count) else { return false }
        let codeLike = words.filter { word in word.contains { "_(){}=;<>/\\$".contains($0) } }.count
        return Double(codeLike) <= 0.5 * Double(words.count)
    }

    /// The sentence with its citation placed before its final stop: "… disk space [2]."
    static func cited(_ sentence: String, _ number: Int) -> String {
        let marker = "[\(number)]"
        guard let last = sentence.last, last == "." || last == "!" else { return "\(sentence) \(marker)" }
        let body = sentence.dropLast()
        let lastWord = body.split(whereSeparator: \.isWhitespace).last.map { $0.lowercased() } ?? ""
        // "… and so on, etc." keeps its period: the marker goes after it.
        if body.last == "." || lastWord == "etc" || SentenceSplitter.abbreviations.contains(lastWord) {
            return "\(sentence) \(marker)"
        }
        return "\(body) \(marker)\(last)"
    }
}
