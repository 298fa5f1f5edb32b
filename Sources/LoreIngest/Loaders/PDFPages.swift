import Foundation
import LoreCore

/// The pure half of the PDF loader: what poppler extracted (each page's text, the outline, the title) in,
/// a `LoadedDocument` out. Kept apart from the C calls so that page and heading placement is tested
/// without a PDF.
enum PDFPages {
    /// One bookmark: its title, its depth in the outline (1 for top-level entries) and the 1-based page
    /// its destination is on (nil when it points nowhere Lore can resolve).
    struct OutlineEntry: Equatable {
        var title: String
        var level: Int
        var page: Int?
    }

    /// Pages are joined so that each starts on a line of its own (an empty page still owns one line), which
    /// makes `pageStarts` strictly increasing and every line belong to exactly one page. Paragraphs are split
    /// on blank lines within a page and never run across a page break, so a passage's page range is exact.
    static func document(title: String?, pages: [String], outline: [OutlineEntry]) -> LoadedDocument {
        var lines: [Substring] = []
        var pageStarts: [Int] = []
        var pageEnds: [Int] = []
        for page in pages {
            pageStarts.append(lines.count + 1)
            let pageLines = SourceLines(normalized(page)).lines
            lines.append(contentsOf: pageLines.isEmpty ? [""] : pageLines)
            pageEnds.append(lines.count)
        }

        let headings = place(outline, lines: lines, pageStarts: pageStarts, pageEnds: pageEnds)
        // Lines that are the printed form of a bookmark's title become its heading instead of body text.
        var headingLines: Set<Int> = []
        for h in headings where h.consumesLine { headingLines.insert(h.line) }

        var blocks: [Block] = []
        var next = headings.makeIterator()
        var pending = next.next()
        func emitHeadings(through line: Int) {
            while let h = pending, h.line <= line {
                blocks.append(Block(kind: .heading(level: h.level), text: h.title, lineStart: h.line, lineEnd: h.line))
                pending = next.next()
            }
        }
        for (pageIndex, start) in pageStarts.enumerated() {
            var paragraphStart: Int?
            func close(before end: Int) {
                guard let s = paragraphStart else { return }
                paragraphStart = nil
                let body = (s..<end).map { String(lines[$0 - 1]) }.joined(separator: "\n")
                blocks.append(Block(kind: .paragraph, text: body, lineStart: s, lineEnd: end - 1))
            }
            for line in start...pageEnds[pageIndex] {
                if let h = pending, h.line <= line {
                    close(before: line)
                    emitHeadings(through: line)
                }
                if headingLines.contains(line) || SourceLines.isBlank(lines[line - 1]) {
                    close(before: line)
                } else if paragraphStart == nil {
                    paragraphStart = line
                }
            }
            close(before: pageEnds[pageIndex] + 1)
        }
        emitHeadings(through: Int.max)

        let trimmedTitle = title.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        return LoadedDocument(title: trimmedTitle?.isEmpty == false ? trimmedTitle : nil, format: .pdf,
                              blocks: blocks, pageStarts: pageStarts,
                              text: lines.joined(separator: "\n"))
    }

    struct PlacedHeading {
        var title: String
        var level: Int
        var line: Int
        /// The heading was found printed on its page at `line` (else it sits at the page's first line).
        var consumesLine: Bool
    }

    /// Where each bookmark's heading goes: at the line of its page that prints its title (optionally after a
    /// section number such as "2.1"), searched from the previous heading on, else at its page's first line.
    /// In outline order a heading never lands before the one above it, so nesting survives placement.
    static func place(_ outline: [OutlineEntry], lines: [Substring], pageStarts: [Int], pageEnds: [Int]) -> [PlacedHeading] {
        var placed: [PlacedHeading] = []
        var previous: (page: Int, line: Int)?
        for entry in outline {
            let title = collapsed(entry.title)
            guard !title.isEmpty, let page = entry.page, page >= 1, page <= pageStarts.count else { continue }
            let samePageAsPrevious = previous.map { $0.page == page } ?? false
            let searchFrom = samePageAsPrevious ? previous!.line + 1 : pageStarts[page - 1]
            var line = pageStarts[page - 1]
            var found = false
            if searchFrom <= pageEnds[page - 1] {
                for candidate in searchFrom...pageEnds[page - 1] where prints(title, lines[candidate - 1]) {
                    line = candidate
                    found = true
                    break
                }
            }
            if let previous, page >= previous.page, line < previous.line { line = previous.line; found = false }
            placed.append(PlacedHeading(title: title, level: max(1, entry.level), line: line, consumesLine: found))
            previous = (page, line)
        }
        // An outline that jumps back in the document still yields headings in reading order.
        return placed.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
    }

    /// Whether a line is the printed heading for `title`: the same words, case aside, perhaps after a
    /// section number ("3", "2.1", "A.4.").
    static func prints(_ title: String, _ line: Substring) -> Bool {
        let printed = collapsed(String(line))
        guard printed.count >= title.count, printed.count <= title.count + 12 else { return false }
        if printed.caseInsensitiveCompare(title) == .orderedSame { return true }
        guard printed.lowercased().hasSuffix(" " + title.lowercased()) else { return false }
        let number = printed.dropLast(title.count + 1)
        guard let first = number.first else { return false }
        let sectionNumber = number.contains(where: \.isNumber) && number.allSatisfy { $0.isNumber || $0 == "." }
        let appendixLetter = first.isUppercase && first.isASCII && (number.count == 1 || number == "\(first).")
        return sectionNumber || appendixLetter
    }

    /// Runs of whitespace as one space, trimmed: bookmark titles and printed lines differ in spacing.
    static func collapsed(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// Poppler ends lines with LF, but a page may carry CR or a form feed from the PDF itself; neither may
    /// open a line of its own in the viewer's count.
    private static func normalized(_ page: String) -> String {
        var text = page
        if text.utf8.contains(0x0D) { text = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n") }
        if text.utf8.contains(0x0C) { text = text.replacingOccurrences(of: "\u{0C}", with: "") }
        while text.utf8.last == 0x0A { text.removeLast() }
        return text
    }
}
