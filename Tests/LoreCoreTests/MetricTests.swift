import Foundation
import LoreCore
import Testing

@Suite struct MetricTests {
    @Test func recallAtCutoffs() {
        let flags = [false, true, false, false, true, false]
        #expect(RetrievalMetrics.recall(flags, relevantTotal: 2, at: 1) == 0)
        #expect(RetrievalMetrics.recall(flags, relevantTotal: 2, at: 2) == 0.5)
        #expect(RetrievalMetrics.recall(flags, relevantTotal: 2, at: 5) == 1)
        // Three relevant documents exist, two were found.
        #expect(RetrievalMetrics.recall(flags, relevantTotal: 3, at: 10) == 2.0 / 3)
        #expect(RetrievalMetrics.recall([], relevantTotal: 0, at: 5) == 0)
    }

    @Test func reciprocalRank() {
        #expect(RetrievalMetrics.reciprocalRank([false, false, true]) == 1.0 / 3)
        #expect(RetrievalMetrics.reciprocalRank([true]) == 1)
        #expect(RetrievalMetrics.reciprocalRank([false, false]) == 0)
    }

    @Test func ndcgByHand() {
        // Relevant at ranks 2 and 4 of 2 relevant: DCG = 1/log2(3) + 1/log2(5); ideal = 1 + 1/log2(3).
        let dcg = 1 / log2(3.0) + 1 / log2(5.0)
        let ideal = 1 + 1 / log2(3.0)
        let value = RetrievalMetrics.ndcg([false, true, false, true], relevantTotal: 2, at: 10)
        #expect(abs(value - dcg / ideal) < 1e-12)
        #expect(RetrievalMetrics.ndcg([true, true], relevantTotal: 2, at: 10) == 1)
        // Cut at 1: the relevant result at rank 2 does not count.
        #expect(RetrievalMetrics.ndcg([false, true], relevantTotal: 1, at: 1) == 0)
    }

    @Test func meansOverQuestions() {
        var scores = RetrievalScores()
        scores.add([true], relevantTotal: 1)
        scores.add([false, false, false, false, false, true], relevantTotal: 1)
        let mean = scores.mean
        #expect(mean.questions == 2)
        #expect(mean.recallAt1 == 0.5)
        #expect(mean.recallAt5 == 0.5)
        #expect(mean.recallAt10 == 1)
        #expect(abs(mean.mrr - (1 + 1.0 / 6) / 2) < 1e-12)
    }
}

@Suite struct EvalSetTests {
    @Test func parsesLinesSkippingNotes() throws {
        let text = """
            # a note
            {"q": "how do I get space back", "relevant": ["routine-vacuuming.html", "sql-vacuum.html"]}

            // another note
            {"question": "dump", "relevant": "app-pgdump.html"}
            """
        let set = try EvalSet.parse(text)
        #expect(set.count == 2)
        #expect(set[0].relevant == ["routine-vacuuming.html", "sql-vacuum.html"])
        #expect(set[0].line == 2)
        #expect(set[1].question == "dump")
        #expect(set[1].relevant == ["app-pgdump.html"])
    }

    @Test func reportsTheBadLine() {
        #expect(throws: EvalSetError.self) { try EvalSet.parse("{\"q\": \"x\", \"relevant\": []}") }
        do {
            _ = try EvalSet.parse("{\"q\": \"x\", \"relevant\": [\"a\"]}\nnot json")
            Issue.record("expected an error")
        } catch let error as EvalSetError {
            #expect(error.line == 2)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func suffixMatchingAtPathBoundaries() {
        let path = "/usr/share/doc/guide/x.md"
        #expect(EvalSet.pathMatches(path, entry: "x.md"))
        #expect(EvalSet.pathMatches(path, entry: "guide/x.md"))
        #expect(EvalSet.pathMatches(path, entry: "./guide/x.md"))
        #expect(EvalSet.pathMatches(path, entry: path))
        #expect(!EvalSet.pathMatches(path, entry: "ide/x.md"))
        #expect(!EvalSet.pathMatches(path, entry: "y.md"))
        #expect(!EvalSet.pathMatches("/a/xx.md", entry: "x.md"))
    }

    @Test func judgeCountsEachRelevantEntryOnce() {
        let question = EvalQuestion(question: "q", relevant: ["a.md", "b.md"])
        // a.md appears twice (two passages); only its first place counts.
        let flags = EvalSet.judge(["/k/a.md", "/k/c.md", "/k/a.md", "/k/b.md"], question: question)
        #expect(flags == [true, false, false, true])
    }
}
