import Foundation

/// One line of a question file as `lore eval` reads it, with what a training set can use beyond it: the
/// passages that answer (by id) and a reference answer.
public struct SynthQuestion: Sendable, Equatable {
    public var question: String
    /// Paths or file names, matched as `EvalSet.pathMatches` does.
    public var relevant: [String]
    /// Passage ids (`chunks.id`) that answer the question, when the line names them.
    public var passageIDs: [Int64]
    public var answer: String?
    public var line: Int

    public init(question: String, relevant: [String], passageIDs: [Int64] = [], answer: String? = nil, line: Int = 0) {
        self.question = question
        self.relevant = relevant
        self.passageIDs = passageIDs
        self.answer = answer
        self.line = line
    }
}

/// Reads the JSON Lines that `lore eval` reads (`{"q": …, "relevant": […]}`) and the optional fields a
/// generator may add: `"passages"` (or `"passage_ids"`): passage ids; `"answer"` (or `"reference_answer"`,
/// `"reference"`): a reference answer.
public enum SynthSet {
    public static func parse(_ text: String) throws -> [SynthQuestion] {
        let base = try EvalSet.parse(text)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return try base.map { q in
            var out = SynthQuestion(question: q.question, relevant: q.relevant, line: q.line)
            guard q.line >= 1, q.line <= lines.count,
                  let object = try? JSONSerialization.jsonObject(with: Data(lines[q.line - 1].utf8)) as? [String: Any] else {
                return out
            }
            if let ids = object["passages"] ?? object["passage_ids"] {
                guard let list = ids as? [Any] else {
                    throw EvalSetError(line: q.line, message: "\"passages\" must be a list of passage ids, like [12, 40]")
                }
                out.passageIDs = try list.map {
                    if let n = $0 as? Int { return Int64(n) }
                    if let s = $0 as? String, let n = Int64(s) { return n }
                    throw EvalSetError(line: q.line, message: "\"passages\" must hold whole numbers (passage ids)")
                }
            }
            for key in ["answer", "reference_answer", "reference"] {
                guard let value = object[key] else { continue }
                guard let s = value as? String else {
                    throw EvalSetError(line: q.line, message: "\"\(key)\" must be a string")
                }
                if !s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { out.answer = s }
                break
            }
            return out
        }
    }

    /// A reference answer made to cite the gold passages: kept as written when it already cites, else the
    /// markers `[1]…[n]` are added at its end.
    public static func citingAnswer(_ answer: String, goldCount: Int) -> String {
        let trimmed = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        guard goldCount > 0, CitationParser.citations(in: trimmed).isEmpty else { return trimmed }
        return trimmed + " " + (1...goldCount).map { "[\($0)]" }.joined()
    }
}
