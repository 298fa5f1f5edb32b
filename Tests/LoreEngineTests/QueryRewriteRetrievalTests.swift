import Foundation
import LoreBench
import LoreCore
import LoreEngine
import Testing

@Suite("query rewriting") struct QueryRewriteRetrievalTests {
    @Test func rewritesFindWhatTheQuestionsWordsMissAndSayWhichQueryFoundIt() async throws {
        let f = try SessionFixture()
        let server = try LoopbackServer { request, _ in
            String(decoding: request.body, as: UTF8.self).contains("searches over their documents")
                ? openAIStream(["search: pg_dump", " snapshot\nsearch: restore archives\n"])
                : openAIStream(["Use pg_dump [1]."])
        }
        defer { server.stop() }
        let model = ModelSettings(provider: .openai, baseURL: server.baseURL + "/v1", name: "m")
        var session = f.session(model: model)
        session.retrieval.rewrite = RewriteSettings(budgetMilliseconds: 600_000, hypothetical: false)
        // None of the question's words is in the documents; the rewrites' are.
        let c = try await collect(session.ask("keep a spare somewhere safe"))
        #expect(c.sources.first?.passage.documentPath.hasSuffix("backup.md") == true, "\(c.sources.map(\.passage.location))")
        #expect(c.notices.isEmpty, "\(c.notices)")
        // The sources the UI lists carry the searches that found them.
        #expect(c.sources.first?.passage.foundBy?.contains("pg_dump snapshot") == true, "\(c.sources.map(\.passage.foundBy))")
        #expect(server.requests.count == 2)
        let rewriteBody = String(decoding: server.requests[0].body, as: UTF8.self)
        #expect(rewriteBody.contains("Question: keep a spare somewhere safe"))
        #expect(String(decoding: server.requests[1].body, as: UTF8.self).contains("SQL Dump"))

        let found = try await Retriever(store: f.kb.store, settings: session.retrieval, environment: [:])
            .retrieve("keep a spare somewhere safe", rewriting: "keep a spare somewhere safe", history: [], model: model, mode: nil)
        #expect(found.rewrites == ["pg_dump snapshot", "restore archives"])
        #expect(found.explanations.first?.foundBy.contains("pg_dump snapshot") == true)
        #expect(found.explanations.allSatisfy { !$0.foundBy.contains("question") })
        #expect(found.hits.map(\.passage.foundBy) == found.explanations.map(\.foundBy))
        let plain = try await Retriever(store: f.kb.store, settings: session.retrieval, environment: [:])
            .retrieve("SQL Dump", mode: nil)
        #expect(!plain.hits.isEmpty && plain.hits.allSatisfy { $0.passage.foundBy == nil })
    }

    @Test func aSlowModelIsPassedOverSayingSoAndPausedAfterTwoMisses() async throws {
        let f = try SessionFixture()
        let server = try LoopbackServer { _, _ in .silent }
        defer { server.stop() }
        let model = ModelSettings(provider: .openai, baseURL: server.baseURL + "/v1", name: "slow")
        var settings = RetrievalSettings(topK: 4)
        settings.rewrite = RewriteSettings(budgetMilliseconds: 150, hypothetical: true)
        let retriever = Retriever(store: f.kb.store, settings: settings, environment: [:])
        var notes: [String?] = []
        for _ in 0..<3 {
            let found = try await retriever.retrieve("vacuum disk space", rewriting: "vacuum disk space", history: [],
                                                     model: model, mode: nil)
            // The question as asked is still searched.
            #expect(found.hits.first?.passage.documentPath.hasSuffix("vacuum.md") == true)
            #expect(found.rewrites.isEmpty)
            notes.append(found.rewriteNote)
        }
        #expect(notes[0] == "the model did not rewrite the question within 150 ms; searched the question as asked")
        #expect(notes[1] == "the model did not rewrite the question within 150 ms; paused for this session; searched the question as asked")
        #expect(notes[2]?.hasPrefix("query rewriting is paused") == true)
        #expect(server.requests.count <= 2, "a paused model is not asked again")
    }

    @Test func aModelThatLoopsIsCutOffOnceItsReplyHoldsEnough() async throws {
        // A small model's habit: the same line over and over, pieces that split lines, and a stream that
        // would go on past the budget.
        let pieces = ["search: alpha one\nsearch: beta two\nsear", "ch: gamma three\n"]
            + Array(repeating: "search: gamma three\n", count: 4) + ["search: gamma three\nsearch: delt", "a four\n"]
        let server = try LoopbackServer { _, _ in OpenAIScript.response(pieces, ending: .stall) }
        defer { server.stop() }
        let model = ModelSettings(provider: .openai, baseURL: server.baseURL + "/v1", name: "loops")
        let outcome = await QueryRewriter(model: model, settings: RewriteSettings(budgetMilliseconds: 600_000, hypothetical: true),
                                          environment: [:]).rewrite("keep a spare somewhere safe", history: [])
        // Read up to the eighth line, then left: no wait for the budget, and the line being written when
        // it stopped ("search: delt") is not taken for a query.
        #expect(outcome.plan == QueryRewrite.Plan(queries: ["alpha one", "beta two", "gamma three"]))
        #expect(outcome.note == nil)
        #expect(server.requests.count == 1)
        // Leaving the stream closed the connection, though the server would have kept it open.
        var waited = 0
        while server.openConnections > 0 && waited < 2_000 {
            try await Task.sleep(nanoseconds: 5_000_000)
            waited += 1
        }
        #expect(server.openConnections == 0)
    }

    @Test func configTurnsRewritingOnWithItsBudget() throws {
        let config = try ConfigFile(path: "/tmp/x.toml", text: """
            [retrieval]
            rewrite = "auto"
            rewrite_budget_ms = 900
            rewrite_hyde = false
            """).parse()
        #expect(config.retrieval.rewrite == RewriteSettings(budgetMilliseconds: 900, hypothetical: false))
        #expect(try ConfigFile(path: "/tmp/x.toml", text: "").parse().retrieval.rewrite == nil)
        #expect(throws: (any Error).self) {
            try ConfigFile(path: "/tmp/x.toml", text: "[retrieval]\nrewrite = \"always\"\n").parse()
        }
    }
}
