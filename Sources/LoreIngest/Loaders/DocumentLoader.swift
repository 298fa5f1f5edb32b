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
        }
    }
}
