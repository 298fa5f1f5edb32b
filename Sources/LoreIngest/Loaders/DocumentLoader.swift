import LoreCore

/// Turns decoded text into a `LoadedDocument` of blocks, choosing the loader by format. Loaders never fail:
/// whatever the text, the worst outcome is fewer or plainer blocks.
public enum DocumentLoader {
    /// `text` is already decoded (see `TextDecoding`); `path` gives code files their title and is not read.
    /// Line ranges in the blocks are 1-based, inclusive and counted in `text`. A document whose file names
    /// no title gets `title == nil`, so the caller can fall back to the file name.
    public static func load(text: String, path: String, format: DocumentFormat) -> LoadedDocument {
        switch format {
        case .markdown: MarkdownLoader.load(text)
        case .html: HTMLLoader.load(text)
        case .restructuredText: RestructuredTextLoader.load(text)
        case .text: PlainTextLoader.load(text)
        case .code: CodeLoader.load(text, path: path)
        case .pdf, .docx, .odt, .epub: PlainTextLoader.load(text)
        }
    }

    /// The loader of each binary format. Adding a format is a file holding its loader and one line here
    /// (and its case and extensions in `DocumentFormat`).
    static let binaryLoaders: [DocumentFormat: BinaryLoader] = [
        .pdf: PDFLoader.load,
        .docx: DOCXLoader.load,
        .odt: ODTLoader.load,
        .epub: EPUBLoader.load,
    ]

    /// Reads a file of a binary format from its bytes. A format with no loader here is unsupported; a
    /// document that yields no text at all is skipped as such, never indexed as an empty document.
    public static func load(bytes: UnsafeRawBufferPointer, path: String, format: DocumentFormat) -> BinaryLoadResult {
        guard let loader = binaryLoaders[format] else { return .skipped(.unsupported) }
        let result = loader(bytes, path)
        if case .loaded(let document) = result,
           !document.blocks.contains(where: { !$0.text.allSatisfy(\.isWhitespace) }) {
            return .skipped(.noText)
        }
        return result
    }
}

/// What a binary format's loader makes of a file: its document, or why it cannot be indexed.
public enum BinaryLoadResult: Sendable, Equatable {
    case loaded(LoadedDocument)
    case skipped(SkipReason)
}

/// A loader for files that are not text: it gets the file's bytes and its path, and never throws.
public typealias BinaryLoader = @Sendable (_ bytes: UnsafeRawBufferPointer, _ path: String) -> BinaryLoadResult
