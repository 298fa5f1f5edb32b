import LoreCore
import Testing

@Suite("answer metrics") struct AnswerMetricsTests {
    let sources = [
        ScoredSource(number: 1, passageID: 11, documentPath: "/kb/guide/vacuum.md", text: "Vacuum reclaims the space of deleted rows."),
        ScoredSource(number: 2, passageID: 12, documentPath: "/kb/guide/backup.md", text: "A dump copies a database into one file."),
        ScoredSource(number: 3, passageID: 13, documentPath: "/kb/faq.md", text: "Deleted rows leave space that vacuum reclaims for reuse."),
    ]
    let question = EvalQuestion(question: "how do I get disk space back?", relevant: ["vacuum.md"], passages: [11],
                                answer: "vacuum reclaims space of deleted rows")

    @Test("sentences: a citation-only fragment joins the sentence before it") func sentences() {
        #expect(AnswerMetrics.sentences(of: "Run vacuum. [1] It frees space [3].") == ["Run vacuum. [1]", "It frees space [3]."])
        #expect(AnswerMetrics.sentences(of: "").isEmpty)
    }

    @Test("precision counts gold passages and passages holding the reference answer") func precision() {
        let score = AnswerMetrics.score(answer: "Run vacuum [1]. It frees space [3]. Dumps are unrelated [2]. Also this.",
                                        sources: sources, question: question)
        #expect(score.cited == 3)
        #expect(score.supportingCited == 2, "1 is gold, 3 holds the reference's words, 2 neither")
        #expect(score.citesGold)
        #expect(score.sentences == 4)
        #expect(score.uncitedSentences == 1)
        #expect(score.referenceCoverage == 0.4, "vacuum and space, of five content words")
    }

    @Test("unknown and repeated citations") func unknown() {
        let score = AnswerMetrics.score(answer: "See [2][2] and [9].", sources: sources, question: question)
        #expect(score.cited == 1)
        #expect(score.supportingCited == 0)
        #expect(!score.citesGold)
        #expect(score.uncitedSentences == 0)
    }

    @Test("without listed passages, any passage of a relevant document is gold") func documentGold() {
        let byDocument = EvalQuestion(question: "q", relevant: ["backup.md"])
        let score = AnswerMetrics.score(answer: "Dump it [2].", sources: sources, question: byDocument)
        #expect(score.citesGold && score.supportingCited == 1)
        #expect(score.referenceCoverage == nil)
    }

    @Test("totals are micro averages") func totals() {
        var totals = AnswerTotals()
        totals.add(AnswerMetrics.score(answer: "Run vacuum [1].", sources: sources, question: question), milliseconds: 100)
        totals.add(AnswerMetrics.score(answer: "No idea. Really.", sources: sources, question: question), milliseconds: 300)
        #expect(totals.citationPrecision == 1)
        #expect(totals.goldCitedShare == 0.5)
        #expect(totals.uncitedSentenceShare == 2.0 / 3.0)
        #expect(totals.meanMilliseconds == 200)
        #expect(AnswerTotals().citationPrecision == nil)
    }

    @Test("the eval reader keeps passages and the reference answer") func reader() throws {
        let set = try EvalSet.parse(#"{"q": "why?", "relevant": ["a.md"], "passages": [4, 5], "answer": "because", "source": "a.md:1-3"}"#)
        #expect(set == [EvalQuestion(question: "why?", relevant: ["a.md"], line: 1, passages: [4, 5], answer: "because")])
    }
}
