import Foundation
import LoreBench
import LoreCore
import Testing
@testable import LoreLLM

/// Servers that stall, refuse, die mid-answer, and a person who gives up waiting. Durations are printed,
/// never asserted: the machines running this are shared and noisy.
@Suite struct TransportFailureTests {
    @Test func stallAfterSomeTextEndsWithStallError() async throws {
        let server = try LoopbackServer { _, _ in .eventStream([openAIDelta("Before")], then: .stall) }
        defer { server.stop() }
        let start = DispatchTime.now().uptimeNanoseconds
        let outcome = await collect(openAIProvider(server, stallTimeout: 1).stream(question))
        print("stall timeout of 1 s ended the stream after \(elapsed(since: start)) s")
        #expect(outcome.text == "Before")
        let error = try #require(outcome.llmError)
        #expect(error.kind == .stalled(seconds: 1))
        #expect(error.description.contains("sent nothing for 1 s"))
    }

    @Test func acceptedButNeverAnsweredEndsWithStallError() async throws {
        let server = try LoopbackServer { _, _ in .silent }
        defer { server.stop() }
        let outcome = await collect(openAIProvider(server, stallTimeout: 1, retry: .never).stream(question))
        #expect(outcome.llmError?.kind == .stalled(seconds: 1))
        #expect(outcome.events.isEmpty)
    }

    @Test func connectionRefusedSaysWhatToDo() async throws {
        let port = try LoopbackServer.closedPort()
        let outcome = await collect(ollamaProvider(baseURL: "http://127.0.0.1:\(port)").stream(question))
        let error = try #require(outcome.llmError)
        #expect(error.kind == .cannotConnect(reason: "connection refused"))
        #expect(error.description == "cannot reach http://127.0.0.1:\(port): connection refused — is Ollama running "
            + "(`ollama serve`)? set [model] base_url in ~/.config/lore/config.toml")
    }

    @Test func anAddressThatNeverAnswersGivesUpAfterTheConnectTimeout() async throws {
        // A loopback listener whose accept queue is full drops the handshake, as a blackholed host would:
        // no packet leaves the machine, and the connect can only end by its timeout.
        let blackhole = try LoopbackServer.Blackhole()
        defer { blackhole.release() }
        let url = "http://127.0.0.1:\(blackhole.port)"
        let settings = ModelSettings(provider: .openai, baseURL: url + "/v1", connectTimeout: 1)
        let provider = OpenAIChatProvider(settings: settings, environment: [:], retry: .never)
        let start = DispatchTime.now().uptimeNanoseconds
        let outcome = await collect(provider.stream(question))
        print("a listener that never answers failed after \(elapsed(since: start)) s: \(outcome.error.map { "\($0)" } ?? "no error")")
        let error = try #require(outcome.llmError)
        #expect(error.kind == .connectTimeout(seconds: 1))
        #expect(error.description.hasPrefix("cannot reach \(url): no connection within 1 s"))
    }

    @Test(arguments: [LoopbackServer.Response.Framing.close, .chunked, .contentLength])
    func serverKilledMidAnswerKeepsTextAndMarksIncomplete(_ framing: LoopbackServer.Response.Framing) async throws {
        let pieces = [openAIDelta("SQLite"), openAIDelta(" is"), openAIDelta(" a")]
        let server = try LoopbackServer { _, _ in
            // With Content-Length, the announced length counts the unsent rest too, so the cut is visible.
            var steps = pieces.map { LoopbackServer.Response.Step.send($0) }
            steps.append(.close)
            if framing == .contentLength { steps.append(.send(openAIDelta(" library"))) }
            return .init(headers: [HTTPHeader("Content-Type", "text/event-stream")], framing: framing, steps: steps)
        }
        defer { server.stop() }
        let outcome = await collect(openAIProvider(server).stream(question))
        #expect(outcome.error == nil)
        #expect(outcome.text == "SQLite is a")
        #expect(outcome.finishReason == .some(ChatStreamEvent.incompleteReason))
        #expect(outcome.finishedCount == 1)
    }

    @Test func anthropicWithoutMessageStopIsIncomplete() async throws {
        guard let body = Fixtures.anthropicMessages,
              let cut = body.range(of: Data("event: message_stop".utf8)) else {
            print("skipped: no recording at \(Fixtures.directory.path)")
            return
        }
        let server = try LoopbackServer { _, _ in .eventStream([body[..<cut.lowerBound]], framing: .close) }
        defer { server.stop() }
        let outcome = await collect(anthropicProvider(server).stream(question))
        #expect(outcome.text == "A color is a color.")
        #expect(outcome.finishReason == .some(ChatStreamEvent.incompleteReason))
    }

    @Test func closedBeforeAnyTextIsAnError() async throws {
        let server = try LoopbackServer { _, _ in
            .init(headers: [HTTPHeader("Content-Type", "text/event-stream")], framing: .chunked,
                  steps: [.send(Data(": keep-alive\n\n".utf8)), .close])
        }
        defer { server.stop() }
        let outcome = await collect(openAIProvider(server, retry: .never).stream(question))
        #expect(outcome.text.isEmpty)
        #expect(outcome.llmError?.kind == .connectionLost)
    }

    @Test func cancellingWhileNothingArrivesEndsTheTransfer() async throws {
        let server = try LoopbackServer { _, _ in .eventStream([], then: .stall) }
        defer { server.stop() }
        let provider = openAIProvider(server, stallTimeout: 600)
        let consumer = Task { await collect(provider.stream(question)) }
        // Let the request reach the server, so that the cancel hits a transfer that is really waiting.
        while server.requests.isEmpty { try await Task.sleep(nanoseconds: 10_000_000) }
        try await Task.sleep(nanoseconds: 200_000_000)
        let start = DispatchTime.now().uptimeNanoseconds
        consumer.cancel()
        let outcome = await consumer.value
        let finished = elapsed(since: start)
        // The consumer is released at once; what matters as much is that the transfer itself ended, which
        // the server sees as its connection closing.
        while server.openConnections > 0, elapsed(since: start) < 20 {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        print("cancelled stream finished \(finished) s, and its connection closed \(elapsed(since: start)) s, "
            + "after the cancel")
        #expect(outcome.events.isEmpty)
        #expect(outcome.error == nil)
        #expect(server.openConnections == 0)
    }

    @Test func droppingTheRawStreamAbortsTheTransfer() async throws {
        let server = try LoopbackServer { _, _ in .eventStream([Data("data: x\n\n".utf8)], then: .stall) }
        defer { server.stop() }
        do {
            var iterator = HTTPClient().stream(HTTPRequest(url: server.baseURL + "/")).makeAsyncIterator()
            guard case .head(let head) = try await iterator.next() else {
                Issue.record("the head must come first")
                return
            }
            #expect(head.status == 200)
            guard case .body = try await iterator.next() else {
                Issue.record("a body piece must follow")
                return
            }
        }
        // The iterator is gone: the curl thread notices at its next progress call and closes the socket,
        // which ends the server's stall and its connection.
        let start = DispatchTime.now().uptimeNanoseconds
        while server.openConnections > 0, elapsed(since: start) < 20 {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        print("dropped stream closed its connection \(elapsed(since: start)) s after the drop")
        #expect(server.openConnections == 0)
    }
}
