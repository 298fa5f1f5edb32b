import Foundation

/// Where a shared knowledge base lives: a `postgres://USER@HOST[:PORT]/DATABASE` URL as a person writes it
/// in `lore kb add --store` and in the config. The password is never part of it: libpq takes it from
/// `PGPASSWORD` or `~/.pgpass`, so it stays out of argv (visible to every user in `ps`) and out of a config
/// file people copy around.
public struct PostgresLocation: Sendable, Equatable {
    public var user: String?
    public var host: String
    public var port: Int?
    public var database: String
    /// `key=value` parameters after `?` that libpq understands (sslmode, connect_timeout, …), as given.
    public var parameters: [(key: String, value: String)]

    public static func == (a: PostgresLocation, b: PostgresLocation) -> Bool {
        a.user == b.user && a.host == b.host && a.port == b.port && a.database == b.database
            && a.parameters.map { "\($0.key)=\($0.value)" } == b.parameters.map { "\($0.key)=\($0.value)" }
    }

    /// True for text that is meant as a PostgreSQL URL, right or wrong.
    public static func looksLikeURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    public init(parsing text: String) throws {
        guard Self.looksLikeURL(text), let components = URLComponents(string: text) else {
            throw PostgresLocationError("\"\(Self.redacted(text))\" is not a PostgreSQL URL; write postgres://USER@HOST[:PORT]/DATABASE")
        }
        if components.password != nil {
            throw PostgresLocationError("""
                the URL holds a password; leave it out (postgres://\(components.user ?? "USER")@\(components.host ?? "HOST")/…) \
                and give it in PGPASSWORD or ~/.pgpass instead
                """)
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresLocationError("the URL names no host; write postgres://USER@HOST[:PORT]/DATABASE")
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.isEmpty, !path.contains("/") else {
            throw PostgresLocationError("the URL names no database; write postgres://USER@HOST[:PORT]/DATABASE")
        }
        self.user = components.user.flatMap { $0.isEmpty ? nil : $0 }
        self.host = host
        self.port = components.port
        self.database = path
        self.parameters = (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }
        if parameters.contains(where: { $0.key == "password" }) {
            throw PostgresLocationError("the URL holds a password parameter; give it in PGPASSWORD or ~/.pgpass instead")
        }
    }

    /// The URL again, without anything secret: what messages and the status bar show.
    public var display: String {
        var text = "postgres://"
        if let user { text += user + "@" }
        text += host.contains(":") ? "[\(host)]" : host
        if let port { text += ":\(port)" }
        text += "/" + database
        return text
    }

    /// The libpq connection string: libpq's `key=value` form, each value quoted, with a connect timeout and
    /// an application name unless the URL sets them.
    public var conninfo: String {
        var pairs: [(String, String)] = [("host", host), ("dbname", database)]
        if let user { pairs.append(("user", user)) }
        if let port { pairs.append(("port", String(port))) }
        pairs += parameters.map { ($0.key, $0.value) }
        if !parameters.contains(where: { $0.key == "connect_timeout" }) { pairs.append(("connect_timeout", "10")) }
        if !parameters.contains(where: { $0.key == "application_name" }) { pairs.append(("application_name", "lore")) }
        return pairs.map { "\($0.0)='\(Self.quoted($0.1))'" }.joined(separator: " ")
    }

    static func quoted(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
    }

    /// `text` with any password between `:` and `@` replaced, for an error message about a bad URL.
    public static func redacted(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text.range(of: "@", range: scheme.upperBound..<text.endIndex),
              let colon = text.range(of: ":", range: scheme.upperBound..<at.lowerBound) else { return text }
        return String(text[..<colon.upperBound]) + "***" + String(text[at.lowerBound...])
    }
}

public struct PostgresLocationError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
