import LoreCore

/// The one-row bar above the input: knowledge base, its counts, index state, model state and the last
/// retrieval time, with the help keys at the right.
struct StatusBarView {
    /// What the model is doing for the active question.
    enum Answering: Equatable {
        case idle
        case thinking
        /// Text is arriving; the rate once half a second of it has been seen.
        case streaming(tokensPerSecond: Int?)
    }

    var kbName: String
    var kb: KnowledgeBaseSummary?
    var index: IndexState
    var watch: WatchState = .off
    /// "refreshed 1 file", while it is recent.
    var refresh: String?
    /// A brief confirmation ("rated good +"), while it is recent.
    var note: String? = nil
    var model: ModelStatus?
    var answering: Answering
    /// The rate of the latest finished answer.
    var lastTokensPerSecond: Double?
    var retrievalMillis: Int?
    /// Below the side-by-side width the sources pane is toggled, so its key is worth showing.
    var showsSourcesKey: Bool
    var tick: Int

    func draw(into buffer: inout ScreenBuffer, in rect: Rect) {
        let bar = TextStyle(.foreground, on: .surface)
        buffer.fill(row: rect.row, col: rect.col, height: 1, width: rect.width, style: bar)
        var parts: [(String, TextStyle)] = []
        parts.append((" " + kbName, TextStyle(.primary, on: .surface, [.bold])))
        if let kb {
            parts.append(("\(grouped(kb.documents)) docs · \(grouped(kb.passages)) passages", TextStyle(.muted, on: .surface)))
        }
        if let note { parts.append((note, TextStyle(.accent, on: .surface, [.bold]))) }
        switch index {
        case .unknown: break
        case .running(let done, let total, let skipped):
            let percent = total > 0 ? done * 100 / total : 0
            var s = total > 0 ? "indexing \(done)/\(total) \(percent)%" : "indexing…"
            if skipped > 0 { s += " · \(skipped) skipped" }
            parts.append((s, TextStyle(.warning, on: .surface)))
        case .finished(let summary):
            var s = refresh ?? "up to date"
            if summary.skipped > 0 { s += " · \(summary.skipped) skipped" }
            parts.append((s, TextStyle(summary.skipped > 0 ? .warning : .success, on: .surface)))
        case .failed:
            parts.append(("indexing failed", TextStyle(.error, on: .surface)))
        }
        parts.append(modelText)
        if let retrievalMillis {
            parts.append(("retrieval \(retrievalMillis) ms", TextStyle(.muted, on: .surface)))
        }
        // Last, so that on a narrow terminal it is what gives way, not the model's state.
        switch watch {
        case .off: break
        case .watching: parts.append(("watching", TextStyle(.muted, on: .surface)))
        case .polling: parts.append(("polling", TextStyle(.warning, on: .surface)))
        }
        let hint = showsSourcesKey ? "F1 help · F2 sources " : "F1 help "
        let end = rect.col + rect.width
        let hintCol = end - TextWidth.of(hint)
        var c = rect.col
        // Parts that do not fit whole are left out rather than cut mid-word; the first always shows.
        for (i, part) in parts.enumerated() {
            let separator = i > 0 ? " │ " : ""
            if i > 0 && c + TextWidth.of(separator + part.0) > end - 1 { continue }
            c = buffer.put(separator, row: rect.row, col: c, style: TextStyle(.muted, on: .surface))
            c = buffer.put(part.0, row: rect.row, col: c, style: part.1)
        }
        if hintCol > c + 1 { buffer.put(hint, row: rect.row, col: hintCol, style: TextStyle(.muted, on: .surface)) }
    }

    var modelText: (String, TextStyle) {
        let name = model?.name ?? "model"
        switch answering {
        case .thinking:
            return ("\(name) \(spinner(tick)) thinking", TextStyle(.accent, on: .surface))
        case .streaming(let rate):
            let state = rate.map { "streaming \($0) tok/s" } ?? "streaming"
            return ("\(name) \(spinner(tick)) \(state)", TextStyle(.accent, on: .surface))
        case .idle:
            break
        }
        switch model?.state {
        case .ready?:
            if let tps = lastTokensPerSecond {
                return ("\(name) ready · \(formatOneDecimal(tps)) tok/s", TextStyle(.success, on: .surface))
            }
            return ("\(name) ready", TextStyle(.success, on: .surface))
        case .extractive?:
            return ("no model · extractive answers", TextStyle(.muted, on: .surface))
        case .unreachable?:
            return ("\(name) unreachable", TextStyle(.error, on: .surface))
        case nil:
            return ("model …", TextStyle(.muted, on: .surface))
        }
    }
}
