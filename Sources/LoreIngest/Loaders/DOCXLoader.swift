import CLibxml2
import LoreCore

/// Word documents (Office Open XML): the body of the main part (`word/document.xml`) as paragraphs,
/// headings, lists and tables, rendered as plain text. Headers, footers, footnotes, comments and text inside
/// drawings are left out: they interrupt the running text, and none of them is what a question is about.
enum DOCXLoader {
    static func load(_ bytes: UnsafeRawBufferPointer, path: String) -> BinaryLoadResult {
        let zip: ZipContainer
        switch ZipContainer.open(bytes) {
        case .success(let opened): zip = opened
        case .failure(let reason): return .skipped(reason)
        }
        let mainName = mainPartName(zip) ?? "word/document.xml"
        let main: XMLPart
        switch zip.read(mainName) {
        case .success(let bytes):
            guard let part = XMLPart(bytes) else { return .skipped(.damaged) }
            main = part
        case .failure(let failure):
            return .skipped(failure.skipReason)
        }
        let folder = mainName.split(separator: "/").dropLast().joined(separator: "/")
        // A missing or unreadable styles part only costs heading levels; it is no reason to skip the file.
        let styles = (try? zip.read(folder.isEmpty ? "styles.xml" : folder + "/styles.xml").get())
            .flatMap(XMLPart.init).map(WordStyles.init) ?? WordStyles()
        var reader = WordBodyReader(styles: styles)
        let readBody: Bool? = main.withRoot { root in
            guard let body = root.elementChildren.first(where: { $0.isElement("body", in: XMLNamespace.word) }) else {
                return false
            }
            reader.read(body)
            return true
        }
        guard readBody == true else { return .skipped(.damaged) }
        let coreTitle = (try? zip.read("docProps/core.xml").get()).flatMap(XMLPart.init).flatMap { core in
            core.withRoot { $0.firstDescendant { $0.isElement("title", in: XMLNamespace.dublinCore) }?.textContent }
        }.map(RenderedText.oneLine).flatMap { $0.isEmpty ? nil : $0 }
        let firstHeading = reader.rendered.blocks.first { $0.kind == .heading(level: 1) }?.text
        return .loaded(reader.rendered.document(title: coreTitle ?? reader.titleParagraph ?? firstHeading,
                                                format: .docx))
    }

    /// The part the package's relationships name as the document; Word always writes `word/document.xml`,
    /// other writers need not.
    private static func mainPartName(_ zip: ZipContainer) -> String? {
        guard let rels = (try? zip.read("_rels/.rels").get()).flatMap(XMLPart.init) else { return nil }
        return rels.withRoot { root in
            for rel in root.elementChildren where rel.localName == "Relationship" {
                guard rel.attribute("Type")?.hasSuffix("/officeDocument") == true,
                      var target = rel.attribute("Target") else { continue }
                while target.hasPrefix("/") { target.removeFirst() }
                if zip.contains(target) { return target }
            }
            return nil
        }
    }
}

/// What a paragraph style means for Lore: a heading level, a title, a list.
struct WordStyles {
    struct Style {
        var headingLevel: Int?
        var isTitle = false
        var isList = false
        var basedOn: String?
    }

    private var styles: [String: Style] = [:]

    init() {}

    init(_ part: XMLPart) {
        var styles: [String: Style] = [:]
        _ = part.withRoot { root -> Void? in
            for style in root.elementChildren where style.isElement("style", in: XMLNamespace.word) {
                guard style.attribute("type", in: XMLNamespace.word) == "paragraph",
                      let id = style.attribute("styleId", in: XMLNamespace.word) else { continue }
                var info = Style()
                for child in style.elementChildren {
                    switch child.localName {
                    case "name":
                        let name = (child.attribute("val", in: XMLNamespace.word) ?? "").lowercased()
                        if name == "title" { info.isTitle = true }
                        if name.hasPrefix("heading "), let level = Int(name.dropFirst(8)), (1...9).contains(level) {
                            info.headingLevel = level
                        }
                    case "basedOn":
                        info.basedOn = child.attribute("val", in: XMLNamespace.word)
                    case "pPr":
                        for property in child.elementChildren {
                            if property.localName == "numPr" { info.isList = true }
                            if property.localName == "outlineLvl", info.headingLevel == nil,
                               let level = property.attribute("val", in: XMLNamespace.word).flatMap({ Int($0) }),
                               (0...8).contains(level) {
                                info.headingLevel = level + 1
                            }
                        }
                    default:
                        continue
                    }
                }
                styles[id] = info
            }
            return nil
        }
        self.styles = styles
    }

    /// A style's meaning, following `basedOn` (a custom "My Heading" based on "Heading2" is a level-2
    /// heading). Without a styles part, Word's built-in ids (`Heading1`…`Heading9`, `Title`) still count.
    func resolve(_ id: String) -> Style {
        var result = Style()
        var current: String? = id
        var seen: Set<String> = []
        while let name = current, seen.insert(name).inserted, seen.count <= 16 {
            guard let style = styles[name] else {
                result.merge(Self.builtIn(name))
                break
            }
            result.merge(style)
            current = style.basedOn
        }
        return result
    }

    private static func builtIn(_ id: String) -> Style {
        let lower = id.lowercased()
        var style = Style()
        if lower == "title" { style.isTitle = true }
        if lower.hasPrefix("heading"), let level = Int(lower.dropFirst(7)), (1...9).contains(level) {
            style.headingLevel = level
        }
        return style
    }
}

private extension WordStyles.Style {
    /// Fills in what is still unknown from a style further down the `basedOn` chain.
    mutating func merge(_ other: WordStyles.Style) {
        if headingLevel == nil && !isTitle { headingLevel = other.headingLevel }
        if headingLevel == nil && !isTitle { isTitle = other.isTitle }
        isList = isList || other.isList
    }
}

/// Reads `w:body` into rendered blocks. Consecutive list paragraphs become one list block, one line each.
private struct WordBodyReader {
    let styles: WordStyles
    var rendered = RenderedText()
    var titleParagraph: String?
    private var listLines: [String] = []

    init(styles: WordStyles) { self.styles = styles }

    mutating func read(_ body: XMLNodePtr) {
        var blockNodes: [XMLNodePtr] = []
        body.walkDescendants { node in
            guard node.isElement else { return false }
            switch node.localName {
            case "p", "tbl":
                blockNodes.append(node)
                return false
            // Content controls, custom XML and tracked insertions wrap ordinary paragraphs.
            case "sdt", "sdtContent", "customXml", "ins", "smartTag":
                return true
            default:
                return false
            }
        }
        for node in blockNodes {
            if node.localName == "tbl" {
                flushList()
                rendered.add(.table, table(node))
            } else {
                paragraph(node)
            }
        }
        flushList()
    }

    private mutating func paragraph(_ p: XMLNodePtr) {
        var style = WordStyles.Style()
        var listLevel: Int?
        if let properties = p.elementChildren.first(where: { $0.localName == "pPr" }) {
            for property in properties.elementChildren {
                switch property.localName {
                case "pStyle":
                    if let id = property.attribute("val", in: XMLNamespace.word) { style = styles.resolve(id) }
                case "numPr":
                    // numId 0 is Word's way of switching a style's numbering off for one paragraph.
                    let numId = property.elementChildren.first { $0.localName == "numId" }?
                        .attribute("val", in: XMLNamespace.word)
                    if numId != "0" {
                        listLevel = property.elementChildren.first { $0.localName == "ilvl" }?
                            .attribute("val", in: XMLNamespace.word).flatMap { Int($0) } ?? 0
                    }
                case "outlineLvl":
                    if let level = property.attribute("val", in: XMLNamespace.word).flatMap({ Int($0) }),
                       (0...8).contains(level) {
                        style.headingLevel = level + 1
                    }
                default:
                    continue
                }
            }
        }
        let text = Self.paragraphText(p)
        guard text.contains(where: { !$0.isWhitespace }) else { return }
        if style.isTitle || style.headingLevel != nil {
            flushList()
            let heading = RenderedText.oneLine(text)
            if style.isTitle && titleParagraph == nil { titleParagraph = heading }
            rendered.add(.heading(level: style.isTitle ? 1 : style.headingLevel!), heading)
        } else if listLevel != nil || style.isList {
            // The numbering format (numbering.xml) is not resolved, so every item reads as a bullet.
            let indent = String(repeating: "  ", count: min(max(listLevel ?? 0, 0), 8))
            listLines.append(indent + "- " + text.replacingOccurrences(of: "\n", with: " "))
        } else {
            flushList()
            rendered.add(.paragraph, text)
        }
    }

    private mutating func flushList() {
        guard !listLines.isEmpty else { return }
        rendered.add(.list, listLines.joined(separator: "\n"))
        listLines.removeAll()
    }

    /// Rows as lines, cells as "a | b"; a cell's paragraphs (and any table nested in it) flattened into it.
    private func table(_ tbl: XMLNodePtr) -> String {
        var rows: [String] = []
        tbl.walkDescendants { node in
            guard node.isElement else { return false }
            switch node.localName {
            case "tr":
                var cells: [String] = []
                node.walkDescendants { cell in
                    guard cell.isElement else { return false }
                    if cell.localName == "tc" {
                        var paragraphs: [String] = []
                        cell.walkDescendants { inner in
                            guard inner.isElement else { return false }
                            if inner.localName == "p" {
                                paragraphs.append(RenderedText.oneLine(Self.paragraphText(inner)))
                                return false
                            }
                            return true
                        }
                        cells.append(paragraphs.filter { !$0.isEmpty }.joined(separator: " "))
                        return false
                    }
                    return cell.localName == "sdt" || cell.localName == "sdtContent" || cell.localName == "customXml"
                }
                if cells.contains(where: { !$0.isEmpty }) { rows.append(cells.joined(separator: " | ")) }
                return false
            case "sdt", "sdtContent", "customXml":
                return true
            default:
                return false
            }
        }
        return rows.joined(separator: "\n")
    }

    /// The visible text of a paragraph: runs' text, tabs, line breaks; deleted text, field codes and
    /// drawings left out.
    static func paragraphText(_ p: XMLNodePtr) -> String {
        var text = ""
        p.walkDescendants { node in
            guard node.isElement else { return false }
            switch node.localName {
            case "t":
                text += node.textContent
                return false
            case "tab", "ptab":
                text += "\t"
                return false
            case "br", "cr":
                text += "\n"
                return false
            case "noBreakHyphen":
                text += "-"
                return false
            case "pPr", "rPr", "del", "delText", "instrText", "drawing", "pict", "object", "AlternateContent",
                 "footnoteReference", "endnoteReference", "commentReference", "fldChar":
                return false
            default:
                return true
            }
        }
        return text
    }
}
