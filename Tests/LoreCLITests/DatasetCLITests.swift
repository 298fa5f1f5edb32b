import Foundation
import LoreBench
import LoreCore
import Testing

@Suite("lore rate and lore dataset export") struct DatasetCLITests {
    /// Two saved conversations over the sample knowledge base, answered by a loopback model that cites [1].
    func sandboxWithAnswers(_ server: LoopbackServer) throws -> CLISandbox {
        let s = try CLISandbox()
        try FileManager.default.createDirectory(atPath: s.home + "/config", withIntermediateDirectories: true)
        try "[model]\nprovider = \"openai\"\nbase_url = \"\(server.baseURL)/v1\"\nname = \"loopback\"\n"
            .write(toFile: s.configFile, atomically: true, encoding: .utf8)
        for question in ["how much do chunks overlap?", "how are passages ranked?"] {
            let asked = try s.run("ask", "--kb", sampleKB, question)
            #expect(asked.status == 0, "\(asked.err)")
        }
        return s
    }

    static func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test("rate, see the marks in history and show, export only the rated, byte for byte again with the seed")
    func rateAndExport() throws {
        let server = try LoopbackServer { _, _ in OpenAIScript.response(["Chunks overlap ", "by 32 tokens [1]."]) }
        defer { server.stop() }
        let s = try sandboxWithAnswers(server)

        let good = try s.run("rate", "--kb", sampleKB, "1", "1", "good", "--note", "exact")
        #expect(good.status == 0, "\(good.err)")
        #expect(good.out.contains("rated turn 1 of conversation 1 good"))
        #expect(try s.run("rate", "--kb", sampleKB, "2", "1", "bad").status == 0)
        let history = try s.run("history", "--kb", sampleKB)
        #expect(history.out.contains("RATED"))
        #expect(history.out.contains("+1") && history.out.contains("−1"), "\(history.out)")
        let show = try s.run("show", "--kb", sampleKB, "1")
        #expect(show.out.contains("## 1. how much do chunks overlap? [+]"), "\(show.out)")
        #expect(show.out.contains("rated good: exact"))

        let missing = try s.run("rate", "--kb", sampleKB, "1", "3", "good")
        #expect(missing.status != 0)
        #expect(missing.err.contains("has 1 turn") && missing.err.contains("lore show 1"), "\(missing.err)")
        let wrong = try s.run("rate", "--kb", sampleKB, "1", "1", "great")
        #expect(wrong.status != 0 && wrong.err.contains("good"), "\(wrong.err)")

        let out = s.base + "/set"
        let export = try s.run("dataset", "export", "--kb", sampleKB, "--rated", "good", "--validation", "0", "--out", out)
        #expect(export.status == 0, "\(export.err)")
        #expect(export.out.hasPrefix("1 example (1 train, 0 validation)"), "\(export.out)")
        let train = try Self.lines(out + "/train.jsonl")
        #expect(train.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(train[0].utf8)) as? [String: Any])
        let messages = try #require(object["messages"] as? [[String: String]])
        #expect(messages.map { $0["role"] ?? "" } == ["system", "user", "assistant"])
        #expect(messages[1]["content"]?.contains("Question: how much do chunks overlap?") == true)
        #expect(messages[2]["content"] == "Chunks overlap by 32 tokens [1].")

        // The files are kept unless --force; the same seed writes the same bytes.
        let again = try s.run("dataset", "export", "--kb", sampleKB, "--rated", "good", "--out", out)
        #expect(again.status != 0 && again.err.contains("--force"), "\(again.err)")
        let first = try Data(contentsOf: URL(fileURLWithPath: out + "/train.jsonl"))
        #expect(try s.run("dataset", "export", "--kb", sampleKB, "--rated", "good", "--validation", "0", "--out", out, "--force").status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/train.jsonl")) == first)

        let none = try s.run("dataset", "export", "--kb", sampleKB, "--rated", "bad", "--from", "synth", "--out", s.base + "/x")
        #expect(none.status != 0 && none.err.contains("--synth"), "\(none.err)")
    }

    @Test("synth questions with raft context: every line an openai chat, documents apart between the splits")
    func synthRaft() throws {
        let s = try CLISandbox()
        let out = s.base + "/raft"
        let result = try s.run("dataset", "export", "--kb", sampleKB, "--synth", sampleKB + "/.eval/questions.jsonl",
                               "--context", "raft", "--distractors", "2", "--validation", "0.3", "--seed", "9", "--out", out)
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("gold in context"), "\(result.out)")
        var sides: [Set<String>] = []
        for file in ["train", "validation"] {
            let lines = try Self.lines(out + "/\(file).jsonl")
            #expect(!lines.isEmpty, "\(file) is empty")
            var documents = Set<String>()
            for line in lines {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let messages = try #require(object["messages"] as? [[String: String]])
                #expect(Set(object.keys) == ["messages"] && messages.count == 3)
                #expect(messages.allSatisfy { Set($0.keys) == ["role", "content"] })
                let user = messages[1]["content"] ?? ""
                for location in user.components(separatedBy: "Location: ").dropFirst() {
                    documents.insert(String(location.prefix { $0 != ":" && $0 != "\n" && $0 != " " }))
                }
            }
            sides.append(documents)
        }
        #expect(sides[0].isDisjoint(with: sides[1]), "\(sides[0].intersection(sides[1]))")
    }
}
