import LoreCore
import Testing

@Suite struct ContextExpansionTests {
    /// Passage `n` of document `doc`, lines 10n…10n+9, with `words` words of text.
    private func p(_ id: Int64, doc: String = "a.md", section: [String] = ["A"], words: Int = 40,
                   text: String? = nil) -> Passage {
        Passage(id: id, documentPath: doc, title: doc, headingPath: section, lineStart: Int(id) * 10,
                lineEnd: Int(id) * 10 + 9, text: text ?? (1...words).map { "w\(id)x\($0)" }.joined(separator: " "),
                score: Double(100 - id))
    }

    @Test func aHitGrowsAfterThenBeforeWithinItsBudget() {
        let run = (1...5).map { p($0) }
        // Each passage is 230 bytes, 58 tokens; three joined are 174, so 180 allow the hit and two neighbours.
        let out = ContextExpansion.expand(hits: [run[2]], runs: [run], perSourceTokens: 180, totalTokens: 10_000)
        #expect(out.count == 1)
        #expect(out[0].parts == [2, 3, 4])
        #expect(out[0].passage.id == 3)
        #expect(out[0].passage.lineStart == 20 && out[0].passage.lineEnd == 49)
        #expect(out[0].passage.text == [run[1].text, run[2].text, run[3].text].joined(separator: "\n\n"))
    }

    @Test func neverCrossesASectionOrADocument() {
        let run = [p(1, section: ["A"]), p(2, section: ["B"]), p(3, section: ["B"]), p(4, doc: "b.md", section: ["B"])]
        let out = ContextExpansion.expand(hits: [run[1]], runs: [run], perSourceTokens: 1000, totalTokens: 10_000)
        #expect(out.map(\.parts) == [[2, 3]])
    }

    @Test func twoHitsThatMeetBecomeOneSourceInTheBetterPlace() {
        let run = (1...4).map { p($0) }
        // Hit 3 ranks first, hit 2 second: 3 grows before into 2, and the pair stands first.
        let out = ContextExpansion.expand(hits: [run[2], run[1], p(9, doc: "z.md")], runs: [run, [p(9, doc: "z.md")]],
                                          perSourceTokens: 1000, totalTokens: 10_000)
        #expect(out.map(\.passage.id) == [3, 9])
        #expect(out[0].hits == [3, 2])
        #expect(out[0].parts == [1, 2, 3, 4])
    }

    @Test func theTotalBudgetNeverDisplacesAHit() {
        let a = (1...3).map { p($0) }, b = (11...13).map { p($0, doc: "b.md") }
        // The hits take 58 + 68 tokens; 200 leave room for one neighbour (59), which goes to the better hit.
        let out = ContextExpansion.expand(hits: [a[1], b[1]], runs: [a, b], perSourceTokens: 1000, totalTokens: 200)
        #expect(out.map(\.parts) == [[2, 3], [12]])
    }

    @Test func overlappingChunksJoinWithoutTheRepeat() {
        let first = "Vacuum reclaims storage. Dead tuples are removed by it."
        let second = "Dead tuples are removed by it. Autovacuum runs it for you."
        #expect(ContextExpansion.joined([first, second])
                == "Vacuum reclaims storage. Dead tuples are removed by it. Autovacuum runs it for you.")
        #expect(ContextExpansion.joined(["one part", "another part"]) == "one part\n\nanother part")
    }

    @Test func zeroBudgetOrNoRunsLeavesTheHits() {
        let hits = [p(1), p(2, doc: "b.md")]
        let out = ContextExpansion.expand(hits: hits, runs: [], perSourceTokens: 512, totalTokens: 10_000)
        #expect(out.map(\.passage) == hits)
    }
}
