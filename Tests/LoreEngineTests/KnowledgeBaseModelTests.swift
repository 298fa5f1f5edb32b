import Foundation
import LoreCore
import LoreEngine
import Testing

@Suite("a model per knowledge base") struct KnowledgeBaseModelTests {
    static let text = """
        [model]
        base_url = "http://127.0.0.1:18080/v1"
        name = "general"

        [models.big]
        base_url = "http://127.0.0.1:18081/v1"
        name = "big"

        [kb.pg]
        paths = ["/srv/pg"]

        [kb.pg.model]
        provider = "ollama"
        base_url = "http://127.0.0.1:11434"
        name = "pg-tuned"
        temperature = 0.1
        context_window = 8192

        [kb.notes]
        paths = ["/srv/notes"]

        [kb.quiet]
        paths = ["/srv/quiet"]

        [kb.quiet.model]
        provider = "none"
        """

    func config() throws -> LoreConfig { try ConfigFile(path: "/tmp/unused.toml", text: Self.text).parse() }

    @Test("[kb.NAME.model] takes the keys of [model]")
    func parses() throws {
        let config = try config()
        let own = try #require(config.knowledgeBases["pg"]?.model)
        #expect(own.provider == .ollama && own.name == "pg-tuned" && own.baseURL == "http://127.0.0.1:11434")
        #expect(own.temperature == 0.1 && own.contextWindow == 8192)
        #expect(config.knowledgeBases["notes"]?.model == nil)
        #expect(config.model?.name == "general")
    }

    @Test("a wrong key or value in [kb.NAME.model] names the table, the line and what is allowed",
          arguments: [("nme = \"x\"", "unknown key `nme` in [kb.pg.model]"),
                      ("temperature = \"hot\"", "`temperature` must be a number"),
                      ("provider = \"gpt\"", "unknown provider \"gpt\"")])
    func badKey(line: String, message: String) throws {
        let text = "[kb.pg]\npaths = [\"/srv/pg\"]\n\n[kb.pg.model]\nbase_url = \"http://127.0.0.1:1/v1\"\n\(line)\n"
        #expect { try ConfigFile(path: "/tmp/c.toml", text: text).parse() } throws: { error in
            let description = String(describing: error)
            return description.contains(message) && description.hasPrefix("/tmp/c.toml:6:")
        }
        let known = "[kb.pg]\npaths = [\"/srv/pg\"]\n\n[kb.pg.model]\nnme = \"x\"\n"
        #expect { try ConfigFile(path: "/tmp/c.toml", text: known).parse() } throws: {
            String(describing: $0).contains("known keys: api_key, api_key_env, base_url")
        }
    }

    @Test("a knowledge base's own model answers there; [model] elsewhere; a picked profile everywhere")
    func selection() async throws {
        let config = try config()
        let pg = try await ModelChoice.resolve(config: config, profile: nil, knowledgeBase: "pg", probe: false)
        #expect(pg.settings?.name == "pg-tuned" && pg.explanation == "[kb.pg.model] in config.toml")
        #expect(pg.displayName == "pg-tuned")
        let notes = try await ModelChoice.resolve(config: config, profile: nil, knowledgeBase: "notes", probe: false)
        #expect(notes.settings?.name == "general" && notes.explanation == "[model] in config.toml")
        let quiet = try await ModelChoice.resolve(config: config, profile: nil, knowledgeBase: "quiet", probe: false)
        #expect(quiet.settings == nil && quiet.displayName == "extractive")
        let picked = try await ModelChoice.resolve(config: config, profile: "big", knowledgeBase: "pg", probe: false)
        #expect(picked.settings?.name == "big")

        // In a session: the session's model unless the knowledge base has its own, unless one was picked.
        let session = try await ModelChoice.resolve(config: config, profile: nil, probe: false)
        #expect(ModelChoice.forKnowledgeBase("pg", config: config, session: session, picked: false).settings?.name == "pg-tuned")
        #expect(ModelChoice.forKnowledgeBase("notes", config: config, session: session, picked: false).settings?.name == "general")
        #expect(ModelChoice.forKnowledgeBase("pg", config: config, session: picked, picked: true).settings?.name == "big")
    }
}
