import Foundation
import LoreCore
import Testing
@testable import LoreLLM

/// Against llama.cpp serving all-MiniLM-L6-v2 (`eval "$(../shared/local-llm/start.sh)"` sets
/// LORE_TEST_EMBED_URL). Skipped, saying so, when the variable is unset.
enum RealEmbeddings {
    static let url: String? = ProcessInfo.processInfo.environment["LORE_TEST_EMBED_URL"].flatMap { $0.isEmpty ? nil : $0 }
}

@Suite(.enabled(if: RealEmbeddings.url != nil, "LORE_TEST_EMBED_URL is unset; start ../shared/local-llm/start.sh"))
struct EmbeddingRealModelTests {
    /// The suite runs only when the URL is set, so the empty fallback is never used.
    func client() -> EmbeddingClient {
        EmbeddingClient(settings: EmbeddingSettings(baseURL: RealEmbeddings.url ?? "", model: "all-MiniLM-L6-v2"),
                        environment: [:])
    }

    @Test func meaningIsCloserThanWords() async throws {
        let outcome = try await client().embed([
            "how do I get the disk space back after deleting rows",
            "VACUUM reclaims storage occupied by dead tuples",
            "CREATE ROLE adds a new role to the database cluster",
        ])
        let v = outcome.vectors.map { VectorSearch.normalized($0 ?? []) }
        #expect(v.allSatisfy { $0.count == 384 })
        let near = zip(v[0], v[1]).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        let far = zip(v[0], v[2]).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        #expect(near > far)
    }

    @Test func overlongInputIsEmbeddedNotRefused() async throws {
        // Far beyond the 512-token context: cut before sending, and shortened further if the server objects.
        let long = (0..<3000).map { "token\($0 % 97)x" }.joined(separator: " ")
        let outcome = try await client().embed([long, "short"])
        #expect(outcome.failures.isEmpty)
        #expect(outcome.vectors.allSatisfy { $0?.count == 384 })
    }

    @Test func denseSQLIsCutByTheServersOwnCountWithoutARefusal() async throws {
        // 1,220 characters, under the 1,536 that three characters a token allows, but about 1,000 WordPiece
        // tokens: the estimate would send it whole and llama.cpp would refuse it.
        let sql = (0..<120).map { "t\($0).c=$\($0)," }.joined()
        let client = client()
        let outcome = try await client.embed([sql, "short"])
        #expect(outcome.rejections == 0)
        #expect(outcome.cut == 1)
        #expect(outcome.vectors.allSatisfy { $0?.count == 384 })
        #expect(await client.inputLimit.exactCounts)
    }
}
