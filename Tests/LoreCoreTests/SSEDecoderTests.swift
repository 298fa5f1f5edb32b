import Foundation
import Testing
@testable import LoreCore

@Suite("SSE decoder")
struct SSEDecoderTests {
    @Test("LF, CR and CRLF line endings mixed in one stream give the same events")
    func mixedLineEndings() {
        let stream = "data: one\n\ndata: two\r\rdata: three\r\ndata: 3\r\n\r\nevent: x\r\ndata: four\rdata: 4\r\n\n"
        let expected = SSEOutcome(events: [
            SSEEvent(data: "one"), SSEEvent(data: "two"), SSEEvent(data: "three\n3"), SSEEvent(type: "x", data: "four\n4"),
        ])
        expectSameOutcomeForEverySplit(utf8(stream), expected: expected) { decodeSSE($0) }
    }

    @Test("CR at the end of one read and LF at the start of the next are one line break")
    func crlfAcrossReads() {
        var decoder = SSEDecoder()
        #expect(decoder.feed(utf8("data: a\r")).isEmpty)
        // Were the LF a second line break, it would end the event here with data "a".
        #expect(decoder.feed(utf8("\ndata: b\r")).isEmpty)
        #expect(decoder.feed(utf8("\n\r\n")) == [SSEEvent(data: "a\nb")])
        decoder.finish()
        #expect(!decoder.endedMidEvent)
    }

    @Test("several data lines join with LF; data: without a space; only one space is removed")
    func dataLines() {
        let stream = "data: first\ndata:second\ndata:  third\ndata\ndata:\n\n"
        let expected = SSEOutcome(events: [SSEEvent(data: "first\nsecond\n third\n\n")])
        expectSameOutcomeForEverySplit(utf8(stream), expected: expected) { decodeSSE($0) }
    }

    @Test("an empty data line is still an event, with empty data")
    func emptyData() {
        expectSameOutcomeForEverySplit(utf8("data:\n\n"), expected: SSEOutcome(events: [SSEEvent(data: "")])) {
            decodeSSE($0)
        }
    }

    @Test("comments, events without data, unknown fields and extra blank lines dispatch nothing")
    func ignoredLines() {
        let stream = ": keep-alive\n\nevent: ping\n\n:\nbogus: field\nevent\n\n\n\ndata: real\nunknown\n\n"
        let expected = SSEOutcome(events: [SSEEvent(data: "real")])
        expectSameOutcomeForEverySplit(utf8(stream), expected: expected) { decodeSSE($0) }
    }

    @Test("event names, an empty event name, ids that carry over, NUL ids and retry")
    func fields() {
        let stream = "event: update\nid: 7\nretry: 1500\ndata: a\n\nevent:\ndata: b\n\nid: bad\u{0}id\nretry: 12x\ndata: c\n\nid\ndata: d\n\n"
        let expected = SSEOutcome(events: [
            SSEEvent(type: "update", data: "a", id: "7", retry: 1500),
            SSEEvent(type: "message", data: "b", id: "7"),
            SSEEvent(data: "c", id: "7"),
            SSEEvent(data: "d", id: ""),
        ])
        expectSameOutcomeForEverySplit(utf8(stream), expected: expected) { decodeSSE($0) }

        var decoder = SSEDecoder()
        _ = decoder.feed(utf8("retry: 3000\n\nretry: 99999999999999999999999\n\n"))
        #expect(decoder.reconnectionTime == 3000)
    }

    @Test("a UTF-8 character split across reads is reassembled; U+2028 is not a line break")
    func unicode() {
        let stream = "data: {\"t\":\"naïve 日本語 🎉 a\u{2028}b\u{2029}c\u{85}d\"}\n\n"
        let expected = SSEOutcome(events: [SSEEvent(data: "{\"t\":\"naïve 日本語 🎉 a\u{2028}b\u{2029}c\u{85}d\"}")])
        expectSameOutcomeForEverySplit(utf8(stream), expected: expected) { decodeSSE($0) }
    }

    @Test("invalid UTF-8 becomes U+FFFD")
    func invalidBytes() {
        let bytes = utf8("data: a") + [0xFF, 0xC3] + utf8("b") + [0xE2, 0x82] + utf8("\n\n")
        let expected = SSEOutcome(events: [SSEEvent(data: "a\u{FFFD}\u{FFFD}b\u{FFFD}")])
        expectSameOutcomeForEverySplit(bytes, expected: expected) { decodeSSE($0) }
    }

    @Test("a leading byte order mark is removed once, also when split; a second one is kept")
    func byteOrderMark() {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        expectSameOutcomeForEverySplit(bom + utf8("data: x\n\n"), expected: SSEOutcome(events: [SSEEvent(data: "x")])) {
            decodeSSE($0)
        }
        // After the first mark, a second makes the field name "\u{FEFF}data", which is unknown and ignored.
        expectSameOutcomeForEverySplit(bom + bom + utf8("data: x\n\ndata: y\n\n"),
                                       expected: SSEOutcome(events: [SSEEvent(data: "y")])) { decodeSSE($0) }
        // Only at the start of the stream: inside data it is text.
        expectSameOutcomeForEverySplit(utf8("data: a") + bom + utf8("\n\n"),
                                       expected: SSEOutcome(events: [SSEEvent(data: "a\u{FEFF}")])) { decodeSSE($0) }
    }

    @Test("bytes that only begin like a byte order mark are kept as text")
    func partialByteOrderMark() {
        // EF BB followed by "d": not a mark, and not valid UTF-8 either, so it turns into one U+FFFD.
        let bytes: [UInt8] = [0xEF, 0xBB] + utf8("data: x\n\ndata: y\n\n")
        expectSameOutcomeForEverySplit(bytes, expected: SSEOutcome(events: [SSEEvent(data: "y")])) { decodeSSE($0) }

        var decoder = SSEDecoder()
        #expect(decoder.feed([0xEF]).isEmpty)
        decoder.finish()
        #expect(decoder.endedMidEvent)
    }

    @Test("a stream that ends mid-event drops that event and says so")
    func endsMidEvent() {
        let expected = SSEOutcome(events: [SSEEvent(data: "done")], endedMidEvent: true)
        expectSameOutcomeForEverySplit(utf8("data: done\n\ndata: partial\n"), expected: expected) { decodeSSE($0) }
        expectSameOutcomeForEverySplit(utf8("data: done\n\ndata: part"), expected: expected) { decodeSSE($0) }
        expectSameOutcomeForEverySplit(utf8("data: done\n\n"), expected: SSEOutcome(events: [SSEEvent(data: "done")])) {
            decodeSSE($0)
        }
    }

    @Test("a decoder made to flush dispatches the unterminated event at the end")
    func flushesAtEnd() {
        let decoder = SSEDecoder(flushesUnterminatedEvent: true)
        let expected = SSEOutcome(events: [SSEEvent(data: "a"), SSEEvent(type: "t", data: "b\nc")], endedMidEvent: true)
        expectSameOutcomeForEverySplit(utf8("data: a\n\nevent: t\ndata: b\ndata: c"), expected: expected) {
            decodeSSE($0, decoder: decoder)
        }
        // A trailing comment is not an event: nothing to flush, but the stream still ended mid-line.
        expectSameOutcomeForEverySplit(utf8("data: a\n\n: bye"),
                                       expected: SSEOutcome(events: [SSEEvent(data: "a")], endedMidEvent: true)) {
            decodeSSE($0, decoder: decoder)
        }
    }

    @Test("an extra event field reads `error: {...}` as an error event (llama.cpp)")
    func extraEventFields() {
        let decoder = SSEDecoder(extraEventFields: ["error"])
        let stream = "data: {\"a\":1}\n\nerror: {\"message\":\"boom\"}\n\n"
        let expected = SSEOutcome(events: [SSEEvent(data: "{\"a\":1}"), SSEEvent(type: "error", data: "{\"message\":\"boom\"}")])
        expectSameOutcomeForEverySplit(utf8(stream), expected: expected) { decodeSSE($0, decoder: decoder) }
        // Without the option, the standard rules drop the line.
        #expect(decodeSSE([utf8(stream)[...]]).events == [SSEEvent(data: "{\"a\":1}")])
    }

    @Test("10,000 comments are skipped without holding memory")
    func manyComments() {
        let comment = utf8(": this is a keep-alive comment that the server sends while it thinks\n")
        var decoder = SSEDecoder()
        for _ in 0..<10_000 {
            #expect(decoder.feed(comment).isEmpty)
        }
        #expect(decoder.retainedCapacity < 1024)

        // One byte at a time exercises the buffer that holds partial lines.
        var byteFed = SSEDecoder()
        for _ in 0..<10_000 {
            for byte in comment { _ = byteFed.feed(CollectionOfOne(byte)) }
        }
        #expect(byteFed.retainedCapacity < 1024)

        let all = Array(repeating: comment, count: 10_000).flatMap { $0 } + utf8("data: after\n\n")
        #expect(decodeSSE([all[...]]) == SSEOutcome(events: [SSEEvent(data: "after")]))
    }

    @Test("an event of 4 MiB is decoded whole, in reads of any size")
    func hugeEvent() {
        let payload = String(repeating: "0123456789abcdef", count: 4 * 1024 * 1024 / 16)
        let bytes = utf8("event: big\ndata: " + payload + "\ndata: tail\n\ndata: next\n\n")
        let expected = SSEOutcome(events: [SSEEvent(type: "big", data: payload + "\ntail"), SSEEvent(data: "next")])
        #expect(decodeSSE([bytes[...]]) == expected)
        let reads = stride(from: 0, to: bytes.count, by: 65_536).map { bytes[$0..<min($0 + 65_536, bytes.count)] }
        #expect(decodeSSE(reads) == expected)
        let smallReads = stride(from: 0, to: bytes.count, by: 1_000).map { bytes[$0..<min($0 + 1_000, bytes.count)] }
        #expect(decodeSSE(smallReads) == expected)
        for cut in [1, 17, bytes.count / 2, bytes.count - 14, bytes.count - 1] {
            #expect(decodeSSE([bytes[..<cut], bytes[cut...]]) == expected, "split at \(cut)")
        }

        // The buffers that held it are released, not kept for the rest of the stream.
        var decoder = SSEDecoder()
        _ = decoder.feed(bytes[..<(bytes.count / 2)])
        _ = decoder.feed(bytes[(bytes.count / 2)...])
        #expect(decoder.retainedCapacity < 128 * 1024)
    }

    @Test("raw buffer pointers, Data and non-contiguous sequences decode like arrays")
    func inputKinds() {
        var decoder = SSEDecoder()
        let events = utf8("data: raw\n\n").withUnsafeBytes { decoder.feed($0) }
        #expect(events == [SSEEvent(data: "raw")])
        #expect(decoder.feed(Data("data: da".utf8)).isEmpty)
        #expect(decoder.feed(Data("ta\n\n".utf8)) == [SSEEvent(data: "data")])
        #expect(decoder.feed(utf8("data: lazy\n\n").lazy.map { $0 }) == [SSEEvent(data: "lazy")])
    }
}
