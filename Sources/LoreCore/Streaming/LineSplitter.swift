/// Cuts a byte stream into lines, whatever the size and boundaries of the reads it arrives in.
///
/// A line ends at LF, CR or CRLF (the rule of the EventSource format, harmless for NDJSON because JSON text
/// never holds a raw CR or LF). A CRLF split across two reads is still one line break, so the CR is
/// remembered until the next byte is seen. One UTF-8 byte order mark at the very start of the stream is
/// dropped, even when it arrives a byte at a time.
///
/// Lines are handed to a sink as byte buffers rather than strings: decoding happens once per event or
/// record, after the pieces of a character split across reads are together again.
struct LineSplitter: Sendable {
    private static let lf: UInt8 = 0x0A
    private static let cr: UInt8 = 0x0D
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    /// Past this, a buffer that held one huge line is released instead of kept for reuse, so that a single
    /// multi-megabyte event does not pin its memory for the rest of the stream.
    private static let retainedCapacityLimit = 64 * 1024

    /// Bytes of a line whose end has not arrived yet.
    private var partial: [UInt8] = []
    /// The previous read ended with CR: an LF opening the next read belongs to the same line break.
    private var afterCR = false
    /// How many bytes of a leading byte order mark have been matched; nil once the question is settled.
    private var matchedBOMBytes: Int? = 0

    /// The memory held between reads; tests use it to check that skipped lines do not accumulate.
    var retainedCapacity: Int { partial.capacity }

    mutating func split<Sink: LineSink>(_ input: UnsafeBufferPointer<UInt8>, into sink: inout Sink) {
        var start = 0
        let count = input.count
        if count == 0 { return }

        if let matched = matchedBOMBytes {
            var matchedNow = matched
            while matchedNow < 3, start < count, input[start] == Self.byteOrderMark[matchedNow] {
                matchedNow += 1
                start += 1
            }
            if matchedNow == 3 {
                matchedBOMBytes = nil
            } else if start == count {
                // The read ended inside what may still be a byte order mark; wait for more.
                matchedBOMBytes = matchedNow
                return
            } else {
                // Not a mark after all: the bytes held back are ordinary text of the first line.
                partial.append(contentsOf: Self.byteOrderMark[0..<matchedNow])
                matchedBOMBytes = nil
            }
        }

        if afterCR {
            afterCR = false
            if start < count, input[start] == Self.lf { start += 1 }
        }

        var lineStart = start
        var index = start
        while index < count {
            let byte = input[index]
            if byte != Self.lf && byte != Self.cr {
                index += 1
                continue
            }
            emit(UnsafeBufferPointer(rebasing: input[lineStart..<index]), into: &sink)
            if byte == Self.cr {
                if index + 1 < count {
                    if input[index + 1] == Self.lf { index += 1 }
                } else {
                    afterCR = true
                }
            }
            index += 1
            lineStart = index
        }
        if lineStart < count {
            partial.append(contentsOf: UnsafeBufferPointer(rebasing: input[lineStart..<count]))
        }
    }

    /// Ends the stream and returns the bytes of a last line that had no line break, if any.
    mutating func finish() -> [UInt8] {
        var rest = partial
        if let matched = matchedBOMBytes, matched > 0 {
            rest = Array(Self.byteOrderMark[0..<matched])
        }
        partial = []
        afterCR = false
        matchedBOMBytes = 0
        return rest
    }

    private mutating func emit<Sink: LineSink>(_ tail: UnsafeBufferPointer<UInt8>, into sink: inout Sink) {
        if partial.isEmpty {
            // The common case: the whole line is inside this read, so it is never copied.
            sink.line(tail)
            return
        }
        partial.append(contentsOf: tail)
        partial.withUnsafeBufferPointer { sink.line($0) }
        if partial.capacity > Self.retainedCapacityLimit {
            partial = []
        } else {
            partial.removeAll(keepingCapacity: true)
        }
    }
}

/// What receives the lines a `LineSplitter` cuts.
protocol LineSink {
    mutating func line(_ bytes: UnsafeBufferPointer<UInt8>)
}

extension Sequence<UInt8> {
    /// Runs `body` over the bytes as one contiguous buffer, copying only when the sequence is not stored
    /// contiguously already.
    func withStreamBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = withContiguousStorageIfAvailable(body) { return result }
        return Array(self).withUnsafeBufferPointer(body)
    }
}
