import LoreCore

/// Moving about the chat and the sources: focus, scrolling, the source selection, and opening a source.
extension AppModel {
    mutating func performChatAction(_ action: KeyAction, _ key: KeyEvent) -> [Effect]? {
        switch action {
        case .up: scrollChat(by: 1)
        case .down: scrollChat(by: -1)
        case .top: chatScroll = Int.max / 2
        case .bottom: chatScroll = 0
        case .previousCitation: stepCitation(-1)
        case .nextCitation: stepCitation(1)
        case .open: return openViewer()
        case .type: typeIntoInput(key)
        case .rateGood, .rateBad:
            // With a question being written, `+` and `-` are its text.
            guard input.isEmpty else {
                typeIntoInput(key)
                return []
            }
            return rateLatest(action == .rateGood ? .good : .bad)
        default: return nil
        }
        return []
    }

    mutating func performSourcesAction(_ action: KeyAction, _ key: KeyEvent) -> [Effect]? {
        switch action {
        case .up: moveSource(-1)
        case .down: moveSource(1)
        case .top: sourcesSelection = 0
        case .bottom: moveSource(Int.max / 2)
        case .open: return openViewer()
        case .openInEditor:
            guard let e = latestExchange, sourcesSelection < e.passages.count else { return [] }
            let p = e.passages[sourcesSelection]
            if p.pageStart != nil && pdfViewer == nil {
                notice(.error, DocumentViewerCommand.notFoundMessage(for: p.documentPath))
                return []
            }
            return [p.openEffect]
        case .type: typeIntoInput(key)
        default: return nil
        }
        return []
    }

    /// Typing while the chat or the sources have the focus goes to the question.
    mutating func typeIntoInput(_ key: KeyEvent) {
        guard case .char(let c) = key.key else { return }
        focus = .input
        input.insert(String(c))
    }

    func nextFocus(forward: Bool) -> Focus {
        var order: [Focus] = [.input, .chat]
        if sideBySide || sourcesOverlayVisible { order.append(.sources) }
        let i = order.firstIndex(of: focus) ?? 0
        return order[(i + (forward ? 1 : order.count - 1)) % order.count]
    }

    var pageSize: Int { max(1, rows - 8) }

    mutating func scrollChat(by lines: Int) {
        chatScroll = max(0, chatScroll + lines)
    }

    mutating func moveSource(_ delta: Int) {
        let count = latestExchange?.passages.count ?? 0
        guard count > 0 else { return }
        sourcesSelection = min(count - 1, max(0, sourcesSelection + delta))
    }

    /// Moves the source selection to the previous or next source the latest answer cites.
    mutating func stepCitation(_ delta: Int) {
        guard let exchange = latestExchange else { return }
        let cited = exchange.citedSources.sorted()
        guard !cited.isEmpty else { return }
        let current = sourcesSelection + 1
        let next: Int?
        if delta > 0 {
            next = cited.first { $0 > current } ?? cited.first
        } else {
            next = cited.last { $0 < current } ?? cited.last
        }
        if let next { sourcesSelection = next - 1 }
    }

    /// Opens the selected source of the latest answer in the viewer and asks for its document.
    mutating func openViewer() -> [Effect] {
        guard let e = latestExchange, sourcesSelection < e.passages.count else { return [] }
        let passage = e.passages[sourcesSelection]
        let id = takeRequestID()
        overlay = .viewer(SourceViewer(requestID: id, passage: passage, terms: questionTerms(e.question)))
        return [.loadDocument(request: id, path: passage.documentPath, kb: kbName)]
    }
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

extension Passage {
    /// How `o` opens the passage's document outside Lore: a paged one at its first page in a document viewer
    /// (an editor would show a PDF's bytes), any other in the editor at its first line.
    var openEffect: Effect {
        if let page = pageStart { return .openDocument(path: documentPath, page: page) }
        return .openInEditor(path: documentPath, line: lineStart)
    }
}
