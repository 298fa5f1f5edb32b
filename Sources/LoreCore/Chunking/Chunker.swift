/// Cuts a loaded document into passages that follow its structure.
///
/// A heading always starts a new chunk and every chunk knows the headings above it. Within a section,
/// consecutive blocks are packed up to the target size; a code block or table is never cut unless it alone
/// is larger than the maximum, and then only between lines. A section cut into several chunks repeats a
/// little of the previous chunk at the start of the next.
public enum Chunker {
    public static func chunk(_ doc: LoadedDocument, options: ChunkingOptions = .default) -> [ChunkDraft] {
        var builder = ChunkBuilder(options: options)
        for block in doc.blocks { builder.add(block) }
        builder.finish()
        guard !doc.pageStarts.isEmpty else { return builder.chunks }
        // Pages follow from lines: a passage spans the pages of its first and last line.
        return builder.chunks.map { chunk in
            var paged = chunk
            paged.pageStart = doc.page(ofLine: chunk.lineStart)
            paged.pageEnd = doc.page(ofLine: chunk.lineEnd)
            return paged
        }
    }
}

private struct ChunkBuilder {
    struct Part {
        var text: String
        var kind: Block.Kind
        var lineStart: Int
        var lineEnd: Int
        var tokens: Int
        var isHeading: Bool { if case .heading = kind { true } else { false } }
    }

    let options: ChunkingOptions
    var chunks: [ChunkDraft] = []
    private var headings: [(level: Int, text: String)] = []
    private var parts: [Part] = []
    private var tokens = 0
    private var hasBody = false

    init(options: ChunkingOptions) { self.options = options }

    mutating func add(_ block: Block) {
        let text = Self.trimmed(block.text, keepIndentation: block.kind == .code)
        guard !text.isEmpty else { return }
        let part = Part(text: text, kind: block.kind, lineStart: block.lineStart,
                        lineEnd: max(block.lineStart, block.lineEnd), tokens: estimateTokens(text))
        switch block.kind {
        case .heading(let level):
            if hasBody { flush() }
            while let top = headings.last, top.level >= level { headings.removeLast() }
            headings.append((level, Self.oneLine(text)))
            append(part)
        default:
            if part.tokens > options.maxTokens {
                if hasBody { flush() }
                splitOversized(part)
                return
            }
            if hasBody && tokens + part.tokens > options.targetTokens {
                let carried = overlap()
                flush()
                for p in carried { append(p) }
            }
            append(part)
            hasBody = true
        }
    }

    mutating func finish() {
        // Headings at the very end have no following chunk to join; they are still text worth finding.
        flush()
    }

    private mutating func append(_ part: Part) {
        parts.append(part)
        tokens += part.tokens
    }

    private mutating func flush() {
        defer {
            parts.removeAll(keepingCapacity: true)
            tokens = 0
            hasBody = false
        }
        guard let first = parts.first else { return }
        let text = parts.count == 1 ? first.text : parts.map(\.text).joined(separator: "\n\n")
        emit(text: text, lineStart: parts.map(\.lineStart).min() ?? first.lineStart,
             lineEnd: parts.map(\.lineEnd).max() ?? first.lineEnd)
    }

    private mutating func emit(text: String, lineStart: Int, lineEnd: Int) {
        chunks.append(ChunkDraft(headingPath: headings.map(\.text), text: text, lineStart: lineStart,
                                 lineEnd: lineEnd, tokenEstimate: estimateTokens(text)))
    }

    /// The tail of the current chunk to repeat at the start of the next: whole blocks when they fit in the
    /// overlap budget, else the last sentences of the last prose block. The first body block is never
    /// carried, so no chunk is wholly contained in its successor.
    private func overlap() -> [Part] {
        guard options.overlapTokens > 0 else { return [] }
        let body = parts.filter { !$0.isHeading }
        guard let last = body.last else { return [] }
        var carried: [Part] = []
        var budget = options.overlapTokens
        for p in body.dropFirst().reversed() {
            guard p.tokens <= budget else { break }
            carried.insert(p, at: 0)
            budget -= p.tokens
        }
        if !carried.isEmpty { return carried }
        guard last.kind != .code, last.kind != .table, last.tokens > options.overlapTokens * 2 else { return [] }
        let splitter = TextSplitter(target: options.overlapTokens, overlap: 0, mode: .prose)
        guard let tail = splitter.trailing(last.text) else { return [] }
        let mapper = LineMapper(text: last.text, lineStart: last.lineStart, lineEnd: last.lineEnd)
        let (a, b) = mapper.lines(tail.start, tail.end)
        return [Part(text: tail.text, kind: last.kind, lineStart: a, lineEnd: b, tokens: estimateTokens(tail.text))]
    }

    /// A block larger than the maximum becomes several chunks of its own. Pending headings join the first.
    private mutating func splitOversized(_ part: Part) {
        let verbatim = part.kind == .code || part.kind == .table
        let splitter = TextSplitter(target: options.targetTokens,
                                    overlap: verbatim ? 0 : options.overlapTokens,
                                    mode: verbatim ? .lines : .prose)
        let mapper = LineMapper(text: part.text, lineStart: part.lineStart, lineEnd: part.lineEnd)
        for piece in splitter.split(part.text) {
            let (a, b) = mapper.lines(piece.start, piece.end)
            if parts.isEmpty {
                emit(text: piece.text, lineStart: a, lineEnd: b)
            } else {
                append(Part(text: piece.text, kind: part.kind, lineStart: a, lineEnd: b, tokens: 0))
                flush()
            }
        }
        parts.removeAll()
        tokens = 0
        hasBody = false
    }

    private static func trimmed(_ text: String, keepIndentation: Bool) -> String {
        let utf8 = text.utf8
        var start = utf8.startIndex
        var end = utf8.endIndex
        func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }
        if keepIndentation {
            // Only whole blank lines go, so the first line of code keeps its indentation.
            var i = start
            while i < end, blank(utf8[i]) {
                if utf8[i] == 0x0A { start = utf8.index(after: i) }
                i = utf8.index(after: i)
            }
            if i == end { return "" }
        } else {
            while start < end, blank(utf8[start]) { start = utf8.index(after: start) }
        }
        while end > start, blank(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
        if start == utf8.startIndex && end == utf8.endIndex { return text }
        return String(text[start..<end])
    }

    private static func oneLine(_ text: String) -> String {
        guard text.utf8.contains(0x0A) else { return text }
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingSpaces() }.joined(separator: " ")
    }
}

private extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
