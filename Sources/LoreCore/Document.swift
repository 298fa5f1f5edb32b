/// The kinds of file Lore knows how to read.
public enum DocumentFormat: String, Sendable, Codable, CaseIterable {
    case markdown
    case text
    case restructuredText = "rst"
    case html
    case code
    // Formats whose files are not text: their loaders read the bytes (see `isBinary`).
    case pdf
    case docx
    case odt
    case epub

    /// Files of this format are read as bytes by a loader of their own, never decoded as text.
    public var isBinary: Bool {
        switch self {
        case .pdf, .docx, .odt, .epub: true
        case .markdown, .text, .restructuredText, .html, .code: false
        }
    }

    /// The format a file's extension implies, or nil when Lore does not index that kind of file.
    public static func forPath(_ path: String) -> DocumentFormat? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: ".") else {
            return Self.plainNames.contains(name.lowercased()) ? .text : nil
        }
        let ext = name[name.index(after: dot)...].lowercased()
        // Sphinx publishes its sources as `page.rst.txt` (and MyST ones as `page.md.txt`): the inner
        // extension says what the text is.
        if ext == "txt" {
            let lower = name.lowercased()
            if lower.hasSuffix(".rst.txt") { return .restructuredText }
            if lower.hasSuffix(".md.txt") { return .markdown }
        }
        switch ext {
        case "md", "markdown", "mdown", "mkd", "mdx": return .markdown
        case "txt", "text", "log": return .text
        case "rst", "rest": return .restructuredText
        case "html", "htm", "xhtml": return .html
        case "pdf": return .pdf
        case "docx": return .docx
        case "odt": return .odt
        case "epub": return .epub
        default: return Self.codeExtensions.contains(ext) ? .code : nil
        }
    }

    static let plainNames: Set<String> = ["readme", "license", "copying", "authors", "changelog", "news", "todo", "install"]
    public static let codeExtensions: Set<String> = [
        "swift", "c", "h", "cc", "cpp", "hpp", "cxx", "m", "mm", "rs", "go", "py", "rb", "js", "mjs", "ts", "tsx",
        "jsx", "java", "kt", "kts", "scala", "cs", "php", "pl", "pm", "lua", "sh", "bash", "zsh", "fish", "sql",
        "r", "jl", "hs", "ml", "mli", "ex", "exs", "erl", "clj", "el", "vim", "toml", "yaml", "yml", "json",
        "ini", "cfg", "conf", "cmake", "mk", "make", "dockerfile", "proto", "graphql", "css", "scss", "tex",
    ]
}

/// One structural unit of a loaded document: what a loader produces and the chunker consumes.
/// Lines are 1-based and inclusive, counted in the original file.
public struct Block: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case heading(level: Int)
        case paragraph
        case code
        case table
        case list
        case quote
    }

    public var kind: Kind
    public var text: String
    public var lineStart: Int
    public var lineEnd: Int

    public init(kind: Kind, text: String, lineStart: Int, lineEnd: Int) {
        self.kind = kind
        self.text = text
        self.lineStart = lineStart
        self.lineEnd = lineEnd
    }
}

/// A document as a loader hands it over: its title (when the file names one) and its blocks in order.
public struct LoadedDocument: Sendable, Equatable {
    public var title: String?
    public var format: DocumentFormat
    public var blocks: [Block]
    /// For paged documents (PDF), the first line of each page in the text the blocks' lines count, in
    /// order: `pageStarts[0]` is page 1. Empty for documents without pages.
    public var pageStarts: [Int]
    /// For binary formats, the text the blocks' line numbers count (what the source viewer shows); nil
    /// for text formats, whose file is that text.
    public var text: String?

    public init(title: String?, format: DocumentFormat, blocks: [Block], pageStarts: [Int] = [], text: String? = nil) {
        self.title = title
        self.format = format
        self.blocks = blocks
        self.pageStarts = pageStarts
        self.text = text
    }

    /// The 1-based page holding `line`, or nil when the document has no pages.
    public func page(ofLine line: Int) -> Int? {
        guard !pageStarts.isEmpty else { return nil }
        var low = 0
        var high = pageStarts.count
        // The last page whose first line is at or before `line`.
        while low < high {
            let mid = (low + high) / 2
            if pageStarts[mid] <= line { low = mid + 1 } else { high = mid }
        }
        return max(1, low)
    }
}

/// A passage as the chunker cuts it, before it has an id in the store.
public struct ChunkDraft: Sendable, Equatable {
    /// Headings from the outermost to the innermost that contain this passage.
    public var headingPath: [String]
    public var text: String
    public var lineStart: Int
    public var lineEnd: Int
    public var tokenEstimate: Int
    /// The pages the passage spans in a paged document; nil elsewhere.
    public var pageStart: Int?
    public var pageEnd: Int?

    public init(headingPath: [String], text: String, lineStart: Int, lineEnd: Int, tokenEstimate: Int,
                pageStart: Int? = nil, pageEnd: Int? = nil) {
        self.headingPath = headingPath
        self.text = text
        self.lineStart = lineStart
        self.lineEnd = lineEnd
        self.tokenEstimate = tokenEstimate
        self.pageStart = pageStart
        self.pageEnd = pageEnd
    }

    /// The heading path as a person reads it.
    public var headingLabel: String { headingPath.joined(separator: " › ") }
}
