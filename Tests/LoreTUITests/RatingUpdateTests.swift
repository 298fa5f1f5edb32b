import LoreCore
import Testing
@testable import LoreTUI

@Suite("rating answers")
struct RatingUpdateTests {
    /// The fixture's answer, as saved by the engine under turn 17 of conversation 4.
    func saved() -> AppModel {
        var m = AppModel(rows: 24, cols: 100, kbName: "docs")
        _ = update(&m, .knowledgeBaseOpened(Fixtures.kb))
        Fixtures.type(&m, "how do I build it?")
        _ = update(&m, .key(.enter))
        let id = m.activeAnswer!
        _ = update(&m, .answer(request: id, .retrieved(Fixtures.passages, millis: 42)))
        Fixtures.streamAnswer(&m, request: id, [Fixtures.answer])
        _ = update(&m, .answer(request: id, .finished(AnswerStats(model: "llama3", ttftMillis: 310, tokensPerSecond: 41,
                                                                   incomplete: false, conversationID: "4", turnID: "17"))))
        _ = update(&m, .key(KeyEvent(.tab)))
        #expect(m.focus == .chat)
        return m
    }

    @Test("+ in the chat asks the store to rate the answer; the rating shows once the store has it")
    func rateGood() {
        var m = saved()
        #expect(update(&m, .key(.char("+"))) == [.rate(turnID: "17", kb: "docs", rating: .good)])
        #expect(m.latestExchange?.rating == nil, "not shown before it is saved")
        m.now = 10
        #expect(update(&m, .rated(turnID: "17", rating: .good)) == [.tickAfter(seconds: AppModel.statusNoteSeconds)])
        #expect(m.latestExchange?.rating == .good)
        let screen = view(m).lines.joined(separator: "\n")
        #expect(screen.contains("rated good +"), "status bar confirms")
        #expect(screen.contains("rated +"), "footer marks the answer")
        m.now = 10 + AppModel.statusNoteSeconds + 0.1
        _ = update(&m, .tick)
        #expect(!view(m).lines.joined(separator: "\n").contains("rated good"), "the confirmation goes")
    }

    @Test("the same key again clears; the other key replaces")
    func toggles() {
        var m = saved()
        _ = update(&m, .rated(turnID: "17", rating: .good))
        #expect(update(&m, .key(.char("+"))) == [.rate(turnID: "17", kb: "docs", rating: nil)])
        #expect(update(&m, .key(.char("-"))) == [.rate(turnID: "17", kb: "docs", rating: .bad)])
        _ = update(&m, .rated(turnID: "17", rating: nil))
        #expect(m.latestExchange?.rating == nil)
        #expect(m.recentStatusNote == "rating cleared")
    }

    @Test("with a question being typed, + and - are text; in the input they are always text")
    func typingKeepsThem() {
        var m = saved()
        _ = update(&m, .key(.char("a")))
        #expect(m.focus == .input)
        _ = update(&m, .key(KeyEvent(.tab)))
        #expect(m.focus == .chat)
        #expect(update(&m, .key(.char("+"))) == [])
        #expect(m.input.text == "a+")
        var fresh = saved()
        _ = update(&fresh, .key(KeyEvent(.backTab)))
        #expect(fresh.focus == .input)
        _ = update(&fresh, .key(.char("-")))
        #expect(fresh.input.text == "-")
    }

    @Test("an answer still streaming, or never saved, is not rated and the status bar says why")
    func notRatable() {
        var m = AppModel(rows: 24, cols: 100, kbName: "docs")
        _ = update(&m, .key(KeyEvent(.tab)))
        _ = update(&m, .key(.char("+")))
        #expect(m.recentStatusNote == "nothing to rate yet")
        var s = saved()
        _ = update(&s, .key(KeyEvent(.backTab)))
        Fixtures.type(&s, "again?")
        _ = update(&s, .key(.enter))
        _ = update(&s, .key(KeyEvent(.tab)))
        #expect(update(&s, .key(.char("-"))) == [.tickAfter(seconds: AppModel.statusNoteSeconds)])
        #expect(s.recentStatusNote?.contains("wait for the answer") == true)
    }

    @Test("a reopened conversation keeps its ratings, and /history shows the counts")
    func transcript() {
        var m = AppModel(rows: 24, cols: 100, kbName: "docs")
        _ = update(&m, .conversationLoaded(Transcript(id: "4", kb: "docs", turns: [
            TranscriptTurn(question: "q", answer: "a [1]", citations: CitationParser.citations(in: "a [1]"),
                           passages: Fixtures.passages, model: "m", turnID: "17", rating: .bad),
        ])))
        #expect(m.latestExchange?.rating == .bad)
        _ = update(&m, .key(KeyEvent(.tab)))
        #expect(update(&m, .key(.char("-"))) == [.rate(turnID: "17", kb: "docs", rating: nil)])
        _ = update(&m, .conversationsLoaded([ConversationListing(id: "4", title: "Building", kb: "docs", updated: .init(timeIntervalSince1970: 0),
                                                                 turns: 3, good: 2, bad: 1)]))
        #expect(view(m).lines.joined(separator: "\n").contains("+2 −1 · 3 turns"))
    }
}
