import Foundation
import LoreBench
import LoreCore
import Testing
@testable import LoreLLM

@Suite struct LocalServerProbeTests {
    @Test func reportsWhatAnswersAndWhatDoesNot() async throws {
        let ollama = try LoopbackServer { request, _ in
            request.path == "/api/tags" ? .json(status: 200, #"{"models":[{"name":"llama3.2:latest"}]}"#)
                : .json(status: 404, #"{"error":"not found"}"#)
        }
        defer { ollama.stop() }
        let port = try LoopbackServer.closedPort()
        let probe = LocalServerProbe(candidates: [
            .init(name: "Ollama", provider: .ollama, baseURL: ollama.baseURL),
            .init(name: "llama.cpp server", provider: .openai, baseURL: "http://127.0.0.1:\(port)/v1"),
        ], timeout: 1)
        let findings = await probe.run()
        try #require(findings.count == 2)
        #expect(findings[0].models == ["llama3.2:latest"])
        #expect(findings[0].suggestedSettings?.name == "llama3.2:latest")
        #expect(findings[0].description == "Ollama at \(ollama.baseURL): running, 1 model (llama3.2:latest)")
        #expect(!findings[1].isRunning)
        #expect(findings[1].description == "llama.cpp server at http://127.0.0.1:\(port)/v1: not found (connection refused)")
    }

    @Test func silentServerIsGivenUpOn() async throws {
        let server = try LoopbackServer { _, _ in .silent }
        defer { server.stop() }
        let findings = await LocalServerProbe(candidates: [
            .init(name: "llama.cpp server", provider: .openai, baseURL: server.baseURL + "/v1"),
        ], timeout: 0.5).run()
        #expect(findings.first?.isRunning == false)
        #expect(findings.first?.failure == "no answer in time")
    }
}

@Suite struct StreamBenchmarkTests {
    /// LORE_BENCH_TOKENS=100000 runs the full-size measurement; the default keeps the suite quick.
    static let tokens = ProcessInfo.processInfo.environment["LORE_BENCH_TOKENS"].flatMap { Int($0) } ?? 20_000

    @Test func deliversEveryTokenAndReportsMemory() async throws {
        let report = try await StreamBenchmark.run(tokens: Self.tokens)
        print("stream benchmark: \(report)")
        #expect(report.tokens == Self.tokens)
        #expect(report.bytes > Self.tokens * 100)
        #if os(Linux)
        #expect(report.rssBeforeKiB != nil && report.rssAfterKiB != nil)
        #endif
    }
}
