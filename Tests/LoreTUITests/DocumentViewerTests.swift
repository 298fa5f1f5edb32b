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

    /// A wide screen (sources pane shown) that has asked a question and got `passages` back.
    private func answered(with passages: [Passage]) -> AppModel {
        var m = Fixtures.answered(rows: 40, cols: 120)
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
