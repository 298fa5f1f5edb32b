import LoreCore

/// The UI's one state transition: pure, so every key and every stream event can be tested as a table.
public func update(_ model: inout AppModel, _ msg: Msg) -> [Effect] {
    switch msg {
    case .key(let key):
        return handleKey(&model, key)
    case .paste(let text):
        if case .knowledgeBases(var picker) = model.overlay {
            picker.filter.insert(text.replacingNewlines())
            model.overlay = .knowledgeBases(picker)
        } else if model.overlay == nil {
            model.focus = .input
            model.input.insert(text)
        }
        return []
    case .resize(let rows, let cols):
        model.rows = rows
        model.cols = cols
        if model.sideBySide { model.sourcesOverlayVisible = false }
        return [.redraw]
    case .tick:
        model.tick &+= 1
        return []
    case .answer(let request, let event):
        return handleAnswer(&model, request, event)
    case .answerEnded(let request, let error):
        guard model.activeAnswer == request else { return [] }
        model.activeAnswer = nil
        model.updateExchange(request) { e in
            if let error {
                e.state = .failed(error)
            } else if e.isActive {
                e.state = .incomplete
            }
        }
        return []
    case .indexProgress(let request, let event):
        return handleIndex(&model, request, event)
    case .knowledgeBasesLoaded(let list):
        model.knowledgeBases = list
        if let current = list.first(where: { $0.name == model.kbName }) { model.kb = current }
        return []
    case .knowledgeBaseOpened(let kb):
        model.kb = kb
        model.kbName = kb.name
        if let i = model.knowledgeBases.firstIndex(where: { $0.name == kb.name }) {
            model.knowledgeBases[i] = kb
        } else {
            model.knowledgeBases.append(kb)
        }
        // Opening a knowledge base brings its index up to date in the background; questions meanwhile use
        // what is already indexed. The same message also refreshes the counts after an index run, which
        // must not start another run.
        return model.index == .unknown ? startReindex(&model, kb.name) : []
    case .documentLoaded(let request, let text):
        if case .viewer(var viewer) = model.overlay, viewer.requestID == request {
            viewer.text = text
            model.overlay = .viewer(viewer)
        }
        return []
    case .documentFailed(let request, let error):
        if case .viewer(var viewer) = model.overlay, viewer.requestID == request {
            viewer.error = error
            model.overlay = .viewer(viewer)
        }
        return []
    case .modelStatus(let status):
        if case .unreachable(let why) = status.state, model.model != status {
            model.notice(.error, why)
        }
        model.model = status
        return []
    case .conversationsLoaded(let list):
        if list.isEmpty {
            model.notice(.info, "No saved conversations in \(model.kbName) yet.")
        } else {
            model.overlay = .history(HistoryPicker(conversations: list))
        }
        return []
    case .conversationLoaded(let conversation):
        var effects: [Effect] = []
        if let active = model.activeAnswer { effects.append(.cancel(request: active)) }
        model.activeAnswer = nil
        model.items = conversation.turns.map { turn in
            var e = Exchange(requestID: model.takeRequestID(), question: turn.question)
            e.answer = turn.answer
            e.citations = turn.citations
            e.passages = turn.passages
            e.state = .done
            e.stats = AnswerStats(model: turn.model, ttftMillis: nil, tokensPerSecond: nil, incomplete: false)
            return .exchange(e)
        }
        model.conversationID = conversation.id
        model.chatScroll = 0
        model.sourcesSelection = 0
        return effects
    case .themeApplied(let name):
        model.themeName = name
        return [.redraw]
    case .notice(let notice):
        model.items.append(.notice(notice))
        model.chatScroll = 0
        return []
    case .failed(let text):
        model.notice(.error, text)
        return []
    }
}

// MARK: - stream events

func handleAnswer(_ model: inout AppModel, _ request: Int, _ event: AnswerStreamEvent) -> [Effect] {
    // A result for a request that was stopped or replaced arrives late: it is no longer wanted.
    guard model.activeAnswer == request else { return [] }
    switch event {
    case .retrieved(let passages, let millis):
        model.updateExchange(request) { e in
            e.passages = passages
            e.retrievalMillis = millis
            e.state = .streaming
        }
        model.sourcesSelection = 0
    case .delta(let text):
        // Someone reading further up keeps their place: the offset from the bottom grows with the text.
        let width = Layout(model).chat.width - 2
        func height() -> Int {
            guard model.chatScroll > 0, let e = model.latestExchange, e.requestID == request else { return 0 }
            return itemLines(.exchange(e), model: model, width: width).count
        }
        let before = height()
        let now = model.now
        model.updateExchange(request) { e in
            e.answer += text
            e.state = .streaming
            if e.streamStartedAt == nil { e.streamStartedAt = now }
            e.deltas += 1
        }
        model.chatScroll += height() - before
        // Text arriving is proof the model answers, whatever the probe at start-up found (the server may
        // have come up since); without this the status bar said "unreachable" after a streamed answer.
        if case .unreachable? = model.model?.state { model.model?.state = .ready }
    case .citation(let citation):
        model.updateExchange(request) { $0.citations.append(citation) }
    case .reasoning(let text):
        model.updateExchange(request) { $0.reasoning += text }
    case .finished(let stats):
        model.updateExchange(request) { e in
            e.stats = stats
            e.state = stats.incomplete ? .incomplete : .done
        }
        if let id = stats.conversationID { model.conversationID = id }
        model.activeAnswer = nil
    case .error(let text):
        model.updateExchange(request) { $0.state = .failed(text) }
        model.activeAnswer = nil
    case .notice(let text):
        model.notice(.warning, text)
    case .conversation(let id):
        model.conversationID = id
    }
    return []
}

func handleIndex(_ model: inout AppModel, _ request: Int, _ event: IndexProgressEvent) -> [Effect] {
    guard model.activeIndex == request else { return [] }
    switch event {
    case .started(let total):
        model.index = .running(done: 0, total: total, skipped: 0)
    case .progress(let done, let total, _, _):
        var skipped = 0
        if case .running(_, _, let s) = model.index { skipped = s }
        model.index = .running(done: done, total: total, skipped: skipped)
    case .skipped:
        if case .running(let done, let total, let s) = model.index {
            model.index = .running(done: done, total: total, skipped: s + 1)
        }
    case .finished(let summary):
        model.index = .finished(summary)
        model.activeIndex = nil
        return [.openKnowledgeBase(model.kbName)]
    case .failed(let text):
        model.index = .failed(text)
        model.activeIndex = nil
        model.notice(.error, text)
    }
    return []
}

// MARK: - keys

func handleKey(_ model: inout AppModel, _ key: KeyEvent) -> [Effect] {
    if key == .ctrl("q") {
        model.shouldQuit = true
        return stopActive(&model) + [.quit]
    }
    if key == .ctrl("l") { return [.redraw] }
    if model.tooSmall {
        if key == .ctrl("c") {
            model.shouldQuit = true
            return stopActive(&model) + [.quit]
        }
        return []
    }
    if let overlay = model.overlay {
        return handleOverlayKey(&model, overlay, key)
    }
    if key == .ctrl("c") {
        if model.isStreaming { return stopActive(&model) }
        if !model.input.isEmpty {
            model.input = InputEditor()
            model.historyCursor = nil
            return []
        }
        model.shouldQuit = true
        return [.quit]
    }
    if key == .escape {
        if model.isStreaming { return stopActive(&model) }
        if model.sourcesOverlayVisible {
            model.sourcesOverlayVisible = false
            if model.focus == .sources { model.focus = .input }
            return []
        }
        if model.input.text.hasPrefix("/") {
            model.input = InputEditor()
            return []
        }
        model.focus = .input
        return []
    }
    if key == KeyEvent(.function(1)) || (key == .char("?") && model.input.isEmpty && model.focus == .input) {
        model.overlay = .help
        return []
    }
    if key == KeyEvent(.function(2)) || key == .ctrl("s") {
        if model.sideBySide {
            model.focus = model.focus == .sources ? .input : .sources
        } else {
            model.sourcesOverlayVisible.toggle()
            model.focus = model.sourcesOverlayVisible ? .sources : .input
        }
        return []
    }
    if key == .ctrl("k") && model.input.isEmpty {
        return openPicker(&model)
    }
    let completions = SlashCommand.completions(for: model.input.text, themes: model.themeNames)
    if model.focus == .input && !completions.isEmpty {
        switch key.key {
        case .tab where !key.ctrl && !key.alt:
            let pick = completions[min(model.completionSelection, completions.count - 1)]
            model.input.setText(pick.text + (pick.text.hasPrefix("/theme ") ? "" : " "))
            model.completionSelection = 0
            return []
        case .up:
            model.completionSelection = (model.completionSelection + completions.count - 1) % completions.count
            return []
        case .down:
            model.completionSelection = (model.completionSelection + 1) % completions.count
            return []
        default: break
        }
    }
    switch key.key {
    case .tab where !key.ctrl && !key.alt:
        model.focus = nextFocus(model, forward: true)
        return []
    case .backTab:
        model.focus = nextFocus(model, forward: false)
        return []
    case .pageUp, .wheelUp:
        if model.focus == .sources { moveSource(&model, -1) } else { scrollChat(&model, by: key.key == .wheelUp ? 3 : pageSize(model)) }
        return []
    case .pageDown, .wheelDown:
        if model.focus == .sources { moveSource(&model, 1) } else { scrollChat(&model, by: key.key == .wheelDown ? -3 : -pageSize(model)) }
        return []
    default: break
    }
    switch model.focus {
    case .input: return handleInputKey(&model, key)
    case .chat: return handleChatKey(&model, key)
    case .sources: return handleSourcesKey(&model, key)
    }
}

func nextFocus(_ model: AppModel, forward: Bool) -> Focus {
    var order: [Focus] = [.input, .chat]
    if model.sideBySide || model.sourcesOverlayVisible { order.append(.sources) }
    let i = order.firstIndex(of: model.focus) ?? 0
    return order[(i + (forward ? 1 : order.count - 1)) % order.count]
}

func pageSize(_ model: AppModel) -> Int { max(1, model.rows - 8) }

func scrollChat(_ model: inout AppModel, by lines: Int) {
    model.chatScroll = max(0, model.chatScroll + lines)
}

func moveSource(_ model: inout AppModel, _ delta: Int) {
    let count = model.latestExchange?.passages.count ?? 0
    guard count > 0 else { return }
    model.sourcesSelection = min(count - 1, max(0, model.sourcesSelection + delta))
}

/// Stops the streaming answer, keeping its text, and asks the runtime to cancel the request.
func stopActive(_ model: inout AppModel) -> [Effect] {
    guard let active = model.activeAnswer else { return [] }
    model.activeAnswer = nil
    model.updateExchange(active) { $0.state = .stopped }
    return [.cancel(request: active)]
}

func handleInputKey(_ model: inout AppModel, _ key: KeyEvent) -> [Effect] {
    var editor = model.input
    defer {
        if editor != model.input {
            model.input = editor
            model.completionSelection = 0
        }
    }
    switch (key.key, key.ctrl, key.alt) {
    case (.enter, false, false):
        let text = editor.text
        editor = InputEditor()
        model.input = editor
        return submit(&model, text)
    case (.enter, _, true), (.char("j"), true, false):
        editor.insert("\n")
    case (.char("a"), true, false): editor.moveToLineStart()
    case (.char("e"), true, false): editor.moveToLineEnd()
    case (.char("k"), true, false): editor.killToLineEnd()
    case (.char("u"), true, false): editor.killToLineStart()
    case (.char("w"), true, false): editor.deleteWordBackward()
    case (.char("b"), false, true), (.left, true, false), (.left, false, true): editor.moveWordLeft()
    case (.char("f"), false, true), (.right, true, false), (.right, false, true): editor.moveWordRight()
    case (.char("b"), true, false), (.left, false, false): editor.moveLeft()
    case (.char("f"), true, false), (.right, false, false): editor.moveRight()
    case (.char("d"), true, false), (.delete, _, _): editor.deleteForward()
    case (.backspace, _, _), (.char("h"), true, false): editor.backspace()
    case (.home, _, _): editor.moveToLineStart()
    case (.end, _, _): editor.moveToLineEnd()
    case (.up, false, false):
        if editor.cursorOnFirstLine { recallHistory(&model, &editor, -1) } else { editor.moveLine(-1) }
    case (.down, false, false):
        if editor.cursorOnLastLine { recallHistory(&model, &editor, 1) } else { editor.moveLine(1) }
    case (.char(let c), false, false):
        editor.insert(String(c))
    default:
        break
    }
    return []
}

/// Up/Down on the edge lines of the editor walk through earlier questions; walking past the newest
/// brings back what was being typed.
func recallHistory(_ model: inout AppModel, _ editor: inout InputEditor, _ delta: Int) {
    guard !model.inputHistory.isEmpty else { return }
    let count = model.inputHistory.count
    var position = model.historyCursor ?? count
    if model.historyCursor == nil { model.draftBeforeHistory = editor.text }
    position = min(count, max(0, position + delta))
    if position == count {
        model.historyCursor = nil
        editor.setText(model.draftBeforeHistory)
    } else {
        model.historyCursor = position
        editor.setText(model.inputHistory[position])
    }
}

func submit(_ model: inout AppModel, _ raw: String) -> [Effect] {
    let text = raw.trimmingWhitespace()
    model.historyCursor = nil
    guard !text.isEmpty else { return [] }
    if model.inputHistory.last != text { model.inputHistory.append(text) }
    if text.hasPrefix("/") { return runCommand(&model, text) }
    var effects = stopActive(&model)
    let history: [ChatTurn] = model.items.compactMap { item in
        guard case .exchange(let e) = item, !e.answer.isEmpty else { return nil }
        return ChatTurn(question: e.question, answer: e.answer)
    }
    let id = model.takeRequestID()
    model.items.append(.exchange(Exchange(requestID: id, question: text)))
    model.activeAnswer = id
    model.chatScroll = 0
    model.sourcesSelection = 0
    effects.append(.ask(request: id, question: text, history: history, kb: model.kbName,
                        conversationID: model.conversationID))
    return effects
}

func runCommand(_ model: inout AppModel, _ text: String) -> [Effect] {
    let parts = text.dropFirst().split(separator: " ", maxSplits: 1).map(String.init)
    let name = parts.first?.lowercased() ?? ""
    let argument = parts.count > 1 ? parts[1].trimmingWhitespace() : ""
    guard let command = SlashCommand(rawValue: name) else {
        model.notice(.error, "Unknown command /\(name). Type /help for the list.")
        return []
    }
    switch command {
    case .help:
        model.overlay = .help
        return []
    case .kb:
        if argument.isEmpty { return openPicker(&model) }
        return switchKnowledgeBase(&model, to: argument)
    case .model:
        if argument.isEmpty {
            let current = model.model.map { "\($0.name) (\(describe($0.state)))" } ?? "not known yet"
            model.notice(.info, "Model: \(current). /model NAME switches.")
            return [.refreshModel]
        }
        return [.selectModel(argument)]
    case .theme:
        if argument.isEmpty {
            model.notice(.info, "Themes: \(model.themeNames.joined(separator: ", ")). Current: \(model.themeName).")
            return []
        }
        return [.applyTheme(argument)]
    case .new:
        let effects = stopActive(&model)
        model.items = []
        model.conversationID = nil
        model.chatScroll = 0
        model.sourcesSelection = 0
        return effects
    case .history:
        return [.loadConversations(kb: model.kbName)]
    case .export:
        guard model.latestExchange != nil else {
            model.notice(.info, "Nothing to export yet.")
            return []
        }
        return [.export(markdown: exportMarkdown(model))]
    case .reindex:
        return startReindex(&model, model.kbName)
    case .quit:
        model.shouldQuit = true
        return stopActive(&model) + [.quit]
    }
}

func describe(_ state: ModelStatus.State) -> String {
    switch state {
    case .ready: return "ready"
    case .extractive: return "no model configured; answers are extracted from the index"
    case .unreachable(let why): return "unreachable: \(why)"
    }
}

func startReindex(_ model: inout AppModel, _ kb: String) -> [Effect] {
    if model.activeIndex != nil && kb == model.kbName {
        model.notice(.info, "\(kb) is already being indexed.")
        return []
    }
    let id = model.takeRequestID()
    if kb == model.kbName {
        model.activeIndex = id
        model.index = .running(done: 0, total: 0, skipped: 0)
    }
    return [.reindex(request: id, kb: kb)]
}

func switchKnowledgeBase(_ model: inout AppModel, to name: String) -> [Effect] {
    guard name != model.kbName else { return [] }
    var effects = stopActive(&model)
    model.kbName = name
    model.kb = model.knowledgeBases.first { $0.name == name }
    model.index = .unknown
    model.activeIndex = nil
    model.items = []
    model.conversationID = nil
    model.notice(.info, "Switched to \(name).")
    effects.append(.openKnowledgeBase(name))
    return effects
}

func openPicker(_ model: inout AppModel) -> [Effect] {
    var picker = KnowledgeBasePicker()
    picker.selection = model.knowledgeBases.firstIndex { $0.name == model.kbName } ?? 0
    model.overlay = .knowledgeBases(picker)
    return [.loadKnowledgeBases]
}

func handleChatKey(_ model: inout AppModel, _ key: KeyEvent) -> [Effect] {
    switch key.key {
    case .up: scrollChat(&model, by: 1)
    case .down: scrollChat(&model, by: -1)
    case .home: model.chatScroll = Int.max / 2
    case .end: model.chatScroll = 0
    case .left, .char("["): stepCitation(&model, -1)
    case .right, .char("]"): stepCitation(&model, 1)
    case .enter: return openViewer(&model)
    case .char(let c) where !key.ctrl && !key.alt:
        model.focus = .input
        model.input.insert(String(c))
    default: break
    }
    return []
}

/// Moves the source selection to the previous or next source the latest answer cites.
func stepCitation(_ model: inout AppModel, _ delta: Int) {
    guard let exchange = model.latestExchange else { return }
    let cited = exchange.citedSources.sorted()
    guard !cited.isEmpty else { return }
    let current = model.sourcesSelection + 1
    let next: Int?
    if delta > 0 {
        next = cited.first { $0 > current } ?? cited.first
    } else {
        next = cited.last { $0 < current } ?? cited.last
    }
    if let next { model.sourcesSelection = next - 1 }
}

func handleSourcesKey(_ model: inout AppModel, _ key: KeyEvent) -> [Effect] {
    switch key.key {
    case .up: moveSource(&model, -1)
    case .down: moveSource(&model, 1)
    case .home: model.sourcesSelection = 0
    case .end: moveSource(&model, Int.max / 2)
    case .enter: return openViewer(&model)
    case .char("o") where !key.ctrl && !key.alt:
        guard let e = model.latestExchange, model.sourcesSelection < e.passages.count else { return [] }
        let p = e.passages[model.sourcesSelection]
        return [.openInEditor(path: p.documentPath, line: p.lineStart)]
    case .char(let c) where !key.ctrl && !key.alt:
        model.focus = .input
        model.input.insert(String(c))
    default: break
    }
    return []
}

func openViewer(_ model: inout AppModel) -> [Effect] {
    guard let e = model.latestExchange, model.sourcesSelection < e.passages.count else { return [] }
    let passage = e.passages[model.sourcesSelection]
    let id = model.takeRequestID()
    model.overlay = .viewer(SourceViewer(requestID: id, passage: passage, terms: questionTerms(e.question)))
    return [.loadDocument(request: id, path: passage.documentPath, kb: model.kbName)]
}

/// Words of the question worth emphasising in a document: not short, not among the commonest words.
func questionTerms(_ question: String) -> [String] {
    let common: Set<String> = ["the", "and", "for", "how", "what", "why", "does", "with", "from", "that",
                               "this", "are", "can", "which", "when", "where", "who", "into", "about", "is"]
    var terms: [String] = []
    for word in question.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }) {
        let w = String(word)
        if w.count >= 3 && !common.contains(w) && !terms.contains(w) { terms.append(w) }
    }
    return terms
}

func handleOverlayKey(_ model: inout AppModel, _ overlay: Overlay, _ key: KeyEvent) -> [Effect] {
    switch overlay {
    case .help:
        if key == .escape || key == .enter || key == .char("q") || key == .char("?") || key == KeyEvent(.function(1))
            || key == .ctrl("c") {
            model.overlay = nil
        }
        return []
    case .viewer(var viewer):
        let lineCount = viewer.text.map { $0.split(separator: "\n", omittingEmptySubsequences: false).count } ?? 0
        let page = max(1, model.rows - 4)
        switch key.key {
        case .escape, .char("q"): model.overlay = nil; return []
        case .char("c") where key.ctrl: model.overlay = nil; return []
        case .up, .char("k"), .wheelUp: viewer.scroll -= key.key == .wheelUp ? 3 : 1
        case .down, .char("j"), .wheelDown: viewer.scroll += key.key == .wheelDown ? 3 : 1
        case .pageUp, .char("b"): viewer.scroll -= page
        case .pageDown, .char(" "): viewer.scroll += page
        case .home, .char("g"): viewer.scroll = 0
        case .end, .char("G"): viewer.scroll = lineCount
        case .char("o"):
            return [.openInEditor(path: viewer.passage.documentPath, line: viewer.passage.lineStart)]
        default: return []
        }
        viewer.scroll = max(0, min(viewer.scroll, max(0, lineCount - 1)))
        model.overlay = .viewer(viewer)
        return []
    case .history(var picker):
        switch key.key {
        case .escape: model.overlay = nil
        case .char("c") where key.ctrl: model.overlay = nil
        case .up: picker.selection = max(0, picker.selection - 1); model.overlay = .history(picker)
        case .down:
            picker.selection = min(picker.conversations.count - 1, picker.selection + 1)
            model.overlay = .history(picker)
        case .enter:
            model.overlay = nil
            if picker.selection < picker.conversations.count {
                let chosen = picker.conversations[picker.selection]
                return [.loadConversation(id: chosen.id, kb: chosen.kb)]
            }
        default: break
        }
        return []
    case .knowledgeBases(var picker):
        let effects = handlePickerKey(&model, &picker, key)
        if case .knowledgeBases = model.overlay { model.overlay = .knowledgeBases(picker) }
        return effects
    }
}

func handlePickerKey(_ model: inout AppModel, _ picker: inout KnowledgeBasePicker, _ key: KeyEvent) -> [Effect] {
    let matches = picker.matches(model.knowledgeBases)
    switch picker.mode {
    case .confirmRemove(let name):
        picker.mode = .browse
        if key == .char("y") || key == .char("Y") {
            return [.removeKnowledgeBase(name), .loadKnowledgeBases]
        }
        return []
    case .addPath:
        switch key.key {
        case .escape:
            picker.mode = .browse
            picker.filter = InputEditor()
        case .enter:
            let path = picker.filter.text.trimmingWhitespace()
            guard !path.isEmpty else { return [] }
            let name = path.split(separator: "/").last.map(String.init) ?? path
            model.overlay = nil
            return [.addKnowledgeBase(name: name, path: path)]
        default:
            editFilter(&picker.filter, key)
        }
        return []
    case .browse:
        break
    }
    switch (key.key, key.ctrl) {
    case (.escape, _), (.char("c"), true):
        model.overlay = nil
    case (.up, _):
        picker.selection = max(0, picker.selection - 1)
    case (.down, _):
        picker.selection = min(max(0, matches.count - 1), picker.selection + 1)
    case (.enter, _):
        guard picker.selection < matches.count else { return [] }
        model.overlay = nil
        return switchKnowledgeBase(&model, to: matches[picker.selection].name)
    case (.char("a"), true):
        picker.mode = .addPath
        picker.filter = InputEditor()
    case (.char("r"), true):
        guard picker.selection < matches.count else { return [] }
        model.overlay = nil
        return startReindex(&model, matches[picker.selection].name)
    case (.char("d"), true), (.delete, _):
        guard picker.selection < matches.count else { return [] }
        picker.mode = .confirmRemove(matches[picker.selection].name)
    default:
        let before = picker.filter
        editFilter(&picker.filter, key)
        if picker.filter != before { picker.selection = 0 }
    }
    return []
}

func editFilter(_ editor: inout InputEditor, _ key: KeyEvent) {
    switch (key.key, key.ctrl, key.alt) {
    case (.backspace, _, _): editor.backspace()
    case (.char("w"), true, false): editor.deleteWordBackward()
    case (.char("u"), true, false): editor.killToLineStart()
    case (.left, false, false): editor.moveLeft()
    case (.right, false, false): editor.moveRight()
    case (.char(let c), false, false): editor.insert(String(c))
    default: break
    }
}

/// The conversation as a Markdown document: questions, answers and the sources each one cited.
func exportMarkdown(_ model: AppModel) -> String {
    var out = "# Lore conversation — \(model.kbName)\n"
    for item in model.items {
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

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }

    func replacingNewlines() -> String {
        String(map { $0.isNewline ? " " : $0 })
    }
}
