import Foundation
import Testing
@testable import LoreCore

/// Decodes `bytes` in every way a network could deliver them — whole, one byte per read, and cut in two at
/// each position (or at the positions given) — and checks that each way gives `expected`. Stops at the
/// first failing cut so that one bug does not report thousands of times.
func expectSameOutcomeForEverySplit<Outcome: Equatable>(
    _ bytes: [UInt8], expected: Outcome, cuts: [Int]? = nil, sourceLocation: SourceLocation = #_sourceLocation,
    _ decode: ([ArraySlice<UInt8>]) -> Outcome
) {
    #expect(decode([bytes[...]]) == expected, "fed whole", sourceLocation: sourceLocation)
    #expect(decode(bytes.indices.map { bytes[$0..<$0 + 1] }) == expected, "fed one byte at a time",
            sourceLocation: sourceLocation)
    for cut in cuts ?? Array(0...bytes.count) {
        let outcome = decode([bytes[..<cut], bytes[cut...]])
        if outcome != expected {
            #expect(outcome == expected, "split at byte \(cut) of \(bytes.count)", sourceLocation: sourceLocation)
            return
        }
    }
}

/// What an SSE decoder made of a whole stream.
struct SSEOutcome: Equatable {
    var events: [SSEEvent]
    var endedMidEvent = false
}

func decodeSSE(_ reads: [ArraySlice<UInt8>], decoder: SSEDecoder = SSEDecoder()) -> SSEOutcome {
    var decoder = decoder
    var events: [SSEEvent] = []
    for read in reads { events += decoder.feed(read) }
    events += decoder.finish()
    return SSEOutcome(events: events, endedMidEvent: decoder.endedMidEvent)
}

func decodeNDJSON(_ reads: [ArraySlice<UInt8>]) -> [String] {
    var decoder = NDJSONDecoder()
    var lines: [String] = []
    for read in reads { lines += decoder.feed(read) }
    return lines + decoder.finish()
}

/// What a chat stream parser made of a whole response body.
struct ParseOutcome: Equatable {
    var events: [ChatStreamEvent]
    var isComplete: Bool

    var text: String {
        events.reduce(into: "") { if case .text(let piece) = $1 { $0 += piece } }
    }

    var reasoning: String {
        events.reduce(into: "") { if case .reasoning(let piece) = $1 { $0 += piece } }
    }

    var errors: [ChatStreamEvent] {
        events.filter { if case .error = $0 { true } else { false } }
    }

    var lastUsage: TokenUsage? {
        events.reversed().lazy.compactMap { if case .usage(let usage) = $0 { usage } else { nil } }.first
    }
}

func parse<Parser: ChatStreamParser>(_ parser: Parser, _ reads: [ArraySlice<UInt8>]) -> ParseOutcome {
    var parser = parser
    var events: [ChatStreamEvent] = []
    for read in reads { events += parser.feed(read) }
    events += parser.finish()
    return ParseOutcome(events: events, isComplete: parser.isComplete)
}

func parse<Parser: ChatStreamParser>(_ parser: Parser, _ text: String) -> ParseOutcome {
    let bytes = Array(text.utf8)
    return parse(parser, [bytes[...]])
}

func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The byte-exact server recordings in the shared fixtures folder, found beside the repository.
enum StreamFixtures {
    static let directory: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent()
        .appendingPathComponent("../../../shared/fixtures/streams")
        .standardizedFileURL

    static var available: Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("llamacpp-openai-chat.sse").path)
    }

    static let absenceNote: Comment = "stream fixtures not found at ../shared/fixtures/streams beside the repository"

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }
}
