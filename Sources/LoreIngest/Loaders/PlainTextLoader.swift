import LoreCore

/// Plain text: paragraphs between blank lines; a line underlined with `===` or `---`, or a Markdown-style
/// `# ` line, is a heading.
enum PlainTextLoader {
    static func load(_ text: String) -> LoadedDocument {
        let lines = SourceLines(text)
        var blocks: [Block] = []
        var paragraphStart: Int?
        var i = 0

        func closeParagraph(before end: Int) {
            guard let start = paragraphStart else { return }
            paragraphStart = nil
            let body = (start..<end).map { lines[$0] }.joined(separator: "\n")
            blocks.append(Block(kind: .paragraph, text: body, lineStart: start + 1, lineEnd: end))
        }

        while i < lines.count {
            let line = lines[i]
            if SourceLines.isBlank(line) {
                closeParagraph(before: i)
                i += 1
                continue
            }
            if i + 1 < lines.count, let level = underlineLevel(lines[i + 1]),
               SourceLines.indentation(line) == 0, lines[i + 1].count >= min(3, line.count) {
                closeParagraph(before: i)
                blocks.append(Block(kind: .heading(level: level), text: String(SourceLines.trimmed(line)),
                                    lineStart: i + 1, lineEnd: i + 2))
                i += 2
                continue
            }
            if let (level, title) = hashHeading(line) {
                closeParagraph(before: i)
                blocks.append(Block(kind: .heading(level: level), text: title, lineStart: i + 1, lineEnd: i + 1))
                i += 1
                continue
            }
            if paragraphStart == nil { paragraphStart = i }
            i += 1
        }
        closeParagraph(before: lines.count)

        let title: String?
        if case .heading = blocks.first?.kind {
            title = blocks.first?.text
        } else if let first = lines.lines.first(where: { !SourceLines.isBlank($0) }), first.count <= 100 {
            title = String(SourceLines.trimmed(first))
        } else {
            title = nil
        }
        return LoadedDocument(title: title, format: .text, blocks: blocks)
    }

    /// `====` is a first-level heading, `----` a second-level one (as in Markdown's setext headings).
    private static func underlineLevel(_ line: Substring) -> Int? {
        let t = SourceLines.trimmed(line)
        guard t.utf8.count >= 3, let first = t.utf8.first, first == 0x3D || first == 0x2D,
              t.utf8.allSatisfy({ $0 == first }) else { return nil }
        return first == 0x3D ? 1 : 2
    }

    static func hashHeading(_ line: Substring) -> (Int, String)? {
        var level = 0
        var index = line.utf8.startIndex
        while index < line.utf8.endIndex, line.utf8[index] == 0x23, level < 7 {
            level += 1
            index = line.utf8.index(after: index)
        }
        guard (1...6).contains(level), index < line.utf8.endIndex, line.utf8[index] == 0x20 else { return nil }
        let title = SourceLines.trimmed(line[index...])
        return title.isEmpty ? nil : (level, String(title))
    }
}
