import CLibxml2
import LoreCore

/// Word documents (Office Open XML): the body of the main part (`word/document.xml`) as paragraphs,
/// headings, lists and tables, rendered as plain text. List items carry the marker Word shows ("1.", "a)",
/// "•"), from `word/numbering.xml`. Footnotes and endnotes are kept: a "[^1]" where the note is referenced,
/// and the note itself ("[^1] The note.") as a paragraph at the end of the section that references it, so
/// the sentence reads on uninterrupted while the note stays under the same headings, in the same or the next
/// passage. Headers, footers, comments and text inside drawings are left out: they interrupt the running
/// text, and none of them is what a question is about.
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
        func part(_ name: String) -> XMLPart? {
            (try? zip.read(folder.isEmpty ? name : folder + "/" + name).get()).flatMap(XMLPart.init)
        }
        // Missing or unreadable numbering or notes parts cost list markers or notes, not the document.
        let numbering = part("numbering.xml").map(WordNumbering.init) ?? WordNumbering()
        let notes = WordNotes(footnotes: part("footnotes.xml"), endnotes: part("endnotes.xml"))
        var reader = WordBodyReader(styles: styles, numbering: numbering, notes: notes)
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
        /// The numbering a list style gives its paragraphs, and at which level.
        var numId: String?
        var numLevel: Int?
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
                            if property.localName == "numPr" {
                                let (numId, level) = WordNumbering.reference(property)
                                info.isList = numId != "0"
                                info.numId = numId
                                info.numLevel = level
                            }
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
        if !isList && other.isList {
            isList = true
            numId = numId ?? other.numId
            numLevel = numLevel ?? other.numLevel
        }
    }
}

/// Reads `w:body` into rendered blocks. Consecutive list paragraphs become one list block, one line each.
private struct WordBodyReader {
    let styles: WordStyles
    let numbering: WordNumbering
    let notes: WordNotes
    var rendered = RenderedText()
    var titleParagraph: String?
    private var listLines: [String] = []
    private var counters = WordListCounters()
    /// Notes referenced in the current section, each "[^n] text", written out before the next heading.
    private var pendingNotes: [String] = []
    private var notesReferenced = 0

    init(styles: WordStyles, numbering: WordNumbering, notes: WordNotes) {
        self.styles = styles
        self.numbering = numbering
        self.notes = notes
    }

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
                let text = table(node)
                rendered.add(.table, text)
            } else {
                paragraph(node)
            }
        }
        flushList()
        flushNotes()
    }

    /// The notes of the section that ends here, one paragraph each.
    private mutating func flushNotes() {
        for note in pendingNotes { rendered.add(.paragraph, note) }
        pendingNotes.removeAll()
    }

    private mutating func paragraph(_ p: XMLNodePtr) {
        var style = WordStyles.Style()
        var listLevel: Int?
        var listNumId: String?
        if let properties = p.elementChildren.first(where: { $0.localName == "pPr" }) {
            for property in properties.elementChildren {
                switch property.localName {
                case "pStyle":
                    if let id = property.attribute("val", in: XMLNamespace.word) { style = styles.resolve(id) }
                case "numPr":
                    // numId 0 is Word's way of switching a style's numbering off for one paragraph.
                    let (numId, level) = WordNumbering.reference(property)
                    if numId == "0" {
                        style.isList = false
                        listNumId = "0"
                    } else {
                        listNumId = numId
                        listLevel = level ?? 0
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
        let isHeading = style.isTitle || style.headingLevel != nil
        // A heading ends the section before it, and its notes go before the heading.
        if isHeading {
            flushList()
            flushNotes()
        }
        let text = paragraphText(p)
        guard text.contains(where: { !$0.isWhitespace }) else { return }
        if isHeading {
            let heading = RenderedText.oneLine(text)
            if style.isTitle && titleParagraph == nil { titleParagraph = heading }
            rendered.add(.heading(level: style.isTitle ? 1 : style.headingLevel!), heading)
        } else if listNumId != "0" && (listLevel != nil || style.isList) {
            let level = min(max(listLevel ?? style.numLevel ?? 0, 0), 8)
            let numId = listNumId ?? style.numId
            let marker = numId.map { counters.next(numId: $0, level: level, in: numbering) } ?? WordNumbering.bullet
            let indent = String(repeating: "  ", count: level)
            let item = text.replacingOccurrences(of: "\n", with: " ")
            listLines.append(indent + (marker.isEmpty ? item : marker + " " + item))
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
    private mutating func table(_ tbl: XMLNodePtr) -> String {
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
                                paragraphs.append(RenderedText.oneLine(paragraphText(inner)))
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

    /// The visible text of a paragraph: runs' text, tabs, line breaks, "[^n]" for a note referenced (the
    /// note kept for the end of the section); deleted text, field codes and drawings left out.
    mutating func paragraphText(_ p: XMLNodePtr) -> String {
        var text = ""
        p.walkDescendants { node in
            guard node.isElement else { return false }
            switch node.localName {
            case "footnoteReference", "endnoteReference":
                let isFootnote = node.localName == "footnoteReference"
                if let id = node.attribute("id", in: XMLNamespace.word),
                   let note = isFootnote ? notes.footnotes[id] : notes.endnotes[id] {
                    notesReferenced += 1
                    let marker = "[^\(notesReferenced)]"
                    text += marker
                    pendingNotes.append(marker + " " + note)
                }
                return false
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
                 "commentReference", "fldChar", "footnoteRef", "endnoteRef":
                return false
            default:
                return true
            }
        }
        return text
    }
}

/// The list definitions of `word/numbering.xml`: each `w:num` a list instance of an abstract definition,
/// each level with its number format, its start and its marker text ("%1.", "%1.%2)", a bullet glyph).
struct WordNumbering {
    struct Level: Equatable {
        var format = "decimal"
        /// `w:lvlText`, "%1" standing for level 1's number; nil when the level does not say.
        var text: String?
        var start = 1
    }

    struct Instance {
        var abstract: String
        /// Levels the instance restarts (`w:startOverride`) or redefines (`w:lvl` in `w:lvlOverride`).
        var startOverrides: [Int: Int] = [:]
        var levelOverrides: [Int: Level] = [:]
    }

    static let bullet = "•"

    private(set) var abstracts: [String: [Int: Level]] = [:]
    private(set) var instances: [String: Instance] = [:]

    init() {}

    init(_ part: XMLPart) {
        var abstracts: [String: [Int: Level]] = [:]
        var instances: [String: Instance] = [:]
        _ = part.withRoot { root -> Void? in
            for child in root.elementChildren {
                switch child.localName {
                case "abstractNum":
                    guard let id = child.attribute("abstractNumId", in: XMLNamespace.word) else { continue }
                    var levels: [Int: Level] = [:]
                    for lvl in child.elementChildren where lvl.localName == "lvl" {
                        if let (index, level) = Self.level(lvl) { levels[index] = level }
                    }
                    abstracts[id] = levels
                case "num":
                    guard let id = child.attribute("numId", in: XMLNamespace.word),
                          let abstract = child.elementChildren.first(where: { $0.localName == "abstractNumId" })?
                            .attribute("val", in: XMLNamespace.word) else { continue }
                    var instance = Instance(abstract: abstract)
                    for override in child.elementChildren where override.localName == "lvlOverride" {
                        guard let index = override.attribute("ilvl", in: XMLNamespace.word).flatMap({ Int($0) })
                        else { continue }
                        for item in override.elementChildren {
                            if item.localName == "startOverride",
                               let start = item.attribute("val", in: XMLNamespace.word).flatMap({ Int($0) }) {
                                instance.startOverrides[index] = start
                            }
                            if item.localName == "lvl", let (_, level) = Self.level(item) {
                                instance.levelOverrides[index] = level
                            }
                        }
                    }
                    instances[id] = instance
                default:
                    continue
                }
            }
            return nil
        }
        self.abstracts = abstracts
        self.instances = instances
    }

    private static func level(_ lvl: XMLNodePtr) -> (Int, Level)? {
        guard let index = lvl.attribute("ilvl", in: XMLNamespace.word).flatMap({ Int($0) }),
              (0...8).contains(index) else { return nil }
        var level = Level()
        for property in lvl.elementChildren {
            let value = property.attribute("val", in: XMLNamespace.word)
            switch property.localName {
            case "numFmt": level.format = value ?? "decimal"
            case "lvlText": level.text = value
            case "start": level.start = value.flatMap { Int($0) } ?? 1
            default: continue
            }
        }
        return (index, level)
    }

    /// The `w:numId` and `w:ilvl` of a `w:numPr`.
    static func reference(_ numPr: XMLNodePtr) -> (numId: String?, level: Int?) {
        let numId = numPr.elementChildren.first { $0.localName == "numId" }?.attribute("val", in: XMLNamespace.word)
        let level = numPr.elementChildren.first { $0.localName == "ilvl" }?
            .attribute("val", in: XMLNamespace.word).flatMap { Int($0) }
        return (numId, level)
    }

    /// Level `index` of list instance `numId`, overrides applied; nil for a list the part does not define.
    func level(_ index: Int, of numId: String) -> Level? {
        guard let instance = instances[numId] else { return nil }
        if let override = instance.levelOverrides[index] { return override }
        return abstracts[instance.abstract]?[index]
    }

    /// `value` written in a level's number format. Formats Lore does not spell (ordinal words, other
    /// scripts) fall back to digits, which still tell the items apart.
    static func format(_ value: Int, as format: String) -> String {
        switch format {
        case "decimalZero": return value < 10 ? "0\(value)" : String(value)
        case "lowerLetter": return letters(value)
        case "upperLetter": return letters(value).uppercased()
        case "lowerRoman": return roman(value)
        case "upperRoman": return roman(value).uppercased()
        case "none": return ""
        default: return String(value)
        }
    }

    /// Word's letters: a…z, then aa…zz, then aaa.
    private static func letters(_ value: Int) -> String {
        guard value > 0 else { return String(value) }
        let letter = Character(Unicode.Scalar(UInt8(97 + (value - 1) % 26)))
        return String(repeating: letter, count: (value - 1) / 26 + 1)
    }

    private static func roman(_ value: Int) -> String {
        guard value > 0 && value < 4000 else { return String(value) }
        let table: [(Int, String)] = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                                      (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
        var rest = value
        var result = ""
        for (amount, digits) in table {
            while rest >= amount {
                result += digits
                rest -= amount
            }
        }
        return result
    }
}

/// Where each list stands: the last number given at each level. Instances of one abstract definition
/// continue one another's numbering, as in Word, unless an instance restarts a level.
struct WordListCounters {
    private var counts: [String: [Int: Int]] = [:]
    private var instancesSeen: Set<String> = []

    /// The marker of the next item at `level` of list `numId`: the level's text with each "%k" replaced by
    /// level k's current number, or a bullet for a bullet level or a list `numbering` does not define.
    mutating func next(numId: String, level: Int, in numbering: WordNumbering) -> String {
        guard let instance = numbering.instances[numId], let definition = numbering.level(level, of: numId) else {
            return WordNumbering.bullet
        }
        let key = instance.abstract
        if instancesSeen.insert(numId).inserted {
            for (index, start) in instance.startOverrides { counts[key, default: [:]][index] = start - 1 }
        }
        let current = (counts[key]?[level] ?? (definition.start - 1)) + 1
        counts[key, default: [:]][level] = current
        // A deeper level starts again under each new item.
        for deeper in (level + 1)..<9 { counts[key]?[deeper] = nil }
        if definition.format == "bullet" { return WordNumbering.bullet }
        guard let text = definition.text else { return WordNumbering.format(current, as: definition.format) + "." }
        var marker = ""
        var characters = Substring(text)
        while let c = characters.first {
            characters = characters.dropFirst()
            if c == "%", let digit = characters.first?.wholeNumberValue, (1...9).contains(digit) {
                characters = characters.dropFirst()
                let index = digit - 1
                let levelDefinition = numbering.level(index, of: numId)
                let value = counts[key]?[index] ?? levelDefinition?.start ?? 1
                marker += WordNumbering.format(value, as: levelDefinition?.format ?? "decimal")
            } else {
                marker.append(c)
            }
        }
        return marker
    }
}

/// The footnotes and endnotes of a document by id, each as one line of text; Word's separator notes
/// (the rule above the notes) are left out.
struct WordNotes {
    var footnotes: [String: String] = [:]
    var endnotes: [String: String] = [:]

    init(footnotes: XMLPart?, endnotes: XMLPart?) {
        self.footnotes = footnotes.map { Self.read($0, element: "footnote") } ?? [:]
        self.endnotes = endnotes.map { Self.read($0, element: "endnote") } ?? [:]
    }

    private static func read(_ part: XMLPart, element: String) -> [String: String] {
        part.withRoot { root -> [String: String]? in
            var notes: [String: String] = [:]
            for note in root.elementChildren where note.localName == element {
                if let type = note.attribute("type", in: XMLNamespace.word), type != "normal" { continue }
                guard let id = note.attribute("id", in: XMLNamespace.word) else { continue }
                var paragraphs: [String] = []
                // A note's own paragraphs hold no note references, so a reader without notes reads them.
                var reader = WordBodyReader(styles: WordStyles(), numbering: WordNumbering(),
                                            notes: WordNotes())
                note.walkDescendants { node in
                    guard node.isElement else { return false }
                    if node.localName == "p" {
                        paragraphs.append(RenderedText.oneLine(reader.paragraphText(node)))
                        return false
                    }
                    return true
                }
                let text = paragraphs.filter { !$0.isEmpty }.joined(separator: " ")
                if !text.isEmpty { notes[id] = text }
            }
            return notes
        } ?? [:]
    }

    init() {}
}
