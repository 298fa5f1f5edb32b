import LoreCore
import Testing
@testable import LoreTUI

@Suite("update")
struct UpdateTests {
    func model() -> AppModel { AppModel(rows: 24, cols: 80, kbName: "docs") }

    @Test func typingAndEditingKeys() {
        var m = model()
        Fixtures.type(&m, "hello brave world")
        #expect(m.input.text == "hello brave world")
        _ = update(&m, .key(.ctrl("w")))
        #expect(m.input.text == "hello brave ")
        _ = update(&m, .key(.ctrl("a")))
        _ = update(&m, .key(.char(">")))
        #expect(m.input.text == ">hello brave ")
        _ = update(&m, .key(.ctrl("e")))
        _ = update(&m, .key(KeyEvent(.backspace)))
        #expect(m.input.text == ">hello brave")
        _ = update(&m, .key(.alt("b")))
        _ = update(&m, .key(.ctrl("k")))
        #expect(m.input.text == ">hello ")
        _ = update(&m, .key(.ctrl("u")))
        #expect(m.input.text == "")
    }

    @Test func wordMotionWithCtrlArrows() {
        var m = model()
        Fixtures.type(&m, "one two three")
        _ = update(&m, .key(KeyEvent(.left, ctrl: true)))
        _ = update(&m, .key(KeyEvent(.left, ctrl: true)))
        _ = update(&m, .key(.char("X")))
        #expect(m.input.text == "one Xtwo three")
        _ = update(&m, .key(.alt("f")))
        _ = update(&m, .key(.char("Y")))
        #expect(m.input.text == "one XtwoY three")
    }

    @Test func altEnterAndCtrlJInsertNewlines() {
        var m = model()
        Fixtures.type(&m, "a")
        _ = update(&m, .key(KeyEvent(.enter, alt: true)))
        Fixtures.type(&m, "b")
        _ = update(&m, .key(.ctrl("j")))
        Fixtures.type(&m, "c")
        #expect(m.input.text == "a\nb\nc")
        #expect(m.activeAnswer == nil)
    }

    @Test func sendingCreatesAskWithNewRequestID() {
        var m = model()
        Fixtures.type(&m, "first?")
        let effects = update(&m, .key(.enter))
        guard case .ask(let id, let q, let history, let kb, nil)? = effects.first else {
            Issue.record("expected an ask effect, got \(effects)")
            return
        }
        #expect(q == "first?")
        #expect(history.isEmpty)
        #expect(kb == "docs")
        #expect(m.activeAnswer == id)
        #expect(m.input.isEmpty)
        _ = update(&m, .answer(request: id, .delta("one")))
        _ = update(&m, .answer(request: id, .finished(AnswerStats(model: "m", ttftMillis: 1, tokensPerSecond: 1,
                                                                   incomplete: false, conversationID: "c1"))))
        Fixtures.type(&m, "second?")
        let next = update(&m, .key(.enter))
        guard case .ask(let id2, _, let history2, _, let conv)? = next.first else {
            Issue.record("expected an ask effect")
            return
        }
        #expect(id2 != id)
        #expect(history2 == [ChatTurn(question: "first?", answer: "one")])
        #expect(conv == "c1")
    }

    @Test func emptyInputSendsNothing() {
        var m = model()
        Fixtures.type(&m, "   ")
        #expect(update(&m, .key(.enter)).isEmpty)
        #expect(m.items.isEmpty)
    }

    @Test func staleRequestIDsAreDropped() {
        var m = model()
        Fixtures.type(&m, "q")
        _ = update(&m, .key(.enter))
        let first = m.activeAnswer!
        _ = update(&m, .key(.escape))
        Fixtures.type(&m, "q2")
        _ = update(&m, .key(.enter))
        let before = m
        _ = update(&m, .answer(request: first, .delta("late text")))
        _ = update(&m, .answer(request: 999, .retrieved(Fixtures.passages, millis: 1)))
        _ = update(&m, .answerEnded(request: first, error: "boom"))
        #expect(m == before)
    }

    @Test func escapeStopsStreamingAndKeepsText() {
        var m = model()
        Fixtures.type(&m, "q")
        _ = update(&m, .key(.enter))
        let id = m.activeAnswer!
        _ = update(&m, .answer(request: id, .delta("partial answer")))
        let effects = update(&m, .key(.escape))
        #expect(effects == [.cancel(request: id)])
        #expect(m.activeAnswer == nil)
        #expect(m.latestExchange?.state == .stopped)
        #expect(m.latestExchange?.answer == "partial answer")
    }

    @Test func ctrlCSemantics() {
        var m = model()
        Fixtures.type(&m, "q")
        _ = update(&m, .key(.enter))
        let id = m.activeAnswer!
        #expect(update(&m, .key(.ctrl("c"))) == [.cancel(request: id)])
        #expect(!m.shouldQuit)
        Fixtures.type(&m, "draft")
        #expect(update(&m, .key(.ctrl("c"))).isEmpty)
        #expect(m.input.isEmpty)
        #expect(!m.shouldQuit)
        #expect(update(&m, .key(.ctrl("c"))) == [.quit])
        #expect(m.shouldQuit)
    }

    @Test func ctrlQQuitsAlways() {
        var m = model()
        Fixtures.type(&m, "draft")
        #expect(update(&m, .key(.ctrl("q"))).contains(.quit))
    }

    @Test func focusCycles() {
        var wide = AppModel(rows: 40, cols: 120, kbName: "docs")
        var seen: [Focus] = []
        for _ in 0..<3 {
            _ = update(&wide, .key(.tab))
            seen.append(wide.focus)
        }
        #expect(seen == [.chat, .sources, .input])
        _ = update(&wide, .key(KeyEvent(.backTab)))
        #expect(wide.focus == .sources)
        // Below 100 columns the sources pane is hidden until toggled, so Tab skips it.
        var narrow = model()
        _ = update(&narrow, .key(.tab))
        _ = update(&narrow, .key(.tab))
        #expect(narrow.focus == .input)
        _ = update(&narrow, .key(KeyEvent(.function(2))))
        #expect(narrow.sourcesOverlayVisible && narrow.focus == .sources)
        _ = update(&narrow, .key(.escape))
        #expect(!narrow.sourcesOverlayVisible && narrow.focus == .input)
    }

    @Test func slashCompletion() {
        var m = model()
        Fixtures.type(&m, "/h")
        let shown = SlashCommand.completions(for: m.input.text, themes: m.themeNames).map(\.text)
        #expect(shown == ["/help", "/history"])
        _ = update(&m, .key(KeyEvent(.down)))
        _ = update(&m, .key(.tab))
        #expect(m.input.text == "/history ")
        m.input = InputEditor()
        Fixtures.type(&m, "/theme gr")
        _ = update(&m, .key(.tab))
        #expect(m.input.text == "/theme gruvbox")
        #expect(update(&m, .key(.enter)) == [.applyTheme("gruvbox")])
    }

    @Test func slashCommands() {
        var m = Fixtures.answered()
        #expect(update(&m, .key(.char("/"))) == [])
        Fixtures.type(&m, "new")
        _ = update(&m, .key(.enter))
        #expect(m.items.isEmpty && m.conversationID == nil)
        Fixtures.type(&m, "/reindex")
        let effects = update(&m, .key(.enter))
        guard case .reindex(let id, "docs")? = effects.first else {
            Issue.record("expected reindex, got \(effects)")
            return
        }
        _ = update(&m, .indexProgress(request: id, .started(total: 10)))
        _ = update(&m, .indexProgress(request: id, .progress(done: 3, total: 10, bytes: 100, passages: 9)))
        _ = update(&m, .indexProgress(request: id, .skipped(path: "x.bin", reason: "binary")))
        #expect(m.index == .running(done: 3, total: 10, skipped: 1))
        Fixtures.type(&m, "/bogus")
        _ = update(&m, .key(.enter))
        guard case .notice(let n)? = m.items.last else {
            Issue.record("expected a notice")
            return
        }
        #expect(n.level == .error && n.text.contains("/help"))
        Fixtures.type(&m, "/quit")
        #expect(update(&m, .key(.enter)).contains(.quit))
    }

    @Test func historyRecall() {
        var m = model()
        for q in ["one", "two"] {
            Fixtures.type(&m, q)
            _ = update(&m, .key(.enter))
        }
        Fixtures.type(&m, "dr")
        _ = update(&m, .key(KeyEvent(.up)))
        #expect(m.input.text == "two")
        _ = update(&m, .key(KeyEvent(.up)))
        #expect(m.input.text == "one")
        _ = update(&m, .key(KeyEvent(.down)))
        _ = update(&m, .key(KeyEvent(.down)))
        #expect(m.input.text == "dr")
    }

    @Test func pickerFiltersAndSwitches() {
        var m = model()
        let effects = update(&m, .key(.ctrl("k")))
        #expect(effects == [.loadKnowledgeBases])
        _ = update(&m, .knowledgeBasesLoaded([
            Fixtures.kb,
            KnowledgeBaseSummary(name: "postgres", paths: ["/usr/share/doc/postgresql-doc-15"], documents: 1170,
                                 passages: 20000, lastIndexed: nil),
            KnowledgeBaseSummary(name: "python", paths: ["/usr/share/doc/python3.11"], documents: 500,
                                 passages: 9000, lastIndexed: nil),
        ]))
        Fixtures.type(&m, "p")
        guard case .knowledgeBases(let picker)? = m.overlay else {
            Issue.record("picker not open")
            return
        }
        #expect(picker.matches(m.knowledgeBases).map(\.name) == ["postgres", "python"])
        Fixtures.type(&m, "yt")
        #expect(update(&m, .key(.enter)) == [.openKnowledgeBase("python")])
        #expect(m.overlay == nil)
        // The chat moves once the knowledge base has opened.
        #expect(m.kbName == "docs" && m.switchingTo == "python")
        let python = m.knowledgeBases[2]
        let opened = update(&m, .knowledgeBaseOpened(python))
        #expect(m.kbName == "python" && m.switchingTo == nil)
        #expect(opened.contains { if case .reindex(_, "python") = $0 { return true }; return false })
        // Each knowledge base may have its own model ([kb.NAME.model]): the status bar asks again.
        #expect(opened.contains(.refreshModel))
    }

    @Test func aKnowledgeBaseThatCannotBeOpenedLeavesThePersonWhereTheyWere() {
        var m = Fixtures.answered()
        let before = m.items.count
        Fixtures.type(&m, "/kb broken")
        #expect(update(&m, .key(.enter)).contains(.openKnowledgeBase("broken")))
        #expect(m.switchingTo == "broken")
        _ = update(&m, .knowledgeBaseOpenFailed(name: "broken", error: "broken.sqlite: not a Lore knowledge base"))
        #expect(m.kbName == "docs" && m.switchingTo == nil)
        #expect(m.latestExchange != nil, "the conversation is kept")
        #expect(m.items.count == before + 1)
        guard case .notice(let notice)? = m.items.last else {
            Issue.record("no notice")
            return
        }
        #expect(notice.level == .error)
        #expect(notice.text == "cannot open broken: broken.sqlite: not a Lore knowledge base — still on docs")
    }

    @Test func pickerRemoveNeedsConfirmation() {
        var m = model()
        _ = update(&m, .key(.ctrl("k")))
        _ = update(&m, .knowledgeBasesLoaded([Fixtures.kb]))
        _ = update(&m, .key(.ctrl("d")))
        #expect(update(&m, .key(.char("n"))).isEmpty)
        _ = update(&m, .key(.ctrl("d")))
        #expect(update(&m, .key(.char("y"))) == [.removeKnowledgeBase("docs"), .loadKnowledgeBases])
    }

    @Test func citationsStepAndOpenViewer() {
        var m = Fixtures.answered()
        #expect(m.latestExchange?.citedNumbers == [1, 2])
        _ = update(&m, .key(.tab))
        #expect(m.focus == .chat)
        _ = update(&m, .key(.char("]")))
        #expect(m.sourcesSelection == 1)
        _ = update(&m, .key(.char("]")))
        #expect(m.sourcesSelection == 0)
        let effects = update(&m, .key(.enter))
        guard case .loadDocument(let id, "guide/install.md", "docs")? = effects.first,
              case .viewer(let viewer)? = m.overlay else {
            Issue.record("expected the viewer to open")
            return
        }
        #expect(viewer.terms == ["build"])
        _ = update(&m, .documentLoaded(request: id + 1, text: "stale"))
        if case .viewer(let v)? = m.overlay { #expect(v.text == nil) }
        _ = update(&m, .documentLoaded(request: id, text: "line\nline"))
        if case .viewer(let v)? = m.overlay { #expect(v.text == "line\nline") }
        _ = update(&m, .key(.escape))
        #expect(m.overlay == nil)
    }

    @Test func streamErrorsShowInline() {
        var m = model()
        Fixtures.type(&m, "q")
        _ = update(&m, .key(.enter))
        let id = m.activeAnswer!
        _ = update(&m, .answerEnded(request: id, error: "cannot reach http://127.0.0.1:11434: connection refused"))
        #expect(m.latestExchange?.state == .failed("cannot reach http://127.0.0.1:11434: connection refused"))
        #expect(m.activeAnswer == nil)
    }

    @Test func streamEndingWithoutFinishIsIncomplete() {
        var m = model()
        Fixtures.type(&m, "q")
        _ = update(&m, .key(.enter))
        let id = m.activeAnswer!
        _ = update(&m, .answer(request: id, .delta("half")))
        _ = update(&m, .answerEnded(request: id, error: nil))
        #expect(m.latestExchange?.state == .incomplete)
    }

    @Test func tooSmallTerminalOnlyQuits() {
        var m = AppModel(rows: 8, cols: 30, kbName: "docs")
        #expect(update(&m, .key(.char("x"))).isEmpty)
        #expect(m.input.isEmpty)
        #expect(update(&m, .key(.ctrl("c"))).contains(.quit))
    }

    @Test func helpOpensOnQuestionMarkOnlyWhenInputEmpty() {
        var m = model()
        _ = update(&m, .key(.char("?")))
        #expect(m.overlay == .help)
        _ = update(&m, .key(.escape))
        Fixtures.type(&m, "why?")
        #expect(m.overlay == nil)
        #expect(m.input.text == "why?")
    }
}

@Suite("update: scrolling and status")
struct UpdateScrollTests {
    @Test func scrolledUpViewKeepsItsPlaceWhileStreaming() {
        var m = Fixtures.answered(rows: 24, cols: 80)
        Fixtures.type(&m, "again")
        _ = update(&m, .key(.enter))
        let id = m.activeAnswer!
        _ = update(&m, .answer(request: id, .delta(String(repeating: "word ", count: 200))))
        _ = update(&m, .key(KeyEvent(.pageUp)))
        let scrolled = m.chatScroll
        let before = view(m).lines
        _ = update(&m, .answer(request: id, .delta(String(repeating: "more ", count: 100))))
        #expect(m.chatScroll > scrolled)
        #expect(view(m).lines.prefix(10) == before.prefix(10))
        _ = update(&m, .key(.tab))
        _ = update(&m, .key(KeyEvent(.end)))
        #expect(m.chatScroll == 0)
    }

    @Test func unreachableModelIsExplainedInline() {
        var m = AppModel(rows: 24, cols: 80, kbName: "docs")
        let why = "cannot reach http://127.0.0.1:11434: connection refused — is Ollama running?"
        _ = update(&m, .modelStatus(ModelStatus(name: "llama3", state: .unreachable(why))))
        _ = update(&m, .modelStatus(ModelStatus(name: "llama3", state: .unreachable(why))))
        #expect(m.items == [.notice(Notice(.error, why))])
        #expect(view(m).lines[22].contains("llama3 unreachable"))
    }
}

@Suite("update: conversations, paste, themes")
struct UpdateConversationTests {
    @Test func historyPickerLoadsAConversation() {
        var m = AppModel(rows: 24, cols: 80, kbName: "docs")
        Fixtures.type(&m, "/history")
        #expect(update(&m, .key(.enter)) == [.loadConversations(kb: "docs")])
        let listing = [
            ConversationListing(id: "7", title: "building", kb: "docs", updated: .distantPast, turns: 2),
            ConversationListing(id: "9", title: "config", kb: "docs", updated: .distantPast, turns: 1),
        ]
        _ = update(&m, .conversationsLoaded(listing))
        _ = update(&m, .key(KeyEvent(.down)))
        #expect(update(&m, .key(.enter)) == [.loadConversation(id: "9", kb: "docs")])
        #expect(m.overlay == nil)
        let turn = TranscriptTurn(question: "where is the config?", answer: "In config.toml [1].",
                                  citations: CitationParser.citations(in: "In config.toml [1]."),
                                  passages: [Fixtures.passages[1]], model: "llama3")
        _ = update(&m, .conversationLoaded(Transcript(id: "9", kb: "docs", turns: [turn])))
        #expect(m.conversationID == "9")
        #expect(m.latestExchange?.answer == "In config.toml [1].")
        #expect(m.latestExchange?.state == .done)
        Fixtures.type(&m, "and the cache?")
        guard case .ask(_, _, let history, _, "9")? = update(&m, .key(.enter)).first else {
            Issue.record("expected an ask in conversation 9")
            return
        }
        #expect(history == [ChatTurn(question: "where is the config?", answer: "In config.toml [1].")])
    }

    @Test func pasteKeepsNewlinesAndDoesNotSend() {
        var m = AppModel(rows: 24, cols: 80, kbName: "docs")
        #expect(update(&m, .paste("line one\nline two\u{1B}[2J")).isEmpty)
        #expect(m.input.text == "line one\nline two␛[2J")
        #expect(m.items.isEmpty)
    }

    @Test func themeCommandAndResult() {
        var m = AppModel(rows: 24, cols: 80, kbName: "docs")
        Fixtures.type(&m, "/theme")
        _ = update(&m, .key(.enter))
        guard case .notice(let n)? = m.items.last else {
            Issue.record("expected the theme list")
            return
        }
        #expect(n.text.contains("solarized-dark"))
        _ = update(&m, .themeApplied("gruvbox"))
        #expect(m.themeName == "gruvbox")
    }

    @Test func exportIsMarkdownWithCitedSources() {
        var m = Fixtures.answered()
        Fixtures.type(&m, "/export")
        guard case .export(let markdown)? = update(&m, .key(.enter)).first else {
            Issue.record("expected an export")
            return
        }
        #expect(markdown.hasPrefix("# Lore conversation — docs\n\n## how do I build it?\n"))
        #expect(markdown.contains("- [1] Installing Lore — guide/install.md:12-30"))
        #expect(markdown.contains("- [2] Configuration — guide/config.md:1-8"))
        #expect(!markdown.contains("[3] Misc"))
    }

    @Test func indexingShowsProgressThenRefreshesCounts() {
        var m = AppModel(rows: 24, cols: 100, kbName: "docs")
        Fixtures.type(&m, "/reindex")
        guard case .reindex(let id, _)? = update(&m, .key(.enter)).first else {
            Issue.record("expected reindex")
            return
        }
        _ = update(&m, .indexProgress(request: id, .started(total: 1170)))
        _ = update(&m, .indexProgress(request: id, .progress(done: 340, total: 1170, bytes: 0, passages: 900)))
        #expect(view(m).lines[22].contains("indexing 340/1170 29%"))
        let summary = IndexTotals(added: 3, updated: 0, removed: 0, unchanged: 1167, skipped: 2)
        #expect(update(&m, .indexProgress(request: id, .finished(summary))) == [.openKnowledgeBase("docs")])
        #expect(view(m).lines[22].contains("up to date · 2 skipped"))
        #expect(update(&m, .indexProgress(request: id, .started(total: 5))).isEmpty)
        #expect(m.index == .finished(summary))
    }
}

@Suite("background refresh") struct BackgroundRefreshTests {
    @Test func openingRefreshesOnceAndTheCountRefreshAfterwardsDoesNotLoop() {
        var m = AppModel(rows: 24, cols: 80, kbName: "docs")
        let first = update(&m, .knowledgeBaseOpened(Fixtures.kb))
        guard case .reindex(let id, "docs")? = first.first else {
            Issue.record("opening should refresh the index, got \(first)")
            return
        }
        let after = update(&m, .indexProgress(request: id, .finished(IndexTotals(added: 0, updated: 0, removed: 0,
                                                                                 unchanged: 3, skipped: 0))))
        #expect(after == [.openKnowledgeBase("docs")])
        #expect(update(&m, .knowledgeBaseOpened(Fixtures.kb)) == [])
        #expect(m.activeIndex == nil)
    }
}

@Suite("live streaming rate") struct StreamingRateTests {
    @Test func theStatusBarShowsTokensPerSecondWhileAnAnswerStreams() {
        var m = AppModel(rows: 24, cols: 120, kbName: "docs")
        _ = update(&m, .modelStatus(ModelStatus(name: "llama3", state: .ready)))
        Fixtures.type(&m, "why?")
        _ = update(&m, .key(.enter))
        let id = m.activeAnswer!
        m.now = 100
        _ = update(&m, .answer(request: id, .delta("one")))
        for i in 1...40 {
            m.now = 100 + Double(i) * 0.05
            _ = update(&m, .answer(request: id, .delta(" word")))
        }
        #expect(m.statusBar.modelText.0.hasSuffix("streaming 21 tok/s"))
    }
}

@Suite("notices and conversations during an answer") struct AnswerNoticeTests {
    @Test func aNoticeIsShownAndTheAnswerGoesOn() {
        var m = AppModel(rows: 24, cols: 120, kbName: "docs")
        Fixtures.type(&m, "why?")
        _ = update(&m, .key(.enter))
        let id = m.activeAnswer!
        _ = update(&m, .answer(request: id, .notice("embedding server unavailable; ranked by keywords only")))
        #expect(m.activeAnswer == id)
        _ = update(&m, .answer(request: id, .delta("Because [1].")))
        #expect(m.latestExchange?.answer == "Because [1].")
        // Said before the answer began, it stays with its question, above the answer.
        #expect(m.latestExchange?.notes == [Notice(.warning, "embedding server unavailable; ranked by keywords only")])
        let lines = m.chatPane.itemLines(.exchange(m.latestExchange!), width: 80).map(\.text)
        #expect(lines.prefix(2) == ["› why?", "! embedding server unavailable; ranked by keywords only"], "\(lines)")
        // One said once the answer is under way comes after it, as before.
        _ = update(&m, .answer(request: id, .info("late word")))
        #expect(m.items.last == .notice(Notice(.info, "late word")))
    }

    @Test func aStoppedFirstAnswerStillContinuesItsConversation() {
        var m = AppModel(rows: 24, cols: 120, kbName: "docs")
        Fixtures.type(&m, "first question")
        _ = update(&m, .key(.enter))
        let id = m.activeAnswer!
        _ = update(&m, .answer(request: id, .conversation("7")))
        _ = update(&m, .answer(request: id, .delta("partial")))
        _ = update(&m, .key(.escape))
        Fixtures.type(&m, "and then?")
        let effects = update(&m, .key(.enter))
        guard case .ask(_, _, _, _, let conversation)? = effects.first(where: { if case .ask = $0 { return true }; return false }) else {
            Issue.record("expected an ask, got \(effects)")
            return
        }
        #expect(conversation == "7")
    }

    /// The UI's half of the citation table (the CLI's is in AskCommandTests): whatever form the engine
    /// found, the exchange counts, steps through and highlights exactly those numbers; brackets the engine
    /// did not report stay plain text.
    @Test(arguments: [
        (["Built [2-3] and [1](http://127.0.0.1/x)."], [2, 3]),
        (["Built [1; 3] then [^2]."], [1, 3, 2]),
        (["Built [3", "] from `a[1]`."], [3]),
        (["Built [1][3] and [9]."], [1, 3, 9]),
    ] as [([String], [Int])])
    func citationsFromTheEngineDriveCountingAndStepping(_ pieces: [String], _ cited: [Int]) {
        var m = AppModel(rows: 24, cols: 120, kbName: "docs")
        Fixtures.type(&m, "how?")
        _ = update(&m, .key(.enter))
        let id = m.activeAnswer!
        _ = update(&m, .answer(request: id, .retrieved(Fixtures.passages, millis: 1)))
        Fixtures.streamAnswer(&m, request: id, pieces)
        _ = update(&m, .answer(request: id, .finished(AnswerStats(model: "m", ttftMillis: 1, tokensPerSecond: 1,
                                                                   incomplete: false))))
        let e = m.latestExchange!
        #expect(e.citedNumbers == cited)
        let known = cited.filter { $0 <= Fixtures.passages.count }
        #expect(e.citedSources == known)
        let screen = view(m).lines.joined(separator: "\n")
        #expect(screen.contains(known.count == 1 ? "1 source cited" : "\(known.count) sources cited"), "\(screen)")
        // `]` in the chat visits each known cited source in order, then wraps.
        _ = update(&m, .key(.tab))
        var visited: [Int] = []
        for _ in known { _ = update(&m, .key(.char("]"))); visited.append(m.sourcesSelection + 1) }
        #expect(visited == known.sorted().filter { $0 != 1 } + (known.contains(1) ? [1] : []))
    }

    @Test func noCursorUnderTheSpinnerBeforeTheFirstWords() {
        var m = AppModel(rows: 24, cols: 120, kbName: "docs")
        Fixtures.type(&m, "how?")
        _ = update(&m, .key(.enter))
        let id = m.activeAnswer!
        _ = update(&m, .answer(request: id, .retrieved(Fixtures.passages, millis: 1)))
        let waiting = view(m).lines
        #expect(waiting.contains { $0.contains("waiting for the model…") })
        #expect(!waiting.contains { $0.contains("▍") })
        _ = update(&m, .answer(request: id, .delta("First")))
        #expect(view(m).lines.contains { $0.contains("First▍") })
    }
}
