import Testing
@testable import LoreCore

@Suite("GroundedPrompt.retrievalQuery")
struct PromptFollowUpTests {
    let dropTable = ConversationTurn(question: "How do I drop a table in PostgreSQL?", answer: "Use DROP TABLE [1].")

    @Test("with no history the question is used as typed")
    func noHistory() {
        #expect(GroundedPrompt.retrievalQuery(question: "  and how do I undo that?\n", history: []) == "and how do I undo that?")
    }

    @Test("a short, pronoun-laden follow-up borrows the previous question")
    func followUp() {
        #expect(GroundedPrompt.retrievalQuery(question: "and how do I undo that?", history: [dropTable])
            == "and how do I undo that?\nHow do I drop a table in PostgreSQL?")
        #expect(GroundedPrompt.retrievalQuery(question: "What about indexes?", history: [dropTable])
            == "What about indexes?\nHow do I drop a table in PostgreSQL?")
    }

    @Test("a self-contained question is left alone, even mid-conversation")
    func standalone() {
        let q = "How does autovacuum decide which tables to vacuum?"
        #expect(GroundedPrompt.retrievalQuery(question: q, history: [dropTable]) == q)
    }

    @Test("a chain of follow-ups reaches back to the question that named the topic, at most two turns")
    func chain() {
        let history = [
            ConversationTurn(question: "How do I reclaim disk space in PostgreSQL tables?", answer: "VACUUM FULL [1]."),
            ConversationTurn(question: "what about the indexes?", answer: "REINDEX [2]."),
        ]
        #expect(GroundedPrompt.retrievalQuery(question: "why is it slow?", history: history)
            == "why is it slow?\nwhat about the indexes?\nHow do I reclaim disk space in PostgreSQL tables?")
        let longer = [dropTable] + history.dropFirst() + [ConversationTurn(question: "and those?", answer: "")]
        #expect(GroundedPrompt.retrievalQuery(question: "why is it slow?", history: longer)
            == "why is it slow?\nand those?\nwhat about the indexes?")
    }

    @Test("turns with an empty question are passed over")
    func emptyTurns() {
        let history = [dropTable, ConversationTurn(question: "  ", answer: "…")]
        #expect(GroundedPrompt.retrievalQuery(question: "and that?", history: history)
            == "and that?\nHow do I drop a table in PostgreSQL?")
    }

    @Test("what counts as a follow-up")
    func followUpRule() {
        for q in ["and how do I undo that?", "Why is it slow?", "What about those?", "more?", "", "?!",
                  "Does this work on Windows with large clusters?", "How do I configure autovacuum?"] {
            #expect(GroundedPrompt.isFollowUp(q), "\(q)")
        }
        for q in ["How does autovacuum decide which tables to vacuum?", "pg_dump custom format restore",
                  "Why does VACUUM FULL need an exclusive lock?"] {
            #expect(!GroundedPrompt.isFollowUp(q), "\(q)")
        }
    }
}
