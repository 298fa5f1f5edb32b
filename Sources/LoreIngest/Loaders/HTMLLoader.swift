import CLibxml2
import LoreCore

/// HTML through libxml2's forgiving HTML parser, the one place Lore calls it. Page chrome (scripts, styles,
/// navigation bars) is dropped; headings, paragraphs, list items, quotes, definitions, `pre` and tables
/// become blocks.
enum HTMLLoader {
    static func load(_ text: String) -> LoadedDocument {
        var source = text
        let doc: htmlDocPtr? = source.withUTF8 { buf in
            guard let base = buf.baseAddress, buf.count > 0, buf.count < Int(Int32.max) else { return nil }
            let options = Int32(HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
                | HTML_PARSE_NONET.rawValue | HTML_PARSE_RECOVER.rawValue | HTML_PARSE_COMPACT.rawValue)
            // The text is already UTF-8 whatever a <meta charset> inside claims, so the encoding is forced.
            return base.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                htmlReadMemory($0, Int32(buf.count), nil, "UTF-8", options)
            }
        }
        guard let doc else { return LoadedDocument(title: nil, format: .html, blocks: []) }
        defer { xmlFreeDoc(doc) }
        let collector = HTMLBlockCollector()
        collector.collect(doc)
        let title = collector.title ?? collector.blocks.first(where: { $0.kind == .heading(level: 1) })?.text
        return LoadedDocument(title: title, format: .html, blocks: collector.blocks)
    }
}

private typealias NodePtr = UnsafeMutablePointer<xmlNode>

/// Walks the parsed tree without recursion (hostile pages nest tens of thousands of elements deep) and
/// gathers running text into blocks.
private final class HTMLBlockCollector {
    var blocks: [Block] = []
    var title: String?

    private var paragraph = CollapsedText()
    private var containers: [Block.Kind] = []
    /// The end line of the last text seen: the lower bound for the next text's start, and the only clue
    /// left once libxml2's 16-bit line numbers saturate at 65535.
    private var lastLine = 1

    func collect(_ doc: htmlDocPtr) {
        let docNode = UnsafeMutableRawPointer(doc)
        walk(from: doc.pointee.children, boundary: docNode, enter: { enter($0) }, exit: { exit($0) })
        flush()
    }

    // MARK: element handling

    private func enter(_ node: NodePtr) -> Bool {
        switch node.pointee.type {
        case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
            appendText(node, to: &paragraph)
            return false
        case XML_ELEMENT_NODE:
            break
        default:
            return false
        }
        let name = Self.name(node)
        switch name {
        case "script", "style", "noscript", "template", "svg", "nav", "iframe", "object", "select", "button",
             "footer", "form":
            return false
        case "head":
            if title == nil, let t = firstDescendant(node, named: "title") {
                var text = CollapsedText()
                collectText(t, into: &text)
                title = text.string.isEmpty ? nil : text.string
            }
            return false
        case "title":
            return false
        case "h1", "h2", "h3", "h4", "h5", "h6":
            guard !isChrome(node) else { return false }
            flush()
            var text = CollapsedText()
            text.startLine = elementLine(node)
            collectText(node, into: &text)
            let level = Int(name.utf8.last! - 0x30)
            addBlock(.heading(level: level), text)
            return false
        case "pre":
            guard !isChrome(node) else { return false }
            flush()
            addPre(node)
            return false
        case "table":
            guard !isChrome(node) else { return false }
            flush()
            addTable(node)
            return false
        case "br":
            paragraph.appendSpace()
            return false
        case "p", "div", "section", "article", "main", "aside", "body", "html", "ul", "ol", "dl", "dt", "dd", "li",
             "blockquote", "figure", "figcaption", "address", "center", "details", "summary", "hr", "header":
            guard !isChrome(node) else { return false }
            flush()
            containers.append(name == "li" ? .list : name == "blockquote" ? .quote : .paragraph)
            return true
        default:
            return !isChrome(node)
        }
    }

    private func exit(_ node: NodePtr) {
        guard node.pointee.type == XML_ELEMENT_NODE else { return }
        switch Self.name(node) {
        case "p", "div", "section", "article", "main", "aside", "body", "html", "ul", "ol", "dl", "dt", "dd", "li",
             "blockquote", "figure", "figcaption", "address", "center", "details", "summary", "hr", "header":
            flush()
            if !containers.isEmpty { containers.removeLast() }
        default:
            break
        }
    }

    /// Navigation bars as DocBook (PostgreSQL), Sphinx and most sites mark them.
    private func isChrome(_ node: NodePtr) -> Bool {
        var attr = node.pointee.properties
        while let a = attr {
            defer { attr = a.pointee.next }
            guard let nameBytes = a.pointee.name, let valueNode = a.pointee.children,
                  let content = valueNode.pointee.content else { continue }
            let attrName = String(cString: nameBytes)
            if attrName == "role" {
                if String(cString: content) == "navigation" { return true }
            } else if attrName == "class" {
                for token in String(cString: content).split(separator: " ") {
                    switch token {
                    case "navheader", "navfooter", "navigation", "sphinxsidebar", "related", "breadcrumb",
                         "breadcrumbs", "skip-link":
                        return true
                    default: continue
                    }
                }
            }
        }
        return false
    }

    // MARK: blocks

    private func flush() {
        defer { paragraph = CollapsedText() }
        addBlock(containers.last ?? .paragraph, paragraph)
    }

    private func addBlock(_ kind: Block.Kind, _ text: CollapsedText) {
        let string = text.string
        guard !string.isEmpty else { return }
        let start = text.startLine ?? lastLine
        blocks.append(Block(kind: kind, text: string, lineStart: start, lineEnd: max(start, text.endLine)))
    }

    /// `pre` stays verbatim: text nodes concatenated as they are, one leading line break dropped as
    /// browsers do, trailing blank lines removed.
    private func addPre(_ node: NodePtr) {
        var bytes: [UInt8] = []
        var start: Int?
        walk(from: node.pointee.children, boundary: UnsafeMutableRawPointer(node), enter: { child in
            switch child.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                guard let content = child.pointee.content else { return false }
                let (s, _) = textLines(child, content)
                if start == nil { start = s }
                var p = content
                while p.pointee != 0 { bytes.append(p.pointee); p += 1 }
                return false
            case XML_ELEMENT_NODE:
                return Self.name(child) != "script" && Self.name(child) != "style"
            default:
                return false
            }
        }, exit: { _ in })
        var lineStart = start ?? elementLine(node)
        var from = 0
        if bytes.first == 0x0A { from = 1; lineStart += 1 }
        var to = bytes.count
        while to > from, bytes[to - 1] == 0x0A || bytes[to - 1] == 0x20 || bytes[to - 1] == 0x09 { to -= 1 }
        guard to > from else { return }
        let text = String(decoding: bytes[from..<to], as: UTF8.self)
        let lines = bytes[from..<to].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        blocks.append(Block(kind: .code, text: text, lineStart: lineStart, lineEnd: lineStart + lines))
        lastLine = max(lastLine, lineStart + lines)
    }

    /// Rows as "a | b", caption first; cells are flattened, so a nested table reads as text in its cell.
    private func addTable(_ table: NodePtr) {
        var rows: [String] = []
        var range = CollapsedText()
        range.startLine = elementLine(table)
        var sections: [NodePtr] = [table]
        var index = 0
        while index < sections.count {
            var child = sections[index].pointee.children
            index += 1
            while let c = child {
                defer { child = c.pointee.next }
                guard c.pointee.type == XML_ELEMENT_NODE else { continue }
                switch Self.name(c) {
                case "thead", "tbody", "tfoot":
                    sections.append(c)
                case "caption":
                    var text = CollapsedText()
                    collectText(c, into: &text)
                    if !text.string.isEmpty { rows.append(text.string) }
                    range.endLine = max(range.endLine, text.endLine)
                case "tr":
                    var cells: [String] = []
                    var cell = c.pointee.children
                    while let td = cell {
                        defer { cell = td.pointee.next }
                        guard td.pointee.type == XML_ELEMENT_NODE else { continue }
                        let n = Self.name(td)
                        guard n == "td" || n == "th" else { continue }
                        var text = CollapsedText()
                        collectText(td, into: &text)
                        cells.append(text.string)
                        range.endLine = max(range.endLine, text.endLine)
                    }
                    if cells.contains(where: { !$0.isEmpty }) { rows.append(cells.joined(separator: " | ")) }
                default:
                    continue
                }
            }
        }
        guard !rows.isEmpty, let start = range.startLine else { return }
        blocks.append(Block(kind: .table, text: rows.joined(separator: "\n"), lineStart: start,
                            lineEnd: max(start, range.endLine)))
    }

    // MARK: text

    /// The visible text below `node`, whitespace collapsed, chrome and scripts left out.
    private func collectText(_ node: NodePtr, into text: inout CollapsedText) {
        walk(from: node.pointee.children, boundary: UnsafeMutableRawPointer(node), enter: { child in
            switch child.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                appendText(child, to: &text)
                return false
            case XML_ELEMENT_NODE:
                switch Self.name(child) {
                case "script", "style", "noscript", "template", "svg": return false
                case "br", "p", "div", "li", "tr", "td", "th", "dd", "dt":
                    text.appendSpace()
                    return true
                default: return true
                }
            default:
                return false
            }
        }, exit: { _ in })
    }

    private func appendText(_ node: NodePtr, to text: inout CollapsedText) {
        guard let content = node.pointee.content else { return }
        let (start, end) = textLines(node, content)
        text.append(content, startLine: start, endLine: end)
    }

    /// libxml2 records a text node's line when it first hands the text over: at its end for short text,
    /// after about 1,000 bytes or at the first entity for longer text. Counting line breaks back from there
    /// gives the start, never before the end of the text seen last.
    private func textLines(_ node: NodePtr, _ content: UnsafeMutablePointer<xmlChar>) -> (Int, Int) {
        var total = 0
        var prefix = 0
        var i = 0
        var p = content
        while p.pointee != 0 {
            if p.pointee == 0x0A {
                total += 1
                if i < 999 { prefix += 1 }
            }
            i += 1
            p += 1
        }
        let reported = Int(node.pointee.line)
        var start = (reported > 0 && reported < 65535) ? reported - (i < 1000 ? total : prefix) : lastLine
        start = max(start, lastLine)
        let end = start + total
        lastLine = end
        return (start, end)
    }

    private func elementLine(_ node: NodePtr) -> Int {
        let reported = Int(node.pointee.line)
        return (reported > 0 && reported < 65535) ? max(reported, lastLine) : lastLine
    }

    private func firstDescendant(_ node: NodePtr, named wanted: String) -> NodePtr? {
        var found: NodePtr?
        walk(from: node.pointee.children, boundary: UnsafeMutableRawPointer(node), enter: { child in
            guard found == nil else { return false }
            if child.pointee.type == XML_ELEMENT_NODE && Self.name(child) == wanted { found = child; return false }
            return true
        }, exit: { _ in })
        return found
    }

    private static func name(_ node: NodePtr) -> String {
        node.pointee.name.map { String(cString: $0) } ?? ""
    }

    /// The shared tree walk (`walkXMLTree`), going into any node with children, as the HTML loader always has.
    private func walk(from first: NodePtr?, boundary: UnsafeMutableRawPointer,
                      enter: (NodePtr) -> Bool, exit: (NodePtr) -> Void) {
        walkXMLTree(from: first, boundary: boundary, descendsInto: { _ in true }, enter: enter, exit: exit)
    }
}

/// Running text with HTML whitespace rules: any run of spaces, line breaks or no-break spaces is one space.
private struct CollapsedText {
    var bytes: [UInt8] = []
    var startLine: Int?
    var endLine = 0
    private var pendingSpace = false

    var string: String { String(decoding: bytes, as: UTF8.self) }

    mutating func appendSpace() { pendingSpace = true }

    mutating func append(_ content: UnsafeMutablePointer<xmlChar>, startLine start: Int, endLine end: Int) {
        var p = content
        var sawText = false
        while p.pointee != 0 {
            let b = p.pointee
            if b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D || b == 0x0C {
                pendingSpace = true
            } else if b == 0xC2 && p[1] == 0xA0 {
                pendingSpace = true
                p += 1
            } else {
                if pendingSpace && !bytes.isEmpty { bytes.append(0x20) }
                pendingSpace = false
                bytes.append(b)
                sawText = true
            }
            p += 1
        }
        if sawText {
            if startLine == nil { startLine = start }
            endLine = max(endLine, end)
        }
    }
}
