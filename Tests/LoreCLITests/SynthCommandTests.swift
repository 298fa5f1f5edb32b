import Foundation
import LoreBench
import LoreCore
import LoreStore
import Testing

/// One document per outcome, each a single passage; the scripted model below answers by the marker word in
/// the passage it is sent.
private let fixtureDocuments: [(name: String, text: String)] = [
    ("alpha.md", """
        # Herons

        Herons leave the northern lakes in October and spend the cold months along the southern coast, \
        where the water stays open. They come back in April, alphamark, usually to the same nesting trees \
        they used the year before, and repair the old nests before laying.
        """),
    ("beta.md", """
        # Orchards

        An apple orchard needs a second variety nearby, betamark, because most apple trees cannot pollinate \
        themselves. Bees carry the pollen between the two kinds while the blossom is open, which lasts about \
        a week in a warm spring.
        """),
    ("gamma.md", """
        # Bread

        Sourdough rises because wild yeast and bacteria in the starter, gammamark, ferment the flour. A \
        starter kept in the cold needs feeding once a week; one kept warm on the counter wants fresh flour \
        and water every day.
        """),
    ("delta.md", """
        # Frobnication

        The quuxifier frobnicates each wibbler twice, deltamark, before the zorblat stage begins. Without \
        that second pass the wibbler keeps its original shape and the zorblat stage rejects it, so the \
        whole batch has to be started again from the beginning.
        """),
    ("zeta.md", """
        # Tides

        The sea rises and falls twice a day, zetamark, because the moon pulls the water towards it while \
        the earth turns underneath. The highest tides come when the sun and the moon are in a line, at \
        new and full moon, and the lowest in between.
        """),
    ("eta.md", """
        # Glaciers

        A glacier moves because ice under its own great weight slowly flows like a very thick liquid, \
        etamark. The bottom also slides over meltwater, so a glacier can travel a few metres in a day in \
        summer and much less in the cold season.
        """),
    ("LICENSE.md", """
        Permission is hereby granted, free of charge, to any person obtaining a copy of this software, to \
        deal in the Software without restriction. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY \
        KIND, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY.
        """),
]

private let duplicateQuestion = "Where do the tall grey birds spend the winter?"
private let zetaQuestion = "Why does the water at the beach go up and down each day?"
private let etaQuestion = "How can a huge mass of frozen water travel downhill?"

/// The scripted model: a question by the passage's marker, and the check's verdict.
private func scriptedReply(_ body: String) -> String {
    if body.contains("Reply yes or no") {
        return body.contains("betamark") ? "No, it does not." : "Yes."
    }
    if body.contains("alphamark") { return #"{"question": "\#(duplicateQuestion)", "answer": "Along the southern coast."}"# }
    if body.contains("betamark") { return #"{"question": "Why would a fruit tree need a neighbour to bear fruit?", "answer": "Most cannot pollinate themselves."}"# }
    if body.contains("gammamark") { return "I am sorry, I cannot write a question about bread." }
    if body.contains("deltamark") { return #"{"question": "Why does the quuxifier frobnicate each wibbler?", "answer": "For the zorblat stage."}"# }
    if body.contains("zetamark") {
        return "Here is one:\n```json\n{\"question\": \"\(zetaQuestion)\",\n \"answer\": \"The moon pulls the water.\"}\n```\nDone."
    }
    if body.contains("etamark") { return #"{"answer": "The ice flows under its own weight.", "question": "\#(etaQuestion)"}"# }
    return "?"
}

private func scriptedServer(gate: StepGate? = nil) throws -> LoopbackServer {
    try LoopbackServer { request, index in
        if request.method == "GET" { return OpenAIScript.modelList }
        let body = String(decoding: request.body, as: UTF8.self)
        return OpenAIScript.response([scriptedReply(body)], gate: index == 0 ? gate : nil)
    }
}

private func makeFixtureKB(_ s: CLISandbox, baseURL: String) throws {
    for doc in fixtureDocuments { try s.writeFile(s.work + "/docs/" + doc.name, Array(doc.text.utf8)) }
    try FileManager.default.createDirectory(atPath: s.home + "/config", withIntermediateDirectories: true)
    try """
        [model]
        provider = "openai"
        base_url = "\(baseURL)"
        name = "loopback"
        """.write(toFile: s.configFile, atomically: true, encoding: .utf8)
    let add = try s.run("kb", "add", "fix", s.work + "/docs")
    try #require(add.status == 0, "\(add.err)")
}

/// Passage ids by document file name, from the knowledge base's own file.
private func passageIDs(_ s: CLISandbox) throws -> [String: Int64] {
    let store = try KnowledgeBaseStore(path: s.home + "/data/kb/fix.sqlite", readOnly: true)
    var ids: [String: Int64] = [:]
    for passage in try store.allPassages() { ids[(passage.documentPath as NSString).lastPathComponent] = passage.id }
    return ids
}

private func lines(_ path: String) -> [String] {
    ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
}

private func waitFor(_ what: String, _ condition: () throws -> Bool) throws {
    let end = Date().addingTimeInterval(120)
    while try !condition() {
        if Date() > end {
            Issue.record("gave up waiting for \(what)")
            throw CancellationError()
        }
        usleep(20_000)
    }
}

@Suite("lore synth and lore eval --answers against a scripted model") struct SynthCommandTests {
    @Test("keeps good questions, counts each rejection, appends to the file and resumes without asking again")
    func synthKeepsAndRejects() throws {
        let s = try CLISandbox()
        let server = try scriptedServer()
        defer { server.stop() }
        try makeFixtureKB(s, baseURL: server.baseURL + "/v1")
        let out = s.work + "/questions.jsonl"
        // A question already in the file: the model's alpha question repeats it, whatever order passages come in.
        let seeded = #"{"q": "\#(duplicateQuestion)", "relevant": ["elsewhere.md"]}"#
        try (seeded + "\n").write(toFile: out, atomically: true, encoding: .utf8)

        let first = try s.run("synth", "--kb", "fix", "-n", "3", "--out", out, "--seed", "5")
        #expect(first.status == 0, "\(first.err)")
        #expect(lines(out + ".state").count == 3)
        let second = try s.run("synth", "--kb", "fix", "-n", "6", "--out", out, "--seed", "5")
        #expect(second.status == 0, "\(second.err)")
        #expect(second.err.contains("resuming"), "\(second.err)")

        let state = lines(out + ".state")
        let outcomes = state.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(outcomes.count == 6)
        #expect(Set(outcomes.compactMap { $0["passage"] as? Int }).count == 6, "no passage tried twice")
        var byOutcome: [String: Int] = [:]
        for o in outcomes { byOutcome[o["outcome"] as? String ?? "?", default: 0] += 1 }
        #expect(byOutcome == ["kept": 2, "unparseable": 1, "duplicate": 1, "unanswerable": 1, "trivial": 1])

        let ids = try passageIDs(s)
        let zeta = try #require(ids["zeta.md"]), eta = try #require(ids["eta.md"])
        let written = lines(out)
        #expect(written.first == seeded)
        #expect(Set(written.dropFirst()) == [
            #"{"answer":"The moon pulls the water.","passages":[\#(zeta)],"q":"\#(zetaQuestion)","relevant":["zeta.md"],"source":"zeta.md:1-3"}"#,
            #"{"answer":"The ice flows under its own weight.","passages":[\#(eta)],"q":"\#(etaQuestion)","relevant":["eta.md"],"source":"eta.md:1-3"}"#,
        ])
        // Six question calls and a check for each of the three that passed the pure judges: none repeated.
        let posts = server.requests.filter { $0.method == "POST" }
        #expect(posts.count == 9)
        let firstRun = first.out + second.out
        #expect(firstRun.contains("boilerplate left out: license 1"), "\(firstRun)")
        #expect(second.out.contains(out + ": 3 questions from 6 passages tried"), "\(second.out)")

        // The file reads as an eval set, the reference answers with it.
        let set = try EvalSet.parse(written.joined(separator: "\n"))
        #expect(set.count == 3)
        #expect(set.dropFirst().allSatisfy { $0.answer != nil && $0.passages.count == 1 })

        let third = try s.run("synth", "--kb", "fix", "-n", "6", "--out", out, "--seed", "5")
        #expect(third.status == 0)
        #expect(server.requests.filter { $0.method == "POST" }.count == 9, "a finished file asks nothing more")
    }

    @Test("Ctrl-C stops after the current call and leaves both files valid; the next run goes on")
    func interrupt() throws {
        let s = try CLISandbox()
        let gate = StepGate()
        let server = try scriptedServer(gate: gate)
        defer { server.stop(); gate.open(10) }
        try makeFixtureKB(s, baseURL: server.baseURL + "/v1")
        let out = s.work + "/q.jsonl"
        let running = try s.start(["synth", "--kb", "fix", "-n", "6", "--out", out])
        defer { if running.isRunning { kill(running.pid, SIGKILL) } }
        try waitFor("the first model call") { server.requests.contains { $0.method == "POST" } }
        kill(running.pid, SIGINT)
        try waitFor("the interrupt to be seen") {
            (try? String(contentsOfFile: running.errPath, encoding: .utf8))?.contains("stopping after the current call") == true
        }
        gate.open(10)
        let result = try running.wait()
        #expect(!result.signalled && result.status == 0, "\(result.err)")
        #expect(result.out.contains("stopped; run the same command again to continue"))
        #expect(server.requests.filter { $0.method == "POST" }.count == 1, "no call after the one under way")
        // A passage whose reply the pure judges rejected was tried in full; one that needed the check was not.
        #expect(lines(out + ".state").count <= 1)
        #expect(lines(out).allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })

        let again = try s.run("synth", "--kb", "fix", "-n", "6", "--out", out)
        #expect(again.status == 0, "\(again.err)")
        #expect(lines(out + ".state").count == 6)
        #expect(lines(out).count == 3, "alpha's question is no duplicate here")
    }

    @Test("with no model it says what to configure") func noModel() throws {
        let s = try CLISandbox()
        for doc in fixtureDocuments { try s.writeFile(s.work + "/docs/" + doc.name, Array(doc.text.utf8)) }
        try FileManager.default.createDirectory(atPath: s.home + "/config", withIntermediateDirectories: true)
        try "[model]\nprovider = \"none\"\n".write(toFile: s.configFile, atomically: true, encoding: .utf8)
        let result = try s.run("synth", "--kb", s.work + "/docs", "-n", "2", "--out", s.work + "/x.jsonl")
        #expect(result.status != 0)
        #expect(result.err.contains("needs a chat model") && result.err.contains("[model]"), "\(result.err)")
        #expect(!FileManager.default.fileExists(atPath: s.work + "/x.jsonl"))
    }

    @Test("eval gives each mode's scores with bootstrap intervals over the questions")
    func evalIntervals() throws {
        let s = try CLISandbox()
        try makeFixtureKB(s, baseURL: "http://127.0.0.1:9/v1")
        let questions = s.work + "/eval.jsonl"
        try """
            {"q": "alphamark herons winter", "relevant": ["alpha.md"]}
            {"q": "betamark pollinate apple", "relevant": ["beta.md"]}
            {"q": "herons nesting trees", "relevant": ["gamma.md"]}
            """.write(toFile: questions, atomically: true, encoding: .utf8)
        let json = try s.run("eval", "--kb", "fix", questions, "--mode", "bm25", "--json")
        #expect(json.status == 0, "\(json.err)")
        let report = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
        let bm25 = try #require((report["modes"] as? [[String: Any]])?.first)
        // Two of three found first; the third question's page is never found.
        #expect(abs((bm25["recallAt5"] as? Double ?? -1) - 2.0 / 3) < 1e-9)
        let interval = try #require(bm25["recallAt5Interval95"] as? [Double])
        #expect(interval.count == 2 && interval[0] < 2.0 / 3 && interval[1] == 1, "\(interval)")
        let table = try s.run("eval", "--kb", "fix", questions, "--mode", "bm25")
        #expect(table.out.contains("95 % intervals, resampling the questions (bootstrap):"), "\(table.out)")
        #expect(table.out.contains("bm25      R@5 0.667 ["), "\(table.out)")
    }

    @Test("eval --save-rewrites keeps the model's rewrites; --rewrites measures them again without the model")
    func evalSavedRewrites() throws {
        let s = try CLISandbox()
        let server = try LoopbackServer { request, _ in
            request.method == "GET" ? OpenAIScript.modelList : OpenAIScript.response(["search: alphamark nesting\n"])
        }
        try makeFixtureKB(s, baseURL: server.baseURL + "/v1")
        let questions = s.work + "/eval.jsonl"
        try #"{"q": "zqxv wbrt", "relevant": ["alpha.md"]}"#.write(toFile: questions, atomically: true, encoding: .utf8)
        let saved = s.work + "/rewrites.jsonl"
        let asked = try s.run("eval", "--kb", "fix", questions, "--mode", "bm25", "--rewrite", "--save-rewrites", saved, "--json")
        #expect(asked.status == 0, "\(asked.err)")
        #expect(asked.err.contains("saved 1 rewrites to"), "\(asked.err)")
        let first = try #require(try JSONSerialization.jsonObject(with: asked.stdout) as? [String: Any])
        #expect(((first["modes"] as? [[String: Any]])?.first?["recallAt5"] as? Double) == 1, "the rewrite finds what the words cannot")
        #expect(try String(contentsOfFile: saved, encoding: .utf8) == #"{"q":"zqxv wbrt","queries":["alphamark nesting"]}"# + "\n")
        let requests = server.requests.count
        server.stop()
        // Read back with the model gone: same score, no request.
        let again = try s.run("eval", "--kb", "fix", questions, "--mode", "bm25", "--rewrites", saved, "--json")
        #expect(again.status == 0, "\(again.err)")
        #expect(again.err.contains("1 of 1 questions rewritten"), "\(again.err)")
        let second = try #require(try JSONSerialization.jsonObject(with: again.stdout) as? [String: Any])
        #expect(((second["modes"] as? [[String: Any]])?.first?["recallAt5"] as? Double) == 1)
        #expect(server.requests.count == requests)
        let answers = try s.run("eval", "--kb", "fix", questions, "--rewrites", saved, "--answers")
        #expect(answers.status != 0 && answers.err.contains("leave out --answers"), "\(answers.err)")
        try (String(contentsOfFile: saved, encoding: .utf8) + #"{"q": "not in the set", "queries": ["x"]}"# + "\n")
            .write(toFile: saved, atomically: true, encoding: .utf8)
        let stray = try s.run("eval", "--kb", "fix", questions, "--mode", "bm25", "--rewrites", saved)
        #expect(stray.status == 0 && stray.err.contains("1 of the rewrites") && stray.err.contains("spelled exactly"), "\(stray.err)")
        let both = try s.run("eval", "--kb", "fix", questions, "--rewrites", saved, "--rewrite")
        #expect(both.status != 0 && both.err.contains("give one of them"), "\(both.err)")
        try "{\"q\": \"zqxv wbrt\"}".write(toFile: saved, atomically: true, encoding: .utf8)
        let broken = try s.run("eval", "--kb", "fix", questions, "--rewrites", saved)
        #expect(broken.status != 0 && broken.err.contains("line 1: needs \"queries\""), "\(broken.err)")
    }

    @Test("eval --answers scores citations against gold passages; --no-retrieval sends no sources")
    func evalAnswers() throws {
        let s = try CLISandbox()
        let server = try LoopbackServer { request, _ in
            request.method == "GET" ? OpenAIScript.modelList
                : OpenAIScript.response(["The moon pulls the water [1]. ", "It happens twice a day."])
        }
        defer { server.stop() }
        try makeFixtureKB(s, baseURL: server.baseURL + "/v1")
        let ids = try passageIDs(s)
        let questions = s.work + "/eval.jsonl"
        try """
            {"q": "zetamark tides moon", "relevant": ["zeta.md"], "passages": [\(try #require(ids["zeta.md"]))], "answer": "the moon pulls the water"}
            {"q": "etamark glacier ice", "relevant": ["eta.md"], "answer": "nothing here matches"}
            """.write(toFile: questions, atomically: true, encoding: .utf8)

        let rag = try s.run("eval", "--kb", "fix", questions, "--answers", "--json")
        #expect(rag.status == 0, "\(rag.err)")
        let report = try #require(try JSONSerialization.jsonObject(with: rag.stdout) as? [String: Any])
        #expect(report["mode"] as? String == "rag")
        #expect(report["citationPrecision"] as? Double == 1, "each answer cites its own top passage, a gold one")
        #expect(report["answersCitingGold"] as? Double == 1)
        #expect(report["uncitedSentences"] as? Double == 0.5)
        #expect(report["citations"] as? Int == 2)
        #expect(report["referenceCoverage"] as? Double == 0.5, "all of the first reference, none of the second")
        #expect(report["errors"] as? Int == 0)
        let posts = server.requests.filter { $0.method == "POST" }
        #expect(posts.count == 2 && posts.allSatisfy { String(decoding: $0.body, as: UTF8.self).contains("Sources:") })
        let history = try s.run("history", "--kb", "fix")
        #expect(!history.out.contains("zetamark"), "eval leaves no conversations: \(history.out)")

        let table = try s.run("eval", "--kb", "fix", questions, "--answers")
        #expect(table.out.contains("answers  cit.prec  cites gold  uncited sent.  ref. coverage  mean ms"), "\(table.out)")
        #expect(table.out.contains("rag      1.000     1.000       0.500          0.500"), "\(table.out)")

        let bare = try s.run("eval", "--kb", "fix", questions, "--answers", "--no-retrieval", "--json")
        #expect(bare.status == 0, "\(bare.err)")
        let noRAG = try #require(try JSONSerialization.jsonObject(with: bare.stdout) as? [String: Any])
        #expect(noRAG["mode"] as? String == "no-rag")
        #expect(noRAG["citationPrecision"] == nil, "no sources, so no citation counts")
        #expect(noRAG["uncitedSentences"] as? Double == 1)
        let last = try #require(server.requests.last)
        let body = String(decoding: last.body, as: UTF8.self)
        #expect(!body.contains("Sources:") && body.contains("Answer the question briefly"), "\(body)")
    }

    @Test(.enabled(if: RealServers.chat != nil, "LORE_TEST_CHAT_URL is unset; run ../shared/local-llm/start.sh"))
    func synthWithARealModel() throws {
        let s = try CLISandbox()
        try makeFixtureKB(s, baseURL: RealServers.chat ?? "")
        let out = s.work + "/real.jsonl"
        let result = try s.run("synth", "--kb", "fix", "-n", "2", "--out", out)
        #expect(result.status == 0, "\(result.err)")
        #expect(lines(out + ".state").count == 2)
        #expect(result.out.contains("this run: tried 2"), "\(result.out)")
        _ = try EvalSet.parse(lines(out).joined(separator: "\n"))
    }
}
