import Foundation

/// The parts of one streaming response, in order: a `head`, then body pieces. Each body piece taken returns
/// a credit to the transfer thread, which is how a slow consumer holds back a fast server.
public struct HTTPByteStream: AsyncSequence, Sendable {
    public typealias Element = HTTPStreamPart

    let base: AsyncThrowingStream<HTTPStreamPart, any Error>
    let credits: DispatchSemaphore

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<HTTPStreamPart, any Error>.AsyncIterator
        let credits: DispatchSemaphore

        public mutating func next() async throws -> HTTPStreamPart? {
            let part = try await base.next()
            if case .body = part { credits.signal() }
            return part
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), credits: credits)
    }
}
