import Foundation

/// A source an answer was given, as the answer metrics see it.
public struct ScoredSource: Sendable, Equatable {
    public var number: Int
    public var passageID: Int64
    public var documentPath: String
    public var text: String

    public init(number: Int, passageID: Int64, documentPath: String, text: String) {
        self.number = number
        self.passageID = passageID
        self.documentPath = documentPath
        self.text = text
    }
}

/// What one answer scored. Counts, so that a set is summed before it is divided.
public struct AnswerScore: Sendable, Equatable {
    /// Distinct sources the answer cites that were among its sources.
    public var cited = 0
    /// Of those, the ones that support it (see `AnswerMetrics.supports`).
    public var supportingCited = 0
    /// Whether a cited source is a gold passage of the question.
    public var citesGold = false
    public var sentences = 0
    public var uncitedSentences = 0
    /// Share of the reference answer's content words the answer has; nil without a reference.
    public var referenceCoverage: Double?

    public init() {}
}

/// Sums of `AnswerScore`s and the shares `lore eval --answers` reports.
public struct AnswerTotals: Sendable, Equatable {
    public var answers = 0
    public var cited = 0
    public var supportingCited = 0
    public var answersCitingGold = 0
    public var sentences = 0
    public var uncitedSentences = 0
    public var coverageSum = 0.0
    public var coverageCount = 0
    public var milliseconds: [Double] = []

    public init() {}

    public mutating func add(_ score: AnswerScore, milliseconds ms: Double) {
        answers += 1
        cited += score.cited
        supportingCited += score.supportingCited
        if score.citesGold { answersCitingGold += 1 }
        sentences += score.sentences
        uncitedSentences += score.uncitedSentences
        if let c = score.referenceCoverage { coverageSum += c; coverageCount += 1 }
        milliseconds.append(ms)
    }

    /// Supporting citations over all citations of the set (micro average); nil when nothing was cited.
    public var citationPrecision: Double? { cited > 0 ? Double(supportingCited) / Double(cited) : nil }
    public var goldCitedShare: Double { answers > 0 ? Double(answersCitingGold) / Double(answers) : 0 }
    /// Sentences with no citation over all sentences of the set's answers.
    public var uncitedSentenceShare: Double? { sentences > 0 ? Double(uncitedSentences) / Double(sentences) : nil }
    public var meanReferenceCoverage: Double? { coverageCount > 0 ? coverageSum / Double(coverageCount) : nil }
    public var meanMilliseconds: Double { milliseconds.isEmpty ? 0 : milliseconds.reduce(0, +) / Double(milliseconds.count) }
}

/// Scores an answer against the question's gold passages and reference answer.
///
/// - A **gold passage** is one whose id the question lists (`"passages"`); when it lists none, any passage
///   of a relevant document.
/// - A cited source **supports** the answer when it is a gold passage, or when it holds at least
///   `supportThreshold` of the reference answer's content words (`ContentWords`).
/// - Sentences are the answer's prose sentences; a fragment that is only citation markers belongs to the
///   sentence before it. A sentence is cited when it holds a marker naming one of the answer's sources.
public enum AnswerMetrics {
    public static let supportThreshold = 0.6

    public static func isGold(_ source: ScoredSource, question: EvalQuestion) -> Bool {
        if !question.passages.isEmpty { return question.passages.contains(source.passageID) }
        return question.matchingEntry(source.documentPath) != nil
    }

    public static func supports(_ source: ScoredSource, question: EvalQuestion) -> Bool {
        if isGold(source, question: question) { return true }
        guard let reference = question.answer, !ContentWords.set(reference).isEmpty else { return false }
        return ContentWords.coverage(of: reference, in: source.text) >= supportThreshold
    }

    public static func score(answer: String, sources: [ScoredSource], question: EvalQuestion) -> AnswerScore {
        var score = AnswerScore()
        let known = Dictionary(sources.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
        let citedNumbers = Set(CitationParser.citations(in: answer).flatMap(\.numbers)).filter { known[$0] != nil }
        score.cited = citedNumbers.count
        for number in citedNumbers {
            guard let source = known[number] else { continue }
            if supports(source, question: question) { score.supportingCited += 1 }
            if isGold(source, question: question) { score.citesGold = true }
        }
        for sentence in sentences(of: answer) {
            score.sentences += 1
            let numbers = CitationParser.citations(in: sentence).flatMap(\.numbers)
            if !numbers.contains(where: { known[$0] != nil }) { score.uncitedSentences += 1 }
        }
        if let reference = question.answer, !ContentWords.set(reference).isEmpty {
            score.referenceCoverage = ContentWords.coverage(of: reference, in: CitationParser.removingCitations(from: answer))
        }
        return score
    }

    /// The answer's prose sentences, a fragment of only citation markers joined to the sentence before it.
    public static func sentences(of answer: String) -> [String] {
        var out: [String] = []
        for var sentence in SentenceSplitter.proseSentences(in: answer).map(\.text) {
            // Markers the splitter put at the start of this sentence close the one before it: "Run it. [1] Then…".
            if !out.isEmpty {
                var lead = 0
                for citation in CitationParser.citations(in: sentence) {
                    let gap = String(decoding: Array(sentence.utf16)[lead..<citation.range.lowerBound], as: UTF16.self)
                    guard gap.allSatisfy(\.isWhitespace) else { break }
                    lead = citation.range.upperBound
                }
                if lead > 0 {
                    let units = Array(sentence.utf16)
                    out[out.count - 1] += " " + String(decoding: units[..<lead], as: UTF16.self)
                        .trimmingCharacters(in: .whitespaces)
                    sentence = String(decoding: units[lead...], as: UTF16.self).trimmingCharacters(in: .whitespaces)
                }
            }
            let bare = CitationParser.removingCitations(from: sentence)
            if !bare.contains(where: { $0.isLetter || $0.isNumber }) {
                if !out.isEmpty { out[out.count - 1] += " " + sentence }
                continue
            }
            out.append(sentence)
        }
        return out
    }
}
