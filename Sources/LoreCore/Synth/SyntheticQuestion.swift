import Foundation

/// Why a synthetic question was not kept.
public enum SynthRejection: String, Sendable, Equatable, CaseIterable, Codable {
    /// The model's reply held no JSON object with a question and an answer.
    case unparseable
    /// The same question, or nearly, was kept already.
    case duplicate
    /// Asked whether the passage answers the question, the model did not say a clear yes.
    case unanswerable
    /// The question copies the passage's rare key terms, so keyword search finds it too easily.
    case trivial
}

/// A question and reference answer as the model wrote them.
public struct SynthReply: Sendable, Equatable {
    public var question: String
    public var answer: String

    public init(question: String, answer: String) {
        self.question = question
        self.answer = answer
    }

    /// Reads the model's reply tolerantly: the whole text as JSON, else each fenced block, else the first
    /// balanced `{…}` that parses, with leading or trailing prose ignored. Keys `question` (or `q`) and
    /// `answer` (or `reference_answer`, `reference`), both non-empty strings.
    public static func parse(_ reply: String) -> SynthReply? {
        var candidates = [reply]
        candidates += fencedBlocks(reply)
        candidates += balancedObjects(reply)
        for candidate in candidates {
            let text = candidate.trimmingCharacters(in: .whitespacesAndNewlines)
            guard text.hasPrefix("{"),
                  let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { continue }
            var fields: [String: String] = [:]
            for (key, value) in object {
                if let s = value as? String { fields[key.lowercased()] = s.trimmingCharacters(in: .whitespacesAndNewlines) }
            }
            let question = fields["question"] ?? fields["q"] ?? ""
            let answer = fields["answer"] ?? fields["reference_answer"] ?? fields["reference"] ?? ""
            if question.split(whereSeparator: \.isWhitespace).count >= 3, !answer.isEmpty {
                return SynthReply(question: question, answer: answer)
            }
        }
        return nil
    }

    static func fencedBlocks(_ text: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") {
                if let body = current { blocks.append(body.joined(separator: "\n")); current = nil } else { current = [] }
            } else {
                current?.append(line)
            }
        }
        if let body = current { blocks.append(body.joined(separator: "\n")) }
        return blocks
    }

    /// Every `{…}` whose braces balance outside JSON strings, in order of their opening brace.
    static func balancedObjects(_ text: String) -> [String] {
        let chars = Array(text)
        var out: [String] = []
        for start in chars.indices where chars[start] == "{" {
            var depth = 0
            var inString = false
            var escaped = false
            var i = start
            while i < chars.count {
                let c = chars[i]
                if inString {
                    if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                } else if c == "\"" {
                    inString = true
                } else if c == "{" {
                    depth += 1
                } else if c == "}" {
                    depth -= 1
                    if depth == 0 { out.append(String(chars[start...i])); break }
                }
                i += 1
            }
            if out.count >= 8 { break }
        }
        return out
    }
}

/// The pure decisions of `lore synth`: the prompts, the judges of a reply, and the order passages are tried in.
public enum SynthJudge {
    /// How many of a passage's rarest words count as its key terms.
    public static let keyTermCount = 10
    /// A question whose content words are at least this share key terms of its passage is trivial.
    public static let trivialShare = 0.5
    /// Two questions whose content-word sets overlap this much (Jaccard) are duplicates.
    public static let duplicateOverlap = 0.7
    /// Passage text sent to the model is cut (at a sentence) to about this many tokens.
    public static let passageTokens = 400

    public static func questionPrompt(passage: Passage) -> [ChatMessage] {
        let text = SentenceSplitter.prefix(of: passage.text, fittingTokens: passageTokens) ?? passage.text
        return [
            .system("You write test questions for a search engine over documentation. You reply with JSON only."),
            .user("""
                Passage:
                \"\"\"
                \(text.trimmingCharacters(in: .whitespacesAndNewlines))
                \"\"\"

                Write one question that someone who has not read this passage would ask, and that this passage \
                answers. Use everyday words of your own: do not copy the passage's names, commands or technical \
                terms. Then write a short answer to it taken from the passage.
                Reply with one JSON object and nothing else: {"question": "...", "answer": "..."}
                """),
        ]
    }

    public static func checkPrompt(passage: Passage, question: String) -> [ChatMessage] {
        let text = SentenceSplitter.prefix(of: passage.text, fittingTokens: passageTokens) ?? passage.text
        return [
            .system("You check whether a passage answers a question. You reply with one word: yes or no."),
            .user("""
                Passage:
                \"\"\"
                \(text.trimmingCharacters(in: .whitespacesAndNewlines))
                \"\"\"

                Question: \(question)

                Does the passage answer the question? Reply yes or no.
                """),
        ]
    }

    /// A clear yes: the reply's first sentence starts with "yes", or says the passage "answers the question"
    /// (small models write that instead), and holds no negation, "but" or "partly".
    public static func isClearYes(_ reply: String) -> Bool {
        let cleaned = reply.lowercased().unicodeScalars.map { CharacterSet.letters.contains($0) || $0 == "." || $0 == "\n" ? Character($0) : " " }
        let text = String(cleaned)
        let firstSentence = text.split(whereSeparator: { $0 == "." || $0 == "\n" }).first { !$0.allSatisfy(\.isWhitespace) } ?? ""
        let words = firstSentence.split(separator: " ")
        let affirms = words.first == "yes" || firstSentence.contains("answers the question")
            || firstSentence.contains("does answer the question")
        guard affirms else { return false }
        let doubts: Set<Substring> = ["no", "not", "but", "partially", "partly", "doesn", "don", "isn", "cannot", "never",
                                      "neither", "nor", "fails"]
        return !words.dropFirst().contains { doubts.contains($0) }
    }

    /// Share of the question's content words that are among the passage's key terms.
    public static func keyTermShare(question: String, passage: String, statistics: TermStatistics) -> Double {
        let words = ContentWords.set(question)
        guard !words.isEmpty else { return 0 }
        let key = Set(statistics.keyTerms(of: passage, count: keyTermCount))
        return Double(words.intersection(key).count) / Double(words.count)
    }

    public static func isTrivial(question: String, passage: String, statistics: TermStatistics) -> Bool {
        keyTermShare(question: question, passage: passage, statistics: statistics) >= trivialShare
    }

    /// Lowercased letters and digits, runs of anything else as one space.
    public static func normalized(_ text: String) -> String {
        var out = ""
        var gap = false
        for c in text.lowercased() {
            if c.isLetter || c.isNumber {
                if gap && !out.isEmpty { out.append(" ") }
                out.append(c)
                gap = false
            } else {
                gap = true
            }
        }
        return out
    }

    /// Whether `question` repeats one of `kept`: the same normalized text, or content words that overlap by
    /// `duplicateOverlap` or more.
    public static func isDuplicate(_ question: String, of kept: [String]) -> Bool {
        let norm = normalized(question)
        let words = ContentWords.set(question)
        for other in kept {
            if normalized(other) == norm { return true }
            let theirs = ContentWords.set(other)
            let union = words.union(theirs).count
            if union > 0, Double(words.intersection(theirs).count) / Double(union) >= duplicateOverlap { return true }
        }
        return false
    }

    /// The order passages are tried in: documents shuffled by `seed`, each document's passages shuffled by
    /// it too, then one passage of each document in turn, so a large document cannot crowd out the rest.
    /// `documents` pairs a document's path with its passage ids; the result does not depend on its order.
    public static func sampleOrder(documents: [(path: String, passages: [Int64])], seed: UInt64) -> [Int64] {
        var random = SeededRandom(seed: seed)
        var docs = documents.filter { !$0.passages.isEmpty }.sorted { $0.path < $1.path }.map { $0.passages.sorted() }
        shuffle(&docs, &random)
        for i in docs.indices { shuffle(&docs[i], &random) }
        var order: [Int64] = []
        var round = 0
        var remaining = true
        while remaining {
            remaining = false
            for doc in docs where round < doc.count {
                order.append(doc[round])
                remaining = true
            }
            round += 1
        }
        return order
    }

    /// Fisher–Yates with the seeded generator, so the order is the same on every platform and Swift version.
    static func shuffle<T>(_ items: inout [T], _ random: inout SeededRandom) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            let j = Int(random.next() % UInt64(i + 1))
            items.swapAt(i, j)
        }
    }
}
