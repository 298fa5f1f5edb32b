import LoreCore

/// Key dispatch: which contexts apply to the screen, and the actions of the main screen that do not belong
/// to one pane.
extension AppModel {
    /// The contexts a key is looked up in, first to last.
    var keyContexts: [KeyContext] {
        if tooSmall { return [.anywhere, .tooSmall] }
        switch overlay {
        case .help?: return [.anywhere, .helpOverlay]
        case .viewer?: return [.anywhere, .viewer]
        case .history?: return [.anywhere, .history]
        case .knowledgeBases(let picker)?:
            switch picker.mode {
            case .browse: return [.anywhere, .knowledgeBases, .filter]
            case .addPath: return [.anywhere, .addFolder, .filter]
            case .confirmRemove: return [.anywhere, .confirmRemove]
            }
        case nil:
            let focused: KeyContext = switch focus {
            case .input: .input
            case .chat: .chat
            case .sources: .sources
            }
            return (showsCompletions ? [.anywhere, .completion] : [.anywhere]) + [.main, focused]
        }
    }

    var showsCompletions: Bool {
        focus == .input && !SlashCommand.completions(for: input.text, themes: themeNames).isEmpty
    }

    mutating func handleKey(_ key: KeyEvent) -> [Effect] {
        for context in keyContexts {
            guard let action = KeyMap.default.action(for: key, in: context) else { continue }
            if let effects = perform(action, key, in: context) { return effects }
        }
        return []
    }

    /// Carries out `action` for a key pressed in `context`; nil when the action does not apply in the
    /// current state (Ctrl-K with text in the input), so that the next context gets the key.
    mutating func perform(_ action: KeyAction, _ key: KeyEvent, in context: KeyContext) -> [Effect]? {
        switch context {
        case .anywhere, .tooSmall, .main: return performScreenAction(action)
        case .completion: return performCompletionAction(action)
        case .input: return performInputAction(action, key)
        case .chat: return performChatAction(action, key)
        case .sources: return performSourcesAction(action, key)
        case .helpOverlay, .viewer, .history, .knowledgeBases, .addFolder, .confirmRemove, .filter:
            return performOverlayAction(action, key, in: context)
        case .terminal: return nil
        }
    }

    mutating func performScreenAction(_ action: KeyAction) -> [Effect]? {
        switch action {
        case .quit:
            shouldQuit = true
            return stopActive() + [.quit]
        case .redraw:
            return [.redraw]
        case .interrupt:
            if isStreaming { return stopActive() }
            if !input.isEmpty {
                input = InputEditor()
                historyCursor = nil
                return []
            }
            shouldQuit = true
            return [.quit]
        case .back:
            if isStreaming { return stopActive() }
            if sourcesOverlayVisible {
                sourcesOverlayVisible = false
                if focus == .sources { focus = .input }
                return []
            }
            if input.text.hasPrefix("/") {
                input = InputEditor()
                return []
            }
            focus = .input
            return []
        case .showHelp:
            overlay = .help
            return []
        case .showHelpOnEmptyInput:
            guard input.isEmpty && focus == .input else { return nil }
            overlay = .help
            return []
        case .toggleSources:
            if sideBySide {
                focus = focus == .sources ? .input : .sources
            } else {
                sourcesOverlayVisible.toggle()
                focus = sourcesOverlayVisible ? .sources : .input
            }
            return []
        case .openKnowledgeBasesOnEmptyInput:
            guard input.isEmpty else { return nil }
            return openPicker()
        case .focusNext:
            focus = nextFocus(forward: true)
            return []
        case .focusPrevious:
            focus = nextFocus(forward: false)
            return []
        case .pageUp, .wheelUp:
            if focus == .sources { moveSource(-1) } else { scrollChat(by: action == .wheelUp ? 3 : pageSize) }
            return []
        case .pageDown, .wheelDown:
            if focus == .sources { moveSource(1) } else { scrollChat(by: action == .wheelDown ? -3 : -pageSize) }
            return []
        default:
            return nil
        }
    }

    mutating func performCompletionAction(_ action: KeyAction) -> [Effect]? {
        let completions = SlashCommand.completions(for: input.text, themes: themeNames)
        guard !completions.isEmpty else { return nil }
        switch action {
        case .complete:
            let pick = completions[min(completionSelection, completions.count - 1)]
            input.setText(pick.text + (pick.text.hasPrefix("/theme ") ? "" : " "))
            completionSelection = 0
        case .previousCompletion:
            completionSelection = (completionSelection + completions.count - 1) % completions.count
        case .nextCompletion:
            completionSelection = (completionSelection + 1) % completions.count
        default:
            return nil
        }
        return []
    }
}
