import LoreCore

/// Draws the whole screen for `model`. Pure: the same model always gives the same buffer, which is what
/// the snapshot tests compare and what the runtime diffs against the previous frame.
public func view(_ model: AppModel) -> ScreenBuffer {
    var buffer = ScreenBuffer(rows: model.rows, cols: model.cols, fill: TextStyle(.foreground, on: .background))
    if model.tooSmall {
        drawTooSmall(&buffer, model)
        return buffer
    }
    let layout = Layout(model)
    drawChat(&buffer, model, layout.chat)
    if model.sideBySide {
        for r in layout.main.row..<(layout.main.row + layout.main.height) {
            buffer.put("│", row: r, col: layout.separatorCol, style: TextStyle(.muted, on: .background))
        }
        drawSources(&buffer, model, layout.sources)
    } else if model.sourcesOverlayVisible {
        drawSources(&buffer, model, layout.sources)
    }
    drawStatus(&buffer, model, row: layout.statusRow)
    drawInput(&buffer, model, layout)
    drawCompletions(&buffer, model, layout)
    if let overlay = model.overlay {
        switch overlay {
        case .help: drawHelp(&buffer, model)
        case .knowledgeBases(let picker): drawPicker(&buffer, model, picker)
        case .history(let picker): drawHistory(&buffer, model, picker)
        case .viewer(let viewer): drawViewer(&buffer, model, viewer, rows: layout.statusRow)
        }
    }
    return buffer
}

struct Rect: Equatable {
    var row: Int
    var col: Int
    var height: Int
    var width: Int
}

/// Where each part of the screen goes for a model's size and input height.
struct Layout {
    var main: Rect
    var chat: Rect
    var sources: Rect
    var separatorCol: Int
    var statusRow: Int
    var input: Rect

    init(_ model: AppModel) {
        let editorWidth = model.cols - 2
        let inputLines = min(5, max(1, model.input.layout(width: editorWidth).lines.count))
        input = Rect(row: model.rows - inputLines, col: 0, height: inputLines, width: model.cols)
        statusRow = input.row - 1
        main = Rect(row: 0, col: 0, height: statusRow, width: model.cols)
        if model.sideBySide {
            let sourcesWidth = max(36, model.cols * 36 / 100)
            separatorCol = model.cols - sourcesWidth - 1
            chat = Rect(row: 0, col: 0, height: main.height, width: separatorCol)
            sources = Rect(row: 0, col: separatorCol + 1, height: main.height, width: sourcesWidth)
        } else {
            separatorCol = model.cols
            chat = main
            let width = min(model.cols, max(36, model.cols * 3 / 4))
            sources = Rect(row: 0, col: model.cols - width, height: main.height, width: width)
        }
    }
}

// MARK: - chat

func drawChat(_ buffer: inout ScreenBuffer, _ model: AppModel, _ rect: Rect) {
    let width = rect.width - 2
    guard width > 4, rect.height > 0 else { return }
    let lines = chatLines(model, width: width, atLeast: rect.height + model.chatScroll)
    if lines.isEmpty {
        let hello = TextWrap.wrap("Ask anything about \(model.kbName). Type / for commands, F1 for keys.", width: width)
        for (i, l) in hello.enumerated() where i < rect.height {
            buffer.put(l, row: rect.row + rect.height / 2 - 1 + i, col: rect.col + 1,
                       style: TextStyle(.muted, on: .background))
        }
        return
    }
    let maxOffset = max(0, lines.count - rect.height)
    let offset = min(model.chatScroll, maxOffset)
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

func drawStyledLine(_ buffer: inout ScreenBuffer, _ line: StyledLine, row: Int, col: Int, width: Int) {
    var c = col
    let end = col + width
    if let fill = line.fill { buffer.fill(row: row, col: col, height: 1, width: width, style: fill) }
    for span in line.spans {
        c = buffer.put(span.text, row: row, col: c, style: span.style, limit: end)
    }
}

/// The last lines of the chat at `width`, top to bottom: at least `needed` of them when the chat has that
/// many, else all. Items are laid out from the newest backwards, so a long conversation costs only what
/// is on screen.
func chatLines(_ model: AppModel, width: Int, atLeast needed: Int = .max) -> [StyledLine] {
    var chunks: [[StyledLine]] = []
    var count = 0
    for item in model.items.reversed() {
        if count >= needed { break }
        let lines = itemLines(item, model: model, width: width)
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

func itemLines(_ item: ChatItem, model: AppModel, width: Int) -> [StyledLine] {
    switch item {
    case .notice(let notice):
        let (mark, role): (String, ThemeRole) = switch notice.level {
        case .info: ("• ", .muted)
        case .warning: ("! ", .warning)
        case .error: ("✗ ", .error)
        }
        return TextWrap.wrap(TerminalText.sanitize(notice.text), width: width - 2).enumerated().map { i, l in
            StyledLine([Span(i == 0 ? mark : "  ", TextStyle(role)), Span(l, TextStyle(role))])
        }
    case .exchange(let e):
        let latest = model.latestExchange?.requestID == e.requestID
        let highlight = latest && model.focus != .input ? model.sourcesSelection + 1 : nil
        return exchangeLines(e, model: model, width: width, highlight: highlight)
    }
}

func exchangeLines(_ e: Exchange, model: AppModel, width: Int, highlight: Int?) -> [StyledLine] {
    var lines: [StyledLine] = []
    let ask = TextStyle(.primary, on: .background, [.bold])
    for (i, l) in TextWrap.wrap(TerminalText.sanitize(e.question), width: width - 2).enumerated() {
        lines.append(StyledLine([Span(i == 0 ? "› " : "  ", ask), Span(l, ask)]))
    }
    if !e.reasoning.isEmpty && e.answer.isEmpty && e.isActive {
        let recent = TextWrap.wrap(TerminalText.sanitize(e.reasoning), width: width - 2).suffix(3)
        for l in recent { lines.append(StyledLine([Span("┊ " + l, TextStyle(.muted, on: .background, [.italic]))])) }
    }
    if e.answer.isEmpty && e.isActive {
        let label = e.state == .retrieving ? "searching \(model.kbName)…" : "waiting for the model…"
        lines.append(StyledLine([Span(spinner(model.tick) + " " + label, TextStyle(.muted))]))
    }
    var answer = MarkdownRenderer(width: width).render(e.answer, citations: e.citations)
    let cited = e.citedSources
    if let highlight {
        for i in answer.indices {
            for j in answer[i].spans.indices where answer[i].spans[j].citations.contains(highlight) {
                answer[i].spans[j].style = TextStyle(.citation, on: .selection, [.bold])
            }
        }
    }
    if e.state == .streaming {
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
    if let footer = answerFooter(e, citedCount: cited.count) {
        lines.append(StyledLine([Span(TextWrap.truncate(footer, to: width), TextStyle(.muted, on: .background, [.dim]))]))
    }
    return lines
}

func answerFooter(_ e: Exchange, citedCount cited: Int) -> String? {
    guard let stats = e.stats else { return nil }
    var parts = [stats.model]
    if let ttft = stats.ttftMillis { parts.append("first token \(ttft) ms") }
    if let tps = stats.tokensPerSecond { parts.append("\(formatOneDecimal(tps)) tok/s") }
    parts.append(cited == 1 ? "1 source cited" : "\(cited) sources cited")
    return parts.joined(separator: " · ")
}

func formatOneDecimal(_ x: Double) -> String {
    let tenths = Int((x * 10).rounded())
    return "\(tenths / 10).\(abs(tenths % 10))"
}

func spinner(_ tick: Int) -> String {
    let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
    return frames[(tick / 4) % frames.count]
}

// MARK: - sources

func drawSources(_ buffer: inout ScreenBuffer, _ model: AppModel, _ rect: Rect) {
    let panel = TextStyle(.foreground, on: .panel)
    buffer.fill(row: rect.row, col: rect.col, height: rect.height, width: rect.width, style: panel)
    guard rect.height > 2, rect.width > 10 else { return }
    let inner = rect.width - 2
    let passages = model.latestExchange?.passages ?? []
    let focused = model.focus == .sources
    let title = passages.isEmpty ? "Sources" : "Sources (\(passages.count))"
    buffer.put(title, row: rect.row, col: rect.col + 1,
               style: TextStyle(focused ? .primary : .foreground, on: .panel, [.bold]))
    if passages.isEmpty {
        let hint = model.latestExchange == nil ? "Passages retrieved for a question appear here."
            : "No passages found."
        for (i, l) in TextWrap.wrap(hint, width: inner).enumerated() where i + 2 < rect.height {
            buffer.put(l, row: rect.row + 2 + i, col: rect.col + 1, style: TextStyle(.muted, on: .panel))
        }
        return
    }
    let exchange = model.latestExchange!
    let cited = Set(exchange.citedNumbers)
    let dimUncited = !cited.isEmpty && !exchange.isActive
    let maxScore = passages.map(\.score).max() ?? 1
    let minScore = passages.map(\.score).min() ?? 0
    let previewHeight = rect.height >= 18 ? min(8, rect.height / 3) : 0
    let listHeight = rect.height - 1 - (previewHeight > 0 ? previewHeight + 1 : 0)
    let perItem = 3
    let visible = max(1, listHeight / perItem)
    let selection = min(model.sourcesSelection, passages.count - 1)
    let firstItem = max(0, min(selection - visible + 1, passages.count - visible))
    var row = rect.row + 1
    for n in firstItem..<min(passages.count, firstItem + visible) {
        let p = passages[n]
        let selected = n == selection && model.focus != .input
        let bg: ThemeRole = selected ? .selection : .panel
        let isCited = cited.contains(n + 1)
        let dim: TextAttributes = dimUncited && !isCited ? [.dim] : []
        buffer.fill(row: row, col: rect.col, height: perItem, width: rect.width, style: TextStyle(.foreground, on: bg))
        let marker = "[\(n + 1)] "
        var c = buffer.put(marker, row: row, col: rect.col + 1,
                           style: TextStyle(isCited ? .citation : .muted, on: bg, isCited ? [.bold] : dim))
        c = buffer.put(TextWrap.truncate(p.title.isEmpty ? p.documentPath : p.title, to: rect.col + 1 + inner - c),
                       row: row, col: c, style: TextStyle(.foreground, on: bg, dim.union(isCited ? [.bold] : [])))
        let headings = p.headingsBelowTitle
        let heading = headings.isEmpty ? "—" : headings.joined(separator: " › ")
        buffer.put(TextWrap.truncate(heading, to: inner - 4), row: row + 1, col: rect.col + 5,
                   style: TextStyle(.muted, on: bg, dim))
        let bar = scoreBar(p.score, min: minScore, max: maxScore)
        let location = TextWrap.truncate(TerminalText.sanitize(p.pathRelative(to: model.kb?.paths ?? []).map(p.location(path:)) ?? p.location,
                                                               keepNewlines: false),
                                         to: max(1, inner - 4 - TextWidth.of(bar) - 1))
        buffer.put(location, row: row + 2, col: rect.col + 5, style: TextStyle(.muted, on: bg, dim))
        buffer.put(bar, row: row + 2, col: rect.col + 1 + inner - TextWidth.of(bar),
                   style: TextStyle(isCited ? .success : .muted, on: bg, dim))
        row += perItem
    }
    if previewHeight > 0 {
        let top = rect.row + rect.height - previewHeight - 1
        buffer.put(String(repeating: "─", count: rect.width), row: top, col: rect.col, style: TextStyle(.muted, on: .panel))
        let p = passages[selection]
        // Line by line, so that the passage's own line breaks stay breaks; runs of blank lines count once.
        var lines: [String] = []
        var lastBlank = true
        for line in p.text.split(separator: "\n", omittingEmptySubsequences: false) where lines.count < previewHeight {
            let blank = line.allSatisfy(\.isWhitespace)
            if blank && lastBlank { continue }
            lastBlank = blank
            lines += blank ? [""] : TextWrap.wrap(TerminalText.sanitize(String(line), keepNewlines: false), width: inner)
        }
        for (i, l) in lines.prefix(previewHeight).enumerated() {
            buffer.put(l, row: top + 1 + i, col: rect.col + 1, style: TextStyle(.foreground, on: .panel))
        }
    }
}

/// A five-step bar of a passage's score relative to the others retrieved with it.
func scoreBar(_ score: Double, min low: Double, max high: Double) -> String {
    let steps = 5
    let fraction = high > low ? (score - low) / (high - low) : 1
    let filled = Swift.max(1, Swift.min(steps, Int((fraction * Double(steps - 1)).rounded()) + 1))
    return String(repeating: "▰", count: filled) + String(repeating: "▱", count: steps - filled)
}

// MARK: - status bar and input

func drawStatus(_ buffer: inout ScreenBuffer, _ model: AppModel, row: Int) {
    let bar = TextStyle(.foreground, on: .surface)
    buffer.fill(row: row, col: 0, height: 1, width: model.cols, style: bar)
    var parts: [(String, TextStyle)] = []
    parts.append((" " + model.kbName, TextStyle(.primary, on: .surface, [.bold])))
    if let kb = model.kb {
        parts.append(("\(grouped(kb.documents)) docs · \(grouped(kb.passages)) passages", TextStyle(.muted, on: .surface)))
    }
    switch model.index {
    case .unknown: break
    case .running(let done, let total, let skipped):
        let percent = total > 0 ? done * 100 / total : 0
        var s = total > 0 ? "indexing \(done)/\(total) \(percent)%" : "indexing…"
        if skipped > 0 { s += " · \(skipped) skipped" }
        parts.append((s, TextStyle(.warning, on: .surface)))
    case .finished(let summary):
        let s = summary.skipped > 0 ? "up to date · \(summary.skipped) skipped" : "up to date"
        parts.append((s, TextStyle(summary.skipped > 0 ? .warning : .success, on: .surface)))
    case .failed:
        parts.append(("indexing failed", TextStyle(.error, on: .surface)))
    }
    parts.append(modelStatusText(model))
    if let millis = model.latestExchange?.retrievalMillis {
        parts.append(("retrieval \(millis) ms", TextStyle(.muted, on: .surface)))
    }
    let hint = model.sideBySide ? "F1 help " : "F1 help · F2 sources "
    let hintCol = model.cols - TextWidth.of(hint)
    var c = 0
    // Parts that do not fit whole are left out rather than cut mid-word; the first always shows.
    for (i, part) in parts.enumerated() {
        let separator = i > 0 ? " │ " : ""
        if i > 0 && c + TextWidth.of(separator + part.0) > model.cols - 1 { continue }
        c = buffer.put(separator, row: row, col: c, style: TextStyle(.muted, on: .surface))
        c = buffer.put(part.0, row: row, col: c, style: part.1)
    }
    if hintCol > c + 1 { buffer.put(hint, row: row, col: hintCol, style: TextStyle(.muted, on: .surface)) }
}

func modelStatusText(_ model: AppModel) -> (String, TextStyle) {
    let name = model.model?.name ?? "model"
    if let active = model.activeAnswer {
        var state = "thinking"
        for item in model.items {
            if case .exchange(let e) = item, e.requestID == active, !e.answer.isEmpty {
                state = "streaming"
                // Each streamed piece is about one token with the servers Lore speaks to.
                if let start = e.streamStartedAt, model.now - start >= 0.5 {
                    state += " \(Int((Double(e.deltas) / (model.now - start)).rounded())) tok/s"
                }
            }
        }
        return ("\(name) \(spinner(model.tick)) \(state)", TextStyle(.accent, on: .surface))
    }
    switch model.model?.state {
    case .ready?:
        if let tps = model.latestExchange?.stats?.tokensPerSecond {
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

/// 1234567 as "1,234,567".
func grouped(_ n: Int) -> String {
    let digits = String(abs(n))
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return n < 0 ? "-" + out : out
}

func drawInput(_ buffer: inout ScreenBuffer, _ model: AppModel, _ layout: Layout) {
    let rect = layout.input
    let style = TextStyle(.foreground, on: .background)
    let focused = model.focus == .input && model.overlay == nil
    buffer.put("›", row: rect.row, col: 0, style: TextStyle(focused ? .primary : .muted, on: .background, [.bold]))
    if model.input.isEmpty {
        let hint = model.isStreaming ? "Esc stops the answer" : "Ask a question · / for commands · F1 for keys"
        buffer.put(TextWrap.truncate(hint, to: rect.width - 2), row: rect.row, col: 2,
                   style: TextStyle(.muted, on: .background, [.dim]))
        if focused { buffer.cursor = ScreenBuffer.Position(row: rect.row, col: 2) }
        return
    }
    let laid = model.input.layout(width: rect.width - 2)
    let first = max(0, min(laid.cursorRow - rect.height + 1, laid.lines.count - rect.height))
    for i in 0..<rect.height where first + i < laid.lines.count {
        buffer.put(laid.lines[first + i], row: rect.row + i, col: 2, style: style)
    }
    if focused {
        buffer.cursor = ScreenBuffer.Position(row: rect.row + laid.cursorRow - first, col: 2 + laid.cursorCol)
    }
}

func drawCompletions(_ buffer: inout ScreenBuffer, _ model: AppModel, _ layout: Layout) {
    guard model.focus == .input, model.overlay == nil else { return }
    let items = SlashCommand.completions(for: model.input.text, themes: model.themeNames)
    guard !items.isEmpty else { return }
    let shown = Array(items.prefix(min(8, layout.statusRow)))
    let width = min(model.cols - 2, (shown.map { TextWidth.of($0.text) + TextWidth.of($0.summary) }.max() ?? 0) + 5)
    let top = layout.statusRow - shown.count
    let selection = min(model.completionSelection, items.count - 1)
    for (i, item) in shown.enumerated() {
        let bg: ThemeRole = i == selection ? .selection : .panel
        buffer.fill(row: top + i, col: 1, height: 1, width: width, style: TextStyle(.foreground, on: bg))
        let c = buffer.put(" " + item.text, row: top + i, col: 1, style: TextStyle(.primary, on: bg, [.bold]),
                           limit: 1 + width)
        buffer.put("  " + item.summary, row: top + i, col: c, style: TextStyle(.muted, on: bg), limit: 1 + width)
    }
}

// MARK: - overlays

/// Draws a bordered box and returns its inner rectangle.
@discardableResult
func drawBox(_ buffer: inout ScreenBuffer, _ rect: Rect, title: String) -> Rect {
    guard rect.height >= 3, rect.width >= 5 else { return Rect(row: rect.row, col: rect.col, height: 0, width: 0) }
    let style = TextStyle(.foreground, on: .panel)
    let border = TextStyle(.primary, on: .panel)
    buffer.fill(row: rect.row, col: rect.col, height: rect.height, width: rect.width, style: style)
    let horizontal = String(repeating: "─", count: max(0, rect.width - 2))
    buffer.put("┌" + horizontal + "┐", row: rect.row, col: rect.col, style: border)
    buffer.put("└" + horizontal + "┘", row: rect.row + rect.height - 1, col: rect.col, style: border)
    for r in (rect.row + 1)..<(rect.row + rect.height - 1) {
        buffer.put("│", row: r, col: rect.col, style: border)
        buffer.put("│", row: r, col: rect.col + rect.width - 1, style: border)
    }
    buffer.put(" " + TextWrap.truncate(title, to: rect.width - 6) + " ", row: rect.row, col: rect.col + 2,
               style: border.with(.bold))
    return Rect(row: rect.row + 1, col: rect.col + 2, height: rect.height - 2, width: rect.width - 4)
}

func centered(_ model: AppModel, width: Int, height: Int) -> Rect {
    let w = min(model.cols - 2, width)
    let h = min(model.rows - 2, height)
    return Rect(row: (model.rows - h) / 2, col: (model.cols - w) / 2, height: h, width: w)
}

/// The keys the help overlay lists; an entry without a description spans the whole width.
public let helpLines: [(String, String)] = [
    ("Enter", "send the question"),
    ("Alt-Enter, Ctrl-J", "new line in the question"),
    ("Up / Down", "earlier questions, or move between lines"),
    ("Ctrl-A / Ctrl-E", "start / end of line"),
    ("Ctrl-K / Ctrl-U", "delete to end / start of line"),
    ("Ctrl-W", "delete the word before the cursor"),
    ("Alt-B / F, Ctrl-← / →", "word left / right"),
    ("Esc, Ctrl-C", "stop the answer (its text is kept)"),
    ("Ctrl-C on empty input, Ctrl-Q", "quit"),
    ("Tab / Shift-Tab", "focus input → chat → sources"),
    ("PgUp / PgDn, wheel", "scroll (End follows the answer again)"),
    ("[ / ] or ← / → in the chat", "step through the cited sources"),
    ("Enter on a source", "open the document at the passage"),
    ("o on a source", "open it in $EDITOR"),
    ("F2, Ctrl-S", "sources pane (an overlay below 100 cols)"),
    ("Ctrl-K on empty input, /kb", "knowledge bases"),
    ("Ctrl-L / Ctrl-Z", "redraw / suspend"),
    ("Shift-drag", "select text (the wheel scrolls Lore)"),
    ("Commands", "/help /kb /model /theme NAME /new /history"),
    ("", "/export /reindex /quit — Tab completes"),
]

func drawHelp(_ buffer: inout ScreenBuffer, _ model: AppModel) {
    let inner = drawBox(&buffer, centered(model, width: 80, height: helpLines.count + 2), title: "Keys — Esc closes")
    let keyWidth = min(31, inner.width / 2)
    for (i, (key, what)) in helpLines.enumerated() where i < inner.height {
        let end = inner.col + inner.width
        buffer.put(key, row: inner.row + i, col: inner.col, style: TextStyle(.accent, on: .panel),
                   limit: what.isEmpty ? end : inner.col + keyWidth)
        buffer.put(what, row: inner.row + i, col: inner.col + keyWidth + 1, style: TextStyle(.foreground, on: .panel),
                   limit: end)
    }
}

func drawPicker(_ buffer: inout ScreenBuffer, _ model: AppModel, _ picker: KnowledgeBasePicker) {
    let matches = picker.matches(model.knowledgeBases)
    let inner = drawBox(&buffer, centered(model, width: 72, height: min(model.rows - 2, max(8, matches.count + 6))),
                        title: "Knowledge bases")
    let label: String
    switch picker.mode {
    case .browse: label = "filter: "
    case .addPath: label = "folder to add: "
    case .confirmRemove(let name): label = "remove \(name) and its index? y/n "
    }
    let c = buffer.put(label, row: inner.row, col: inner.col, style: TextStyle(.accent, on: .panel))
    if case .confirmRemove = picker.mode {} else {
        buffer.put(picker.filter.text, row: inner.row, col: c, style: TextStyle(.foreground, on: .panel),
                   limit: inner.col + inner.width)
        buffer.cursor = ScreenBuffer.Position(row: inner.row,
                                              col: min(inner.col + inner.width - 1, c + TextWidth.of(picker.filter.text)))
    }
    let listHeight = inner.height - 3
    if model.knowledgeBases.isEmpty {
        buffer.put("No knowledge bases yet. Ctrl-A adds a folder.", row: inner.row + 2, col: inner.col,
                   style: TextStyle(.muted, on: .panel))
    } else if matches.isEmpty {
        buffer.put("Nothing matches.", row: inner.row + 2, col: inner.col, style: TextStyle(.muted, on: .panel))
    }
    let first = max(0, picker.selection - listHeight + 1)
    for (i, kb) in matches.enumerated().dropFirst(first).prefix(max(0, listHeight)) {
        let row = inner.row + 2 + i - first
        let bg: ThemeRole = i == picker.selection ? .selection : .panel
        buffer.fill(row: row, col: inner.col, height: 1, width: inner.width, style: TextStyle(.foreground, on: bg))
        let mark = kb.name == model.kbName ? "● " : "  "
        var col = buffer.put(mark + kb.name, row: row, col: inner.col, style: TextStyle(.primary, on: bg, [.bold]),
                             limit: inner.col + inner.width)
        let counts = "  \(grouped(kb.documents)) docs · \(grouped(kb.passages)) passages"
        col = buffer.put(counts, row: row, col: col, style: TextStyle(.muted, on: bg), limit: inner.col + inner.width)
        if let path = kb.paths.first {
            buffer.put("  " + path, row: row, col: col, style: TextStyle(.muted, on: bg, [.dim]),
                       limit: inner.col + inner.width)
        }
    }
    let keys = "Enter switch · Ctrl-A add folder · Ctrl-R re-index · Ctrl-D remove · Esc close"
    buffer.put(TextWrap.truncate(keys, to: inner.width), row: inner.row + inner.height - 1, col: inner.col,
               style: TextStyle(.muted, on: .panel))
}

func drawHistory(_ buffer: inout ScreenBuffer, _ model: AppModel, _ picker: HistoryPicker) {
    let inner = drawBox(&buffer, centered(model, width: 72, height: min(model.rows - 2, picker.conversations.count + 4)),
                        title: "Conversations in \(model.kbName) — Enter opens")
    let first = max(0, picker.selection - inner.height + 1)
    for (i, conv) in picker.conversations.enumerated().dropFirst(first).prefix(inner.height) {
        let row = inner.row + i - first
        let bg: ThemeRole = i == picker.selection ? .selection : .panel
        buffer.fill(row: row, col: inner.col, height: 1, width: inner.width, style: TextStyle(.foreground, on: bg))
        let turns = conv.turns == 1 ? "1 turn" : "\(conv.turns) turns"
        let c = buffer.put(conv.title, row: row, col: inner.col, style: TextStyle(.foreground, on: bg),
                           limit: inner.col + inner.width - TextWidth.of(turns) - 2)
        _ = c
        buffer.put(turns, row: row, col: inner.col + inner.width - TextWidth.of(turns), style: TextStyle(.muted, on: bg))
    }
}

func drawViewer(_ buffer: inout ScreenBuffer, _ model: AppModel, _ viewer: SourceViewer, rows: Int) {
    let base = TextStyle(.foreground, on: .background)
    buffer.fill(row: 0, col: 0, height: rows, width: model.cols, style: base)
    let p = viewer.passage
    let header = "\(p.title.isEmpty ? p.documentPath : p.title) — \(p.location)"
    buffer.fill(row: 0, col: 0, height: 1, width: model.cols, style: TextStyle(.foreground, on: .surface))
    buffer.put(" " + TextWrap.truncate(header, to: model.cols - 2), row: 0, col: 0, style: TextStyle(.primary, on: .surface, [.bold]))
    let footer = " ↑↓ PgUp PgDn scroll · o open in $EDITOR · Esc back"
    buffer.put(TextWrap.truncate(footer, to: model.cols), row: rows - 1, col: 0, style: TextStyle(.muted, on: .background))
    let bodyTop = 1
    let bodyHeight = rows - 2
    guard bodyHeight > 0 else { return }
    if let error = viewer.error {
        for (i, l) in TextWrap.wrap(TerminalText.sanitize(error), width: model.cols - 2).prefix(bodyHeight).enumerated() {
            buffer.put(l, row: bodyTop + i, col: 1, style: TextStyle(.error))
        }
        return
    }
    guard let text = viewer.text else {
        buffer.put("\(spinner(model.tick)) opening \(p.documentPath)…", row: bodyTop, col: 1, style: TextStyle(.muted))
        return
    }
    let docLines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let gutter = max(4, String(docLines.count).count + 1)
    let width = model.cols - gutter - 2
    var row = bodyTop
    var n = viewer.scroll
    while row < bodyTop + bodyHeight && n < docLines.count {
        let lineNumber = n + 1
        let inPassage = lineNumber >= p.lineStart && lineNumber <= p.lineEnd
        let bg: ThemeRole = inPassage ? .surface : .background
        let raw = TerminalText.sanitize(String(docLines[n]), keepNewlines: false)
        let pieces = TextWrap.breakByCells(raw, width: max(1, width))
        for (k, piece) in pieces.enumerated() where row < bodyTop + bodyHeight {
            buffer.fill(row: row, col: 0, height: 1, width: model.cols, style: TextStyle(.foreground, on: bg))
            let number = k == 0 ? String(lineNumber) : ""
            let numberText = String(repeating: " ", count: gutter - number.count) + number
            buffer.put(numberText, row: row, col: 0, style: TextStyle(inPassage ? .citation : .muted, on: bg))
            if inPassage { buffer.put("▌", row: row, col: gutter, style: TextStyle(.citation, on: bg)) }
            var c = gutter + 2
            for span in emphasise(piece, terms: viewer.terms, base: TextStyle(.foreground, on: bg)) {
                c = buffer.put(span.text, row: row, col: c, style: span.style)
            }
            row += 1
        }
        n += 1
    }
}

/// Splits `line` so that occurrences of the question's terms (any case) stand out.
func emphasise(_ line: String, terms: [String], base: TextStyle) -> [Span] {
    guard !terms.isEmpty else { return [Span(line, base)] }
    let chars = Array(line)
    let lower = chars.map { String($0).lowercased() }
    let termChars = terms.map { $0.map { String($0) } }
    var spans: [Span] = []
    var plain = ""
    var i = 0
    let strong = TextStyle(.accent, on: base.bg, [.bold, .underline])
    outer: while i < chars.count {
        for t in termChars where !t.isEmpty && i + t.count <= chars.count {
            if Array(lower[i..<(i + t.count)]) == t {
                if !plain.isEmpty { spans.append(Span(plain, base)); plain = "" }
                spans.append(Span(String(chars[i..<(i + t.count)]), strong))
                i += t.count
                continue outer
            }
        }
        plain.append(chars[i])
        i += 1
    }
    if !plain.isEmpty { spans.append(Span(plain, base)) }
    return spans
}

func drawTooSmall(_ buffer: inout ScreenBuffer, _ model: AppModel) {
    let message = "Terminal too small (\(model.cols)×\(model.rows)). Lore needs at least "
        + "\(AppModel.minimumCols)×\(AppModel.minimumRows). Enlarge the window, or Ctrl-C to quit."
    let lines = TextWrap.wrap(message, width: max(1, model.cols - 2))
    let top = max(0, (model.rows - lines.count) / 2)
    for (i, l) in lines.enumerated() where top + i < model.rows {
        buffer.put(l, row: top + i, col: max(0, (model.cols - TextWidth.of(l)) / 2), style: TextStyle(.warning, on: .background, [.bold]))
    }
}
