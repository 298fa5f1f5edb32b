import Foundation

/// Query rewriting: the chat model turns a question (and, for a follow-up, the turns before it) into a few
/// short search queries in the words documentation uses, and optionally a hypothetical answer passage to
/// embed (HyDE). The retriever searches each and fuses the lists, the question itself weighing most, so
/// that a poor rewrite can add candidates but not push out what the question found by itself.
public enum QueryRewrite {
    /// What the model's reply gave: queries besides the question, and the passage, if any.
    public struct Plan: Sendable, Equatable {
        public var queries: [String]
        public var hypothetical: String?

        public init(queries: [String], hypothetical: String? = nil) {
            self.queries = queries
            self.hypothetical = hypothetical
        }

        public var isEmpty: Bool { queries.isEmpty && hypothetical == nil }
    }

    /// At most this many rewritten queries are searched.
    public static let maximumQueries = 4
    /// A "query" longer than this is the model rambling, not a search.
    public static let maximumQueryCharacters = 160
    /// The reply is short: four lines of queries and a short passage.
    public static let maximumReplyTokens = 200

    /// The request: rules in the system message, the question (with the last turns, so a follow-up can be
    /// made standalone) in the user message.
    public static func messages(question: String, history: [ConversationTurn], hypothetical: Bool) -> [ChatMessage] {
        var rules = """
            You turn a person's question into searches over their documents. Reply with 2 to 4 lines, each \
            starting with "search: " and holding one short search query: one with the technical terms the \
            documentation would use, one paraphrase, one with keywords only. Make each query understandable \
            on its own: replace words like "it" or "that" with what they refer to in the conversation.
            """
        if hypothetical {
            rules += """
                 Then one line starting with "passage: " holding two sentences that a documentation page \
                answering the question could contain.
                """
        }
        rules += " Write nothing else."
        // One worked exchange, from a field no knowledge base is likely to be about: small local models
        // ignore the line format when only told it, and follow it once shown.
        var example = exampleReply.queries.map { "search: " + $0 }.joined(separator: "\n")
        if hypothetical, let passage = exampleReply.hypothetical { example += "\npassage: " + passage }
        var user = ""
        let recent = history.suffix(2).filter { !$0.question.isEmpty }
        if !recent.isEmpty {
            user += "Conversation so far:\n"
            for turn in recent {
                user += "Q: \(oneLine(turn.question, limit: 300))\n"
                let answer = CitationParser.removingCitations(from: turn.answer)
                if !answer.isEmpty { user += "A: \(oneLine(answer, limit: 300))\n" }
            }
            user += "\n"
        }
        user += "Question: \(oneLine(question, limit: 1000))"
        return [.system(rules), .user("Question: " + exampleQuestion), .assistant(example), .user(user)]
    }

    /// The worked example the request shows before the real question.
    static let exampleQuestion = "my laptop battery is flat every morning although the lid was closed all night"
    static let exampleReply = Plan(queries: ["suspend mode power consumption", "battery loses charge while the laptop sleeps",
                                             "battery drain lid closed suspend"],
                                   hypothetical: "In suspend the memory stays powered and draws a small current all night. "
                                       + "Hibernation writes memory to disk and switches off, so the battery keeps its charge.")

    /// A reply with more `search:` or `passage:` lines than this is a model repeating itself: enough has
    /// been read. Other lines (a preamble, thinking aloud) do not count toward it.
    public static let maximumReplyLines = 8

    /// Whether a reply read so far already holds all that will be used (the most queries and, when asked
    /// for, the passage) or has run past the lines a good reply has, so the rest of the stream can be
    /// dropped: a small model that loops on one line would otherwise use its whole token allowance.
    /// Only finished lines count (`finishedLines`); the line being written may still grow.
    public static func isComplete(_ replySoFar: String, question: String, hypothetical: Bool) -> Bool {
        let finished = finishedLines(of: replySoFar)
        guard !finished.isEmpty else { return false }
        let (plan, formatLines) = read(finished, question: question)
        if formatLines >= maximumReplyLines { return true }
        return plan.queries.count == maximumQueries && (!hypothetical || plan.hypothetical != nil)
    }

    /// The reply up to its last line break: what to parse when the stream is left early, so that a line
    /// cut off mid-word ("search: pg_d") is not taken for a query.
    public static func finishedLines(of replySoFar: String) -> String {
        guard let lastBreak = replySoFar.lastIndex(where: \.isNewline) else { return "" }
        return String(replySoFar[..<lastBreak])
    }

    private static let searchPrefixes = ["search:", "query:", "search query:"]
    private static let passagePrefixes = ["passage:", "hypothetical passage:", "answer:"]

    /// Reads the reply tolerantly: prefixes in any case, list markers, numbering and quotes are dropped;
    /// lines that repeat the question, each other, or the instructions are left out, as are overlong ones.
    public static func parse(_ reply: String, question: String) -> Plan {
        read(reply, question: question).plan
    }

    /// `parse`'s plan, and how many lines of the reply carry a `search:` or `passage:` prefix (counted to
    /// the end, past the line that filled the plan).
    private static func read(_ reply: String, question: String) -> (plan: Plan, formatLines: Int) {
        var queries: [String] = []
        // The worked example's lines are not queries for this question, should a model copy them.
        var seen: Set<String> = Set([normalized(question)] + exampleReply.queries.map(normalized))
        var hypothetical: String?
        var formatLines = 0
        for raw in reply.split(whereSeparator: \.isNewline) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            line = stripListMarker(line)
            let lower = line.lowercased()
            let passage = value(after: passagePrefixes, in: line, lower: lower)
            let search = passage == nil ? value(after: searchPrefixes, in: line, lower: lower) : nil
            if passage != nil || search != nil { formatLines += 1 }
            // Once the most queries are in, the rest of the reply is not read into the plan.
            guard queries.count < maximumQueries else { continue }
            if let rest = passage {
                if hypothetical == nil, rest.count >= 20, rest != exampleReply.hypothetical {
                    hypothetical = String(rest.prefix(1200))
                }
                continue
            }
            guard let rest = search else { continue }
            let query = unquoted(rest)
            let key = normalized(query)
            guard !query.isEmpty, query.count <= maximumQueryCharacters, !key.isEmpty,
                  !isInstructionEcho(key), seen.insert(key).inserted else { continue }
            queries.append(query)
        }
        return (Plan(queries: queries, hypothetical: hypothetical), formatLines)
    }

    private static func value(after prefixes: [String], in line: String, lower: String) -> String? {
        for prefix in prefixes where lower.hasPrefix(prefix) {
            return String(line.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    private static func stripListMarker(_ line: String) -> String {
        var s = Substring(line)
        if let first = s.first, "-*•".contains(first) { s = s.dropFirst() }
        let digits = s.prefix { $0.isNumber }
        if !digits.isEmpty, let after = s.dropFirst(digits.count).first, after == "." || after == ")" {
            s = s.dropFirst(digits.count + 1)
        }
        return s.trimmingCharacters(in: .whitespaces)
    }

    private static func unquoted(_ text: String) -> String {
        var s = text.trimmingCharacters(in: .whitespaces)
        let quotes: Set<Character> = ["\"", "'", "`", "“", "”", "‘", "’"]
        while let f = s.first, quotes.contains(f) { s.removeFirst() }
        while let l = s.last, quotes.contains(l) { s.removeLast() }
        return s.trimmingCharacters(in: .whitespaces)
    }

    /// Lowercased words only, for comparing queries.
    static func normalized(_ text: String) -> String {
        text.lowercased().split { !$0.isLetter && !$0.isNumber }.joined(separator: " ")
    }

    private static func isInstructionEcho(_ key: String) -> Bool {
        key.contains("search query") || key.hasPrefix("one with") || key.hasPrefix("one paraphrase")
    }

    private static func oneLine(_ text: String, limit: Int) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > limit ? String(flat.prefix(limit)) + "…" : flat
    }
}
