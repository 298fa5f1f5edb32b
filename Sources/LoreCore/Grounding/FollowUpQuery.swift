import Foundation

extension GroundedPrompt {
    /// Words that point back at something said before.
    static let anaphora: Set<String> = [
        "it", "its", "itself", "that", "this", "these", "those", "they", "them", "their", "theirs", "one", "ones",
        "there", "such", "same", "he", "she", "him", "her", "former", "latter",
    ]

    /// Words that carry no topic of their own in a follow-up ("what about …", "any other way?").
    static let followUpFillers: Set<String> = [
        "about", "again", "also", "another", "any", "else", "instead", "just", "more", "ok", "okay", "only",
        "other", "some", "still", "thanks", "way", "but", "not", "no", "yes", "now", "here",
    ]

    /// A question with fewer topic words than this leans on the conversation for its meaning.
    public static let followUpContentWords = 3
    /// How many earlier questions a chain of follow-ups may borrow from.
    public static let maxBorrowedQuestions = 2

    /// The text to retrieve passages with for `question`, given the conversation so far.
    ///
    /// A follow-up such as "and how do I undo that?" finds nothing by itself, so when the question is a
    /// follow-up (`isFollowUp`) the previous question is appended on a new line; if that one was a follow-up
    /// too, the one before it as well, up to `maxBorrowedQuestions`. Earlier answers are not used: their
    /// wording is the model's, may be the "does not say" sentence, and would pull retrieval toward whatever
    /// the model dwelt on rather than what the person asked. A question that is not a follow-up, or one with
    /// no history, is returned as typed (trimmed).
    public static func retrievalQuery(question: String, history: [ConversationTurn]) -> String {
        let trimmed = question.trimmingCharacters(in: .whitespacesAndNewlines)
        guard isFollowUp(trimmed) else { return trimmed }
        var parts = trimmed.isEmpty ? [] : [trimmed]
        var borrowed = 0
        for turn in history.reversed() where borrowed < maxBorrowedQuestions {
            let earlier = turn.question.trimmingCharacters(in: .whitespacesAndNewlines)
            if earlier.isEmpty { continue }
            parts.append(earlier)
            borrowed += 1
            if !isFollowUp(earlier) { break }
        }
        return parts.joined(separator: "\n")
    }

    /// Whether a question needs the conversation to be understood: it has fewer than
    /// `followUpContentWords` topic words (words that are not stop words, pronouns or fillers), or it uses a
    /// word that points back (it, that, this, they, those, them, one, …).
    public static func isFollowUp(_ question: String) -> Bool {
        let words = FTSQuery.tokenize(question).map { $0.lowercased() }
        if words.contains(where: anaphora.contains) { return true }
        let topical = Set(words.filter { !FTSQuery.stopWords.contains($0) && !followUpFillers.contains($0) })
        return topical.count < followUpContentWords
    }
}
