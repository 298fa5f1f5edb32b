import CLibpq
import Foundation

/// What PostgreSQL or libpq said went wrong, with the SQLSTATE code when the server sent one.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var sqlState: String?

    public init(_ message: String, sqlState: String? = nil) {
        self.message = message
        self.sqlState = sqlState
    }

    public var description: String { message }
}

/// Rows of a query in text format: what every Lore query needs, and no binary decoding to get wrong.
public struct PGRows: Sendable {
    public var columns: Int
    public var rows: [[String?]]
    /// Rows inserted, updated or deleted by the command (`PQcmdTuples`).
    public var affected: Int

    public subscript(row: Int, column: Int) -> String? { rows[row][column] }
}

/// One libpq connection: the only place Lore calls libpq. Not for two threads at once; `PostgresStore`
/// hands each connection to one caller at a time.
///
/// The password never passes through here: libpq reads `PGPASSWORD` and `~/.pgpass` itself.
public final class PGConnection: @unchecked Sendable {
    private let handle: OpaquePointer

    /// Opens `conninfo` (a `postgres://` URI or `key=value` pairs) and fails with libpq's own reason.
    public init(conninfo: String) throws {
        guard let conn = PQconnectdb(conninfo) else { throw PostgresError("libpq could not allocate a connection") }
        guard PQstatus(conn) == CONNECTION_OK else {
            let reason = Self.trimmed(PQerrorMessage(conn))
            PQfinish(conn)
            throw PostgresError(reason)
        }
        handle = conn
        // Notices ("extension already exists, skipping") would go to stderr, under the UI.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
    }

    deinit { PQfinish(handle) }

    /// False once the server went away; such a connection is dropped rather than returned to the pool.
    public var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

    /// The server's version as a number (150004 for 15.4).
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// Runs one statement with `$1…` parameters sent apart from the SQL text, so no value is ever parsed
    /// as SQL.
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws -> PGRows {
        let result: OpaquePointer?
        if parameters.isEmpty {
            result = PQexecParams(handle, sql, 0, nil, nil, nil, nil, 0)
        } else {
            result = Self.withCStrings(parameters) { values in
                PQexecParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
            }
        }
        return try Self.rows(of: result, connection: handle)
    }

    /// Runs several statements separated by semicolons, without parameters: migrations.
    public func execute(_ sql: String) throws {
        _ = try Self.rows(of: PQexec(handle, sql), connection: handle)
    }

    private static func rows(of result: OpaquePointer?, connection: OpaquePointer) throws -> PGRows {
        guard let result else { throw PostgresError(trimmed(PQerrorMessage(connection))) }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
            throw PostgresError(primary ?? trimmed(PQresultErrorMessage(result)), sqlState: state)
        }
        let count = Int(PQntuples(result)), columns = Int(PQnfields(result))
        var rows: [[String?]] = []
        rows.reserveCapacity(count)
        for r in 0..<count {
            var row: [String?] = []
            row.reserveCapacity(columns)
            for c in 0..<columns {
                if PQgetisnull(result, Int32(r), Int32(c)) == 1 {
                    row.append(nil)
                } else {
                    row.append(String(cString: PQgetvalue(result, Int32(r), Int32(c))))
                }
            }
            rows.append(row)
        }
        let affected = PQcmdTuples(result).map { Int(String(cString: $0)) ?? 0 } ?? 0
        return PGRows(columns: columns, rows: rows, affected: affected)
    }

    private static func trimmed(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "unknown libpq error" }
        return String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The parameters as C strings (NULL for nil) for the length of `body`.
    private static func withCStrings<T>(_ values: [String?], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
        let copies: [UnsafeMutablePointer<CChar>?] = values.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        return body(copies.map { $0.map { UnsafePointer($0) } })
    }
}
