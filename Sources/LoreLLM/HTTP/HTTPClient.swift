import Foundation

/// HTTP for Lore's model endpoints: libcurl underneath (see `CurlTransfer`), async on top.
public struct HTTPClient: Sendable {
    /// Error bodies longer than this are cut; a message a person reads is never that long.
    public var maxErrorBodyBytes: Int

    public init(maxErrorBodyBytes: Int = 64 * 1024) {
        self.maxErrorBodyBytes = maxErrorBodyBytes
    }

    /// The raw response: head then body pieces, whatever the status. Transport failures are thrown as
    /// `LLMError`. Dropping the stream or cancelling the task that reads it aborts the transfer.
    public func stream(_ request: HTTPRequest) -> HTTPByteStream {
        CurlTransfer.start(request)
    }

    /// Starts a request and waits for its head. A non-2xx status, or a 2xx web page, is thrown as an
    /// `LLMError` that carries the provider's own message and any `Retry-After`.
    public func open(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        var iterator = stream(request).makeAsyncIterator()
        guard let first = try await iterator.next() else {
            try Task.checkCancellation()
            throw LLMError(kind: .transport(reason: "the transfer ended without a response"), url: request.displayURL)
        }
        guard case .head(let head) = first else {
            throw LLMError(kind: .invalidResponse(reason: "body before headers"), url: request.displayURL)
        }
        var response = HTTPStreamingResponse(head: head, url: request.displayURL, iterator: iterator)
        if !head.isSuccess {
            let body = try await response.collect(limit: maxErrorBodyBytes, truncate: true)
            throw Self.statusError(head: head, body: body, request: request)
        }
        if head.mediaType == "text/html" {
            throw LLMError(kind: .htmlPage, url: request.displayURL)
        }
        return response
    }

    /// A complete request, for small answers such as model lists.
    public func send(_ request: HTTPRequest, maxBodyBytes: Int = 32 * 1024 * 1024) async throws -> HTTPResponse {
        var response = try await open(request)
        let body = try await response.collect(limit: maxBodyBytes, truncate: false)
        return HTTPResponse(head: response.head, body: body)
    }

    static func statusError(head: HTTPResponseHead, body: Data, request: HTTPRequest) -> LLMError {
        let parsed = ProviderErrorBody.parse(body)
        let message = parsed?.message ?? ProviderErrorBody.fallbackMessage(body, mediaType: head.mediaType)
        return LLMError(kind: .httpStatus(head.status), url: request.displayURL, providerMessage: message,
                        providerErrorType: parsed?.type, retryAfter: RetryPolicy.retryAfter(head.headers))
            .redacting(request.secrets)
    }
}

/// A response whose head has arrived and whose body is read piece by piece.
public struct HTTPStreamingResponse {
    public let head: HTTPResponseHead
    /// The request URL as it may be shown.
    public let url: String
    var iterator: HTTPByteStream.AsyncIterator

    /// The next body piece, or nil at the end. Throws `CancellationError` when the reading task was
    /// cancelled, so that a cancelled read is never mistaken for a server that stopped talking.
    public mutating func next() async throws -> Data? {
        while let part = try await iterator.next() {
            if case .body(let data) = part { return data }
        }
        try Task.checkCancellation()
        return nil
    }

    mutating func collect(limit: Int, truncate: Bool) async throws -> Data {
        var body = Data()
        while let piece = try await next() {
            body.append(piece)
            if body.count > limit {
                if truncate { return body.prefix(limit) }
                throw LLMError(kind: .invalidResponse(reason: "the body is larger than \(limit) bytes"), url: url)
            }
        }
        return body
    }
}
