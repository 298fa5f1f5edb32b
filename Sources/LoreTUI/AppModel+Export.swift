import LoreCore

extension AppModel {
    /// The conversation as a Markdown document: questions, answers and the sources each one cited.
    func exportMarkdown() -> String {
        var out = "# Lore conversation — \(kbName)\n"
        for item in items {
            guard case .exchange(let e) = item else { continue }
            out += "\n## \(e.question)\n\n\(e.answer)\n"
            if e.state == .stopped { out += "\n*(stopped)*\n" }
            let cited = e.citedSources
            if !cited.isEmpty {
                out += "\nSources:\n\n"
                for n in cited {
                    let p = e.passages[n - 1]
                    out += "- [\(n)] \(p.title) — \(p.location)\n"
                }
            }
        }
        return out
    }
}
