import Foundation

/// Why a passage is not worth a synthetic question: text a reader would never ask about.
public enum BoilerplateKind: String, Sendable, Equatable, CaseIterable {
    /// Fewer than `Boilerplate.minimumWords` words of prose.
    case tooShort = "too short"
    /// A list of headings or chapter numbers, with or without page numbers or links.
    case tableOfContents = "table of contents"
    /// A copyright notice or licence text.
    case license = "license"
    /// Mostly links or URLs.
    case links = "links"
    /// Mostly code, commands or markup.
    case code = "code"
}

/// A small classifier of passages by their text alone, used to choose which passages synthetic questions
/// are written from. Each rule is a share of lines or words; the constants are the thresholds.
public enum Boilerplate {
    public static let minimumWords = 25
    /// Share of non-blank lines that look like contents entries.
    public static let tocLineShare = 0.6
    /// Share of prose words inside links or URLs.
    public static let linkShare = 0.5
    /// Share of the text's visible characters on code lines.
    public static let codeShare = 0.6

    static let licensePhrases = [
        "all rights reserved", "permission is hereby granted", "without warranty", "warranties of merchantability",
        "licensed under", "license for the specific language", "redistribution and use in source",
        "gnu general public license", "creative commons", "copyright (c)", "copyright ©", "this program is free software",
        "provided \"as is\"", "provided 'as is'", "liability",
    ]

    /// The kind of boilerplate `text` is, or nil for a passage worth a question.
    public static func classify(_ text: String) -> BoilerplateKind? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let lower = text.lowercased()
        if isLicense(lower) { return .license }
        if lines.count >= 4, Double(lines.filter(isContentsLine).count) / Double(lines.count) >= tocLineShare {
            return .tableOfContents
        }
        if codeCharacterShare(text) >= codeShare { return .code }
        let words = text.split(whereSeparator: \.isWhitespace)
        if !words.isEmpty, Double(words.filter(isLinkWord).count) / Double(words.count) >= linkShare { return .links }
        if linkShareOfText(text) >= linkShare { return .links }
        let prose = proseWordCount(text)
        if prose < minimumWords { return .tooShort }
        return nil
    }

    static func isLicense(_ lower: String) -> Bool {
        let hits = licensePhrases.filter { lower.contains($0) }.count
        if hits >= 2 { return true }
        // A short passage that is only a notice: "Copyright 2024 Someone."
        let words = lower.split(whereSeparator: \.isWhitespace).count
        return (hits >= 1 && words < 60) || (lower.contains("copyright") && words < 20)
    }

    /// "1.2. Getting started ..... 14", "Chapter 3 Indexes", "- [Install](install.md)", "• Overview  5".
    static func isContentsLine(_ line: String) -> Bool {
        var s = Substring(line)
        for marker in ["- ", "* ", "+ ", "• ", "· "] where s.hasPrefix(marker) { s = s.dropFirst(marker.count) }
        let text = String(s).trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return false }
        if text.contains("....") || text.contains(". . .") { return true }
        let words = text.split(separator: " ")
        // A link alone on its line, as a Markdown contents list writes each entry.
        if text.hasPrefix("["), text.hasSuffix(")"), text.contains("]("), words.count <= 10 { return true }
        guard words.count <= 10, !text.hasSuffix("."), !text.hasSuffix(":"), !text.hasSuffix(",") else { return false }
        let first = words.first.map(String.init) ?? ""
        let numbered = first.allSatisfy { $0.isNumber || $0 == "." } && first.contains(where: \.isNumber)
            || ["chapter", "part", "appendix", "section"].contains(first.lowercased())
        let pageAtEnd = words.count >= 2 && (words.last.map { $0.allSatisfy(\.isNumber) } ?? false)
        return numbered || pageAtEnd
    }

    static func isLinkWord(_ word: Substring) -> Bool {
        word.contains("://") || word.hasPrefix("www.") || word.contains("](") || word.hasPrefix("<http")
    }

    /// Share of characters inside Markdown links `[text](target)` or bare URLs.
    static func linkShareOfText(_ text: String) -> Double {
        let total = text.filter { !$0.isWhitespace }.count
        guard total > 0 else { return 0 }
        var inLink = 0
        let pattern = #"\[[^\]\n]*\]\([^)\n]*\)|[a-z]+://\S+"#
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return 0 }
        let ns = text as NSString
        for match in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            inLink += ns.substring(with: match.range).filter { !$0.isWhitespace }.count
        }
        return Double(inLink) / Double(total)
    }

    /// Share of visible characters on lines inside fences, indented blocks, or that look like code or
    /// shell commands (characters, not lines, so one long wrapped paragraph outweighs a short example).
    static func codeCharacterShare(_ text: String) -> Double {
        var count = 0
        var total = 0
        var fenced = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = String(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let visible = trimmed.filter { !$0.isWhitespace }.count
            total += visible
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                fenced.toggle()
                count += visible
                continue
            }
            if fenced || line.hasPrefix("    ") || line.hasPrefix("\t") || looksLikeCode(trimmed) { count += visible }
        }
        return total > 0 ? Double(count) / Double(total) : 0
    }

    static func looksLikeCode(_ line: String) -> Bool {
        for prefix in ["$ ", "# ", ">>> ", "% ", "=> ", "<"] where line.hasPrefix(prefix) {
            if prefix == "# " { return false }  // a Markdown heading
            if prefix == "<" { return line.hasSuffix(">") }
            return true
        }
        if ["{", "}", "};", ");", "]"].contains(line) { return true }
        if line.hasSuffix(";") || line.hasSuffix("{") { return true }
        let symbols = line.filter { "{}()[];=<>$\\|&*".contains($0) }.count
        let letters = line.filter(\.isLetter).count
        return line.count >= 8 && Double(symbols) > Double(max(letters, 1)) * 0.25
    }

    /// Words of prose, code lines left out.
    static func proseWordCount(_ text: String) -> Int {
        var count = 0
        var fenced = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = String(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") { fenced.toggle(); continue }
            if fenced || line.hasPrefix("    ") || looksLikeCode(trimmed) { continue }
            count += trimmed.split(whereSeparator: \.isWhitespace).filter { $0.contains(where: \.isLetter) }.count
        }
        return count
    }
}
