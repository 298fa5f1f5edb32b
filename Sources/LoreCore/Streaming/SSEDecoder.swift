/// One event of a `text/event-stream`, as the EventSource rules dispatch it.
public struct SSEEvent: Sendable, Equatable {
    /// The `event:` field, or "message" when the event named none.
    public var type: String
    /// The `data:` lines of the event joined with "\n".
    public var data: String
    /// The last event id the stream set (it carries over to later events, as the spec says), or nil if none.
    public var id: String?
    /// A `retry:` value (milliseconds) sent within this event.
    public var retry: Int?

    public init(type: String = "message", data: String, id: String? = nil, retry: Int? = nil) {
        self.type = type
        self.data = data
        self.id = id
        self.retry = retry
    }
}

/// Decodes a Server-Sent Events stream fed in reads of any size, following the parsing rules of the WHATWG
/// EventSource specification: LF, CR and CRLF line breaks (also split across reads), `:` comments, the
/// `data`, `event`, `id` and `retry` fields, one space after the colon removed, a leading byte order mark
/// dropped, invalid UTF-8 replaced by U+FFFD. An event with no `data:` line dispatches nothing.
///
/// Each byte is scanned once and copied a fixed number of times (a line that spans reads into a line
/// buffer, data into the event's buffer, that buffer into the event's string), never once per read, so an
/// event of many megabytes costs time in proportion to its size.
public struct SSEDecoder: Sendable {
    private var splitter = LineSplitter()
    private var builder: SSEEventBuilder
    private let flushesUnterminatedEvent: Bool

    /// True when `finish()` found an event or a line that the stream never terminated; that event was
    /// dropped (unless the decoder flushes it) and the reply it carried is probably cut short.
    public private(set) var endedMidEvent = false

    /// The reconnection time the stream asked for with its latest `retry:` field, in milliseconds.
    public var reconnectionTime: Int? { builder.reconnectionTime }

    /// - Parameters:
    ///   - extraEventFields: field names read as an event of their own: a line `NAME: value` acts as
    ///     `event: NAME` followed by `data: value`. llama.cpp's server reports a failure inside a stream as
    ///     `error: {...}`, a line the standard rules would silently drop.
    ///   - flushesUnterminatedEvent: at `finish()`, dispatch an event that has data but no closing blank
    ///     line instead of discarding it as the specification says. `endedMidEvent` is set either way.
    public init(extraEventFields: Set<String> = [], flushesUnterminatedEvent: Bool = false) {
        builder = SSEEventBuilder(extraEventFields: extraEventFields.map { Array($0.utf8) })
        self.flushesUnterminatedEvent = flushesUnterminatedEvent
    }

    /// Decodes the next read of the stream and returns the events it completed.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [SSEEvent] {
        bytes.withMemoryRebound(to: UInt8.self) { feed($0) }
    }

    /// Decodes the next read of the stream and returns the events it completed.
    public mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>) -> [SSEEvent] {
        splitter.split(bytes, into: &builder)
        return builder.takeEvents()
    }

    /// Decodes the next read of the stream and returns the events it completed.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [SSEEvent] {
        bytes.withStreamBytes { feed($0) }
    }

    /// Ends the stream. What was not terminated by a blank line is discarded, as the specification says,
    /// unless the decoder was made to flush it; `endedMidEvent` tells whether anything was pending.
    @discardableResult
    public mutating func finish() -> [SSEEvent] {
        let lastLine = splitter.finish()
        endedMidEvent = !lastLine.isEmpty || builder.hasPendingEvent
        guard flushesUnterminatedEvent else {
            builder.reset()
            return []
        }
        if !lastLine.isEmpty {
            lastLine.withUnsafeBufferPointer { builder.line($0) }
        }
        builder.line(UnsafeBufferPointer(start: nil, count: 0))
        builder.reset()
        return builder.takeEvents()
    }

    /// Memory held between reads, for tests that check skipped lines do not accumulate.
    var retainedCapacity: Int { splitter.retainedCapacity + builder.retainedCapacity }
}

/// Interprets the lines of an event stream and assembles events from them.
private struct SSEEventBuilder: LineSink, Sendable {
    private static let colon = UInt8(ascii: ":")
    private static let space = UInt8(ascii: " ")
    private static let lf: UInt8 = 0x0A

    let extraEventFields: [[UInt8]]

    private var data: [UInt8] = []
    private var hasData = false
    private var eventType: String?
    private var lastEventID: String?
    private var retry: Int?
    private(set) var reconnectionTime: Int?
    private var events: [SSEEvent] = []

    init(extraEventFields: [[UInt8]]) {
        self.extraEventFields = extraEventFields
    }

    var hasPendingEvent: Bool { hasData || eventType != nil || retry != nil }
    var retainedCapacity: Int { data.capacity }

    mutating func takeEvents() -> [SSEEvent] {
        if events.isEmpty { return [] }
        defer { events = [] }
        return events
    }

    mutating func reset() {
        clearEvent()
    }

    mutating func line(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let first = bytes.first else {
            dispatch()
            return
        }
        if first == Self.colon { return }

        var colonIndex = bytes.count
        for index in 0..<bytes.count where bytes[index] == Self.colon {
            colonIndex = index
            break
        }
        let field = UnsafeBufferPointer(rebasing: bytes[0..<colonIndex])
        var valueStart = Swift.min(colonIndex + 1, bytes.count)
        if valueStart < bytes.count, bytes[valueStart] == Self.space { valueStart += 1 }
        let value = UnsafeBufferPointer(rebasing: bytes[valueStart..<bytes.count])

        if field.elementsEqual("data".utf8) {
            appendData(value)
        } else if field.elementsEqual("event".utf8) {
            eventType = String(decoding: value, as: UTF8.self)
        } else if field.elementsEqual("id".utf8) {
            // The specification ignores an id holding NUL, so that it can never cut a C string short.
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        } else if field.elementsEqual("retry".utf8) {
            if let milliseconds = Self.parseDigits(value) {
                retry = milliseconds
                reconnectionTime = milliseconds
            }
        } else if let extra = extraEventFields.first(where: { field.elementsEqual($0) }) {
            eventType = String(decoding: extra, as: UTF8.self)
            appendData(value)
        }
    }

    private mutating func appendData(_ value: UnsafeBufferPointer<UInt8>) {
        if hasData { data.append(Self.lf) }
        data.append(contentsOf: value)
        hasData = true
    }

    private mutating func dispatch() {
        if hasData {
            let text = data.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
            let type = eventType.flatMap { $0.isEmpty ? nil : $0 } ?? "message"
            events.append(SSEEvent(type: type, data: text, id: lastEventID, retry: retry))
        }
        clearEvent()
    }

    private mutating func clearEvent() {
        if data.capacity > 64 * 1024 {
            data = []
        } else {
            data.removeAll(keepingCapacity: true)
        }
        hasData = false
        eventType = nil
        retry = nil
    }

    /// ASCII digits only, as the specification requires; a value too large for Int is ignored too.
    private static func parseDigits(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var result = 0
        for byte in bytes {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            let (shifted, overflowA) = result.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = shifted.addingReportingOverflow(Int(byte - 0x30))
            if overflowA || overflowB { return nil }
            result = sum
        }
        return result
    }
}
