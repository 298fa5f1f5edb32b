import Foundation

/// One question of an evaluation set and the documents that answer it.
public struct EvalQuestion: Sendable, Equatable {
    public var question: String
    /// Paths or file names; a document matches an entry when its path ends with it at a path boundary.
    public var relevant: [String]
    /// 1-based line in the file, for messages.
    public var line: Int
    /// Ids of the passages that answer it, when known (`lore synth` writes the one it asked from).
    public var passages: [Int64]
    /// A reference answer, when the set has one (`lore synth` writes it); `lore eval --answers` scores
    /// answers against it.
    public var answer: String?

    public init(question: String, relevant: [String], line: Int = 0, passages: [Int64] = [], answer: String? = nil) {
        self.question = question
        self.relevant = relevant
        self.line = line
        self.passages = passages
        self.answer = answer
    }

    /// Which relevant entry, if any, `documentPath` satisfies.
    public func matchingEntry(_ documentPath: String) -> Int? {
        relevant.firstIndex { EvalSet.pathMatches(documentPath, entry: $0) }
    }
}

public struct EvalSetError: Error, CustomStringConvertible, Sendable {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}

/// Reads question sets written one JSON object per line: `{"q": "...", "relevant": ["a.md", ...]}`, with
/// optional `"passages": [id, ...]` and `"answer": "..."` (a reference answer); other keys are ignored.
/// Blank lines and lines starting with `#` or `//` are skipped so a set can carry notes.
public enum EvalSet {
    public static func parse(_ text: String) throws -> [EvalQuestion] {
        var questions: [EvalQuestion] = []
        for (index, object) in try jsonLines(text, shape: "{\"q\": \"…\", \"relevant\": [\"file\"]}") {
            guard let q = (object["q"] ?? object["question"]) as? String,
                  !q.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw EvalSetError(line: index + 1, message: "needs a non-empty \"q\" string")
            }
            let relevant: [String]
            if let list = object["relevant"] as? [String] {
                relevant = list
            } else if let single = object["relevant"] as? String {
                relevant = [single]
            } else {
                throw EvalSetError(line: index + 1, message: "needs \"relevant\": a list of paths or file names")
            }
            let cleaned = relevant.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !cleaned.isEmpty else {
                throw EvalSetError(line: index + 1, message: "\"relevant\" names no document")
            }
            var passages: [Int64] = []
            if let ids = object["passages"] as? [Any] {
                passages = ids.compactMap { ($0 as? NSNumber)?.int64Value }
            }
            let answer = (object["answer"] as? String).flatMap {
                $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0
            }
            questions.append(EvalQuestion(question: q, relevant: cleaned, line: index + 1, passages: passages, answer: answer))
        }
        return questions
    }

    /// The objects of a JSON Lines text with their 0-based line indexes, skipping blank lines and notes
    /// (lines starting with `#` or `//`); a line that is not a JSON object is an error saying to write `shape`.
    static func jsonLines(_ text: String, shape: String) throws -> [(index: Int, object: [String: Any])] {
        var objects: [(index: Int, object: [String: Any])] = []
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("//") { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw EvalSetError(line: index + 1, message: "not a JSON object; write \(shape)")
            }
            objects.append((index, object))
        }
        return objects
    }

    /// "docs/guide/x.md" matches entries "x.md", "guide/x.md" and the whole path, but not "ide/x.md".
    public static func pathMatches(_ path: String, entry: String) -> Bool {
        let entry = entry.hasPrefix("./") ? String(entry.dropFirst(2)) : entry
        guard !entry.isEmpty, path.hasSuffix(entry) else { return false }
        if path.count == entry.count || entry.hasPrefix("/") { return true }
        return path.dropLast(entry.count).hasSuffix("/")
    }

    /// Relevance flags for a ranked list of document paths: a document counts once per entry it
    /// satisfies, so several passages of the same page do not inflate recall.
    public static func judge(_ rankedPaths: [String], question: EvalQuestion) -> [Bool] {
        var seen = Set<Int>()
        return rankedPaths.map { path in
            guard let entry = question.matchingEntry(path), !seen.contains(entry) else { return false }
            seen.insert(entry)
            return true
        }
    }
}
