import Foundation

/// Why a request to a model endpoint failed, with what a person needs to fix it: the URL (without
/// credentials), the HTTP status, the provider's own words and a hint. API keys never appear: every
/// string that came from a server passes through `redacting(_:)` before it is stored.
public struct LLMError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    public enum Kind: Sendable, Equatable {
        /// The server answered with a non-2xx status.
        case httpStatus(Int)
        /// A 2xx answer whose body is a web page: usually a base_url pointing at a web UI or a proxy.
        case htmlPage
        /// No TCP connection: the reason as the OS puts it ("connection refused", "could not resolve host").
        case cannotConnect(reason: String)
        case connectTimeout(seconds: Double)
        /// Connected, but no byte arrived for this long.
        case stalled(seconds: Double)
        /// The connection broke while the body was still arriving.
        case connectionLost
        case tls(reason: String)
        /// An error object the server sent inside an otherwise successful stream.
        case streamError
        /// The body could not be read as the protocol promises.
        case invalidResponse(reason: String)
        /// Any other transport failure, with libcurl's explanation.
        case transport(reason: String)
    }

    public var kind: Kind
    /// The request URL as it may be shown (no user info, no query).
    public var url: String
    /// The message the provider put in its error body, if it sent one.
    public var providerMessage: String?
    /// The provider's error type or code, e.g. `overloaded_error`, `invalid_request_error`.
    public var providerErrorType: String?
    /// Seconds the server asked the client to wait (`Retry-After`, `retry-after-ms`).
    public var retryAfter: Double?
    /// What to do about it, worded for the person at the keyboard.
    public var hint: String?

    public init(kind: Kind, url: String, providerMessage: String? = nil, providerErrorType: String? = nil,
                retryAfter: Double? = nil, hint: String? = nil) {
        self.kind = kind
        self.url = url
        self.providerMessage = providerMessage
        self.providerErrorType = providerErrorType
        self.retryAfter = retryAfter
        self.hint = hint
    }

    public var status: Int? {
        if case .httpStatus(let status) = kind { return status }
        return nil
    }

    /// Replaces every occurrence of each secret in the error's text by `<redacted>`. Servers do echo keys
    /// ("Incorrect API key provided: sk-…"), so this runs on anything a server said.
    public func redacting(_ secrets: [String]) -> LLMError {
        let secrets = secrets.filter { $0.count >= 4 }
        guard !secrets.isEmpty else { return self }
        func clean(_ s: String?) -> String? {
            guard var s else { return nil }
            for secret in secrets { s = s.replacingOccurrences(of: secret, with: "<redacted>") }
            return s
        }
        var copy = self
        copy.url = clean(url) ?? url
        copy.providerMessage = clean(providerMessage)
        copy.providerErrorType = clean(providerErrorType)
        copy.hint = clean(hint)
        switch kind {
        case .cannotConnect(let r): copy.kind = .cannotConnect(reason: clean(r) ?? r)
        case .tls(let r): copy.kind = .tls(reason: clean(r) ?? r)
        case .invalidResponse(let r): copy.kind = .invalidResponse(reason: clean(r) ?? r)
        case .transport(let r): copy.kind = .transport(reason: clean(r) ?? r)
        default: break
        }
        return copy
    }

    /// Whether this failure says the server was briefly unable to answer, so the same request may work
    /// a moment later.
    public var isTransient: Bool {
        switch kind {
        case .httpStatus(let s): return RetryPolicy.retryableStatuses.contains(s)
        case .streamError:
            return providerErrorType == "overloaded_error" || providerErrorType == "rate_limit_error"
        default: return false
        }
    }

    public var description: String {
        var text: String
        switch kind {
        case .httpStatus(let status):
            text = "\(url) answered HTTP \(status) (\(Self.reasonPhrase(status)))"
            if let detail = providerDetail { text += ": \(detail)" }
        case .htmlPage:
            text = "\(url) answered with an HTML page, not an API response"
        case .cannotConnect(let reason):
            text = "cannot reach \(origin): \(reason)"
        case .connectTimeout(let seconds):
            text = "cannot reach \(origin): no connection within \(Self.format(seconds)) s"
        case .stalled(let seconds):
            text = "\(url) sent nothing for \(Self.format(seconds)) s, so Lore stopped waiting"
        case .connectionLost:
            text = "\(url) closed the connection before the answer was complete"
        case .tls(let reason):
            text = "secure connection to \(origin) failed: \(reason)"
        case .streamError:
            text = "\(url) reported an error in the middle of its answer"
            if let detail = providerDetail { text += ": \(detail)" }
        case .invalidResponse(let reason):
            text = "\(url) sent a response Lore cannot read: \(reason)"
        case .transport(let reason):
            text = "request to \(url) failed: \(reason)"
        }
        if let hint = hint ?? defaultHint { text += " — \(hint)" }
        return text
    }

    public var errorDescription: String? { description }

    private var providerDetail: String? {
        switch (providerMessage, providerErrorType) {
        case let (message?, type?) where !message.isEmpty: return "\(message) (\(type))"
        case let (message?, nil) where !message.isEmpty: return message
        case let (_, type?): return type
        default: return nil
        }
    }

    /// A hint that fits whatever the provider: used when the provider added none of its own.
    private var defaultHint: String? {
        switch kind {
        case .httpStatus(let s):
            switch s {
            case 401, 403: return "check the API key"
            case 404: return "check [model] base_url and [model] name in ~/.config/lore/config.toml"
            case 429: return retryAfter.map { "rate limited; the server asks to wait \(Self.format($0)) s" }
                ?? "rate limited; wait a moment and ask again"
            case 529: return "the service is overloaded; ask again in a moment"
            case 500...599: return "the server failed; ask again, or check its log"
            default: return nil
            }
        case .htmlPage:
            return "check [model] base_url in ~/.config/lore/config.toml (an API path such as …/v1?)"
        case .cannotConnect, .connectTimeout:
            return "is the server running? set [model] base_url in ~/.config/lore/config.toml"
        case .stalled:
            return "the server may be overloaded; raise [model] stall_timeout for slow models"
        case .connectionLost:
            return "the partial answer was kept; ask again to get a complete one"
        default:
            return nil
        }
    }

    /// scheme://host:port of the URL: what "cannot reach" is about.
    var origin: String {
        guard let c = URLComponents(string: url), let scheme = c.scheme, let host = c.host else { return url }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return c.port.map { "\(scheme)://\(shownHost):\($0)" } ?? "\(scheme)://\(shownHost)"
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }

    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 402: "Payment Required"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 413: "Payload Too Large"
        case 422: "Unprocessable Entity"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 529: "Overloaded"
        case 300..<400: "Redirect, not followed"
        default: "HTTP \(status)"
        }
    }
}
