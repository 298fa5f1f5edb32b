import LoreCore
import Testing
@testable import LoreTUI

@Suite("view")
struct ViewSnapshotTests {
    /// Screen rows with trailing blanks removed, as a person reads them.
    func screen(_ model: AppModel) -> [String] {
        view(model).lines.map { line in
            var s = Substring(line)
            while s.last == " " { s.removeLast() }
            return String(s)
        }
    }

    @Test func mainScreen80x24() {
        #expect(screen(Fixtures.answered(rows: 24, cols: 80)) == [
            " › how do I build it?",
            " Building",
            "",
            " Run swift build in the checkout [1], then set base_url in the config [2].",
            "",
            "  sh",
            "  swift build -c release",
            "",
            " llama3 · first token 310 ms · 41.3 tok/s · 2 sources cited",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            " docs │ 1,170 docs · 8,432 passages │ up to date │ llama3 ready · 41.3 tok/s",
            "› Ask a question · / for commands · F1 for keys",
        ])
    }

    @Test func mainScreen160x48() {
        #expect(screen(Fixtures.answered(rows: 48, cols: 160)) == [
            " › how do I build it?                                                                                 │ Sources (3)",
            " Building                                                                                             │ [1] Installing Lore",
            "                                                                                                      │     Install › Linux",
            " Run swift build in the checkout [1], then set base_url in the config [2].                            │     guide/install.md:12-30                        ▰▰▰▰▰",
            "                                                                                                      │ [2] Configuration",
            "  sh                                                                                                  │     Config",
            "  swift build -c release                                                                              │     guide/config.md:1-8                           ▰▰▰▰▱",
            "                                                                                                      │ [3] Misc",
            " llama3 · first token 310 ms · 41.3 tok/s · 2 sources cited                                           │     —",
            "                                                                                                      │     notes/misc.txt:4                              ▰▱▱▱▱",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │─────────────────────────────────────────────────────────",
            "                                                                                                      │ Run swift build in the checkout, then copy the binary.",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            "                                                                                                      │",
            " docs │ 1,170 docs · 8,432 passages │ up to date │ llama3 ready · 41.3 tok/s │ retrieval 42 ms                                                          F1 help",
            "› Ask a question · / for commands · F1 for keys",
        ])
    }

    @Test func citedSourcesStandOutAndUncitedAreDimmed() {
        let buffer = view(Fixtures.answered(rows: 48, cols: 160))
        let col = buffer.lines[1].distance(from: buffer.lines[1].startIndex, to: buffer.lines[1].range(of: "[1]")!.lowerBound)
        #expect(buffer[1, col].style.fg == .citation)
        #expect(buffer[7, col].style.attributes.contains(.dim))
        // The citation marker in the answer carries the citation role.
        let answerRow = 3
        let marker = buffer.lines[answerRow].range(of: "[1]")!.lowerBound
        let markerCol = buffer.lines[answerRow].distance(from: buffer.lines[answerRow].startIndex, to: marker)
        #expect(buffer[answerRow, markerCol].style.fg == .citation)
    }

    @Test func codeBlockSitsOnTheSurfaceBand() {
        let buffer = view(Fixtures.answered(rows: 24, cols: 80))
        #expect(buffer[6, 1].style.bg == .surface)
        #expect(buffer[6, 70].style.bg == .surface)
    }

    @Test func streamingShowsCursorAndSpinnerState() {
        var m = AppModel(rows: 24, cols: 80, kbName: "docs")
        Fixtures.type(&m, "q")
        _ = update(&m, .key(.enter))
        #expect(screen(m).contains { $0.contains("searching docs") })
        _ = update(&m, .answer(request: m.activeAnswer!, .delta("Partial **answ")))
        let lines = screen(m)
        #expect(lines.contains(" Partial answ▍"))
        #expect(lines[22].contains("streaming"))
    }

    @Test func narrowSourcesOverlay() {
        var m = Fixtures.answered(rows: 24, cols: 80)
        _ = update(&m, .key(.ctrl("s")))
        let lines = screen(m)
        #expect(lines[0].hasSuffix("Sources (3)"))
        #expect(lines[1].contains("[1] Installing Lore"))
    }

    @Test func cjkAndEmojiWrapInTheChat() {
        var m = AppModel(rows: 20, cols: 40, kbName: "docs")
        Fixtures.type(&m, "q")
        _ = update(&m, .key(.enter))
        let id = m.activeAnswer!
        _ = update(&m, .answer(request: id, .delta("日本語のテキストを表示します。絵文字も😀👩‍👩‍👧使えます")))
        _ = update(&m, .answer(request: id, .finished(AnswerStats(model: "m", ttftMillis: nil, tokensPerSecond: nil, incomplete: false))))
        let buffer = view(m)
        // 19 wide characters fill the 38-cell chat exactly; the emoji moves whole to the next line.
        #expect(buffer.lines[1] == " 日本語のテキストを表示します。絵文字も ")
        #expect(buffer.lines[2].hasPrefix(" 😀👩‍👩‍👧使えます"))
        for r in 0..<buffer.rows {
            var width = 0
            for c in 0..<buffer.cols where !buffer[r, c].isContinuation { width += max(1, TextWidth.of(buffer[r, c].text)) }
            #expect(width <= 40)
        }
    }

    @Test func hostileTextNeverReachesTheBuffer() {
        var m = AppModel(rows: 30, cols: 120, kbName: "docs")
        Fixtures.type(&m, "q\u{1B}[31m")
        _ = update(&m, .key(.enter))
        let id = m.activeAnswer!
        var passage = Fixtures.passages[0]
        passage.title = "evil\u{1B}]52;c;ZXZpbA==\u{7}"
        passage.text = "\u{90}+q\u{1B}\\ body"
        _ = update(&m, .answer(request: id, .retrieved([passage], millis: 1)))
        for chunk in SanitizerHostile.all {
            _ = update(&m, .answer(request: id, .delta(chunk)))
        }
        _ = update(&m, .answerEnded(request: id, error: "server said \u{1B}[2J"))
        var screens = [view(m)]
        _ = update(&m, .key(.tab))
        _ = update(&m, .key(.tab))
        _ = update(&m, .key(.enter))
        if case .viewer(let v)? = m.overlay {
            _ = update(&m, .documentLoaded(request: v.requestID, text: SanitizerHostile.all.joined(separator: "\n")))
        }
        screens.append(view(m))
        for buffer in screens {
            for cell in buffer.cells {
                for s in cell.text.unicodeScalars {
                    #expect(s.value >= 0x20 && !(0x7F...0x9F).contains(s.value), "control \(s.value) in a cell")
                }
            }
        }
        #expect(screens[0].lines.contains { $0.contains("␛[2J") })
    }

    @Test func tooSmallTerminal() {
        let lines = screen(AppModel(rows: 8, cols: 30, kbName: "docs"))
        #expect(lines.joined(separator: " ").contains("Terminal too small (30×8)"))
    }

    @Test func helpOverlayListsKeys() {
        var m = AppModel(rows: 30, cols: 100, kbName: "docs")
        _ = update(&m, .key(KeyEvent(.function(1))))
        let text = screen(m).joined(separator: "\n")
        #expect(text.contains("Keys — Esc closes"))
        #expect(text.contains("Alt-Enter, Ctrl-J"))
    }

    @Test func completionPopupAppearsForSlash() {
        var m = AppModel(rows: 24, cols: 80, kbName: "docs")
        Fixtures.type(&m, "/")
        let lines = screen(m)
        // Eight of the nine commands fit; the popup sits on the status bar.
        #expect(lines[14].contains("/help") && lines[14].contains("keys and commands"))
        #expect(lines[21].contains("/reindex"))
        Fixtures.type(&m, "q")
        #expect(screen(m)[21] == "  /quit  leave Lore")
    }
}

enum SanitizerHostile {
    static let all = [
        "\u{1B}[2J\u{1B}[H", "\u{1B}]8;;https://evil.example\u{7}link\u{1B}]8;;\u{7}", "\u{1B}]52;c;ZXZpbA==\u{7}",
        "\u{1B}P+q544e\u{1B}\\", "\u{9B}31m", "abc\u{8}\u{8}x", "safe\rEVIL", "\u{1B}", "[", "2J",
    ]
}

@Suite("view at every size")
struct ViewSizeTests {
    static let rows = [1, 2, 5, 9, 10, 11, 15, 24, 40]
    static let cols = [1, 2, 10, 39, 40, 41, 60, 80, 99, 100, 101, 160]

    /// Every screen the UI can show, drawn at sizes from absurd to large: nothing may trap, and the
    /// buffer always has the terminal's size.
    @Test func drawsAtAnySizeInAnyState() {
        for r in Self.rows {
            for c in Self.cols {
                var states: [AppModel] = []
                var m = Fixtures.answered()
                _ = update(&m, .resize(rows: r, cols: c))
                states.append(m)
                _ = update(&m, .key(KeyEvent(.function(1))))
                states.append(m)
                m.overlay = .knowledgeBases(KnowledgeBasePicker())
                m.knowledgeBases = [Fixtures.kb]
                states.append(m)
                m.overlay = .history(HistoryPicker(conversations: [
                    ConversationListing(id: "1", title: "a rather long conversation title indeed", kb: "docs",
                                        updated: .distantPast, turns: 3),
                ]))
                states.append(m)
                var viewer = SourceViewer(requestID: 1, passage: Fixtures.passages[0], terms: ["build"])
                viewer.text = String(repeating: "swift build line 日本語\n", count: 40)
                m.overlay = .viewer(viewer)
                states.append(m)
                m.overlay = nil
                m.sourcesOverlayVisible = true
                m.input.setText(String(repeating: "long question ", count: 40))
                states.append(m)
                m.input.setText("/")
                states.append(m)
                for state in states {
                    let buffer = view(state)
                    #expect(buffer.rows == r && buffer.cols == c)
                }
            }
        }
    }
}
