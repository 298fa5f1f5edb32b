import LoreCore

/// The plain text a zip-based document is shown as in the source viewer, written block by block so that
/// each block's line range is counted in exactly the text that is shown: blocks one after another, a blank
/// line between two.
struct RenderedText {
    private(set) var text = ""
    private(set) var blocks: [Block] = []
    private var lastLine = 0

    /// Adds a block unless it is blank. Trailing whitespace is dropped so a block never ends in empty lines.
    mutating func add(_ kind: Block.Kind, _ blockText: String) {
        var body = Substring(blockText)
        while let last = body.last, last.isWhitespace { body.removeLast() }
        guard body.contains(where: { !$0.isWhitespace }) else { return }
        let start = blocks.isEmpty ? 1 : lastLine + 2
        if !blocks.isEmpty { text += "\n\n" }
        text += body
        lastLine = start + body.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        blocks.append(Block(kind: kind, text: String(body), lineStart: start, lineEnd: lastLine))
    }

    /// Text as one line, runs of white space one space: for headings and titles.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    func document(title: String?, format: DocumentFormat) -> LoadedDocument {
        LoadedDocument(title: title, format: format, blocks: blocks, text: blocks.isEmpty ? "" : text + "\n")
    }
}
