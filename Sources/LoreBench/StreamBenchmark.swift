import Foundation
import LoreCore
import LoreLLM

/// Measures what Lore itself costs per streamed token: a loopback server sends an OpenAI-style SSE answer
/// as fast as the socket takes it, and the full client path (libcurl on its thread, the byte stream, the
/// SSE decoder and the OpenAI parser, the provider's event stream) consumes it. Resident memory is sampled
/// along the way to show that it stays flat however long the answer.
public enum StreamBenchmark {
    public struct Report: Sendable, CustomStringConvertible {
        public var tokens: Int
        public var bytes: Int
        public var seconds: Double
        /// Resident set size before the stream, the largest seen during it, and after it; nil where the
        /// platform does not tell (only Linux's /proc is read).
        public var rssBeforeKiB: Int?
        public var rssPeakKiB: Int?
        public var rssAfterKiB: Int?

        public var microsecondsPerToken: Double { tokens > 0 ? seconds * 1e6 / Double(tokens) : 0 }
        public var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / seconds / 1e6 : 0 }

        public var description: String {
            var text = String(format: "%d tokens, %.1f MB in %.3f s: %.2f µs/token, %.1f MB/s",
                              tokens, Double(bytes) / 1e6, seconds, microsecondsPerToken, megabytesPerSecond)
            if let before = rssBeforeKiB, let peak = rssPeakKiB, let after = rssAfterKiB {
                text += "; RSS \(before / 1024) MiB before, \(peak / 1024) MiB peak, \(after / 1024) MiB after"
            }
            return text
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Streams `tokens` text deltas through the whole client and times it.
    public static func run(tokens: Int) async throws -> Report {
        let piece = OpenAIScript.chunk(" tok")
        let tail = OpenAIScript.finish(completionTokens: tokens, reason: "length")
        let warmUpTokens = min(tokens, 1_000)
        let server = try LoopbackServer { _, index in
            .eventStream(steps: [.generate(count: index == 0 ? warmUpTokens : tokens, piece: { _ in piece }),
                                 .send(tail)])
        }
        defer { server.stop() }
        let provider = OpenAIChatProvider(settings: ModelSettings(provider: .openai, baseURL: server.baseURL + "/v1"),
                                          environment: [:], retry: .never)
        let request = ChatRequest(messages: [.user("benchmark")])

        // A first short run pays for one-time setup (libcurl's global init, TLS tables) outside the timing.
        _ = try await consume(provider.stream(request), sampleEvery: 0)

        let before = residentKiB()
        let start = DispatchTime.now().uptimeNanoseconds
        let (count, peak) = try await consume(provider.stream(request), sampleEvery: 5_000)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let after = residentKiB()
        guard count == tokens else { throw Failure(description: "expected \(tokens) tokens, got \(count)") }
        let bytes = tokens * piece.count + tail.count
        return Report(tokens: tokens, bytes: bytes, seconds: seconds, rssBeforeKiB: before,
                      rssPeakKiB: peak.map { max($0, before ?? 0) }, rssAfterKiB: after)
    }

    private static func consume(_ stream: AsyncThrowingStream<ChatStreamEvent, any Error>,
                                sampleEvery: Int) async throws -> (texts: Int, peakKiB: Int?) {
        var texts = 0
        var peak: Int?
        for try await event in stream {
            guard case .text = event else { continue }
            texts += 1
            if sampleEvery > 0, texts % sampleEvery == 0, let rss = residentKiB() { peak = max(peak ?? 0, rss) }
        }
        return (texts, peak)
    }

    /// Current resident set size from /proc/self/statm.
    static func residentKiB() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
    }
}
