/// A passage retrieved for a question: what the sources pane lists, what a prompt cites and what a
/// saved turn snapshots.
public struct Passage: Sendable, Equatable, Codable, Identifiable {
    public var id: Int64
    public var documentPath: String
    public var title: String
    public var headingPath: [String]
    public var lineStart: Int
    public var lineEnd: Int
    public var text: String
    /// Higher is better; for BM25 results this is the negated FTS5 rank.
    public var score: Double
    /// The pages the passage spans, 1-based and inclusive, for paged documents (PDF); nil elsewhere.
    public var pageStart: Int?
    public var pageEnd: Int?
    /// With query rewriting: the searches whose results held this passage, in the order they were searched
    /// ("question" for the question as asked, then the rewritten queries in the model's order, then
    /// "passage" for its hypothetical answer).
    /// Nil without rewriting, and for a turn reopened from the history (which keeps the passages, not how
    /// they were found).
    public var foundBy: [String]?

    public init(id: Int64, documentPath: String, title: String, headingPath: [String], lineStart: Int,
                lineEnd: Int, text: String, score: Double, pageStart: Int? = nil, pageEnd: Int? = nil) {
        self.id = id
        self.documentPath = documentPath
        self.title = title
        self.headingPath = headingPath
        self.lineStart = lineStart
        self.lineEnd = lineEnd
        self.text = text
        self.score = score
        self.pageStart = pageStart
        self.pageEnd = pageEnd ?? pageStart
    }

    public var headingLabel: String { headingPath.joined(separator: " › ") }

    /// The heading path below the title: a first heading that only repeats the title is left out, since
    /// every view shows the title beside it.
    public var headingsBelowTitle: [String] {
        headingPath.first == title ? Array(headingPath.dropFirst()) : headingPath
    }

    /// Title and heading path as one breadcrumb, without repeating a first heading that is the title.
    public var breadcrumb: String { ([title] + headingsBelowTitle).joined(separator: " › ") }

    /// "path/to/file.md:12-30", the location a person can open.
    public var location: String { location(path: documentPath) }

    /// The passage's place after `path`, the way a person names a spot in a file: its lines,
    /// "guide/install.md:12-30", or for a paged document its pages, "manual.pdf p. 12–13".
    public func location(path: String) -> String {
        if let pages = pageLabel { return "\(path) \(pages)" }
        return lineStart == lineEnd ? "\(path):\(lineStart)" : "\(path):\(lineStart)-\(lineEnd)"
    }

    /// "p. 12" or "p. 12–13" for a paged document, nil for others.
    public var pageLabel: String? {
        guard let first = pageStart else { return nil }
        let last = max(first, pageEnd ?? first)
        return first == last ? "p. \(first)" : "p. \(first)–\(last)"
    }

    /// The document's path below whichever of `roots` holds it, or nil when none does.
    public func pathRelative(to roots: [String]) -> String? {
        for root in roots where documentPath.hasPrefix(root + "/") {
            return String(documentPath.dropFirst(root.count + 1))
        }
        return nil
    }
}

/// The token count Lore assumes for text when no tokenizer is at hand: about four bytes of English per
/// token, which matches BPE tokenizers on prose within ~15 %, and at least one token per word.
public func estimateTokens(_ text: some StringProtocol) -> Int {
    var bytes = 0
    var words = 0
    var inWord = false
    for b in text.utf8 {
        bytes += 1
        let space = b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D
        if !space && !inWord { words += 1 }
        inWord = !space
    }
    return max(words, (bytes + 3) / 4)
}
