import Foundation

/// One header line. Kept as an ordered list rather than a dictionary because HTTP allows repeats.
public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension [HTTPHeader] {
    /// The first value of a header, compared case-insensitively as HTTP requires.
    public func value(for name: String) -> String? {
        first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// A request for the transport. `secrets` are values (API keys) that must never surface in an error
/// message; the transport itself never prints headers, the list is for redacting server echoes.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [HTTPHeader]
    public var body: Data?
    public var connectTimeout: Double
    /// Seconds without any byte received (or sent) after which the transfer is abandoned.
    public var stallTimeout: Double
    public var secrets: [String]

    public init(method: String = "GET", url: String, headers: [HTTPHeader] = [], body: Data? = nil,
                connectTimeout: Double = 10, stallTimeout: Double = 180, secrets: [String] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
        self.secrets = secrets
    }

    /// The URL as it may appear in messages: user information and query strings can carry credentials,
    /// so both are cut.
    public var displayURL: String { HTTPRequest.displayURL(url) }

    static func displayURL(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        let hadQuery = components.query != nil
        components.user = nil
        components.password = nil
        components.query = nil
        components.fragment = nil
        let shown = components.string ?? url
        return hadQuery ? shown + "?…" : shown
    }
}

/// The status line and headers of a final (non-1xx) response.
public struct HTTPResponseHead: Sendable, Equatable {
    public var status: Int
    public var headers: [HTTPHeader]

    public init(status: Int, headers: [HTTPHeader]) {
        self.status = status
        self.headers = headers
    }

    /// The media type without parameters, lowercased: "text/event-stream", "application/json".
    public var mediaType: String? {
        guard let raw = headers.value(for: "Content-Type") else { return nil }
        let type = raw.split(separator: ";", maxSplits: 1).first.map(String.init) ?? raw
        return type.trimmingCharacters(in: .whitespaces).lowercased()
    }

    public var isSuccess: Bool { (200..<300).contains(status) }
}

/// What a streaming transfer delivers: exactly one `head`, then zero or more `body` pieces as they arrive.
public enum HTTPStreamPart: Sendable {
    case head(HTTPResponseHead)
    case body(Data)
}

/// A complete response of a non-streaming request.
public struct HTTPResponse: Sendable {
    public var head: HTTPResponseHead
    public var body: Data

    public init(head: HTTPResponseHead, body: Data) {
        self.head = head
        self.body = body
    }
}
