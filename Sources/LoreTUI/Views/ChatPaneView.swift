import LoreCore

/// The conversation: questions, streamed answers with their citations, notices, and the note that shows
/// when the reader has scrolled up.
struct ChatPaneView {
    var items: [ChatItem]
    /// Named in the greeting and while searching.
    var kbName: String
    /// The source number to mark in the latest answer: the selected source, while the focus is off the input.
    var highlightedCitation: Int?
    /// Lines scrolled up from the bottom.
    var scroll: Int
    var tick: Int

    func draw(into buffer: inout ScreenBuffer, in rect: Rect) {
        let width = rect.width - 2
        guard width > 4, rect.height > 0 else { return }
        let lines = self.lines(width: width, atLeast: rect.height + scroll)
        if lines.isEmpty {
            let hello = TextWrap.wrap("Ask anything about \(kbName). Type / for commands, F1 for keys.", width: width)
            for (i, l) in hello.enumerated() where i < rect.height {
                buffer.put(l, row: rect.row + rect.height / 2 - 1 + i, col: rect.col + 1,
                           style: TextStyle(.muted, on: .background))
            }
            return
        }
        let maxOffset = max(0, lines.count - rect.height)
        let offset = min(scroll, maxOffset)
        let first = max(0, lines.count - rect.height - offset)
        for i in 0..<min(rect.height, lines.count - first) {
            drawStyledLine(&buffer, lines[first + i], row: rect.row + i, col: rect.col + 1, width: width)
        }
        if offset > 0 {
            let note = " ↓ \(offset) more — End to follow "
            buffer.put(note, row: rect.row + rect.height - 1, col: rect.col + rect.width - TextWidth.of(note) - 1,
                       style: TextStyle(.background, on: .primary))
        }
    }

    /// The last lines of the chat at `width`, top to bottom: at least `needed` of them when the chat has
    /// that many, else all. Items are laid out from the newest backwards, so a long conversation costs only
    /// what is on screen.
    func lines(width: Int, atLeast needed: Int = .max) -> [StyledLine] {
        var chunks: [[StyledLine]] = []
        var count = 0
        for item in items.reversed() {
            if count >= needed { break }
            let lines = itemLines(item, width: width)
            chunks.append(lines)
            count += lines.count + 1
        }
        var out: [StyledLine] = []
        for (i, chunk) in chunks.reversed().enumerated() {
            if i > 0 { out.append(StyledLine()) }
            out += chunk
        }
        return out
    }

    private var latestRequestID: Int? {
        for item in items.reversed() {
            if case .exchange(let e) = item { return e.requestID }
        }
        return nil
    }

    func itemLines(_ item: ChatItem, width: Int) -> [StyledLine] {
        switch item {
        case .notice(let notice):
            return noticeLines(notice, width: width)
        case .exchange(let e):
            let highlight = latestRequestID == e.requestID ? highlightedCitation : nil
            return exchangeLines(e, width: width, highlight: highlight)
        }
    }

    /// A notice, marked by its level, wrapped under its mark.
    func noticeLines(_ notice: Notice, width: Int) -> [StyledLine] {
        let (mark, role): (String, ThemeRole) = switch notice.level {
        case .info: ("• ", .muted)
        case .warning: ("! ", .warning)
        case .error: ("✗ ", .error)
        }
        return TextWrap.wrap(TerminalText.sanitize(notice.text), width: width - 2).enumerated().map { i, l in
            StyledLine([Span(i == 0 ? mark : "  ", TextStyle(role)), Span(l, TextStyle(role))])
        }
    }

    /// One question and its answer. How citations look is decided here: the answer's citation spans are
    /// counted for the footer and the highlighted one is restyled.
    func exchangeLines(_ e: Exchange, width: Int, highlight: Int?) -> [StyledLine] {
        var lines: [StyledLine] = []
        let ask = TextStyle(.primary, on: .background, [.bold])
        for (i, l) in TextWrap.wrap(TerminalText.sanitize(e.question), width: width - 2).enumerated() {
            lines.append(StyledLine([Span(i == 0 ? "› " : "  ", ask), Span(l, ask)]))
        }
        for note in e.notes { lines += noticeLines(note, width: width) }
        if !e.reasoning.isEmpty && e.answer.isEmpty && e.isActive {
            let recent = TextWrap.wrap(TerminalText.sanitize(e.reasoning), width: width - 2).suffix(3)
            for l in recent { lines.append(StyledLine([Span("┊ " + l, TextStyle(.muted, on: .background, [.italic]))])) }
        }
        if e.answer.isEmpty && e.isActive {
            let label = e.state == .retrieving ? "searching \(kbName)…" : "waiting for the model…"
            lines.append(StyledLine([Span(spinner(tick) + " " + label, TextStyle(.muted))]))
        }
        // The engine's citations are the only source: the renderer styles their ranges, the footer counts them.
        var answer = MarkdownRenderer(width: width).render(e.answer, citations: e.citations)
        let cited = e.citedSources
        if let highlight {
            for i in answer.indices {
                for j in answer[i].spans.indices where answer[i].spans[j].citations.contains(highlight) {
                    answer[i].spans[j].style = TextStyle(.citation, on: .selection, [.bold])
                }
            }
        }
        // Until the first words arrive the spinner line above says what is happening; a cursor under it says nothing.
        if e.state == .streaming && !e.answer.isEmpty {
            let cursor = Span("▍", TextStyle(.primary))
            if var last = answer.popLast(), TextWidth.of(last.text) < width {
                last.spans.append(cursor)
                answer.append(last)
            } else {
                answer.append(StyledLine([cursor]))
            }
        }
        lines += answer
        switch e.state {
        case .stopped:
            lines.append(StyledLine([Span("■ stopped", TextStyle(.warning))]))
        case .incomplete:
            lines.append(StyledLine([Span("… the answer ended early (the stream was cut off)", TextStyle(.warning))]))
        case .failed(let message):
            for (i, l) in TextWrap.wrap(TerminalText.sanitize(message), width: width - 2).enumerated() {
                lines.append(StyledLine([Span(i == 0 ? "✗ " : "  ", TextStyle(.error)), Span(l, TextStyle(.error))]))
            }
        case .retrieving, .streaming, .done:
            break
        }
        if let footer = Self.answerFooter(e, citedCount: cited.count) {
            lines.append(StyledLine([Span(TextWrap.truncate(footer, to: width), TextStyle(.muted, on: .background, [.dim]))]))
        }
        return lines
    }

    static func answerFooter(_ e: Exchange, citedCount cited: Int) -> String? {
        guard let stats = e.stats else { return nil }
        // A rating first: on a narrow pane the footer is cut at its end.
        var parts = e.rating.map { ["rated \($0.mark)"] } ?? []
        parts.append(stats.model)
        if let ttft = stats.ttftMillis { parts.append("first token \(ttft) ms") }
        if let tps = stats.tokensPerSecond { parts.append("\(formatOneDecimal(tps)) tok/s") }
        parts.append(cited == 1 ? "1 source cited" : "\(cited) sources cited")
        return parts.joined(separator: " · ")
    }
}
