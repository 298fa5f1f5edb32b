/// Decodes newline-delimited JSON (Ollama's streaming format) fed in reads of any size into its records,
/// one string per non-blank line. CRLF and lone CR count as line breaks, blank lines are skipped, a leading
/// byte order mark is dropped, a UTF-8 character split across reads is put back together and invalid bytes
/// become U+FFFD. The lines are not parsed as JSON here.
public struct NDJSONDecoder: Sendable {
    private var splitter = LineSplitter()
    private var collector = LineCollector()

    public init() {}

    /// Decodes the next read and returns the lines it completed.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [String] {
        bytes.withMemoryRebound(to: UInt8.self) { feed($0) }
    }

    /// Decodes the next read and returns the lines it completed.
    public mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        splitter.split(bytes, into: &collector)
        return collector.take()
    }

    /// Decodes the next read and returns the lines it completed.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [String] {
        bytes.withStreamBytes { feed($0) }
    }

    /// Ends the stream and returns its last line when that line had no line break after it.
    public mutating func finish() -> [String] {
        let last = splitter.finish()
        last.withUnsafeBufferPointer { collector.line($0) }
        return collector.take()
    }

    /// Memory held between reads, for tests that check skipped lines do not accumulate.
    var retainedCapacity: Int { splitter.retainedCapacity }
}

private struct LineCollector: LineSink, Sendable {
    private var lines: [String] = []

    mutating func line(_ bytes: UnsafeBufferPointer<UInt8>) {
        // Whitespace between records is allowed by JSON, so a line of only spaces or tabs holds no record.
        guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return }
        lines.append(String(decoding: bytes, as: UTF8.self))
    }

    mutating func take() -> [String] {
        if lines.isEmpty { return [] }
        defer { lines = [] }
        return lines
    }
}
