import CCmark
import LoreCore

/// Markdown through cmark-gfm (CommonMark plus GitHub tables), the one place Lore calls cmark.
enum MarkdownLoader {
    /// cmark-gfm registers its extensions in a process-wide list guarded by a plain flag; a Swift static is
    /// initialised exactly once even when several indexing tasks start together.
    private static let extensionsRegistered: Void = cmark_gfm_core_extensions_ensure_registered()

    /// Nesting deeper than this (a thousand `>` in a row) is flattened to text instead of walked, so hostile
    /// input cannot exhaust the stack.
    private static let maxDepth = 48

    static func load(_ text: String) -> LoadedDocument {
        let (body, frontMatterTitle) = FrontMatter.strip(text)
        _ = extensionsRegistered
        guard let parser = cmark_parser_new(CMARK_OPT_DEFAULT | CMARK_OPT_SOURCEPOS) else {
            return LoadedDocument(title: frontMatterTitle, format: .markdown, blocks: [])
        }
        defer { cmark_parser_free(parser) }
        if let table = cmark_find_syntax_extension("table") {
            cmark_parser_attach_syntax_extension(parser, table)
        }
        var source = body
        source.withUTF8 { buf in
            buf.withMemoryRebound(to: CChar.self) { cmark_parser_feed(parser, $0.baseAddress, $0.count) }
        }
        guard let root = cmark_parser_finish(parser) else {
            return LoadedDocument(title: frontMatterTitle, format: .markdown, blocks: [])
        }
        defer { cmark_node_free(root) }

        var blocks: [Block] = []
        var child = cmark_node_first_child(root)
        while let node = child {
            appendBlocks(of: node, depth: 0, into: &blocks)
            child = cmark_node_next(node)
        }
        let title = frontMatterTitle ?? blocks.first(where: { $0.kind == .heading(level: 1) })?.text
        return LoadedDocument(title: title, format: .markdown, blocks: blocks)
    }

    private static func appendBlocks(of node: OpaquePointer, depth: Int, into blocks: inout [Block]) {
        let start = Int(cmark_node_get_start_line(node))
        let end = max(start, Int(cmark_node_get_end_line(node)))
        func add(_ kind: Block.Kind, _ text: String) {
            guard !text.isEmpty else { return }
            blocks.append(Block(kind: kind, text: text, lineStart: start, lineEnd: end))
        }
        switch cmark_node_get_type(node) {
        case CMARK_NODE_HEADING:
            add(.heading(level: Int(cmark_node_get_heading_level(node))), inlineText(node, softBreak: " "))
        case CMARK_NODE_PARAGRAPH:
            add(.paragraph, inlineText(node, softBreak: "\n"))
        case CMARK_NODE_CODE_BLOCK:
            add(.code, codeText(node))
        case CMARK_NODE_HTML_BLOCK:
            add(.paragraph, HTMLTagStripper.strip(literal(node)))
        case CMARK_NODE_THEMATIC_BREAK:
            break
        case CMARK_NODE_BLOCK_QUOTE:
            add(.quote, flatText(node))
        case CMARK_NODE_LIST:
            var lines: [String] = []
            listLines(node, indent: "", depth: depth, into: &lines)
            add(.list, lines.joined(separator: "\n"))
        default:
            if typeName(node) == "table" {
                add(.table, tableText(node))
            } else {
                add(.paragraph, flatText(node))
            }
        }
    }

    private static func typeName(_ node: OpaquePointer) -> String {
        cmark_node_get_type_string(node).map { String(cString: $0) } ?? ""
    }

    private static func literal(_ node: OpaquePointer) -> String {
        cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
    }

    /// Fenced code keeps its fence and info string ("```sql"), so the language stays searchable and the
    /// passage shows as code; the block has then as many lines as its source range.
    private static func codeText(_ node: OpaquePointer) -> String {
        var code = literal(node)
        if code.hasSuffix("\n") { code.removeLast() }
        var length: Int32 = 0
        var offset: Int32 = 0
        var fenceChar: CChar = 0
        guard cmark_node_get_fenced(node, &length, &offset, &fenceChar) != 0 else { return code }
        let info = cmark_node_get_fence_info(node).map { String(cString: $0) } ?? ""
        return "```\(info)\n\(code)\n```"
    }

    /// The words of a node without Markdown syntax: text and code spans, breaks as given.
    private static func inlineText(_ node: OpaquePointer, softBreak: String) -> String {
        var out = ""
        walk(node) { event, child in
            guard event == CMARK_EVENT_ENTER else { return }
            switch cmark_node_get_type(child) {
            case CMARK_NODE_TEXT, CMARK_NODE_CODE: out += literal(child)
            case CMARK_NODE_SOFTBREAK: out += softBreak
            case CMARK_NODE_LINEBREAK: out += "\n"
            default: break
            }
        }
        return out
    }

    /// All text below a node, one line per paragraph or other block, code verbatim. Iterative, so it is
    /// also the fallback for nesting too deep to walk block by block.
    private static func flatText(_ node: OpaquePointer) -> String {
        var out = ""
        func newline() { if !out.isEmpty && !out.hasSuffix("\n") { out += "\n" } }
        walk(node) { event, child in
            switch cmark_node_get_type(child) {
            case CMARK_NODE_TEXT, CMARK_NODE_CODE:
                if event == CMARK_EVENT_ENTER { out += literal(child) }
            case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK:
                if event == CMARK_EVENT_ENTER { out += "\n" }
            case CMARK_NODE_CODE_BLOCK, CMARK_NODE_HTML_BLOCK:
                if event == CMARK_EVENT_ENTER {
                    newline()
                    out += literal(child)
                }
            case CMARK_NODE_PARAGRAPH, CMARK_NODE_HEADING, CMARK_NODE_ITEM:
                newline()
            default:
                if typeName(child) == "table_row" || typeName(child) == "table_cell" {
                    if event == CMARK_EVENT_EXIT { out += typeName(child) == "table_row" ? "\n" : " | " }
                }
            }
        }
        return out.trimmingTrailingNewlines()
    }

    private static func walk(_ node: OpaquePointer, _ visit: (cmark_event_type, OpaquePointer) -> Void) {
        guard let iter = cmark_iter_new(node) else { return }
        defer { cmark_iter_free(iter) }
        while true {
            let event = cmark_iter_next(iter)
            if event == CMARK_EVENT_DONE || event == CMARK_EVENT_NONE { break }
            if let current = cmark_iter_get_node(iter) { visit(event, current) }
        }
    }

    /// One line per item, "- " or "1. " before it, nested lists indented, so that a list reads as written.
    private static func listLines(_ list: OpaquePointer, indent: String, depth: Int, into lines: inout [String]) {
        let ordered = cmark_node_get_list_type(list) == CMARK_ORDERED_LIST
        var number = Int(cmark_node_get_list_start(list))
        var item = cmark_node_first_child(list)
        while let current = item {
            let marker = ordered ? "\(number). " : "- "
            var first = true
            var child = cmark_node_first_child(current)
            while let part = child {
                let prefix = first ? indent + marker : indent + String(repeating: " ", count: marker.count)
                if cmark_node_get_type(part) == CMARK_NODE_LIST && depth < maxDepth {
                    listLines(part, indent: indent + "  ", depth: depth + 1, into: &lines)
                } else {
                    let text = cmark_node_get_type(part) == CMARK_NODE_CODE_BLOCK ? codeText(part) : flatText(part)
                    if !text.isEmpty { lines.append(prefix + text) }
                }
                first = false
                child = cmark_node_next(part)
            }
            number += 1
            item = cmark_node_next(current)
        }
    }

    /// Rows as "a | b | c", header first, without the delimiter row.
    private static func tableText(_ table: OpaquePointer) -> String {
        var rows: [String] = []
        var row = cmark_node_first_child(table)
        while let current = row {
            var cells: [String] = []
            var cell = cmark_node_first_child(current)
            while let c = cell {
                cells.append(inlineText(c, softBreak: " "))
                cell = cmark_node_next(c)
            }
            rows.append(cells.joined(separator: " | "))
            row = cmark_node_next(current)
        }
        return rows.joined(separator: "\n")
    }
}

/// YAML front matter ("---" … "---" at the very top) is metadata, not prose: its lines are blanked before
/// parsing, so line numbers stay those of the file, and its `title:` becomes the document title.
enum FrontMatter {
    static func strip(_ text: String) -> (body: String, title: String?) {
        guard text.hasPrefix("---") else { return (text, nil) }
        let utf8 = text.utf8
        var lineStart = utf8.startIndex
        var lineIndex = 0
        var title: String?
        while lineStart < utf8.endIndex {
            let lineEnd = utf8[lineStart...].firstIndex(of: 0x0A) ?? utf8.endIndex
            let line = SourceLines.trimmed(text[lineStart..<lineEnd])
            if lineIndex == 0 {
                guard line == "---" else { return (text, nil) }
            } else if line == "---" || line == "..." {
                let blanked = String(repeating: "\n", count: lineIndex)
                let rest = lineEnd < utf8.endIndex ? text[lineEnd...] : ""
                return (blanked + rest, title)
            } else if title == nil, line.hasPrefix("title:"), text[lineStart] != " " {
                title = unquoted(line.dropFirst("title:".count))
            }
            lineIndex += 1
            lineStart = lineEnd < utf8.endIndex ? utf8.index(after: lineEnd) : lineEnd
        }
        return (text, nil)
    }

    private static func unquoted(_ value: Substring) -> String? {
        var v = SourceLines.trimmed(value)
        if v.count >= 2, let f = v.first, f == "\"" || f == "'", v.last == f { v = v.dropFirst().dropLast() }
        return v.isEmpty ? nil : String(v)
    }
}

/// Raw HTML inside Markdown (badges, `<details>`, comments) is reduced to its visible words.
enum HTMLTagStripper {
    static func strip(_ html: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(html.utf8.count)
        var inTag = false
        var inComment = false
        let bytes = Array(html.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if inComment {
                if b == 0x3E, i >= 2, bytes[i - 1] == 0x2D, bytes[i - 2] == 0x2D { inComment = false }
            } else if inTag {
                if b == 0x3E { inTag = false; out.append(0x20) }
            } else if b == 0x3C {
                if i + 3 < bytes.count, bytes[i + 1] == 0x21, bytes[i + 2] == 0x2D, bytes[i + 3] == 0x2D {
                    inComment = true
                    i += 3
                } else {
                    inTag = true
                }
            } else {
                out.append(b)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self).split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = self
        while s.utf8.last == 0x0A || s.utf8.last == 0x20 { s.removeLast() }
        return s
    }
}
