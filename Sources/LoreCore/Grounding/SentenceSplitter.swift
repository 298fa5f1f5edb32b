import Foundation

/// Where sentences of documentation prose end, and which lines of a passage are prose at all.
///
/// A `.`, `!` or `?` ends a sentence when whitespace (or the end) follows it, possibly after closing quotes or
/// brackets, and the next word does not start with a lowercase letter. Not ends: `3.14`, `file.txt`, `e.g.`,
/// `i.e.`, `cf.`, `vs.`, `Fig.`, `No.` and similar abbreviations, and single capital initials (`J. Smith`).
/// `etc.` ends a sentence only when a capitalised word follows it.
enum SentenceSplitter {
    /// Abbreviations after which a period never ends a sentence (lowercased, without the final period).
    static let abbreviations: Set<String> = [
        "e.g", "i.e", "cf", "vs", "viz", "approx", "resp", "incl", "fig", "figs", "no", "nos", "eq", "sec",
        "ch", "vol", "p", "pp", "dr", "mr", "mrs", "ms", "st", "al", "ca",
    ]

    private static let closers: Set<Character> = ["\"", "'", "\u{201D}", "\u{2019}", ")", "]", "*", "_", "`"]

    /// If a sentence ends at `chars[i]` (a `.`, `!` or `?`), the index just past it and any closing quotes.
    static func sentenceEnd(in chars: [Character], at i: Int) -> Int? {
        let c = chars[i]
        guard c == "." || c == "!" || c == "?" else { return nil }
        var j = i + 1
        while j < chars.count, closers.contains(chars[j]) { j += 1 }
        if j == chars.count { return j }
        guard chars[j].isWhitespace else { return nil }
        var k = j
        while k < chars.count, chars[k].isWhitespace { k += 1 }
        if k == chars.count { return j }
        if chars[k].isLowercase { return nil }
        guard c == "." else { return j }
        var start = i
        while start > 0, !chars[start - 1].isWhitespace { start -= 1 }
        let word = String(chars[start..<i]).trimmingCharacters(in: .init(charactersIn: "([{\"'*_`"))
        if abbreviations.contains(word.lowercased()) { return nil }
        if word.count == 1, word.first!.isUppercase { return nil }
        return j
    }

    /// The sentences of one paragraph of running text, trimmed.
    static func sentences(in paragraph: String) -> [String] {
        let chars = Array(paragraph)
        var out: [String] = []
        var start = 0
        var i = 0
        while i < chars.count {
            if let end = sentenceEnd(in: chars, at: i) {
                appendTrimmed(chars[start..<end], to: &out)
                start = end
                i = end
            } else {
                i += 1
            }
        }
        appendTrimmed(chars[start...], to: &out)
        return out
    }

    private static func appendTrimmed(_ chars: ArraySlice<Character>, to out: inout [String]) {
        let text = String(chars).trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.isEmpty { out.append(text) }
    }

    /// A sentence of prose from a passage, with where it came from.
    struct ProseSentence: Equatable {
        var text: String
        /// From a list item, which often has no final period.
        var fromListItem: Bool
    }

    /// The prose sentences of a passage in their original order. Skipped: fenced and indented code, Markdown
    /// and reST headings, table rows, horizontal rules, directives, and lines that look like code or commands.
    /// Hard-wrapped lines of one paragraph are joined; each list item is a paragraph of its own.
    static func proseSentences(in text: String) -> [ProseSentence] {
        var out: [ProseSentence] = []
        var paragraph: [String] = []
        var paragraphIsListItem = false
        var paragraphIsQuote = false
        var fence: String?

        func flush() {
            if !paragraph.isEmpty {
                for sentence in sentences(in: paragraph.joined(separator: " ")) {
                    out.append(ProseSentence(text: sentence, fromListItem: paragraphIsListItem))
                }
            }
            paragraph = []
            paragraphIsListItem = false
            paragraphIsQuote = false
        }

        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            let line = String(rawLine)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let open = fence {
                if trimmed.hasPrefix(open) { fence = nil }
                continue
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                flush()
                fence = String(trimmed.prefix(3))
                continue
            }
            if trimmed.isEmpty { flush(); continue }
            let indent = line.prefix(while: { $0 == " " || $0 == "\t" })
            if paragraph.isEmpty, indent.contains("\t") || indent.count >= 4 { continue }
            if isHeading(trimmed) || trimmed.hasPrefix("|") || trimmed.hasPrefix("+-") { flush(); continue }
            if isRule(trimmed) {
                // Under a line of text this is a reST or setext heading: that line was a title, not prose.
                if !paragraph.isEmpty { paragraph.removeLast() }
                flush()
                continue
            }
            if trimmed.hasPrefix("..") {
                flush()
                continue
            }
            if isCommandLine(trimmed) { flush(); continue }
            var content = trimmed
            if content.hasPrefix(">"), !paragraphIsQuote {
                // A block quote starts a block of its own, even straight after a list item.
                flush()
                paragraphIsQuote = true
            }
            while content.hasPrefix(">") { content = content.dropFirst().trimmingCharacters(in: .whitespaces) }
            if let item = listItemText(content) {
                flush()
                paragraph = [item]
                paragraphIsListItem = true
                continue
            }
            paragraph.append(content)
        }
        flush()
        return out
    }

    private static func isHeading(_ line: String) -> Bool {
        guard line.hasPrefix("#") else { return false }
        let rest = line.drop(while: { $0 == "#" })
        return rest.isEmpty || rest.first == " "
    }

    /// A line of one repeated punctuation character: a horizontal rule or a heading underline.
    private static func isRule(_ line: String) -> Bool {
        guard line.count >= 3, let first = line.first, "-=*_~^+#:'\"`.".contains(first) else { return false }
        return line.allSatisfy { $0 == first || $0 == " " }
    }

    /// Shell and interactive prompts: `$ pg_dump …`, `postgres=# VACUUM;`, `>>> import x`.
    private static func isCommandLine(_ line: String) -> Bool {
        if line.hasPrefix("$ ") || line.hasPrefix(">>> ") || line.hasPrefix("% ") { return true }
        if let hash = line.range(of: "=# ") ?? line.range(of: "=> "), line[..<hash.lowerBound].allSatisfy(\.isLetter) {
            return true
        }
        return false
    }

    /// The text of a list item line without its bullet or number, or nil when the line is not one.
    private static func listItemText(_ line: String) -> String? {
        if let first = line.first, "-*+•".contains(first), line.dropFirst().first == " " {
            return line.dropFirst(2).trimmingCharacters(in: .whitespaces)
        }
        let digits = line.prefix(while: \.isNumber)
        if !digits.isEmpty, digits.count <= 3 {
            let rest = line.dropFirst(digits.count)
            if let mark = rest.first, mark == "." || mark == ")", rest.dropFirst().first == " " {
                return rest.dropFirst(2).trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    /// The longest leading part of `text` whose `estimateTokens` is at most `tokens`, cut at the end of a
    /// sentence or paragraph if any fits, else at the end of a line, else between words. Nil when not even
    /// one word fits.
    static func prefix(of text: String, fittingTokens tokens: Int) -> String? {
        guard tokens > 0 else { return nil }
        if estimateTokens(text) <= tokens { return text }
        let chars = Array(text)
        var sentenceCuts: [Int] = []
        var lineCuts: [Int] = []
        var wordCuts: [Int] = []
        for i in chars.indices {
            if let end = sentenceEnd(in: chars, at: i) { sentenceCuts.append(end) }
            if chars[i].isNewline {
                if i > 0, chars[i - 1].isNewline { sentenceCuts.append(i) }
                lineCuts.append(i)
            } else if chars[i] == " " || chars[i] == "\t" {
                wordCuts.append(i)
            }
        }
        func fits(_ cut: Int) -> Bool { estimateTokens(String(chars[..<cut])) <= tokens }
        for cuts in [sentenceCuts, lineCuts, wordCuts] {
            // Estimates grow with length, so the cuts that fit form a prefix of the sorted list.
            let sorted = Array(Set(cuts)).sorted()
            var low = 0
            var high = sorted.count
            while low < high {
                let mid = (low + high) / 2
                if fits(sorted[mid]) { low = mid + 1 } else { high = mid }
            }
            if low > 0 {
                let piece = String(chars[..<sorted[low - 1]]).trimmingCharacters(in: .whitespacesAndNewlines)
                if !piece.isEmpty { return piece }
            }
        }
        return nil
    }
}
