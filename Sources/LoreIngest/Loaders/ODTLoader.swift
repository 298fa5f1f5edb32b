import CLibxml2
import LoreCore

/// OpenDocument text (LibreOffice, Google Docs export): `office:text` in `content.xml` as headings
/// (`text:h` with its outline level), paragraphs, lists and whole tables, rendered as plain text. Notes,
/// annotations, frames and the generated table of contents are left out: they interrupt the running text
/// or repeat it.
enum ODTLoader {
    static func load(_ bytes: UnsafeRawBufferPointer, path: String) -> BinaryLoadResult {
        let zip: ZipContainer
        switch ZipContainer.open(bytes) {
        case .success(let opened): zip = opened
        case .failure(let reason): return .skipped(reason)
        }
        let content: XMLPart
        switch zip.read("content.xml") {
        case .success(let bytes):
            guard let part = XMLPart(bytes) else { return .skipped(.damaged) }
            content = part
        case .failure(let failure):
            return .skipped(failure.skipReason)
        }
        var reader = ODTBodyReader()
        let readBody: Bool? = content.withRoot { root in
            guard let officeText = root.firstDescendant(where: { $0.isElement("text", in: XMLNamespace.odfOffice) })
            else { return false }
            reader.read(officeText)
            return true
        }
        guard readBody == true else { return .skipped(.damaged) }
        let metaTitle = (try? zip.read("meta.xml").get()).flatMap(XMLPart.init).flatMap { meta in
            meta.withRoot { $0.firstDescendant { $0.isElement("title", in: XMLNamespace.dublinCore) }?.textContent }
        }.map(RenderedText.oneLine).flatMap { $0.isEmpty ? nil : $0 }
        let firstHeading = reader.rendered.blocks.first { $0.kind == .heading(level: 1) }?.text
        return .loaded(reader.rendered.document(title: metaTitle ?? firstHeading, format: .odt))
    }
}

private struct ODTBodyReader {
    var rendered = RenderedText()

    mutating func read(_ officeText: XMLNodePtr) {
        var nodes: [XMLNodePtr] = []
        officeText.walkDescendants { node in
            guard node.isElement else { return false }
            switch (node.namespaceURI, node.localName) {
            case (XMLNamespace.odfText, "h"), (XMLNamespace.odfText, "p"), (XMLNamespace.odfText, "list"),
                 (XMLNamespace.odfTable, "table"):
                nodes.append(node)
                return false
            // Sections and change-tracked regions wrap ordinary paragraphs.
            case (XMLNamespace.odfText, "section"), (XMLNamespace.odfText, "changed-region"):
                return true
            default:
                return false
            }
        }
        for node in nodes {
            if node.namespaceURI == XMLNamespace.odfTable {
                rendered.add(.table, Self.table(node))
                continue
            }
            switch node.localName {
            case "h":
                let level = node.attribute("outline-level", in: XMLNamespace.odfText).flatMap { Int($0) } ?? 1
                rendered.add(.heading(level: min(max(level, 1), 10)), RenderedText.oneLine(Self.paragraphText(node)))
            case "list":
                var lines: [String] = []
                Self.listLines(node, depth: 0, into: &lines)
                rendered.add(.list, lines.joined(separator: "\n"))
            default:
                rendered.add(.paragraph, Self.paragraphText(node))
            }
        }
    }

    /// One line per item, "- " before it, nested lists indented. Lists nest only as deep as a person
    /// could read; beyond that items keep the deepest indent.
    private static func listLines(_ list: XMLNodePtr, depth: Int, into lines: inout [String]) {
        let indent = String(repeating: "  ", count: min(depth, 8))
        for item in list.elementChildren where item.localName == "list-item" || item.localName == "list-header" {
            var first = true
            for child in item.elementChildren {
                switch child.localName {
                case "p", "h":
                    let text = RenderedText.oneLine(paragraphText(child))
                    guard !text.isEmpty else { continue }
                    lines.append(indent + (first ? "- " : "  ") + text)
                    first = false
                case "list":
                    // Recursion is safe here: libxml2 refuses documents nested deeper than 256 elements.
                    listLines(child, depth: depth + 1, into: &lines)
                default:
                    continue
                }
            }
        }
    }

    /// Rows as lines, cells as "a | b"; a cell's paragraphs flattened into it.
    private static func table(_ table: XMLNodePtr) -> String {
        var rows: [String] = []
        table.walkDescendants { node in
            guard node.isElement, node.namespaceURI == XMLNamespace.odfTable else { return false }
            switch node.localName {
            case "table-row":
                var cells: [String] = []
                for cell in node.elementChildren where cell.localName == "table-cell" {
                    var paragraphs: [String] = []
                    cell.walkDescendants { inner in
                        guard inner.isElement else { return false }
                        if inner.namespaceURI == XMLNamespace.odfText && (inner.localName == "p" || inner.localName == "h") {
                            paragraphs.append(RenderedText.oneLine(paragraphText(inner)))
                            return false
                        }
                        return true
                    }
                    cells.append(paragraphs.filter { !$0.isEmpty }.joined(separator: " "))
                }
                if cells.contains(where: { !$0.isEmpty }) { rows.append(cells.joined(separator: " | ")) }
                return false
            case "table-header-rows", "table-rows", "table-row-group":
                return true
            default:
                return false
            }
        }
        return rows.joined(separator: "\n")
    }

    /// A paragraph's text under OpenDocument's whitespace rule (runs of white space in the XML are one
    /// space; `text:s`, `text:tab` and `text:line-break` are the explicit ones), without notes, comments
    /// or frames.
    static func paragraphText(_ p: XMLNodePtr) -> String {
        var text = ""
        var pendingSpace = false
        p.walkDescendants { node in
            if node.pointee.type == XML_TEXT_NODE, let content = node.pointee.content {
                for scalar in String(cString: content).unicodeScalars {
                    if scalar == " " || scalar == "\n" || scalar == "\t" || scalar == "\r" {
                        pendingSpace = true
                    } else {
                        if pendingSpace && !text.isEmpty && text.last != "\n" { text += " " }
                        pendingSpace = false
                        text.unicodeScalars.append(scalar)
                    }
                }
                return false
            }
            guard node.isElement else { return false }
            switch node.localName {
            case "s":
                let count = node.attribute("c", in: XMLNamespace.odfText).flatMap { Int($0) } ?? 1
                text += String(repeating: " ", count: min(max(count, 1), 64))
                pendingSpace = false
                return false
            case "tab":
                text += "\t"
                pendingSpace = false
                return false
            case "line-break":
                text += "\n"
                pendingSpace = false
                return false
            case "note", "annotation", "annotation-end", "frame", "soft-page-break", "bookmark-ref", "custom-shape":
                return false
            default:
                return true
            }
        }
        return text
    }
}
