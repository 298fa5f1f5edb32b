/// Lines of a passage for a narrow preview: the lines of a hard-wrapped prose paragraph (a Markdown, reST or
/// plain-text source wrapped at 80 or 100 columns) joined, so that wrapping them again at the pane's width
/// does not leave a word or two stranded on a line of its own at every source break. Everything that is
/// not plain prose keeps its breaks: fenced and indented code, list items, headings, quotes, tables,
/// reST directives and literal blocks, Markdown hard breaks, and short lines (an address, a verse, a
/// signature), which are breaks a writer meant.
public enum ProseReflow {
    /// A line shorter than this ends where its writer ended it.
    static let shortestWrappedLine = 40

    public static func lines(_ text: String) -> [String] {
        var out: [String] = []
        var inFence = false
        var literal = false      // inside a reST literal block, after a line ending in "::"
        var joinable = false     // whether the last line of `out` may take the next one
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                inFence.toggle()
                out.append(line)
                joinable = false
                continue
            }
            if trimmed.isEmpty {
                out.append(line)
                joinable = false
                continue
            }
            let indent = line.prefix { $0 == " " || $0 == "\t" }
            if literal {
                if !indent.isEmpty { out.append(line); joinable = false; continue }
                literal = false
            }
            if inFence {
                out.append(line)
                continue
            }
            if joinable, indent.isEmpty, !startsStructure(trimmed), var last = out.popLast() {
                last += " " + trimmed
                out.append(last)
            } else {
                out.append(line)
            }
            let current = out[out.count - 1]
            literal = current.hasSuffix("::")
            joinable = indent.isEmpty && !literal && !startsStructure(trimmed) && !current.hasSuffix("  ")
                && !current.hasSuffix("\\") && !line.contains("\t") && line.count >= shortestWrappedLine
                && !trimmed.hasPrefix("|")
        }
        return out
    }

    /// Whether a line begins something that is not the continuation of a sentence.
    static func startsStructure(_ trimmed: String) -> Bool {
        guard let first = trimmed.first else { return true }
        if "#>|•*+-=".contains(first) { return true }
        if trimmed.hasPrefix(".. ") || (first == ":" && trimmed.dropFirst().contains(":")) { return true }
        // "1." "2)" "a." list items
        let marker = trimmed.prefix { $0.isNumber }
        if !marker.isEmpty, let after = trimmed.dropFirst(marker.count).first, after == "." || after == ")" { return true }
        return false
    }
}
