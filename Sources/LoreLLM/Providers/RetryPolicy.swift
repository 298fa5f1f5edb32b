import Foundation

/// When a failed chat request is tried again. Only failures that say "not now" are retried (429, 5xx
/// gateway and overload statuses), only a bounded number of times, and never once any part of the
/// answer has been shown: a retry then would print the answer twice.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in total, the first included.
    public var maxAttempts: Int
    /// The longest single wait. A server asking for longer is not retried: the person is better served
    /// by the error than by a frozen screen.
    public var maxDelay: Double
    /// Wait before the second attempt when the server names none; doubled for each further one.
    public var baseDelay: Double

    public static let retryableStatuses: Set<Int> = [429, 500, 502, 503, 529]
    public static let standard = RetryPolicy(maxAttempts: 3, maxDelay: 30, baseDelay: 1)
    public static let never = RetryPolicy(maxAttempts: 1, maxDelay: 0, baseDelay: 0)

    public init(maxAttempts: Int, maxDelay: Double, baseDelay: Double) {
        self.maxAttempts = maxAttempts
        self.maxDelay = maxDelay
        self.baseDelay = baseDelay
    }

    /// Seconds to wait before attempt `attempt + 1` after `error` ended attempt `attempt` (1-based), or nil
    /// to give up.
    public func delay(after error: LLMError, attempt: Int) -> Double? {
        guard attempt < maxAttempts, error.isTransient else { return nil }
        let wait = error.retryAfter ?? baseDelay * pow(2, Double(attempt - 1))
        return wait <= maxDelay ? max(0, wait) : nil
    }

    /// The wait a response asks for: `retry-after-ms` (milliseconds, preferred for its precision), else
    /// `Retry-After` as seconds or as an HTTP date.
    public static func retryAfter(_ headers: [HTTPHeader], now: Date = Date()) -> Double? {
        if let ms = headers.value(for: "retry-after-ms").flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }),
           ms.isFinite, ms >= 0 {
            return ms / 1000
        }
        guard let raw = headers.value(for: "Retry-After")?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(raw), seconds.isFinite, seconds >= 0 { return seconds }
        guard let date = parseHTTPDate(raw) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    /// IMF-fixdate, the only form RFC 9110 lets servers send, plus the two obsolete forms it asks
    /// recipients to accept.
    static func parseHTTPDate(_ text: String) -> Date? {
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
