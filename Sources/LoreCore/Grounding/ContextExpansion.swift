/// Widens each retrieved passage with the passages around it in its section, so that the model reads a
/// hit in its context (the sentence before a definition, the step after a command) instead of a cut-out.
///
/// Rules, in this order of importance:
/// - a hit is never displaced: expansion only spends tokens on top of the hits themselves, within
///   `totalTokens` for all sources together and `perSourceTokens` for each;
/// - a source grows within its own document and section (same heading path), one neighbour at a time,
///   alternating after and before, and the sources take turns in rank order, so the best hit grows first
///   but no source takes the whole budget while others get nothing;
/// - when a source grows into another hit, the two become one source in the better-ranked place, so the
///   model never reads the same text twice and the freed place is not refilled with a repeat;
/// - chunks overlap by a few sentences; joined text carries the overlap once.
///
/// The result keeps each source's hit id and score; its text, lines and pages become those of the span.
public enum ContextExpansion {
    public struct Source: Sendable, Equatable {
        /// The widened passage: the first hit's id and score, the span's text, lines and pages.
        public var passage: Passage
        /// The ids of the passages the span is made of, in document order.
        public var parts: [Int64]
        /// The hits that the span took in, best first (the source's own hit first).
        public var hits: [Int64]
    }

    /// `runs` are ordered runs of consecutive passages of one section each (any hit among them), as the
    /// store reads them around the hits; a passage in several runs counts once.
    public static func expand(hits: [Passage], runs: [[Passage]], perSourceTokens: Int,
                              totalTokens: Int) -> [Source] {
        var previous: [Int64: Passage] = [:]
        var next: [Int64: Passage] = [:]
        for run in runs {
            for (a, b) in zip(run, run.dropFirst()) where a.documentPath == b.documentPath && a.headingPath == b.headingPath {
                next[a.id] = b
                previous[b.id] = a
            }
        }
        struct Span {
            var parts: [Passage]
            var hits: [Int64]
            var tokens: Int
            var grewAfterLast = false
            var alive = true
        }
        var spans: [Span] = []
        var seen = Set<Int64>()
        for hit in hits where seen.insert(hit.id).inserted {
            spans.append(Span(parts: [hit], hits: [hit.id], tokens: estimateTokens(hit.text)))
        }
        // Which live span holds each passage.
        var owner: [Int64: Int] = [:]
        for (index, span) in spans.enumerated() { owner[span.parts[0].id] = index }
        var used = spans.reduce(0) { $0 + $1.tokens }

        var grew = true
        while grew {
            grew = false
            for index in spans.indices where spans[index].alive {
                // After first, then before; a side that cannot grow leaves the turn to the other.
                let sides = spans[index].grewAfterLast ? [false, true] : [true, false]
                for after in sides {
                    let edge = after ? spans[index].parts.last! : spans[index].parts.first!
                    guard let neighbour = after ? next[edge.id] : previous[edge.id] else { continue }
                    if let other = owner[neighbour.id], other != index {
                        // Grown into another hit's span: the better-ranked one keeps both.
                        let (keep, drop) = other < index ? (other, index) : (index, other)
                        let merged = after == (keep == index)
                            ? spans[keep].parts + spans[drop].parts : spans[drop].parts + spans[keep].parts
                        let before = spans[keep].tokens + spans[drop].tokens
                        spans[keep].parts = merged
                        spans[keep].hits += spans[drop].hits
                        spans[keep].tokens = joinedTokens(merged)
                        used += spans[keep].tokens - before
                        spans[drop].alive = false
                        for part in spans[drop].parts { owner[part.id] = keep }
                        grew = true
                        break
                    }
                    let added = after ? spans[index].parts + [neighbour] : [neighbour] + spans[index].parts
                    let tokens = joinedTokens(added)
                    let cost = tokens - spans[index].tokens
                    guard tokens <= perSourceTokens, used + cost <= totalTokens else { continue }
                    spans[index].parts = added
                    spans[index].tokens = tokens
                    spans[index].grewAfterLast = after
                    owner[neighbour.id] = index
                    used += cost
                    grew = true
                    break
                }
            }
        }
        return spans.filter(\.alive).map { span in
            let hit = hits.first { $0.id == span.hits[0] }!
            var passage = hit
            if span.parts.count > 1 {
                passage.text = joined(span.parts.map(\.text))
                passage.lineStart = span.parts.map(\.lineStart).min()!
                passage.lineEnd = span.parts.map(\.lineEnd).max()!
                let pages = span.parts.compactMap(\.pageStart) + span.parts.compactMap(\.pageEnd)
                passage.pageStart = pages.min()
                passage.pageEnd = pages.max()
            }
            return Source(passage: passage, parts: span.parts.map(\.id), hits: span.hits)
        }
    }

    private static func joinedTokens(_ parts: [Passage]) -> Int {
        estimateTokens(joined(parts.map(\.text)))
    }

    /// Texts of consecutive chunks as one, the overlap between neighbours carried once.
    public static func joined(_ texts: [String]) -> String {
        guard var out = texts.first else { return "" }
        for text in texts.dropFirst() {
            let shared = overlap(out, text)
            if shared > 0 {
                // The rest carries on where the repeated sentences end, with its own spacing.
                out += String(decoding: text.utf8.dropFirst(shared), as: UTF8.self)
            } else {
                out += "\n\n" + text
            }
        }
        return out
    }

    /// Bytes at the start of `b` that repeat the end of `a` (the chunker's overlap), 0 when none of at least
    /// `minimumOverlap` bytes. The overlap starts at a word or sentence boundary of `b`, so only the ends
    /// of `a` that begin like `b` are tried.
    static func overlap(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8), y = Array(b.utf8)
        let limit = min(x.count, y.count, maximumOverlap)
        guard limit >= minimumOverlap else { return 0 }
        let probe = y[0..<minimumOverlap]
        var start = x.count - limit
        while start <= x.count - minimumOverlap {
            if x[start..<(start + minimumOverlap)].elementsEqual(probe) {
                let length = x.count - start
                if x[start...].elementsEqual(y[0..<length]) { return length }
            }
            start += 1
        }
        return 0
    }

    static let minimumOverlap = 12
    static let maximumOverlap = 4096
}
