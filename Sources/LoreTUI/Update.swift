import LoreCore

/// The UI's one state transition: pure, so every key and every stream event can be tested as a table.
public func update(_ model: inout AppModel, _ msg: Msg) -> [Effect] {
    model.update(msg)
}

extension AppModel {
    /// Routes each message to the concern it belongs to; the work is done in the `AppModel+…` files.
    public mutating func update(_ msg: Msg) -> [Effect] {
        switch msg {
        case .key(let key):
            return handleKey(key)
        case .paste(let text):
            paste(text)
            return []
        case .resize(let rows, let cols):
            self.rows = rows
            self.cols = cols
            if sideBySide { sourcesOverlayVisible = false }
            return [.redraw]
        case .tick:
            tick &+= 1
            return []
        case .answer(let request, let event):
            return receiveAnswer(request, event)
        case .answerEnded(let request, let error):
            answerEnded(request, error: error)
            return []
        case .indexProgress(let request, let event):
            return receiveIndexProgress(request, event)
        case .watchStatus(let request, let event):
            return receiveWatchStatus(request, event)
        case .knowledgeBasesLoaded(let list):
            knowledgeBasesLoaded(list)
            return []
        case .knowledgeBaseOpened(let kb):
            return knowledgeBaseOpened(kb)
        case .knowledgeBaseOpenFailed(let name, let error):
            knowledgeBaseOpenFailed(name, error: error)
            return []
        case .documentLoaded(let request, let text):
            documentLoaded(request, text: text)
            return []
        case .documentFailed(let request, let error):
            documentFailed(request, error: error)
            return []
        case .modelStatus(let status):
            modelStatusArrived(status)
            return []
        case .conversationsLoaded(let list):
            conversationsLoaded(list)
            return []
        case .conversationLoaded(let conversation):
            return conversationLoaded(conversation)
        case .rated(let turnID, let rating):
            return rated(turnID, rating)
        case .themeApplied(let name):
            themeName = name
            return [.redraw]
        case .notice(let notice):
            items.append(.notice(notice))
            chatScroll = 0
            return []
        case .failed(let text):
            self.notice(.error, text)
            return []
        }
    }
}
