import LoreCore

/// reStructuredText, read with the subset of the grammar that carries structure and words: section titles
/// (levels in the order adornment styles first appear), paragraphs, literal blocks, code directives, lists,
/// tables and the bodies of other directives. Pure Swift: docutils is not at hand and not needed for this.
enum RestructuredTextLoader {
    static func load(_ text: String) -> LoadedDocument {
        let source = SourceLines(text)
        var lines: [Line] = []
        lines.reserveCapacity(source.count)
        for i in 0..<source.count { lines.append(Line(number: i + 1, text: source[i])) }
        var parser = Parser()
        parser.parse(lines[...], depth: 0)
        let title = parser.blocks.first(where: { if case .heading = $0.kind { true } else { false } })?.text
        return LoadedDocument(title: title, format: .restructuredText, blocks: parser.blocks)
    }

    struct Line {
        var number: Int
        var text: Substring
        var isBlank: Bool { SourceLines.isBlank(text) }
        var indentation: Int { SourceLines.indentation(text) }
    }

    /// Directives whose argument and body are no reading matter (tables of contents, index entries, file
    /// inclusions, markup settings).
    static let silentDirectives: Set<String> = [
        "toctree", "index", "image", "include", "literalinclude", "raw", "highlight", "module", "currentmodule",
        "sectionauthor", "moduleauthor", "codeauthor", "tabularcolumns", "testsetup", "testcleanup", "meta",
        "contents", "role", "default-role", "default-domain", "sectnum", "header", "footer", "title",
        "audit-event-table", "impl-detail-x",
    ]
    static let codeDirectives: Set<String> = [
        "code-block", "code", "sourcecode", "doctest", "testcode", "testoutput", "productionlist", "parsed-literal",
    ]

    struct Parser {
        var blocks: [Block] = []
        /// Adornment styles in order of first appearance; the index is the heading level minus one.
        var styles: [String] = []
        /// Indented bodies nest; past this, what is left is kept as plain paragraphs.
        let maxDepth = 24

        mutating func parse(_ lines: ArraySlice<Line>, depth: Int) {
            var i = lines.startIndex
            let end = lines.endIndex
            while i < end {
                let line = lines[i]
                if line.isBlank { i += 1; continue }

                if line.indentation > 0 {
                    let j = indentedEnd(lines, from: i, beyond: 0)
                    nested(lines[i..<j], depth: depth, kind: .quote)
                    i = j
                    continue
                }
                if depth == 0, let next = sectionTitle(lines, at: i) {
                    i = next
                    continue
                }
                if Self.adornmentChar(line.text) != nil, i + 1 == end || lines[i + 1].isBlank {
                    i += 1  // a transition
                    continue
                }
                if line.text.hasPrefix(".. ") || line.text == ".." {
                    i = explicitMarkup(lines, at: i, depth: depth)
                    continue
                }
                if line.text.hasPrefix(">>>") {
                    let j = runEnd(lines, from: i)
                    addVerbatim(.code, lines[i..<j], prefix: nil)
                    i = j
                    continue
                }
                if line.text.hasPrefix("+-") || line.text.hasPrefix("+=") {
                    let j = runEnd(lines, from: i)
                    addGridTable(lines[i..<j])
                    i = j
                    continue
                }
                if Self.isSimpleTableBorder(line.text) {
                    i = simpleTable(lines, at: i)
                    continue
                }
                if Self.isListItem(line.text) {
                    i = list(lines, at: i)
                    continue
                }
                i = paragraph(lines, at: i, depth: depth)
            }
        }

        // MARK: sections

        private mutating func sectionTitle(_ lines: ArraySlice<Line>, at i: Int) -> Int? {
            let end = lines.endIndex
            let line = lines[i]
            if let over = Self.adornmentChar(line.text), i + 2 < end, !lines[i + 1].isBlank,
               Self.adornmentChar(lines[i + 2].text) == over {
                let title = SourceLines.trimmed(lines[i + 1].text)
                guard lines[i + 2].text.utf8.count >= title.count || lines[i + 2].text.utf8.count >= 4 else {
                    return nil
                }
                addHeading(title, style: "\(over)\(over)", from: line.number, to: lines[i + 2].number)
                return i + 3
            }
            if Self.adornmentChar(line.text) == nil, i + 1 < end, let under = Self.adornmentChar(lines[i + 1].text) {
                let title = SourceLines.trimmed(line.text)
                let width = lines[i + 1].text.utf8.count
                guard width >= title.count || width >= 4 else { return nil }
                addHeading(title, style: "\(under)", from: line.number, to: lines[i + 1].number)
                return i + 2
            }
            return nil
        }

        private mutating func addHeading(_ title: Substring, style: String, from: Int, to: Int) {
            let level: Int
            if let known = styles.firstIndex(of: style) {
                level = known + 1
            } else {
                styles.append(style)
                level = styles.count
            }
            let text = Self.plainInline(title)
            guard !text.isEmpty else { return }
            blocks.append(Block(kind: .heading(level: min(level, 6)), text: text, lineStart: from, lineEnd: to))
        }

        /// A line made of one punctuation character repeated (at least twice): a section adornment.
        static func adornmentChar(_ text: Substring) -> Character? {
            let t = text.utf8
            guard t.count >= 2, let first = t.first, first > 0x20, first < 0x7F,
                  !(first >= 0x30 && first <= 0x39), !(first >= 0x41 && first <= 0x5A),
                  !(first >= 0x61 && first <= 0x7A) else { return nil }
            var trailingSpace = false
            for b in t {
                if b == first && !trailingSpace { continue }
                if b == 0x20 || b == 0x09 { trailingSpace = true; continue }
                return nil
            }
            return Character(Unicode.Scalar(first))
        }

        // MARK: explicit markup

        private mutating func explicitMarkup(_ lines: ArraySlice<Line>, at i: Int, depth: Int) -> Int {
            let j = indentedEnd(lines, from: i + 1, beyond: 0)
            let head = lines[i].text.dropFirst(lines[i].text.hasPrefix(".. ") ? 3 : 2)
            guard let marker = head.firstRange(of: "::"), !head.hasPrefix("_"), !head.hasPrefix("|"),
                  Self.isDirectiveName(head[..<marker.lowerBound]) else {
                // A footnote keeps its text; comments, link targets and substitutions carry none.
                if head.hasPrefix("[") {
                    var body = lines[i..<j]
                    body[i].text = head
                    addParagraph(body)
                }
                return j
            }
            let name = String(head[..<marker.lowerBound]).lowercased()
            let argument = SourceLines.trimmed(head[marker.upperBound...])
            if RestructuredTextLoader.silentDirectives.contains(name) { return j }

            // Options (":linenos:") directly under the directive are settings, not content.
            var k = i + 1
            while k < j, !lines[k].isBlank, SourceLines.trimmed(lines[k].text).hasPrefix(":") { k += 1 }
            let body = lines[k..<j]

            if RestructuredTextLoader.codeDirectives.contains(name) {
                let language = argument.split(separator: " ").first.map(String.init) ?? ""
                addVerbatim(.code, body, prefix: "```" + language, firstLine: lines[i].number)
                return j
            }
            if !argument.isEmpty {
                let text = Self.plainInline(argument)
                if !text.isEmpty {
                    blocks.append(Block(kind: .paragraph, text: text, lineStart: lines[i].number,
                                        lineEnd: lines[i].number))
                }
            }
            nested(body, depth: depth, kind: nil)
            return j
        }

        private static func isDirectiveName(_ name: Substring) -> Bool {
            !name.isEmpty && name.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                    || b == 0x2D || b == 0x5F || b == 0x3A || b == 0x2E || b == 0x2B
            }
        }

        // MARK: bodies

        /// An indented body, dedented and parsed again as a whole; a quote when it stands alone.
        private mutating func nested(_ lines: ArraySlice<Line>, depth: Int, kind: Block.Kind?) {
            let content = lines.filter { !$0.isBlank }
            guard let minIndent = content.map(\.indentation).min() else { return }
            if depth >= maxDepth {
                addParagraph(lines)
                return
            }
            let dedented = lines.map { line in
                Line(number: line.number, text: Self.dropIndentation(line.text, minIndent))
            }
            let before = blocks.count
            parse(dedented[...], depth: depth + 1)
            if let kind {
                for b in before..<blocks.count where blocks[b].kind == .paragraph { blocks[b].kind = kind }
            }
        }

        private mutating func paragraph(_ lines: ArraySlice<Line>, at i: Int, depth: Int) -> Int {
            let j = runEnd(lines, from: i)
            var body = lines[i..<j]
            var literalFollows = false
            if let last = body.last, SourceLines.trimmed(last.text).hasSuffix("::") {
                literalFollows = true
                let trimmed = SourceLines.trimmed(last.text)
                var kept = trimmed.dropLast(2)
                // "Example::" reads "Example:"; " ::" on its own, or after a space, vanishes.
                if kept.last != " " && !kept.isEmpty { kept += ":" }
                body[body.endIndex - 1].text = Substring(kept)
            }
            addParagraph(body)
            guard literalFollows else { return j }
            var k = j
            while k < lines.endIndex, lines[k].isBlank { k += 1 }
            guard k < lines.endIndex, lines[k].indentation > 0 else { return j }
            let end = indentedEnd(lines, from: k, beyond: 0)
            addVerbatim(.code, lines[k..<end], prefix: nil)
            return end
        }

        private mutating func addParagraph(_ lines: ArraySlice<Line>) {
            let content = lines.filter { !$0.isBlank }
            guard let first = content.first, let last = content.last else { return }
            let text = content.map { Self.plainInline(SourceLines.trimmed($0.text)) }
                .filter { !$0.isEmpty }.joined(separator: "\n")
            guard !text.isEmpty else { return }
            blocks.append(Block(kind: .paragraph, text: text, lineStart: first.number, lineEnd: last.number))
        }

        /// Code keeps its lines, dedented by their common indentation.
        private mutating func addVerbatim(_ kind: Block.Kind, _ lines: ArraySlice<Line>, prefix: String?,
                                          firstLine: Int? = nil) {
            var content = Array(lines)
            while content.first?.isBlank == true { content.removeFirst() }
            while content.last?.isBlank == true { content.removeLast() }
            guard let last = content.last else { return }
            let indent = content.filter { !$0.isBlank }.map(\.indentation).min() ?? 0
            var text = content.map { Self.dropIndentation($0.text, indent) }.joined(separator: "\n")
            if let prefix { text = prefix + "\n" + text + "\n```" }
            blocks.append(Block(kind: kind, text: text, lineStart: firstLine ?? content[0].number,
                                lineEnd: last.number))
        }

        private mutating func list(_ lines: ArraySlice<Line>, at i: Int) -> Int {
            var j = i
            var lastContent = i
            while j < lines.endIndex {
                let line = lines[j]
                if line.isBlank { j += 1; continue }
                if j > i, line.indentation == 0, !Self.isListItem(line.text), lines[j - 1].isBlank { break }
                lastContent = j
                j += 1
            }
            let text = lines[i...lastContent].filter { !$0.isBlank }
                .map { Self.plainInline(SourceLines.trimmed($0.text)) }.joined(separator: "\n")
            if !text.isEmpty {
                blocks.append(Block(kind: .list, text: text, lineStart: lines[i].number,
                                    lineEnd: lines[lastContent].number))
            }
            return lastContent + 1
        }

        // MARK: tables

        private mutating func addGridTable(_ lines: ArraySlice<Line>) {
            var rows: [String] = []
            for line in lines where line.text.hasPrefix("|") {
                let cells = line.text.split(separator: "|").map { Self.plainInline(SourceLines.trimmed($0)) }
                if cells.contains(where: { !$0.isEmpty }) { rows.append(cells.joined(separator: " | ")) }
            }
            guard !rows.isEmpty, let first = lines.first, let last = lines.last else { return }
            blocks.append(Block(kind: .table, text: rows.joined(separator: "\n"), lineStart: first.number,
                                lineEnd: last.number))
        }

        static func isSimpleTableBorder(_ text: Substring) -> Bool {
            let t = SourceLines.trimmed(text)
            guard t.hasPrefix("="), t.utf8.contains(0x20) else { return false }
            return t.utf8.allSatisfy { $0 == 0x3D || $0 == 0x20 }
        }

        /// A simple table ends at a border followed by a blank line (or the end).
        private mutating func simpleTable(_ lines: ArraySlice<Line>, at i: Int) -> Int {
            var j = i + 1
            var end = lines.endIndex
            while j < lines.endIndex {
                if Self.isSimpleTableBorder(lines[j].text), j + 1 == lines.endIndex || lines[j + 1].isBlank {
                    end = j + 1
                    break
                }
                j += 1
            }
            var rows: [String] = []
            for line in lines[i..<end] where !line.isBlank && !Self.isSimpleTableBorder(line.text) {
                let cells = SourceLines.trimmed(line.text).split(separator: "  ", omittingEmptySubsequences: true)
                    .map { Self.plainInline(SourceLines.trimmed($0)) }.filter { !$0.isEmpty }
                rows.append(cells.joined(separator: " | "))
            }
            if !rows.isEmpty {
                blocks.append(Block(kind: .table, text: rows.joined(separator: "\n"), lineStart: lines[i].number,
                                    lineEnd: lines[end - 1].number))
            }
            return end
        }

        // MARK: line helpers

        /// The end of a run of non-blank lines.
        private func runEnd(_ lines: ArraySlice<Line>, from i: Int) -> Int {
            var j = i
            while j < lines.endIndex, !lines[j].isBlank { j += 1 }
            return j
        }

        /// The end of the lines indented deeper than `beyond` (blank lines included, trailing ones not).
        private func indentedEnd(_ lines: ArraySlice<Line>, from i: Int, beyond: Int) -> Int {
            var j = i
            var last = i
            while j < lines.endIndex {
                if lines[j].isBlank { j += 1; continue }
                if lines[j].indentation <= beyond { break }
                j += 1
                last = j
            }
            return max(last, i)
        }

        static func isListItem(_ text: Substring) -> Bool {
            let u = Array(text.utf8.prefix(8))
            guard let first = u.first else { return false }
            if first == 0x2D || first == 0x2A || first == 0x2B { return u.count == 1 || u[1] == 0x20 }
            var k = 0
            while k < u.count, (u[k] >= 0x30 && u[k] <= 0x39) || (k == 0 && u[k] == 0x23) { k += 1 }
            guard k > 0, k + 1 < u.count else { return false }
            return (u[k] == 0x2E || u[k] == 0x29) && u[k + 1] == 0x20
        }

        static func dropIndentation(_ text: Substring, _ width: Int) -> Substring {
            var removed = 0
            var index = text.utf8.startIndex
            while removed < width, index < text.utf8.endIndex {
                let b = text.utf8[index]
                if b == 0x20 { removed += 1 } else if b == 0x09 { removed = (removed / 8 + 1) * 8 } else { break }
                index = text.utf8.index(after: index)
            }
            return text[index...]
        }

        /// Inline markup reduced to its words: roles (:func:`open` → open), literals, emphasis, hyperlink
        /// targets (`text <url>`_ → text) and backslash escapes.
        static func plainInline(_ text: Substring) -> String {
            let bytes = Array(text.utf8)
            guard bytes.contains(where: { $0 == 0x60 || $0 == 0x2A || $0 == 0x5C || $0 == 0x3A }) else {
                return String(text)
            }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var i = 0
            let n = bytes.count
            func isSpace(_ k: Int) -> Bool { k < 0 || k >= n || bytes[k] == 0x20 || bytes[k] == 0x09 }
            while i < n {
                let b = bytes[i]
                switch b {
                case 0x5C where i + 1 < n:  // backslash escape
                    out.append(bytes[i + 1])
                    i += 2
                case 0x3A:  // ":role:`" loses its role
                    var j = i + 1
                    while j < n, j - i < 40, bytes[j] != 0x60, bytes[j] != 0x20 { j += 1 }
                    if j < n, bytes[j] == 0x60, bytes[j - 1] == 0x3A, j - 1 > i + 1 {
                        i = j
                    } else {
                        out.append(b)
                        i += 1
                    }
                case 0x60:  // `text`, ``literal``, `text <target>`_
                    var open = i
                    while open < n, bytes[open] == 0x60 { open += 1 }
                    let ticks = open - i
                    var close = open
                    while close < n, bytes[close] != 0x60 { close += 1 }
                    guard close < n else {
                        out.append(contentsOf: bytes[open..<n])
                        i = n
                        break
                    }
                    var content = bytes[open..<close]
                    if ticks == 1, content.last == 0x3E, let lt = content.lastIndex(of: 0x3C), lt > open,
                       bytes[lt - 1] == 0x20 {
                        content = bytes[open..<(lt - 1)]
                    }
                    // Sphinx's `~mod.name` and `!name` prefixes belong to roles; a ``~/literal`` keeps its tilde.
                    if ticks == 1, let f = content.first, f == 0x7E || f == 0x21 { content = content.dropFirst() }
                    out.append(contentsOf: content)
                    i = close
                    while i < n, bytes[i] == 0x60 { i += 1 }
                    while i < n, bytes[i] == 0x5F { i += 1 }
                case 0x2A where (isSpace(i - 1) && !isSpace(i + 1)) || (!isSpace(i - 1) && (isSpace(i + 1) || i + 1 == n)) || (i + 1 < n && bytes[i + 1] == 0x2A):
                    i += 1
                default:
                    out.append(b)
                    i += 1
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
