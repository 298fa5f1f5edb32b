import Foundation
import LoreBench
import LoreLLM
import Testing

/// An OpenAI-style stream of `pieces` with its end marker.
private func stream(_ pieces: [String]) -> LoopbackServer.Response { OpenAIScript.response(pieces) }

private func configure(_ s: CLISandbox, baseURL: String, extra: String = "") throws {
    try FileManager.default.createDirectory(atPath: s.home + "/config", withIntermediateDirectories: true)
    try """
        [model]
        provider = "openai"
        base_url = "\(baseURL)"
        name = "loopback"
        \(extra)
        """.write(toFile: s.configFile, atomically: true, encoding: .utf8)
}

@Suite("lore ask") struct AskCommandTests {
    @Test("streams the answer, then the numbered sources with their files and lines")
    func textAnswer() throws {
        let s = try CLISandbox()
        let server = try LoopbackServer { _, _ in stream(["Chunks overlap ", "by 32 tokens [1]."]) }
        defer { server.stop() }
        try configure(s, baseURL: server.baseURL + "/v1")
        let result = try s.run("ask", "--kb", sampleKB, "how much do chunks overlap?")
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.hasPrefix("Chunks overlap by 32 tokens [1]."))
        #expect(result.out.contains("Sources:"))
        #expect(result.out.contains("*[1] "), "the cited source is marked")
        #expect(result.out.range(of: #"\.(md|txt|rst|html):\d+-\d+"#, options: .regularExpression) != nil)
        #expect(result.out.contains("conversation 1"))

        let history = try s.run("history", "--kb", sampleKB)
        #expect(history.out.contains("how much do chunks overlap?"))
        let export = try s.run("export", "--kb", sampleKB, "1", "--format", "json")
        let parsed = try #require(try JSONSerialization.jsonObject(with: export.stdout) as? [String: Any])
        let turns = try #require(parsed["turns"] as? [[String: Any]])
        #expect(turns.first?["answer"] as? String == "Chunks overlap by 32 tokens [1].")
        #expect((turns.first?["sources"] as? [Any])?.isEmpty == false)
    }

    @Test("--json prints one event per line: sources, deltas, citations, done")
    func jsonEvents() throws {
        let s = try CLISandbox()
        let server = try LoopbackServer { _, _ in stream(["See [1", "] and [2]."]) }
        defer { server.stop() }
        try configure(s, baseURL: server.baseURL + "/v1")
        let result = try s.run("ask", "--kb", sampleKB, "--json", "what is reciprocal rank fusion?")
        #expect(result.status == 0, "\(result.err)")
        let events = result.out.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(events.count == result.out.split(separator: "\n").count, "every line is one JSON object")
        let types = events.compactMap { $0["type"] as? String }
        #expect(types.contains("source") && types.contains("delta") && types.contains("citation"))
        #expect(types.last == "done")
        #expect(events.filter { $0["type"] as? String == "citation" }.compactMap { $0["numbers"] as? [Int] } == [[1], [2]])
        #expect(events.last?["state"] as? String == "complete")
    }

    /// Every citation form, through the binary: the events carry the engine's numbers and ranges, and the
    /// sources list marks exactly the cited sources. The UI's side of the same table is in
    /// MarkdownRendererTests and UpdateTests; both read these same engine events.
    @Test("citation forms", arguments: [
        (["See [2]."], [[2]]),
        (["See [1, 3]."], [[1, 3]]),
        (["See [1,3]."], [[1, 3]]),
        (["See [1; 3]."], [[1, 3]]),
        (["See [2-4]."], [[2, 3, 4]]),
        (["See [2–4]."], [[2, 3, 4]]),
        (["See [^2]."], [[2]]),
        (["See [1][3]."], [[1], [3]]),
        (["Split [1", ", 2", "] marker."], [[1, 2]]),
        (["A link [1](http://127.0.0.1/x) only."], []),
        (["Code `a[1]` only."], []),
        (["Unknown [99]."], [[99]]),
    ] as [([String], [[Int]])])
    func citationForms(_ pieces: [String], _ expected: [[Int]]) throws {
        let s = try CLISandbox()
        let server = try LoopbackServer { _, _ in stream(pieces) }
        defer { server.stop() }
        try configure(s, baseURL: server.baseURL + "/v1")
        let json = try s.run("ask", "--kb", sampleKB, "--json", "how are passages ranked?")
        #expect(json.status == 0, "\(json.err)")
        let events = json.out.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let answer = pieces.joined()
        let citations = events.filter { $0["type"] as? String == "citation" }
        #expect(citations.compactMap { $0["numbers"] as? [Int] } == expected)
        let units = Array(answer.utf16)
        for citation in citations {
            let start = try #require(citation["start"] as? Int), end = try #require(citation["end"] as? Int)
            let marker = String(decoding: units[start..<end], as: UTF16.self)
            #expect(marker.hasPrefix("[") && marker.hasSuffix("]"), "\(marker) in \(answer)")
        }
        let sources = events.filter { $0["type"] as? String == "source" }.count
        let done = try #require(events.last)
        let all = Set(expected.flatMap { $0 })
        #expect(Set(done["cited"] as? [Int] ?? []) == all.filter { $0 <= sources })
        #expect(Set(done["unknownCitations"] as? [Int] ?? []) == all.filter { $0 > sources })

        let text = try s.run("ask", "--kb", sampleKB, "how are passages ranked?")
        #expect(text.status == 0, "\(text.err)")
        for n in 1...sources {
            let marked = text.out.contains("*[\(n)] ")
            #expect(marked == all.contains(n), "source \(n) marked \(marked) for \(answer):\n\(text.out)")
        }
    }

    @Test("a rejected key fails with the server's message on stderr and a non-zero status, never the key")
    func unauthorized() throws {
        let s = try CLISandbox()
        let server = try LoopbackServer { _, _ in
            LoopbackServer.Response(status: 401, contentType: "application/json",
                                    body: Data(#"{"error":{"message":"Incorrect API key provided"}}"#.utf8))
        }
        defer { server.stop() }
        try configure(s, baseURL: server.baseURL + "/v1", extra: "api_key = \"sk-test-not-for-print\"")
        chmod(s.configFile, 0o644)
        let result = try s.run("ask", "--kb", sampleKB, "what is lore?")
        #expect(result.status != 0)
        #expect(result.err.contains("401") && result.err.contains("Incorrect API key provided"))
        #expect(result.err.contains("127.0.0.1:\(server.port)"))
        #expect(!result.out.contains("sk-test-not-for-print") && !result.err.contains("sk-test-not-for-print"))
        #expect(result.err.contains("chmod 600"), "a key in a file others can read is warned about")
    }

    @Test("escape sequences from the model never reach standard output")
    func hostileModelOutput() throws {
        let s = try CLISandbox()
        let server = try LoopbackServer { _, _ in
            stream(["clear \u{1B}[2J now ", "clipboard \u{1B}]52;c;ZXZpbA==\u{07} ", "csi \u{9B}31m and \u{08}\u{08}back\r"])
        }
        defer { server.stop() }
        try configure(s, baseURL: server.baseURL + "/v1")
        let text = try s.run("ask", "--kb", sampleKB, "what is lore?")
        #expect(text.status == 0, "\(text.err)")
        expectTerminalSafe(text.stdout, "ask text")
        let json = try s.run("ask", "--kb", sampleKB, "--json", "what is lore?")
        expectTerminalSafe(json.stdout, "ask --json")
    }

    @Test("with no model and none found, the answer is extractive and says so")
    func extractive() throws {
        let s = try CLISandbox()
        try FileManager.default.createDirectory(atPath: s.home + "/config", withIntermediateDirectories: true)
        try "[model]\nprovider = \"none\"\n".write(toFile: s.configFile, atomically: true, encoding: .utf8)
        let result = try s.run("ask", "--kb", sampleKB, "how do I add a knowledge base?")
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.hasPrefix("Extractive answer"))
        #expect(result.out.contains("[1]") || result.out.contains("[2]"))
    }
}
