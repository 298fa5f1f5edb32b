import Foundation

/// The address of an indexed document as an MCP resource: `lore://KB/relative/path`, each path segment
/// percent-encoded. The path is relative to the knowledge base's folder; a knowledge base of several
/// folders puts the folder's own name first, so two folders' `README.md` stay apart.
public enum DocumentURI {
    public static let prefix = "lore://"

    /// The document's path inside its knowledge base; a document outside every root (which the indexer
    /// does not produce) keeps its absolute path without the leading slash.
    public static func relativePath(of documentPath: String, roots: [String]) -> String {
        for root in roots {
            let base = root.hasSuffix("/") ? String(root.dropLast()) : root
            guard documentPath.hasPrefix(base + "/") else { continue }
            let below = String(documentPath.dropFirst(base.count + 1))
            return roots.count == 1 ? below : (base as NSString).lastPathComponent + "/" + below
        }
        return documentPath.hasPrefix("/") ? String(documentPath.dropFirst()) : documentPath
    }

    public static func make(kb: String, relativePath: String) -> String {
        prefix + kb + "/" + relativePath.split(separator: "/", omittingEmptySubsequences: false)
            .map { String($0).addingPercentEncoding(withAllowedCharacters: segmentAllowed) ?? String($0) }
            .joined(separator: "/")
    }

    public static func make(kb: String, documentPath: String, roots: [String]) -> String {
        make(kb: kb, relativePath: relativePath(of: documentPath, roots: roots))
    }

    /// The knowledge base and decoded relative path of a `lore://` URI, or nil when it is not one.
    public static func parse(_ uri: String) -> (kb: String, relativePath: String)? {
        guard uri.hasPrefix(prefix) else { return nil }
        let rest = uri.dropFirst(prefix.count)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        let kb = String(rest[..<slash])
        let encoded = String(rest[rest.index(after: slash)...])
        guard !kb.isEmpty, !encoded.isEmpty, let path = encoded.removingPercentEncoding else { return nil }
        return (kb, path)
    }

    /// RFC 3986 unreserved characters and the sub-delimiters a path segment may hold unescaped.
    private static let segmentAllowed = CharacterSet(charactersIn:
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@")
}
