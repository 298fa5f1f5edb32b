import Foundation
import LoreBench
import LoreTestSupport
import LoreCore
import LoreBench
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real `lore` binary in tmux, against a loopback OpenAI-style server the test scripts, with a
/// throwaway LORE_HOME: what a person sees. Every wait polls the screen up to a deadline that only bounds a
/// hung program; nothing here measures speed. Serialized so that a loaded machine does not starve them.
@Suite("End to end in tmux", .serialized, .enabled(if: TmuxHarness.isAvailable, "tmux is not installed"))
struct EndToEndTests {
    static let citedAnswer = ScriptedAnswer(
        pieces: ["Lore answers questions ", "from your own documents [1] ", "and names every passage ",
                 "it used [2]."])

    /// Words `tok1 tok2 …`, each let out when the test opens `gate`, so that a test acts while the answer is
    /// still arriving for as long as it needs.
    static func gatedAnswer(words: Int, gate: StepGate, ending: OpenAIScript.Ending) -> ScriptedAnswer {
        ScriptedAnswer(pieces: (1...words).map { "tok\($0) " }, gate: gate, ending: ending)
    }

    /// The highest `tokN` on screen: how far the streamed answer has got.
    static func lastToken(_ screen: [String]) -> Int {
        var best = 0
        for line in screen {
            var rest = Substring(line)
            while let range = rest.range(of: "tok") {
                let digits = rest[range.upperBound...].prefix { $0.isNumber }
                if let n = Int(digits) { best = max(best, n) }
                rest = rest[range.upperBound...]
            }
        }
        return best
    }

    @Test func asksAndSeesTheAnswerItsSourcesAndTheStatusBar() throws {
        let server = try startModelServer(Self.citedAnswer)
        defer { server.stop() }
        let lore = try LoreSession(modelPort: server.port)
        defer { lore.close() }
        let tmux = try lore.launch()
        try tmux.waitFor("Ask anything about sample-kb")
        try tmux.waitForIndexedKB()
        #expect(try tmux.paneFlags(["alternate_on"])["alternate_on"] == "1")

        try tmux.ask("what is lore")
        let screen = try tmux.waitFor("2 sources cited")
        let chat = TmuxHarness.chatPane(screen).joined(separator: "\n")
        #expect(chat.contains("› what is lore"))
        #expect(chat.contains("Lore answers questions from your own documents [1]"))
        #expect(chat.contains("it used [2]."))

        let sources = TmuxHarness.sourcesPane(screen)
        #expect(sources.contains { $0.hasPrefix(" Sources (") })
        #expect(sources.contains { $0.hasPrefix(" [1] ") })
        #expect(sources.contains { $0.hasPrefix(" [2] ") })
        let titles = sampleKBMarkdownTitles()
        #expect(!titles.isEmpty)
        #expect(sources.contains { line in titles.contains { line.contains($0) } },
                "no sample-kb title in the sources pane:\n\(sources.joined(separator: "\n"))")
        #expect(sources.contains { $0.contains("guide/") || $0.contains("primer/") })

        let status = try #require(TmuxHarness.statusBar(screen))
        #expect(status.contains("sample-kb"))
        #expect(status.contains("up to date"))
        #expect(status.contains("openai ready"))
        #expect(status.contains("retrieval "))
        #expect(!screenHasRawControls(screen))

        // The question reached the server, inside the grounded prompt.
        let posted = server.requests.filter { $0.method == "POST" }
        #expect(posted.count == 1)
        #expect(posted.first.map { String(decoding: $0.body, as: UTF8.self).contains("what is lore") } == true)
    }

    /// The engine's citation events reach the screen through the real services: ranges, semicolons and
    /// footnote markers count, a Markdown link does not.
    @Test func citationFormsAreCountedAsTheEngineReadsThem() throws {
        let server = try startModelServer(ScriptedAnswer(pieces: [
            "Passages are ranked by BM25 [1; 2", "] and fused [3-4], see [^2] ", "and [5](http://127.0.0.1/x).",
        ]))
        defer { server.stop() }
        let lore = try LoreSession(modelPort: server.port)
        defer { lore.close() }
        let tmux = try lore.launch()
        try tmux.waitForIndexedKB()
        try tmux.ask("how are passages ranked")
        let screen = try tmux.waitUntil("the answer's footer") { $0.contains { $0.contains("sources cited") } }
        let chat = TmuxHarness.chatPane(screen).joined(separator: " ")
        #expect(chat.contains("4 sources cited"), "\(chat)")
        #expect(chat.contains("[5](http://127.0.0.1/x)"))
        let sources = TmuxHarness.sourcesPane(screen)
        #expect(sources.contains { $0.hasPrefix(" [5] ") }, "five sources retrieved:\n\(sources.joined(separator: "\n"))")
    }

    /// A PDF in the sample knowledge base: its passages cite pages, and the source viewer shows the page's
    /// text with the passage marked.
    @Test func aPDFSourceCitesItsPageAndOpensAtIt() throws {
        let server = try startModelServer(ScriptedAnswer(pieces: ["Parameter-efficient methods train few weights [1]."]))
        defer { server.stop() }
        let lore = try LoreSession(modelPort: server.port)
        defer { lore.close() }
        let tmux = try lore.launch()
        try tmux.waitForIndexedKB()
        try tmux.ask("which fine-tuning methods train only a small set of added weights, LoRA")
        let answered = try tmux.waitFor("1 source cited")
        let sources = TmuxHarness.sourcesPane(answered)
        let pdfLine = try #require(sources.firstIndex { $0.contains("rag-primer.pdf p. ") },
                                   "no PDF source with a page:\n\(sources.joined(separator: "\n"))")
        // Which source number the PDF passage has: the "[n]" line above its location line.
        let number = try #require(sources[...pdfLine].last { $0.hasPrefix(" [") }
            .flatMap { Int($0.dropFirst(2).prefix { $0.isNumber }) })
        let page = try #require(Int(sources[pdfLine].components(separatedBy: "rag-primer.pdf p. ")[1].prefix { $0.isNumber }))

        try tmux.press("Tab")
        try tmux.press("Tab")
        for _ in 1..<number { try tmux.press("Down") }
        try tmux.press("Enter")
        // The viewer opens at once; the page's text arrives from the loader a moment later, marked.
        let viewer = try tmux.waitUntil("the viewer showing the PDF's text with the passage marked") { screen in
            screen.contains { $0.contains("Esc back") } && screen.contains { $0.contains("▌") }
        }
        let header = try #require(viewer.first { $0.contains("rag-primer.pdf p. ") })
        #expect(header.contains("rag-primer.pdf p. \(page)"), "\(header)")
        #expect(!screenHasRawControls(viewer))
    }

    @Test func opensTheSourceViewerAtThePassageAndEscReturns() throws {
        let server = try startModelServer(Self.citedAnswer)
        defer { server.stop() }
        let lore = try LoreSession(modelPort: server.port)
        defer { lore.close() }
        let tmux = try lore.launch()
        try tmux.waitForIndexedKB()
        try tmux.ask("what is lore")
        try tmux.waitFor("2 sources cited")

        // Focus goes input → chat → sources; Enter on the selected source ([1]) opens the viewer.
        try tmux.press("Tab")
        try tmux.press("Tab")
        try tmux.press("Enter")
        // The viewer opens at once and the document's text follows: wait for the marked passage.
        let viewer = try tmux.waitUntil("the viewer showing the document with the passage marked") { screen in
            screen.contains { $0.contains("Esc back") } && screen.contains { $0.contains("▌") }
        }
        // The header names the document and the passage's lines: "Title — /path/file.md:86-90".
        let header = try #require(viewer.first { $0.contains(" — /") && $0.contains("sample-kb/") })
        let location = try #require(header.split(separator: " — ").last).trimmingCharacters(in: .whitespaces)
        let colon = try #require(location.lastIndex(of: ":"))
        let path = String(location[..<colon])
        let firstLine = try #require(Int(location[location.index(after: colon)...].prefix { $0.isNumber }))
        let document = try String(contentsOfFile: path, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        let passageStart = document[firstLine - 1].trimmingCharacters(in: .whitespaces)
        // The passage's first line is shown with its line number and the highlight bar.
        let shown = try #require(viewer.first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("\(firstLine)▌") },
                                 "line \(firstLine) is not marked:\n\(viewer.joined(separator: "\n"))")
        #expect(shown.contains(String(passageStart.prefix(40))))
        #expect(!viewer.contains { $0.hasPrefix(" Sources (") || $0.contains("│ Sources (") })

        try tmux.press("Escape")
        let back = try tmux.waitUntil("the chat and sources again") { screen in
            !screen.contains { $0.contains("Esc back") } && screen.contains { $0.contains("│ Sources (") }
        }
        #expect(back.contains { $0.contains("it used [2].") })
    }

    @Test func switchesKnowledgeBaseWithThePicker() throws {
        let server = try startModelServer(Self.citedAnswer)
        defer { server.stop() }
        let lore = try LoreSession(modelPort: server.port)
        defer { lore.close() }
        #expect(try lore.runCommand(["kb", "add", "primer", packageRoot + "/sample-kb/primer"]) == 0)

        let tmux = try lore.launch()
        try tmux.waitForIndexedKB()
        try tmux.press("C-k")
        // The list is read at start-up and again as the picker opens; until then it says so.
        let picker = try tmux.waitUntil("the picker to list the knowledge bases") { screen in
            screen.contains { $0.contains("Knowledge bases") } && !screen.contains { $0.contains("Reading the knowledge bases") }
        }
        #expect(!picker.contains { $0.contains("No knowledge bases yet") })
        // Every knowledge base with its counts; the open one is marked.
        #expect(picker.contains { $0.contains("● sample-kb") && $0.contains(" docs · ") })
        #expect(picker.contains { $0.contains("  primer  ") && $0.contains(" docs · ") })
        try tmux.type("prim")
        try tmux.waitUntil("the filter to leave only primer") { screen in
            screen.contains { $0.contains("filter: prim") } && !screen.contains { $0.contains("● sample-kb") }
                && screen.contains { $0.contains("  primer  ") }
        }
        try tmux.press("Enter")
        let switched = try tmux.waitUntil("the status bar to name primer") { screen in
            TmuxHarness.statusBar(screen)?.contains(" primer │") == true
        }
        #expect(!switched.contains { $0.contains("Enter switch") })
        // Questions now go to the primer: the sources come from its folder.
        try tmux.ask("how are passages ranked")
        let answered = try tmux.waitFor("2 sources cited")
        let sources = TmuxHarness.sourcesPane(answered)
        #expect(sources.contains { $0.hasPrefix(" [1] ") })
        #expect(!sources.contains { $0.contains("guide/") })
    }

    @Test func resizingWhileAnAnswerStreamsKeepsTheScreenWhole() throws {
        let gate = StepGate()
        let server = try startModelServer(Self.gatedAnswer(words: 200, gate: gate, ending: .done))
        defer { server.stop() }
        let lore = try LoreSession(modelPort: server.port)
        defer { lore.close() }
        let tmux = try lore.launch()
        try tmux.waitForIndexedKB()
        try tmux.ask("tell me everything")
        var released = 10
        gate.open(released)
        try tmux.waitUntil("the first \(released) words") { Self.lastToken($0) == released }

        // The server sends nothing the test has not let out, so the answer is still streaming at every size.
        for (cols, rows) in [(90, 30), (150, 45), (70, 20), (120, 40)] {
            try tmux.resize(cols: cols, rows: rows)
            gate.open(5)
            released += 5
            let screen = try tmux.waitUntil("a whole \(cols)×\(rows) frame showing tok\(released)") { screen in
                // Laid out for the new size: status bar second to last, above the input line.
                screen.count == rows && screen[rows - 2].contains(" sample-kb │") && screen[rows - 1].hasPrefix("›")
                    && Self.lastToken(screen) == released
            }
            #expect(!screenHasRawControls(screen))
            for line in screen {
                #expect(TextWidth.of(line) <= cols, "line wider than \(cols) columns: \(line)")
            }
            #expect(screen.filter { $0.contains(" docs · ") }.count == 1, "more than one status bar")
            #expect(TmuxHarness.statusBar(screen)?.contains("streaming") == true)
            // Words arrive in order, each once: a garbled diff would repeat or drop one.
            let words = screen.flatMap { $0.split(separator: " ") }.filter { $0.hasPrefix("tok") }
            let numbers = words.compactMap { Int($0.dropFirst(3).prefix { $0.isNumber }) }
            #expect(numbers == numbers.sorted() && Set(numbers).count == numbers.count,
                    "answer words out of order at \(cols)×\(rows):\n\(screen.joined(separator: "\n"))")
        }
        try tmux.press("Escape")
        try tmux.waitFor("■ stopped")
    }

    @Test func escStopsTheAnswerAndKeepsItsText() throws {
        let gate = StepGate()
        let server = try startModelServer(Self.gatedAnswer(words: 8, gate: gate, ending: .stall))
        defer { server.stop() }
        let lore = try LoreSession(modelPort: server.port)
        defer { lore.close() }
        let tmux = try lore.launch()
        try tmux.waitForIndexedKB()
        try tmux.ask("what is lore")
        gate.open(8)
        // Everything the server will ever send has arrived; it now stalls without ending the stream.
        try tmux.waitUntil("all eight words") { Self.lastToken($0) == 8 }
        #expect(TmuxHarness.statusBar(try tmux.screen())?.contains("streaming") == true)

        try tmux.press("Escape")
        let stopped = try tmux.waitFor("■ stopped")
        let chat = TmuxHarness.chatPane(stopped).joined(separator: " ")
        #expect(chat.contains("tok1 tok2 tok3 tok4 tok5 tok6 tok7 tok8"))
        #expect(!chat.contains("▍"), "the streaming cursor is still shown")
        try tmux.waitUntil("the status bar to leave streaming") {
            TmuxHarness.statusBar($0).map { !$0.contains("streaming") && !$0.contains("thinking") } == true
        }
        // The request was really abandoned: the client hung up on the stalled server.
        let end = Date().addingTimeInterval(15)
        while server.openConnections > 0 && Date() < end { Thread.sleep(forTimeInterval: 0.05) }
        #expect(server.openConnections == 0)

        // The UI still takes input.
        try tmux.type("still here")
        try tmux.waitUntil("the typed text in the input line") { $0.last?.contains("still here") == true }
    }

    @Test func anUnreachableServerIsExplainedInlineAndLoreCarriesOn() throws {
        let lore = try LoreSession(modelPort: try LoopbackServer.closedPort())
        defer { lore.close() }
        let tmux = try lore.launch()
        try tmux.waitForIndexedKB()
        try tmux.waitUntil("the status bar to say the model is unreachable") {
            TmuxHarness.statusBar($0)?.contains("unreachable") == true
        }
        try tmux.ask("what is lore")
        let screen = try tmux.waitUntil("the question answered or refused") { screen in
            let chat = TmuxHarness.chatPane(screen)
            let asked = chat.firstIndex { $0.contains("› what is lore") }
            return asked.map { i in chat[(i + 1)...].contains { $0.contains("✗") || $0.contains("Extractive") } } ?? false
        }
        let chat = TmuxHarness.chatPane(screen).joined(separator: "\n")
        #expect(chat.contains("cannot reach"))
        #expect(chat.contains("base_url"), "the error does not say what to change:\n\(chat)")
        #expect(!screen.contains { $0.contains(LoreSession.exitMarker) })

        try tmux.press("C-q")
        try tmux.waitFor(LoreSession.exitMarker + "0")
    }

    @Test func ctrlQQuitsAndRestoresTheTerminal() throws {
        let server = try startModelServer(Self.citedAnswer)
        defer { server.stop() }
        let lore = try LoreSession(modelPort: server.port)
        defer { lore.close() }
        let tmux = try lore.launch()
        try tmux.waitForIndexedKB()
        let flags = ["alternate_on", "cursor_flag", "mouse_any_flag", "mouse_standard_flag", "mouse_button_flag"]
        #expect(try tmux.paneFlags(["alternate_on"])["alternate_on"] == "1")
        try tmux.type("an unsent question")
        try tmux.press("C-q")

        let after = try tmux.waitFor(LoreSession.exitMarker)
        #expect(after.contains { $0.contains(LoreSession.exitMarker + "0") })
        #expect(!after.contains { $0.contains(" docs · ") || $0.contains("Sources") || $0.contains("an unsent question") })
        #expect(!screenHasRawControls(after))
        let state = try tmux.paneFlags(flags)
        #expect(state["alternate_on"] == "0", "still on the alternate screen")
        #expect(state["cursor_flag"] == "1", "the cursor was left hidden")
        #expect(state["mouse_any_flag"] == "0" && state["mouse_standard_flag"] == "0" && state["mouse_button_flag"] == "0",
                "mouse reporting left on: \(state)")
    }

    @Test func sigtermWhileStreamingRestoresTheTerminal() throws {
        let gate = StepGate()
        let server = try startModelServer(Self.gatedAnswer(words: 8, gate: gate, ending: .stall))
        defer { server.stop() }
        let lore = try LoreSession(modelPort: server.port)
        defer { lore.close() }
        let tmux = try lore.launch()
        try tmux.waitForIndexedKB()
        try tmux.ask("what is lore")
        gate.open(3)
        try tmux.waitUntil("the answer streaming") { Self.lastToken($0) == 3 }

        let pid = try #require(try tmux.childProcess(named: "lore"), "no lore process under the pane's shell")
        #expect(kill(pid, SIGTERM) == 0)
        let after = try tmux.waitFor(LoreSession.exitMarker)
        #expect(!after.contains { $0.contains(" docs · ") || $0.contains("tok1 tok2") })
        let state = try tmux.paneFlags(["alternate_on", "cursor_flag", "mouse_any_flag", "mouse_standard_flag"])
        #expect(state == ["alternate_on": "0", "cursor_flag": "1", "mouse_any_flag": "0", "mouse_standard_flag": "0"])
    }

    @Test func escapeSequencesFromTheModelAreShownNotObeyed() throws {
        let hostile = ScriptedAnswer(pieces: [
            "Before the storm. ",
            "\u{1B}[2J\u{1B}[H", "clear-attempt ",
            "\u{1B}]52;c;aGVsbG8gbG9yZQ==\u{07}", "clipboard-attempt ",
            "\u{9B}31m", "c1-attempt ",
            "\u{1B}]8;;http://example.invalid/\u{1B}\\link\u{1B}]8;;\u{1B}\\ ",
            "after the storm [1].",
        ])
        let server = try startModelServer(hostile)
        defer { server.stop() }
        let lore = try LoreSession(modelPort: server.port)
        defer { lore.close() }
        let tmux = try lore.launch()
        try tmux.waitForIndexedKB()
        try tmux.setServerOption("set-clipboard", "on")
        try tmux.ask("what is lore")
        let screen = try tmux.waitFor("1 source cited")

        let chat = TmuxHarness.chatPane(screen).joined(separator: " ")
        // Nothing was cleared: the question, the start of the answer and the panes are all still there.
        #expect(chat.contains("› what is lore"))
        #expect(chat.contains("Before the storm."))
        #expect(chat.contains("after the storm [1]."))
        #expect(TmuxHarness.statusBar(screen) != nil)
        #expect(screen.contains { $0.contains("│ Sources (") })
        // Each sequence is visible as text.
        #expect(chat.contains("␛[2J"), "no visible ESC [2J:\n\(chat)")
        #expect(chat.contains("␛]52;c;aGVsbG8gbG9yZQ=="))
        #expect(chat.contains("␛[31m"))
        #expect(chat.contains("␛]8;;http://example.invalid/"))
        #expect(!screenHasRawControls(screen))
        // Nothing reached the terminal as a clipboard write.
        #expect(try tmux.pasteBuffers().isEmpty)
        #expect(try tmux.paneFlags(["alternate_on"])["alternate_on"] == "1")
    }
}
