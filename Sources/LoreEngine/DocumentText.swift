import Foundation
import LoreCore
import LoreIngest

/// The text of one indexed document as Lore reads it: a text file decoded, a binary document (PDF, DOCX,
/// ODT, EPUB) as the text its loader extracts, whose lines the passages count. The source viewer and the
/// MCP server's resources show this.
public enum DocumentText {
    public static func read(path: String) throws -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw LibraryError("\(path): cannot be read (\((error as NSError).localizedDescription)); run `lore index` if it moved")
        }
        if let format = DocumentFormat.forPath(path), format.isBinary {
            switch data.withUnsafeBytes({ DocumentLoader.load(bytes: $0, path: path, format: format) }) {
            case .loaded(let document): return document.text ?? document.blocks.map(\.text).joined(separator: "\n\n")
            case .skipped(let reason): throw LibraryError("\(path): \(reason.description)")
            }
        }
        switch data.withUnsafeBytes({ TextDecoding.decode($0) }) {
        case .success(let text): return text
        case .failure(let reason): throw LibraryError("\(path): \(reason.description)")
        }
    }
}
