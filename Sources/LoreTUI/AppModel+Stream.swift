import LoreCore

/// Events of the answer stream and of an index run.
extension AppModel {
    mutating func receiveAnswer(_ request: Int, _ event: AnswerStreamEvent) -> [Effect] {
        // A result for a request that was stopped or replaced arrives late: it is no longer wanted.
        guard activeAnswer == request else { return [] }
        switch event {
        case .retrieved(let passages, let millis):
            updateExchange(request) { e in
                e.passages = passages
                e.retrievalMillis = millis
                e.state = .streaming
            }
            sourcesSelection = 0
        case .delta(let text):
            // Someone reading further up keeps their place: the offset from the bottom grows with the text.
            let width = Layout(self).chat.width - 2
            func height() -> Int {
                guard chatScroll > 0, let e = latestExchange, e.requestID == request else { return 0 }
                return chatPane.itemLines(.exchange(e), width: width).count
            }
            let before = height()
            let now = self.now
            updateExchange(request) { e in
                e.answer += text
                e.state = .streaming
                if e.streamStartedAt == nil { e.streamStartedAt = now }
                e.deltas += 1
            }
            chatScroll += height() - before
            // Text arriving is proof the model answers, whatever the probe at start-up found (the server may
            // have come up since); without this the status bar said "unreachable" after a streamed answer.
            if case .unreachable? = model?.state { model?.state = .ready }
        case .citation(let citation):
            updateExchange(request) { $0.citations.append(citation) }
        case .reasoning(let text):
            updateExchange(request) { $0.reasoning += text }
        case .finished(let stats):
            updateExchange(request) { e in
                e.stats = stats
                e.state = stats.incomplete ? .incomplete : .done
            }
            if let id = stats.conversationID { conversationID = id }
            activeAnswer = nil
        case .error(let text):
            updateExchange(request) { $0.state = .failed(text) }
            activeAnswer = nil
        case .notice(let text):
            answerNotice(request, Notice(.warning, text))
        case .info(let text):
            answerNotice(request, Notice(.info, text))
        case .conversation(let id):
            conversationID = id
        }
        return []
    }

    /// A notice of the answer stream: under its question while no answer text has come (it is about how the
    /// question was searched), else after the exchange, in the order things happened.
    mutating func answerNotice(_ request: Int, _ notice: Notice) {
        if let e = latestExchange, e.requestID == request, e.answer.isEmpty {
            updateExchange(request) { $0.notes.append(notice) }
            chatScroll = 0
        } else {
            self.notice(notice.level, notice.text)
        }
    }

    /// The answer stream ended (normally or by error).
    mutating func answerEnded(_ request: Int, error: String?) {
        guard activeAnswer == request else { return }
        activeAnswer = nil
        updateExchange(request) { e in
            if let error {
                e.state = .failed(error)
            } else if e.isActive {
                e.state = .incomplete
            }
        }
    }

    /// Stops the streaming answer, keeping its text, and asks the runtime to cancel the request.
    mutating func stopActive() -> [Effect] {
        guard let active = activeAnswer else { return [] }
        activeAnswer = nil
        updateExchange(active) { $0.state = .stopped }
        return [.cancel(request: active)]
    }

    mutating func receiveIndexProgress(_ request: Int, _ event: IndexProgressEvent) -> [Effect] {
        guard activeIndex == request else { return [] }
        switch event {
        case .started(let total):
            index = .running(done: 0, total: total, skipped: 0)
        case .progress(let done, let total, _, _):
            var skipped = 0
            if case .running(_, _, let s) = index { skipped = s }
            index = .running(done: done, total: total, skipped: skipped)
        case .skipped:
            if case .running(let done, let total, let s) = index {
                index = .running(done: done, total: total, skipped: s + 1)
            }
        case .finished(let summary):
            index = .finished(summary)
            activeIndex = nil
            return [.openKnowledgeBase(kbName)]
        case .failed(let text):
            index = .failed(text)
            activeIndex = nil
            notice(.error, text)
        }
        return []
    }
}
