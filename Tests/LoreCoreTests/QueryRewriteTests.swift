import LoreCore
import Testing

@Suite struct QueryRewriteTests {
    @Test func readsPrefixedLinesAndThePassage() {
        let reply = """
            search: materialized view refresh
            Search: "REFRESH MATERIALIZED VIEW"
            passage: A materialized view stores the result of a query and is refreshed with REFRESH.
            """
        let plan = QueryRewrite.parse(reply, question: "a cached copy of a report query")
        #expect(plan.queries == ["materialized view refresh", "REFRESH MATERIALIZED VIEW"])
        #expect(plan.hypothetical == "A materialized view stores the result of a query and is refreshed with REFRESH.")
    }

    @Test func toleratesNumberingBulletsAndQuotes() {
        let reply = """
            Here are the searches:
            1. search: pg_dump custom format
            - query: ‘restore a dump’
            * search: `pg_restore`
            """
        #expect(QueryRewrite.parse(reply, question: "q").queries == ["pg_dump custom format", "restore a dump", "pg_restore"])
    }

    @Test func dropsRepeatsOfTheQuestionEachOtherAndTheInstructions() {
        let reply = """
            search: How do I vacuum?
            search: vacuum full
            search: VACUUM  FULL!
            search: one with the technical terms
            search: a short search query
            search:
            """
        #expect(QueryRewrite.parse(reply, question: "how do I vacuum").queries == ["vacuum full"])
    }

    @Test func ramblingGivesNothingAndLongLinesAreRefused() {
        #expect(QueryRewrite.parse("The PostgreSQL documentation provides a way to cache queries.", question: "q").isEmpty)
        let long = "search: " + String(repeating: "word ", count: 40)
        #expect(QueryRewrite.parse(long, question: "q").queries.isEmpty)
        let many = (1...9).map { "search: term\($0)" }.joined(separator: "\n")
        #expect(QueryRewrite.parse(many, question: "q").queries.count == QueryRewrite.maximumQueries)
    }

    @Test func aFollowUpCarriesTheLastTurnsWithoutCitations() {
        let history = [ConversationTurn(question: "how do I back up with pg_dump?", answer: "Run pg_dump [1].")]
        let messages = QueryRewrite.messages(question: "and restore it?", history: history, hypothetical: false)
        #expect(messages.map(\.role) == [.system, .user, .assistant, .user])
        #expect(messages[0].content.contains("search: "))
        #expect(!messages[0].content.contains("passage: "))
        // The worked example shows the format, without a passage when none is asked for.
        #expect(messages[2].content.hasPrefix("search: ") && !messages[2].content.contains("passage: "))
        #expect(messages[3].content == """
            Conversation so far:
            Q: how do I back up with pg_dump?
            A: Run pg_dump.

            Question: and restore it?
            """)
        let withPassage = QueryRewrite.messages(question: "x", history: [], hypothetical: true)
        #expect(withPassage[0].content.contains("passage: ") && withPassage[2].content.contains("\npassage: "))
    }

    @Test func theWorkedExampleIsNeverTakenForAnAnswer() {
        let example = QueryRewrite.messages(question: "x", history: [], hypothetical: true)[2].content
        #expect(QueryRewrite.parse(example, question: "why is my disk full").isEmpty)
        #expect(QueryRewrite.parse(example + "\nsearch: disk usage", question: "why is my disk full").queries == ["disk usage"])
    }

    @Test func aReplyIsCompleteWithAllItUsesOrOnceItLoops() {
        let q = "restore a dump"
        // The line being written may still grow: not complete until it ends.
        #expect(!QueryRewrite.isComplete("search: a\nsearch: b\nsearch: c\nsearch: d", question: q, hypothetical: false))
        #expect(QueryRewrite.isComplete("search: a\nsearch: b\nsearch: c\nsearch: d\n", question: q, hypothetical: false))
        // With a passage wanted, four queries are not yet all.
        #expect(!QueryRewrite.isComplete("search: a\nsearch: b\nsearch: c\nsearch: d\n", question: q, hypothetical: true))
        #expect(QueryRewrite.isComplete("search: a\nsearch: b\npassage: A dump is restored with pg_restore here.\nsearch: c\nsearch: d\n",
                                        question: q, hypothetical: true))
        // A model repeating one line is cut off after the most lines a good reply has.
        let loop = String(repeating: "search: pg_restore\n", count: QueryRewrite.maximumReplyLines)
        #expect(!QueryRewrite.isComplete(String(loop.dropLast(19)), question: q, hypothetical: true))
        #expect(QueryRewrite.isComplete(loop, question: q, hypothetical: true))
        #expect(!QueryRewrite.isComplete("", question: q, hypothetical: false))
        // Lines that are not in the format (a preamble, thinking aloud) do not count toward the cap.
        let preamble = String(repeating: "Let me think about this.\n", count: 20) + "search: pg_restore\n"
        #expect(!QueryRewrite.isComplete(preamble, question: q, hypothetical: false))
        #expect(QueryRewrite.finishedLines(of: "search: a\nsearch: pg_d") == "search: a")
        #expect(QueryRewrite.finishedLines(of: "search: pg_d") == "")
    }
}
