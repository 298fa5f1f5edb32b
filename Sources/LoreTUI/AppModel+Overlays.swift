import LoreCore

/// Keys and results for what opens over the main screen: the help, the source viewer, the conversation
/// picker and the knowledge base picker.
extension AppModel {
    mutating func performOverlayAction(_ action: KeyAction, _ key: KeyEvent, in context: KeyContext) -> [Effect]? {
        switch overlay {
        case .help?:
            guard action == .close else { return nil }
            overlay = nil
            return []
        case .viewer(let viewer)?:
            return performViewerAction(action, viewer)
        case .history(let picker)?:
            return performHistoryAction(action, picker)
        case .knowledgeBases(var picker)?:
            let effects = performPickerAction(action, key, in: context, &picker)
            if case .knowledgeBases = overlay { overlay = .knowledgeBases(picker) }
            return effects
        case nil:
            return nil
        }
    }

    mutating func performViewerAction(_ action: KeyAction, _ viewer: SourceViewer) -> [Effect]? {
        var viewer = viewer
        let lineCount = viewer.text.map { $0.split(separator: "\n", omittingEmptySubsequences: false).count } ?? 0
        let page = max(1, rows - 4)
        // A notice about the last `o` lasts until the next key.
        viewer.notice = nil
        switch action {
        case .close: overlay = nil; return []
        case .up: viewer.scroll -= 1
        case .wheelUp: viewer.scroll -= 3
        case .down: viewer.scroll += 1
        case .wheelDown: viewer.scroll += 3
        case .pageUp: viewer.scroll -= page
        case .pageDown: viewer.scroll += page
        case .top: viewer.scroll = 0
        case .bottom: viewer.scroll = lineCount
        case .openInEditor:
            if viewer.passage.pageStart != nil && pdfViewer == nil {
                viewer.notice = DocumentViewerCommand.notFoundMessage(for: nil)
                overlay = .viewer(viewer)
                return []
            }
            overlay = .viewer(viewer)
            return [viewer.passage.openEffect]
        default: return nil
        }
        viewer.scroll = max(0, min(viewer.scroll, max(0, lineCount - 1)))
        overlay = .viewer(viewer)
        return []
    }

    mutating func performHistoryAction(_ action: KeyAction, _ picker: HistoryPicker) -> [Effect]? {
        var picker = picker
        switch action {
        case .close: overlay = nil
        case .up: picker.selection = max(0, picker.selection - 1); overlay = .history(picker)
        case .down:
            picker.selection = min(picker.conversations.count - 1, picker.selection + 1)
            overlay = .history(picker)
        case .open:
            overlay = nil
            if picker.selection < picker.conversations.count {
                let chosen = picker.conversations[picker.selection]
                return [.loadConversation(id: chosen.id, kb: chosen.kb)]
            }
        default: return nil
        }
        return []
    }

    mutating func performPickerAction(_ action: KeyAction, _ key: KeyEvent, in context: KeyContext,
                                      _ picker: inout KnowledgeBasePicker) -> [Effect]? {
        let matches = picker.matches(knowledgeBases)
        switch (context, action) {
        case (.confirmRemove, _):
            guard case .confirmRemove(let name) = picker.mode else { return nil }
            picker.mode = .browse
            return action == .confirm ? [.removeKnowledgeBase(name), .loadKnowledgeBases] : []
        case (.addFolder, .cancel):
            picker.mode = .browse
            picker.filter = InputEditor()
        case (.addFolder, .confirm):
            let path = picker.filter.text.trimmingWhitespace()
            guard !path.isEmpty else { return [] }
            let name = path.split(separator: "/").last.map(String.init) ?? path
            overlay = nil
            return [.addKnowledgeBase(name: name, path: path)]
        case (.knowledgeBases, .close):
            overlay = nil
        case (.knowledgeBases, .up):
            picker.selection = max(0, picker.selection - 1)
        case (.knowledgeBases, .down):
            picker.selection = min(max(0, matches.count - 1), picker.selection + 1)
        case (.knowledgeBases, .open):
            guard picker.selection < matches.count else { return [] }
            overlay = nil
            return switchKnowledgeBase(to: matches[picker.selection].name)
        case (.knowledgeBases, .addFolder):
            picker.mode = .addPath
            picker.filter = InputEditor()
        case (.knowledgeBases, .reindex):
            guard picker.selection < matches.count else { return [] }
            overlay = nil
            return startReindex(matches[picker.selection].name)
        case (.knowledgeBases, .remove):
            guard picker.selection < matches.count else { return [] }
            picker.mode = .confirmRemove(matches[picker.selection].name)
        case (.filter, _):
            let before = picker.filter
            guard picker.filter.perform(action, key) else { return nil }
            // A new filter shows other matches, so the selection starts again at the first.
            if picker.mode == .browse && picker.filter != before { picker.selection = 0 }
        default:
            return nil
        }
        return []
    }

    mutating func documentLoaded(_ request: Int, text: String) {
        if case .viewer(var viewer) = overlay, viewer.requestID == request {
            viewer.text = text
            overlay = .viewer(viewer)
        }
    }

    mutating func documentFailed(_ request: Int, error: String) {
        if case .viewer(var viewer) = overlay, viewer.requestID == request {
            viewer.error = error
            overlay = .viewer(viewer)
        }
    }
}
