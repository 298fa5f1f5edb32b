import LoreCore
import Testing
@testable import LoreTUI

@Suite("opening a PDF at its page")
struct DocumentViewerTests {
    private func choose(_ environment: [String: String] = [:], onPath: Set<String>) -> DocumentViewerCommand? {
        DocumentViewerCommand.choose(environment: environment) { onPath.contains($0) }
    }

    @Test func knownViewersInOrderEachWithItsPageOption() {
        let all: Set = ["zathura", "evince", "okular", "mupdf", "xdg-open"]
        #expect(choose(onPath: all)?.script == #"zathura -P "$1" "$2""#)
        #expect(choose(onPath: all.subtracting(["zathura"]))?.script == #"evince -i "$1" "$2""#)
        #expect(choose(onPath: ["okular", "mupdf", "xdg-open"])?.script == #"okular -p "$1" "$2""#)
        // mupdf takes the page after the file.
        #expect(choose(onPath: ["mupdf", "xdg-open"])?.script == #"mupdf "$2" "$1""#)
        let fallback = choose(onPath: ["xdg-open"])
        #expect(fallback?.script == #"xdg-open "$2""#)
        #expect(fallback?.opensAtPage == false)
        #expect(choose(onPath: []) == nil)
    }

    @Test func environmentTemplateWins() {
        let both = choose(["LORE_PDF_VIEWER": "  qpdfview --unique %f#%p "], onPath: ["zathura"])
        #expect(both == DocumentViewerCommand(script: ##"qpdfview --unique "$2"#"$1""##, program: "qpdfview", opensAtPage: true))
        #expect(both?.arguments == ["/bin/sh", "-c", ##"qpdfview --unique "$2"#"$1""##, "sh"])
        // Without %f the file goes last; without %p the page is not passed.
        #expect(choose(["LORE_PDF_VIEWER": "zathura -P %p"], onPath: [])?.script == #"zathura -P "$1" "$2""#)
        let plain = choose(["LORE_PDF_VIEWER": "atril"], onPath: [])
        #expect(plain?.script == #"atril "$2""#)
        #expect(plain?.opensAtPage == false)
        #expect(choose(["LORE_PDF_VIEWER": "  "], onPath: ["evince"])?.program == "evince")
    }

    private let pdfPassage = Passage(id: 7, documentPath: "/srv/docs/manual.pdf", title: "Widget Handbook",
                                     headingPath: ["2 Usage"], lineStart: 9, lineEnd: 14,
                                     text: "Turn the crank clockwise.", score: 3, pageStart: 2, pageEnd: 3)

    private static let zathura = DocumentViewerCommand(script: #"zathura -P "$1" "$2""#, program: "zathura",
                                                       opensAtPage: true)

    /// A wide screen (sources pane shown) that has asked a question and got `passages` back; `viewer` is
    /// the PDF viewer the runtime found.
    private func answered(with passages: [Passage], viewer: DocumentViewerCommand? = zathura) -> AppModel {
        var m = Fixtures.answered(rows: 40, cols: 120)
        m.pdfViewer = viewer
        Fixtures.type(&m, "crank")
        _ = update(&m, .key(.enter))
        let id = m.activeAnswer!
        _ = update(&m, .answer(request: id, .retrieved(passages, millis: 1)))
        Fixtures.streamAnswer(&m, request: id, ["Turn it [1]."])
        _ = update(&m, .answer(request: id, .finished(AnswerStats(model: "llama3", ttftMillis: 1, tokensPerSecond: 1,
                                                                   incomplete: false))))
        m.focus = .sources
        return m
    }

    @Test func oOnAPDFSourceOpensTheViewerAtItsPage() {
        var m = answered(with: [pdfPassage, Fixtures.passages[0]])
        #expect(update(&m, .key(.char("o"))) == [.openDocument(path: "/srv/docs/manual.pdf", page: 2)])
        _ = update(&m, .key(KeyEvent(.down)))
        #expect(update(&m, .key(.char("o"))) == [.openInEditor(path: "guide/install.md", line: 12)])
    }

    @Test func oInTheSourceViewerOfAPDFOpensTheViewerToo() {
        var m = answered(with: [pdfPassage])
        _ = update(&m, .key(.enter))
        guard case .viewer = m.overlay else {
            Issue.record("Enter on a source opens the viewer")
            return
        }
        #expect(update(&m, .key(.char("o"))) == [.openDocument(path: "/srv/docs/manual.pdf", page: 2)])
    }

    /// Opens the selected source in the viewer with its document loaded, and returns the screen's lines.
    private func openedViewer(_ m: inout AppModel) -> [String] {
        _ = update(&m, .key(.enter))
        guard case .viewer(let viewer)? = m.overlay else {
            Issue.record("Enter on a source opens the viewer")
            return []
        }
        _ = update(&m, .documentLoaded(request: viewer.requestID, text: "page one\npage two"))
        return trimmedLines(view(m))
    }

    /// The viewer's last line: its footer, just above the status bar.
    private func footer(_ lines: [String], _ m: AppModel) -> String {
        lines[Layout(m).statusRow - 1]
    }

    @Test func theViewerHintNamesWhatOWillDo() {
        var pdf = answered(with: [pdfPassage])
        let lines = openedViewer(&pdf)
        #expect(footer(lines, pdf) == " ↑↓ PgUp PgDn scroll · o open p. 2 in zathura · Esc back")

        // A viewer that cannot be told the page says so.
        var plain = answered(with: [pdfPassage], viewer: DocumentViewerCommand(script: #"xdg-open "$2""#,
                                                                                 program: "xdg-open", opensAtPage: false))
        #expect(footer(openedViewer(&plain), plain) == " ↑↓ PgUp PgDn scroll · o open in xdg-open (not at p. 2) · Esc back")

        // A text passage still opens in the editor, viewer or not.
        var text = answered(with: [Fixtures.passages[0]], viewer: nil)
        #expect(footer(openedViewer(&text), text) == " ↑↓ PgUp PgDn scroll · o open in $EDITOR · Esc back")
    }

    @Test func withoutAPDFViewerTheHintAndOSaySoAndNothingIsStarted() {
        var m = answered(with: [pdfPassage, Fixtures.passages[0]], viewer: nil)
        let lines = openedViewer(&m)
        #expect(footer(lines, m) == " ↑↓ PgUp PgDn scroll · o no PDF viewer found (set $LORE_PDF_VIEWER) · Esc back")
        #expect(update(&m, .key(.char("o"))) == [])
        let advice = "install zathura, evince, okular or mupdf, or set $LORE_PDF_VIEWER (e.g. 'zathura -P %p %f')."
        // The viewer's header names the file; the footer says what to do.
        let after = trimmedLines(view(m))
        #expect(footer(after, m) == " No PDF viewer found: " + advice)
        #expect(view(m)[Layout(m).statusRow - 1, 1].style.fg == .error)
        // The next key brings the hints back.
        _ = update(&m, .key(KeyEvent(.down)))
        #expect(footer(trimmedLines(view(m)), m).hasPrefix(" ↑↓ PgUp PgDn scroll · o no PDF viewer found"))

        // From the sources pane the message goes to the chat; a text source still opens in the editor.
        _ = update(&m, .key(KeyEvent(.escape)))
        #expect(update(&m, .key(.char("o"))) == [])
        guard case .notice(let notice)? = m.items.last else {
            Issue.record("expected a notice, got \(String(describing: m.items.last))")
            return
        }
        #expect(notice == Notice(.error, "No PDF viewer found for manual.pdf: " + advice))
        _ = update(&m, .key(KeyEvent(.down)))
        #expect(update(&m, .key(.char("o"))) == [.openInEditor(path: "guide/install.md", line: 12)])
    }

    @Test func pagesShownInTheSourcesPaneAndTheViewerHeader() {
        let m = answered(with: [pdfPassage])
        let pane = drawn(rows: 6, cols: 40) { b, r in m.sourcesPane.draw(into: &b, in: r) }
        #expect(pane.contains { $0.contains("manual.pdf p. 2–3") }, "\(pane)")

        var viewer = SourceViewer(requestID: 1, passage: pdfPassage, terms: [])
        viewer.text = "page one\npage two"
        let screen = drawn(rows: 4, cols: 70) { b, r in
            SourceViewerView(viewer: viewer, tick: 0, footer: "").draw(into: &b, in: r)
        }
        #expect(screen.first == " Widget Handbook — /srv/docs/manual.pdf p. 2–3")
    }
}
