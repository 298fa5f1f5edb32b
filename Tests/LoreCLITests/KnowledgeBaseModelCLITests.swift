import Foundation
import LoreBench
import Testing

@Suite("[kb.NAME.model] from the command line") struct KnowledgeBaseModelCLITests {
    /// A loopback model that answers chat requests with `answer` and lists `name` as its model.
    static func server(_ name: String, answer: String) throws -> LoopbackServer {
        try LoopbackServer { request, _ in
            if request.path.hasSuffix("/models") {
                return .init(contentType: "application/json", body: Data(#"{"data":[{"id":"\#(name)"}]}"#.utf8))
            }
            return OpenAIScript.response([answer])
        }
    }

    @Test("a knowledge base with its own model is answered by it, the saved turn names it, lore models lists it")
    func ownModel() throws {
        let general = try Self.server("general", answer: "From the general model [1].")
        let tuned = try Self.server("tuned", answer: "From the tuned model [1].")
        defer { general.stop(); tuned.stop() }
        let s = try CLISandbox()
        try FileManager.default.createDirectory(atPath: s.home + "/config", withIntermediateDirectories: true)
        try """
            [model]
            base_url = "\(general.baseURL)/v1"
            name = "general"
            """.write(toFile: s.configFile, atomically: true, encoding: .utf8)
        #expect(try s.run("kb", "add", "notes", sampleKB).status == 0)
        #expect(try s.run("kb", "add", "other", sampleKB + "/guide").status == 0)
        var config = try String(contentsOfFile: s.configFile, encoding: .utf8)
        config += "\n[kb.notes.model]\nbase_url = \"\(tuned.baseURL)/v1\"\nname = \"tuned\"\n"
        try config.write(toFile: s.configFile, atomically: true, encoding: .utf8)

        let onNotes = try s.run("ask", "--kb", "notes", "how much do chunks overlap?")
        #expect(onNotes.status == 0, "\(onNotes.err)")
        #expect(onNotes.out.hasPrefix("From the tuned model [1]."), "\(onNotes.out)")
        #expect(try s.run("show", "--kb", "notes", "1").out.contains("<sub>tuned · "))
        let onOther = try s.run("ask", "--kb", "other", "how much do chunks overlap?")
        #expect(onOther.out.hasPrefix("From the general model [1]."), "\(onOther.out)")
        #expect(try s.run("show", "--kb", "other", "1").out.contains("<sub>general · "))

        let models = try s.run("models")
        #expect(models.status == 0, "\(models.err)")
        let rows = models.out.split(separator: "\n").map(String.init)
        #expect(rows.contains { $0.hasPrefix("notes") && $0.contains("tuned") && $0.contains("[kb.notes.model]") }, "\(models.out)")
        #expect(rows.contains { $0.hasPrefix("other") && $0.contains("general") && $0.contains("[model]") }, "\(models.out)")

        // A mistake in the table stops every command with the file, the line and the known keys.
        try (config + "context = 3\n").write(toFile: s.configFile, atomically: true, encoding: .utf8)
        let bad = try s.run("ask", "--kb", "notes", "x")
        #expect(bad.status != 0)
        #expect(bad.err.contains("config.toml:") && bad.err.contains("unknown key `context` in [kb.notes.model]"), "\(bad.err)")
    }
}
