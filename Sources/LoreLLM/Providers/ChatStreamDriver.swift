import Foundation
import LoreCore

/// The part every provider shares: send the request, retry what may be retried, feed the body to the
/// protocol's parser and hold the stream to the contract documented on `ChatProvider`.
struct ChatStreamDriver<Parser: ChatStreamParser>: Sendable {
    var client: HTTPClient
    var retry: RetryPolicy
    var advice: ErrorAdvice
    var makeParser: @Sendable () -> Parser

    func stream(_ request: HTTPRequest) -> AsyncThrowingStream<ChatStreamEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<ChatStreamEvent, any Error>.makeStream()
        let task = Task {
            do {
                try await run(request, into: continuation)
                continuation.finish()
            } catch is CancellationError {
                continuation.finish()
            } catch let error as LLMError {
                continuation.finish(throwing: advice.annotate(error))
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    private func run(_ request: HTTPRequest,
                     into continuation: AsyncThrowingStream<ChatStreamEvent, any Error>.Continuation) async throws {
        var attempt = 1
        while true {
            var shown = false
            do {
                try await attemptOnce(request, into: continuation, shown: &shown)
                return
            } catch let error as LLMError {
                guard !shown, let wait = retry.delay(after: error, attempt: attempt) else { throw error }
                try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
                attempt += 1
            }
        }
    }

    private func attemptOnce(_ request: HTTPRequest,
                             into continuation: AsyncThrowingStream<ChatStreamEvent, any Error>.Continuation,
                             shown: inout Bool) async throws {
        var response = try await client.open(request)
        var parser = makeParser()
        var finishReason: String?

        func deliver(_ events: [ChatStreamEvent], shown: inout Bool) throws {
            for event in events {
                switch event {
                case .text, .reasoning:
                    shown = true
                    continuation.yield(event)
                case .usage:
                    continuation.yield(event)
                case .finished(let reason):
                    // Held back: the contract puts exactly one `.finished` last, after any trailing usage.
                    finishReason = reason
                case .error(let message, let type):
                    let kind: LLMError.Kind = type == "invalid_stream" ? .invalidResponse(reason: message) : .streamError
                    throw LLMError(kind: kind, url: request.displayURL, providerMessage: message,
                                   providerErrorType: type).redacting(request.secrets)
                }
            }
        }

        do {
            while let piece = try await response.next() {
                let events = piece.withUnsafeBytes { parser.feed($0) }
                try deliver(events, shown: &shown)
                if parser.isComplete { break }
            }
            try deliver(parser.finish(), shown: &shown)
        } catch let error as LLMError where error.kind == .connectionLost && shown {
            // The answer so far stands; the final event below marks it incomplete.
        }
        continuation.yield(.finished(reason: parser.isComplete ? finishReason : ChatStreamEvent.incompleteReason))
    }
}
