import Foundation
import Testing

/// The whole binary against llama.cpp's server from ../shared/local-llm (SmolLM2 for chat, MiniLM for
/// embeddings). They test the plumbing, not the wisdom of a 135M model, and skip, saying why, when the
/// servers' variables are unset.
enum RealServers {
    static let chat = ProcessInfo.processInfo.environment["LORE_TEST_CHAT_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let embed = ProcessInfo.processInfo.environment["LORE_TEST_EMBED_URL"].flatMap { $0.isEmpty ? nil : $0 }
}

@Suite("real model servers, end to end") struct RealModelCLITests {
    @Test(.enabled(if: RealServers.chat != nil, "LORE_TEST_CHAT_URL is unset; run ../shared/local-llm/start.sh"))
    func askStreamsFromARealServer() throws {
        let s = try CLISandbox()
        try FileManager.default.createDirectory(atPath: s.home + "/config", withIntermediateDirectories: true)
        try """
            [model]
            provider = "openai"
            base_url = "\(RealServers.chat ?? "")"
            max_tokens = 32
            """.write(toFile: s.configFile, atomically: true, encoding: .utf8)
        let result = try s.run("ask", "--kb", sampleKB, "--json", "what is a knowledge base?")
        #expect(result.status == 0, "\(result.err)")
        let events = result.out.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(events.contains { $0["type"] as? String == "source" })
        #expect(events.contains { $0["type"] as? String == "delta" })
        let done = try #require(events.last)
        #expect(done["type"] as? String == "done")
        #expect(["complete", "incomplete"].contains(done["state"] as? String ?? ""))
    }

    @Test(.enabled(if: RealServers.embed != nil, "LORE_TEST_EMBED_URL is unset; run ../shared/local-llm/start.sh"))
    func hybridSearchWithRealEmbeddings() throws {
        let s = try CLISandbox()
        try FileManager.default.createDirectory(atPath: s.home + "/config", withIntermediateDirectories: true)
        try """
            [embedding]
            provider = "openai"
            base_url = "\(RealServers.embed ?? "")"
            model = "all-MiniLM-L6-v2"
            max_input_tokens = 256
            """.write(toFile: s.configFile, atomically: true, encoding: .utf8)
        let add = try s.run("kb", "add", "sample", sampleKB)
        #expect(add.status == 0, "\(add.err)")
        #expect(add.out.contains("embedded"), "the embedding pass ran: \(add.out)")
        let search = try s.run("search", "--mode", "hybrid", "--explain", "--json", "halt a reply that takes ages")
        #expect(search.status == 0, "\(search.err)")
        let hits = try #require(try JSONSerialization.jsonObject(with: search.stdout) as? [[String: Any]])
        #expect(!hits.isEmpty)
        #expect(hits.contains { $0["vectorRank"] != nil || ($0["explain"] as? [String: Any])?["vectorRank"] != nil },
                "results carry their vector rank: \(hits.first ?? [:])")
    }
}
