import LoreCore

/// The input line: editing, recalling earlier questions, pasting and sending.
extension AppModel {
    mutating func performInputAction(_ action: KeyAction, _ key: KeyEvent) -> [Effect]? {
        if action == .send {
            let text = input.text
            input = InputEditor()
            return submit(text)
        }
        var editor = input
        switch action {
        case .up:
            if editor.cursorOnFirstLine { recallHistory(&editor, -1) } else { editor.moveLine(-1) }
        case .down:
            if editor.cursorOnLastLine { recallHistory(&editor, 1) } else { editor.moveLine(1) }
        default:
            guard editor.perform(action, key) else { return nil }
        }
        if editor != input {
            input = editor
            completionSelection = 0
        }
        return []
    }

    /// Up/Down on the edge lines of the editor walk through earlier questions; walking past the newest
    /// brings back what was being typed.
    mutating func recallHistory(_ editor: inout InputEditor, _ delta: Int) {
        guard !inputHistory.isEmpty else { return }
        let count = inputHistory.count
        var position = historyCursor ?? count
        if historyCursor == nil { draftBeforeHistory = editor.text }
        position = min(count, max(0, position + delta))
        if position == count {
            historyCursor = nil
            editor.setText(draftBeforeHistory)
        } else {
            historyCursor = position
            editor.setText(inputHistory[position])
        }
    }

    mutating func paste(_ text: String) {
        if case .knowledgeBases(var picker) = overlay {
            picker.filter.insert(text.replacingNewlines())
            overlay = .knowledgeBases(picker)
        } else if overlay == nil {
            focus = .input
            input.insert(text)
        }
    }

    /// Sends the question, or runs it as a command when it starts with "/".
    mutating func submit(_ raw: String) -> [Effect] {
        let text = raw.trimmingWhitespace()
        historyCursor = nil
        guard !text.isEmpty else { return [] }
        if inputHistory.last != text { inputHistory.append(text) }
        if text.hasPrefix("/") { return runCommand(text) }
        var effects = stopActive()
        let history: [ChatTurn] = items.compactMap { item in
            guard case .exchange(let e) = item, !e.answer.isEmpty else { return nil }
            return ChatTurn(question: e.question, answer: e.answer)
        }
        let id = takeRequestID()
        items.append(.exchange(Exchange(requestID: id, question: text)))
        activeAnswer = id
        chatScroll = 0
        sourcesSelection = 0
        effects.append(.ask(request: id, question: text, history: history, kb: kbName,
                            conversationID: conversationID))
        return effects
    }
}

extension InputEditor {
    /// The editing actions any text field has; false when `action` is not one of them.
    mutating func perform(_ action: KeyAction, _ key: KeyEvent) -> Bool {
        switch action {
        case .newLine: insert("\n")
        case .lineStart: moveToLineStart()
        case .lineEnd: moveToLineEnd()
        case .deleteToLineEnd: killToLineEnd()
        case .deleteToLineStart: killToLineStart()
        case .deleteWordBackward: deleteWordBackward()
        case .wordLeft: moveWordLeft()
        case .wordRight: moveWordRight()
        case .characterLeft: moveLeft()
        case .characterRight: moveRight()
        case .deleteForward: deleteForward()
        case .backspace: backspace()
        case .type:
            guard case .char(let c) = key.key else { return false }
            insert(String(c))
        default: return false
        }
        return true
    }
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
