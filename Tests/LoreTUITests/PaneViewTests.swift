import LoreCore
import Testing
@testable import LoreTUI

/// Rows of a buffer with trailing blanks removed, as `ViewSnapshotTests.screen` reads a whole screen.
func trimmedLines(_ buffer: ScreenBuffer) -> [String] {
    buffer.lines.map { line in
        var s = Substring(line)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}

/// Draws one view into a buffer of its own small size.
func drawn(rows: Int, cols: Int, _ draw: (inout ScreenBuffer, Rect) -> Void) -> [String] {
    var buffer = ScreenBuffer(rows: rows, cols: cols, fill: TextStyle(.foreground, on: .background))
    draw(&buffer, Rect(row: 0, col: 0, height: rows, width: cols))
    return trimmedLines(buffer)
}

@Suite("pane views")
struct PaneViewTests {
    let answered = Fixtures.answered(rows: 24, cols: 80)

    @Test func chatPane() {
        #expect(drawn(rows: 8, cols: 44) { b, r in answered.chatPane.draw(into: &b, in: r) } == [
            "",
            " Run swift build in the checkout [1], then",
            " set base_url in the config [2].",
            "",
            "  sh",
            "  swift build -c release",
            "",
            " llama3 · first token 310 ms · 41.3 tok/s …",
        ])
    }

    @Test func chatPaneGreetsBeforeTheFirstQuestion() {
        let pane = ChatPaneView(items: [], kbName: "docs", highlightedCitation: nil, scroll: 0, tick: 0)
        #expect(drawn(rows: 4, cols: 40) { b, r in pane.draw(into: &b, in: r) } == [
            "",
            " Ask anything about docs. Type / for",
            " commands, F1 for keys.",
            "",
        ])
    }

    @Test func sourcesPane() {
        #expect(drawn(rows: 8, cols: 30) { b, r in answered.sourcesPane.draw(into: &b, in: r) } == [
            " Sources (3)",
            " [1] Installing Lore",
            "     Install › Linux",
            "     guide/install.md:… ▰▰▰▰▰",
            " [2] Configuration",
            "     Config",
            "     guide/config.md:1… ▰▰▰▰▱",
            "",
        ])
    }

    @Test func sourcesPreviewNamesTheSearchesThatFoundThePassage() {
        var exchange = Exchange(requestID: 1, question: "upgrade in place?")
        exchange.passages = Fixtures.passages
        exchange.passages[0].foundBy = ["question", "pg_upgrade link mode"]
        exchange.state = .done
        let pane = SourcesPaneView(exchange: exchange, selection: 0, focused: true, showsSelection: true, roots: [])
        let lines = drawn(rows: 20, cols: 60) { b, r in pane.draw(into: &b, in: r) }
        #expect(lines[13] == "─ found by your question · “pg_upgrade link mode” " + String(repeating: "─", count: 10))
        #expect(lines[14] == " Run swift build in the checkout, then copy the binary.")
        // The second passage was found without rewriting: a plain rule.
        let second = SourcesPaneView(exchange: exchange, selection: 1, focused: true, showsSelection: true, roots: [])
        #expect(drawn(rows: 20, cols: 60) { b, r in second.draw(into: &b, in: r) }[13] == String(repeating: "─", count: 60))
        #expect(SourcesPaneView.foundByLabel(["passage"]) == "found by the model's sketch of an answer")
        #expect(SourcesPaneView.foundByLabel([]) == nil)
        #expect(SourcesPaneView.foundByLabel(["\u{1B}[2Jwipe"])?.contains("\u{1B}") == false)
    }

    @Test func statusBar() {
        #expect(drawn(rows: 1, cols: 60) { b, r in answered.statusBar.draw(into: &b, in: r) } == [
            " docs │ 1,170 docs · 8,432 passages │ up to date",
        ])
        let streaming = StatusBarView(kbName: "docs", kb: nil, index: .running(done: 3, total: 10, skipped: 1),
                                      model: ModelStatus(name: "llama3", state: .ready),
                                      answering: .streaming(tokensPerSecond: 21), lastTokensPerSecond: nil,
                                      retrievalMillis: 42, showsSourcesKey: true, tick: 0)
        #expect(drawn(rows: 1, cols: 100) { b, r in streaming.draw(into: &b, in: r) } == [
            // The help keys are left out when they would touch the parts.
            " docs │ indexing 3/10 30% · 1 skipped │ llama3 ⠋ streaming 21 tok/s │ retrieval 42 ms",
        ])
        let watching = StatusBarView(kbName: "docs", kb: Fixtures.kb,
                                     index: .finished(IndexTotals(added: 0, updated: 0, removed: 0, unchanged: 9,
                                                                  skipped: 0)),
                                     watch: .watching, refresh: "refreshed 1 file",
                                     model: ModelStatus(name: "llama3", state: .ready), answering: .idle,
                                     lastTokensPerSecond: nil, retrievalMillis: nil, showsSourcesKey: false, tick: 0)
        #expect(drawn(rows: 1, cols: 100) { b, r in watching.draw(into: &b, in: r) } == [
            " docs │ 1,170 docs · 8,432 passages │ refreshed 1 file │ llama3 ready │ watching            F1 help",
        ])
        // On a narrow terminal the watch gives way first.
        #expect(drawn(rows: 1, cols: 70) { b, r in watching.draw(into: &b, in: r) } == [
            " docs │ 1,170 docs · 8,432 passages │ refreshed 1 file │ llama3 ready",
        ])
    }

    @Test func inputLine() {
        var input = InputEditor()
        input.setText("what about config?")
        var buffer = ScreenBuffer(rows: 2, cols: 30)
        InputLineView(input: input, focused: true, streaming: false)
            .draw(into: &buffer, in: Rect(row: 0, col: 0, height: 2, width: 30))
        #expect(trimmedLines(buffer) == ["› what about config?", ""])
        #expect(buffer.cursor == ScreenBuffer.Position(row: 0, col: 20))
        #expect(drawn(rows: 1, cols: 30) { b, r in
            InputLineView(input: InputEditor(), focused: false, streaming: true).draw(into: &b, in: r)
        } == ["› Esc stops the answer"])
    }

    @Test func completionMenu() {
        let menu = CompletionMenuView(items: SlashCommand.completions(for: "/h", themes: []), selection: 0)
        #expect(drawn(rows: 4, cols: 40) { b, r in menu.draw(into: &b, in: r) } == [
            "",
            "",
            "  /help  keys and commands",
            "  /history  reopen an earlier conversat",
        ])
    }

    @Test func helpOverlayAt80x24() {
        #expect(drawn(rows: 24, cols: 80) { b, r in
            HelpOverlayView(keyMap: .default, commands: SlashCommand.allCases).draw(into: &b, in: r)
        } == [
            "",
            " ┌─ Keys — Esc closes ────────────────────────────────────────────────────────┐",
            " │ Type, then Enter                send the question                          │",
            " │ Alt-Enter, Ctrl-J               new line in the question                   │",
            " │ Up / Down                       earlier questions, lines or completions    │",
            " │ Ctrl-A / Ctrl-E, Home / End     start / end of line                        │",
            " │ Ctrl-K / Ctrl-U                 delete to end / start of line              │",
            " │ Ctrl-W                          delete the word before the cursor          │",
            " │ Alt-B / F, Ctrl-← / →           word left / right                          │",
            " │ ← / →, Backspace, Delete        as usual; Ctrl-B / F / H / D too           │",
            " │ Esc, Ctrl-C                     stop the answer (its text is kept)         │",
            " │ Ctrl-C on empty input, Ctrl-Q   quit                                       │",
            " │ Tab / Shift-Tab                 focus input → chat → sources               │",
            " │ PgUp / PgDn, wheel, chat ↑ ↓    scroll (End follows the answer again)      │",
            " │ [ / ], ← / →, + / - in chat     cited sources / rate answer good, bad      │",
            " │ ↑ / ↓, Enter / o on a source    pick, open at the passage / in $EDITOR     │",
            " │ F2, Ctrl-S                      sources pane (an overlay below 100 cols)   │",
            " │ Ctrl-K on empty input, /kb      knowledge bases                            │",
            " │ F1 or ?, Ctrl-L, Ctrl-Z         these keys, redraw, suspend                │",
            " │ Shift-drag                      select text (the wheel scrolls Lore)       │",
            " │ Commands                        /help /kb /model /theme NAME /new /history │",
            " │                                 /export /reindex /quit — Tab completes     │",
            " └────────────────────────────────────────────────────────────────────────────┘",
            "",
        ])
    }

    @Test func pickerOverlay() {
        var picker = KnowledgeBasePicker()
        picker.filter.setText("do")
        let view = PickerOverlayView(picker: picker, knowledgeBases: [Fixtures.kb], currentName: "docs",
                                     footer: KeyMap.default.hints(.knowledgeBases))
        // The keys wrap onto a second line instead of being cut at the edge.
        #expect(drawn(rows: 9, cols: 50) { b, r in view.draw(into: &b, in: r) } == [
            "",
            " ┌─ Knowledge bases ────────────────────────────┐",
            " │ filter: do                                   │",
            " │                                              │",
            " │ ● docs  1,170 docs · 8,432 passages  /srv/do │",
            " │ ↑↓ Enter switch · Ctrl-A add folder · Ctrl-R │",
            " │ re-index · Ctrl-D remove · Esc close         │",
            " └──────────────────────────────────────────────┘",
            "",
        ])
    }

    @Test func pickerSaysItIsReadingTheListRatherThanThatThereIsNone() {
        func body(listed: Bool) -> String {
            let view = PickerOverlayView(picker: KnowledgeBasePicker(), knowledgeBases: [], listed: listed, currentName: "docs",
                                         footer: KeyMap.default.hints(.knowledgeBases))
            return drawn(rows: 9, cols: 50) { b, r in view.draw(into: &b, in: r) }[4]
        }
        #expect(body(listed: false).contains("Reading the knowledge bases…"))
        #expect(body(listed: true).contains("No knowledge bases yet."))
        var m = AppModel(rows: 24, cols: 80, kbName: "docs")
        #expect(!m.knowledgeBasesListed)
        _ = update(&m, .knowledgeBasesLoaded([]))
        #expect(m.knowledgeBasesListed)
    }

    @Test func historyOverlay() {
        let picker = HistoryPicker(conversations: [
            ConversationListing(id: "1", title: "building it", kb: "docs", updated: .distantPast, turns: 3),
            ConversationListing(id: "2", title: "config", kb: "docs", updated: .distantPast, turns: 1),
        ])
        let view = HistoryOverlayView(picker: picker, kbName: "docs", hints: KeyMap.default.hints(.history))
        #expect(drawn(rows: 6, cols: 50) { b, r in view.draw(into: &b, in: r) } == [
            "",
            " ┌─ Conversations in docs — ↑↓ Enter opens · … ─┐",
            " │ building it                          3 turns │",
            " │ config                                1 turn │",
            " └──────────────────────────────────────────────┘",
            "",
        ])
    }

    @Test func sourceViewer() {
        var viewer = SourceViewer(requestID: 1, passage: Fixtures.passages[1], terms: ["settings"])
        viewer.text = "# Config\n\nSettings live in config.toml.\nMore."
        let view = SourceViewerView(viewer: viewer, tick: 0, footer: KeyMap.default.hints(.viewer))
        var buffer = ScreenBuffer(rows: 6, cols: 60)
        view.draw(into: &buffer, in: Rect(row: 0, col: 0, height: 6, width: 60))
        #expect(trimmedLines(buffer) == [
            " Configuration — guide/config.md:1-8",
            "   1▌ # Config",
            "   2▌",
            "   3▌ Settings live in config.toml.",
            "   4▌ More.",
            " ↑↓ PgUp PgDn scroll · o open in $EDITOR · Esc back",
        ])
        // The question's word stands out.
        #expect(buffer[3, 6].style.attributes.contains(.underline))
    }

    @Test func tooSmallNotice() {
        #expect(drawn(rows: 5, cols: 30) { b, _ in
            TooSmallNoticeView(rows: 5, cols: 30, quitHint: "Ctrl-C to quit").draw(into: &b)
        } == [
            "  Terminal too small (30×5).",
            "  Lore needs at least 40×10.",
            "    Enlarge the window, or",
            "       Ctrl-C to quit.",
            "",
        ])
    }
}

@Suite("key map")
struct KeyMapTests {
    @Test func helpOverlayListsEveryCommandAndEveryKeyWhole() {
        for cols in [80, 100, 160] {
            var m = AppModel(rows: 24, cols: cols, kbName: "docs")
            _ = update(&m, .key(KeyEvent(.function(1))))
            let text = trimmedLines(view(m)).joined(separator: "\n")
            for command in SlashCommand.allCases {
                #expect(text.contains(command.usage + " ") || text.contains(command.usage + "\n")
                        || text.contains(command.usage + " │"), "\(command.usage) at \(cols) columns")
            }
            for binding in KeyMap.default.bindings(in: .keys) {
                #expect(text.contains(binding.keys) && text.contains(binding.help), "\(binding.keys) at \(cols) columns")
            }
            #expect(text.contains("Tab completes"))
        }
    }

    /// A key event the pattern stands for.
    static func example(_ pattern: KeyPattern) -> KeyEvent {
        switch pattern.key {
        case .exactly(let key): return KeyEvent(key, ctrl: pattern.ctrl ?? false, alt: pattern.alt ?? false)
        case .anyCharacter: return .char("x")
        case .anyKey: return .char("n")
        }
    }

    /// Models in which `context` gets the keys, in states where its actions have something to do.
    static func models(for context: KeyContext) -> [AppModel] {
        var base = Fixtures.answered(rows: 30, cols: 120)
        base.inputHistory = ["earlier question"]
        func with(_ change: (inout AppModel) -> Void) -> AppModel {
            var m = base
            change(&m)
            return m
        }
        var picker = KnowledgeBasePicker()
        picker.filter.setText("o")
        var middle = picker
        middle.filter.moveLeft()
        middle.selection = 1
        let knowledgeBases = [Fixtures.kb, KnowledgeBaseSummary(name: "notes", paths: ["/srv/notes"], documents: 1,
                                                                passages: 1, lastIndexed: nil)]
        switch context {
        case .anywhere, .main, .input, .chat, .sources, .completion, .terminal:
            let focused: [AppModel] = Focus.allCases.flatMap { focus in
                [with { $0.focus = focus }, with { $0.focus = focus; $0.chatScroll = 5; $0.sourcesSelection = 1 }]
            }
            let editing = [
                with { $0.input.setText("one two\nthree four") },
                with { $0.input.setText("one two\nthree four"); $0.input.moveLine(-1); $0.input.moveWordLeft() },
            ]
            return focused + editing + [with { $0.input.setText("/") }]
        case .tooSmall:
            return [AppModel(rows: 5, cols: 30, kbName: "docs")]
        case .helpOverlay:
            return [with { $0.overlay = .help }]
        case .viewer:
            var viewer = SourceViewer(requestID: 1, passage: Fixtures.passages[0], terms: [])
            viewer.text = Array(repeating: "line", count: 200).joined(separator: "\n")
            viewer.scroll = 50
            return [with { $0.overlay = .viewer(viewer) }]
        case .history:
            let listing = (1...3).map { ConversationListing(id: "\($0)", title: "c\($0)", kb: "docs", updated: .distantPast, turns: 1) }
            var picker = HistoryPicker(conversations: listing)
            picker.selection = 1
            return [with { $0.overlay = .history(picker) }]
        case .knowledgeBases, .filter, .addFolder, .confirmRemove:
            var adding = middle
            adding.mode = .addPath
            var removing = picker
            removing.mode = .confirmRemove("docs")
            return [picker, middle, adding, removing].map { p in
                with { $0.knowledgeBases = knowledgeBases; $0.overlay = .knowledgeBases(p) }
            }
        }
    }

    /// Every key the help names does something where it says: through `update`, it changes the model or
    /// asks for an effect, and the key map gives that key the stroke's action.
    @Test func everyBoundKeyIsHandled() {
        for binding in KeyMap.default.bindings {
            for stroke in binding.strokes where stroke.context != .terminal {
                let key = Self.example(stroke.pattern)
                #expect(KeyMap.default.action(for: key, in: stroke.context) == stroke.action,
                        "\(binding.keys): \(key) in \(stroke.context) is taken by another stroke")
                let handled = Self.models(for: stroke.context).contains { before in
                    guard before.keyContexts.contains(stroke.context) else { return false }
                    var after = before
                    let effects = update(&after, .key(key))
                    return !effects.isEmpty || after != before
                }
                #expect(handled, "\(binding.keys): \(key) in \(stroke.context) does nothing")
            }
        }
    }

    @Test func keysTheTerminalHandlesNeverReachUpdate() {
        for stroke in KeyMap.default.bindings.flatMap(\.strokes) where stroke.context == .terminal {
            var m = Fixtures.answered()
            let before = m
            #expect(update(&m, .key(Self.example(stroke.pattern))).isEmpty)
            #expect(m == before)
        }
    }
}
