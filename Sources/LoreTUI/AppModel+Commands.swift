import LoreCore

/// Slash commands and what they start: switching and opening knowledge bases, re-indexing, the model,
/// themes and conversations.
extension AppModel {
    mutating func runCommand(_ text: String) -> [Effect] {
        let parts = text.dropFirst().split(separator: " ", maxSplits: 1).map(String.init)
        let name = parts.first?.lowercased() ?? ""
        let argument = parts.count > 1 ? parts[1].trimmingWhitespace() : ""
        guard let command = SlashCommand(rawValue: name) else {
            notice(.error, "Unknown command /\(name). Type /help for the list.")
            return []
        }
        switch command {
        case .help:
            overlay = .help
            return []
        case .kb:
            if argument.isEmpty { return openPicker() }
            return switchKnowledgeBase(to: argument)
        case .model:
            if argument.isEmpty {
                let current = model.map { "\($0.name) (\(describe($0.state)))" } ?? "not known yet"
                notice(.info, "Model: \(current). /model NAME switches.")
                return [.refreshModel]
            }
            return [.selectModel(argument)]
        case .theme:
            if argument.isEmpty {
                notice(.info, "Themes: \(themeNames.joined(separator: ", ")). Current: \(themeName).")
                return []
            }
            return [.applyTheme(argument)]
        case .new:
            let effects = stopActive()
            items = []
            conversationID = nil
            chatScroll = 0
            sourcesSelection = 0
            return effects
        case .history:
            return [.loadConversations(kb: kbName)]
        case .export:
            guard latestExchange != nil else {
                notice(.info, "Nothing to export yet.")
                return []
            }
            return [.export(markdown: exportMarkdown())]
        case .reindex:
            return startReindex(kbName)
        case .quit:
            shouldQuit = true
            return stopActive() + [.quit]
        }
    }

    mutating func startReindex(_ kb: String) -> [Effect] {
        if activeIndex != nil && kb == kbName {
            notice(.info, "\(kb) is already being indexed.")
            return []
        }
        let id = takeRequestID()
        if kb == kbName {
            activeIndex = id
            index = .running(done: 0, total: 0, skipped: 0)
        }
        return [.reindex(request: id, kb: kb)]
    }

    /// Asks for `name` to be opened; the chat moves to it only once it has opened, so a knowledge base that
    /// cannot be opened (a damaged file) leaves the person where they were, told why.
    mutating func switchKnowledgeBase(to name: String) -> [Effect] {
        guard name != kbName, name != switchingTo else { return [] }
        switchingTo = name
        return [.openKnowledgeBase(name)]
    }

    private mutating func completeSwitch(to opened: KnowledgeBaseSummary) -> [Effect] {
        switchingTo = nil
        let effects = stopActive()
        kbName = opened.name
        index = .unknown
        activeIndex = nil
        items = []
        conversationID = nil
        notice(.info, "Switched to \(opened.name).")
        // Each knowledge base may be answered by a model of its own.
        return effects + [.refreshModel]
    }

    mutating func knowledgeBaseOpenFailed(_ name: String, error: String) {
        if name == switchingTo {
            switchingTo = nil
            notice(.error, "cannot open \(name): \(error) — still on \(kbName)")
        } else {
            notice(.error, error)
        }
    }

    mutating func openPicker() -> [Effect] {
        var picker = KnowledgeBasePicker()
        picker.selection = knowledgeBases.firstIndex { $0.name == kbName } ?? 0
        overlay = .knowledgeBases(picker)
        return [.loadKnowledgeBases]
    }

    mutating func knowledgeBasesLoaded(_ list: [KnowledgeBaseSummary]) {
        knowledgeBases = list
        knowledgeBasesListed = true
        if let current = list.first(where: { $0.name == kbName }) { kb = current }
    }

    mutating func knowledgeBaseOpened(_ opened: KnowledgeBaseSummary) -> [Effect] {
        var effects: [Effect] = []
        if let target = switchingTo {
            if opened.name == target {
                effects = completeSwitch(to: opened)
            } else if opened.name == kbName {
                // New counts for the knowledge base being left, not the switch.
                kb = opened
                return []
            }
        }
        kb = opened
        kbName = opened.name
        if let i = knowledgeBases.firstIndex(where: { $0.name == opened.name }) {
            knowledgeBases[i] = opened
        } else {
            knowledgeBases.append(opened)
        }
        // Opening a knowledge base brings its index up to date in the background; questions meanwhile use
        // what is already indexed. The same message also refreshes the counts after an index run, which
        // must not start another run.
        guard index == .unknown else { return effects }
        return effects + startReindex(opened.name) + startWatch(opened.name)
    }

    /// Watching starts with the first index run of a knowledge base and replaces the watch on the one before.
    mutating func startWatch(_ kb: String) -> [Effect] {
        let id = takeRequestID()
        activeWatch = id
        watch = .off
        lastRefresh = nil
        return [.watch(request: id, kb: kb)]
    }

    mutating func modelStatusArrived(_ status: ModelStatus) {
        if case .unreachable(let why) = status.state, model != status {
            notice(.error, why)
        }
        model = status
    }

    mutating func conversationsLoaded(_ list: [ConversationListing]) {
        if list.isEmpty {
            notice(.info, "No saved conversations in \(kbName) yet.")
        } else {
            overlay = .history(HistoryPicker(conversations: list))
        }
    }

    /// Replaces the chat with a saved conversation, which later questions continue.
    mutating func conversationLoaded(_ conversation: Transcript) -> [Effect] {
        var effects: [Effect] = []
        if let active = activeAnswer { effects.append(.cancel(request: active)) }
        activeAnswer = nil
        items = conversation.turns.map { turn in
            var e = Exchange(requestID: takeRequestID(), question: turn.question)
            e.answer = turn.answer
            e.citations = turn.citations
            e.passages = turn.passages
            e.state = .done
            e.stats = AnswerStats(model: turn.model, ttftMillis: nil, tokensPerSecond: nil, incomplete: false,
                                  conversationID: conversation.id, turnID: turn.turnID)
            e.rating = turn.rating
            return .exchange(e)
        }
        conversationID = conversation.id
        chatScroll = 0
        sourcesSelection = 0
        return effects
    }
}

func describe(_ state: ModelStatus.State) -> String {
    switch state {
    case .ready: return "ready"
    case .extractive: return "no model configured; answers are extracted from the index"
    case .unreachable(let why): return "unreachable: \(why)"
    }
}
