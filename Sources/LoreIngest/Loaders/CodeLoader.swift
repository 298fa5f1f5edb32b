import LoreCore

/// Source code: one block per run of lines between blank lines that precede a top-level line (one that
/// starts in column 0 and does not just close a bracket). Blank lines inside an indented body therefore keep
/// a function together; the chunker then packs or cuts blocks at line boundaries.
enum CodeLoader {
    static func load(_ text: String, path: String) -> LoadedDocument {
        let lines = SourceLines(text)
        var blocks: [Block] = []
        var start: Int?
        var lastNonBlank = -1
        var sawBlank = false

        func close() {
            guard let s = start, lastNonBlank >= s else { return }
            let body = (s...lastNonBlank).map { lines[$0] }.joined(separator: "\n")
            blocks.append(Block(kind: .code, text: body, lineStart: s + 1, lineEnd: lastNonBlank + 1))
            start = nil
        }

        for i in 0..<lines.count {
            let line = lines[i]
            if SourceLines.isBlank(line) {
                sawBlank = true
                continue
            }
            if start == nil {
                start = i
            } else if sawBlank && startsTopLevel(line) {
                close()
                start = i
            }
            sawBlank = false
            lastNonBlank = i
        }
        close()
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return LoadedDocument(title: name.isEmpty ? nil : name, format: .code, blocks: blocks)
    }

    private static func startsTopLevel(_ line: Substring) -> Bool {
        guard let first = line.utf8.first, first != 0x20, first != 0x09 else { return false }
        return first != 0x7D && first != 0x29 && first != 0x5D  // } ) ]
    }
}
