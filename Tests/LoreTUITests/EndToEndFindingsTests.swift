import LoreCore
import Testing
@testable import LoreTUI

/// Bugs the end-to-end runs found, pinned at the `update` level where they are cheap to check.
@Suite("end-to-end findings")
struct EndToEndFindingsTests {
    /// The model server came up after Lore's start-up probe: once its answer streams, the status bar must
    /// stop calling it unreachable.
    @Test func aStreamedAnswerClearsAnUnreachableStatus() {
        var m = AppModel(rows: 24, cols: 80, kbName: "docs")
        _ = update(&m, .modelStatus(ModelStatus(name: "openai", state: .unreachable("cannot reach"))))
        Fixtures.type(&m, "what is lore")
        _ = update(&m, .key(.enter))
        let id = m.activeAnswer!
        _ = update(&m, .answer(request: id, .retrieved(Fixtures.passages, millis: 3)))
        _ = update(&m, .answer(request: id, .delta("Lore answers [1].")))
        _ = update(&m, .answer(request: id, .finished(AnswerStats(model: "openai", ttftMillis: 5,
                                                                   tokensPerSecond: nil, incomplete: false))))
        #expect(m.model?.state == .ready)
        #expect(view(m).lines[22].contains("openai ready"))
        #expect(!view(m).lines[22].contains("unreachable"))
    }

    /// An answer that fails before any text leaves the unreachable status alone.
    @Test func aFailedAnswerKeepsTheUnreachableStatus() {
        var m = AppModel(rows: 24, cols: 80, kbName: "docs")
        _ = update(&m, .modelStatus(ModelStatus(name: "openai", state: .unreachable("cannot reach"))))
        Fixtures.type(&m, "what is lore")
        _ = update(&m, .key(.enter))
        let id = m.activeAnswer!
        _ = update(&m, .answer(request: id, .error("cannot reach http://127.0.0.1:9/v1")))
        #expect(m.model?.state == .unreachable("cannot reach"))
    }
}

/// The benchmark found rendering re-laying the whole answer every frame (5 frames a second, 340 ms each,
/// at 13,000 tokens); the renderer now keeps the settled part. Its output must not change.
@Suite("settled Markdown cache")
struct SettledMarkdownTests {
    static let blocks = [
        "A paragraph citing [1] with **bold** and `code` that runs on long enough to wrap twice at forty columns.",
        "- a list item [2]\n- another with *emphasis*\n  - nested",
        "```swift\nlet x = 1\n\nlet y = 2 // a blank line inside the fence\n```",
        "~~~\nunclosed-looking ``` inside tilde fence\n\n~~~",
        "| a | b |\n|---|---|\n| 1 | 2 |",
        "> quoted [3]\n> more",
        "## A heading",
        "tab\there and a CRLF line\r\nafter it",
        "escape \u{1B}[2J shown and \u{9B}31m too",
        "\n\n\n",
        "日本語の段落と絵文字 🙂 が折り返される。",
    ]

    static func document(seed: UInt64, length: Int) -> String {
        var state = seed
        var out = ""
        while out.utf8.count < length {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            out += blocks[Int(state >> 33) % blocks.count] + "\n\n"
        }
        return out
    }

    @Test func cachedRenderingEqualsRenderingWhole() {
        for seed in UInt64(1)...3 {
            let text = Self.document(seed: seed, length: 4000)
            for width in [24, 77] {
                let renderer = MarkdownRenderer(width: width)
                var end = text.startIndex
                // Grow the text as a stream would, token-sized steps and some single characters.
                var step = 1
                while end < text.endIndex {
                    end = text.index(end, offsetBy: step, limitedBy: text.endIndex) ?? text.endIndex
                    step = step % 23 + 1
                    let shown = String(text[..<end])
                    guard shown.utf8.count >= SettledMarkdown.minimumLength else { continue }
                    let whole = renderer.renderSanitized(Substring(TerminalText.sanitize(shown)))
                    let cached = renderer.render(shown)
                    if cached != whole {
                        Issue.record("seed \(seed) width \(width) at \(shown.utf8.count) bytes differs")
                        return
                    }
                }
            }
            // The documents do have a settled part, so the cached path was taken.
            #expect(SettledMarkdown.settledEnd(Substring(text)) != nil)
        }
    }

    @Test func settledPartEndsAfterTheLastBlankLineOutsideFences() {
        #expect(SettledMarkdown.settledEnd("one\n\ntwo") == "one\n\ntwo".utf8.index("one\n\ntwo".startIndex, offsetBy: 5))
        #expect(SettledMarkdown.settledEnd("no blank line\nyet") == nil)
        let fenced = "text\n\n```\ncode\n\nmore code"
        #expect(SettledMarkdown.settledEnd(Substring(fenced)) == fenced.utf8.index(fenced.startIndex, offsetBy: 6))
        #expect(SettledMarkdown.settledEnd("a\n\nb\n  \nc").map { "a\n\nb\n  \nc"[$0...] } == "c")
    }
}
