import LoreCore
@testable import LoreTUI

/// Shared sample data for the UI tests.
enum Fixtures {
    static let passages: [Passage] = [
        Passage(id: 1, documentPath: "guide/install.md", title: "Installing Lore", headingPath: ["Install", "Linux"],
                lineStart: 12, lineEnd: 30, text: "Run swift build in the checkout, then copy the binary.", score: 9.5),
        Passage(id: 2, documentPath: "guide/config.md", title: "Configuration", headingPath: ["Config"],
                lineStart: 1, lineEnd: 8, text: "Settings live in ~/.config/lore/config.toml.", score: 7.0),
        Passage(id: 3, documentPath: "notes/misc.txt", title: "Misc", headingPath: [],
                lineStart: 4, lineEnd: 4, text: "Unrelated notes.", score: 2.0),
    ]

    static let answer = """
    ## Building

    Run **swift build** in the checkout [1], then set `base_url` in the config [2].

    ```sh
    swift build -c release
    ```
    """

    static let kb = KnowledgeBaseSummary(name: "docs", paths: ["/srv/docs"], documents: 1170, passages: 8432,
                                         lastIndexed: nil)

    /// A model that has asked one question and received a finished answer.
    static func answered(rows: Int = 24, cols: Int = 80) -> AppModel {
        var m = AppModel(rows: rows, cols: cols, kbName: "docs")
        // Opening a knowledge base starts its background refresh; the fixture lets it finish.
        let opened = update(&m, .knowledgeBaseOpened(kb))
        guard case .reindex(let refresh, "docs")? = opened.first else { fatalError("opening must refresh the index") }
        _ = update(&m, .modelStatus(ModelStatus(name: "llama3", state: .ready)))
        _ = update(&m, .indexProgress(request: refresh, .started(total: 1)))
        _ = update(&m, .indexProgress(request: refresh, .finished(IndexTotals(added: 0, updated: 0, removed: 0,
                                                                             unchanged: 1170, skipped: 0))))
        type(&m, "how do I build it?")
        _ = update(&m, .key(.enter))
        let id = m.activeAnswer!
        _ = update(&m, .answer(request: id, .retrieved(passages, millis: 42)))
        streamAnswer(&m, request: id, [answer])
        _ = update(&m, .answer(request: id, .finished(AnswerStats(model: "llama3", ttftMillis: 310,
                                                                   tokensPerSecond: 41.27, incomplete: false)))
        )
        return m
    }

    /// Sends `pieces` as the engine does: each delta, then the citation markers its `CitationParser` finished
    /// reading with it, and at the end the one still waiting for its next character.
    static func streamAnswer(_ m: inout AppModel, request id: Int, _ pieces: [String]) {
        var parser = CitationParser()
        for piece in pieces {
            _ = update(&m, .answer(request: id, .delta(piece)))
            for citation in parser.feed(piece) { _ = update(&m, .answer(request: id, .citation(citation))) }
        }
        for citation in parser.finish() { _ = update(&m, .answer(request: id, .citation(citation))) }
    }

    static func type(_ m: inout AppModel, _ text: String) {
        for ch in text { _ = update(&m, .key(.char(ch))) }
    }
}
