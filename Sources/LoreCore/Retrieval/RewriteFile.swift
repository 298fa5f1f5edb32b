import Foundation

/// Rewrites kept beside a question set, one JSON object a line: `{"q": "…", "queries": ["…"], "passage": "…"}`
/// (`passage` optional). `lore eval --save-rewrites` writes what the model wrote; `lore eval --rewrites`
/// reads them back, so that a ranking change is measured on the same rewrites without asking the model
/// again, and rewrites from elsewhere (a stronger model, or written by hand) can be tried on the ranking.
/// Blank lines and lines starting with `#` or `//` are notes.
public enum RewriteFile {
    /// The plans by question text (as the question set spells it). A question listed twice is an error,
    /// since it could not be told which to use.
    public static func parse(_ text: String) throws -> [String: QueryRewrite.Plan] {
        var plans: [String: QueryRewrite.Plan] = [:]
        var lineOf: [String: Int] = [:]
        for (index, object) in try EvalSet.jsonLines(text, shape: "{\"q\": \"…\", \"queries\": [\"…\"]}") {
            func failure(_ message: String) -> EvalSetError { EvalSetError(line: index + 1, message: message) }
            guard let q = object["q"] as? String, !q.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw failure("needs a non-empty \"q\" string: the question as the question set has it")
            }
            guard let queries = object["queries"] as? [String] else {
                throw failure("needs \"queries\": a list of search strings (it may be empty)")
            }
            var passage: String?
            if let value = object["passage"], !(value is NSNull) {
                guard let text = value as? String else { throw failure("\"passage\" must be a string") }
                passage = text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : text
            }
            if let first = lineOf[q] {
                throw failure("the question \"\(TerminalText.sanitize(q, keepNewlines: false))\" is listed twice "
                              + "(first on line \(first)); keep one of the two lines")
            }
            lineOf[q] = index + 1
            let cleaned = queries.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            plans[q] = QueryRewrite.Plan(queries: cleaned, hypothetical: passage)
        }
        return plans
    }

    /// One line of the file for `question`.
    public static func line(question: String, plan: QueryRewrite.Plan) -> String {
        var object: [String: Any] = ["q": question, "queries": plan.queries]
        if let passage = plan.hypothetical { object["passage"] = passage }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
