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
        #expect(messages.count == 2)
        #expect(messages[0].role == .system && messages[0].content.contains("search: "))
        #expect(!messages[0].content.contains("passage: "))
        #expect(messages[1].content == """
            Conversation so far:
            Q: how do I back up with pg_dump?
            A: Run pg_dump.

            Question: and restore it?
            """)
        #expect(QueryRewrite.messages(question: "x", history: [], hypothetical: true)[0].content.contains("passage: "))
    }
}
