import LoreCore
import Testing

@Suite struct DocumentFusionTests {
    private func ranks(_ scores: [(String, Double)]) -> [FusedRank<String>] {
        scores.map { FusedRank(id: $0.0, ranks: [nil], score: $0.1) }
    }

    @Test func zeroWeightLeavesTheOrderAlone() {
        let input = ranks([("a1", 0.9), ("b1", 0.8), ("a2", 0.1)])
        #expect(documentAwareRanking(input, weight: 0) { String($0.prefix(1)) } == input)
    }

    @Test func aDocumentWithManyModerateHitsOvertakesOneLuckyPassage() {
        // x1 is alone in its document; b1..b3 share one. With weight 0.5, b1 gains 0.5 × (0.5 + 0.5 × 0.4) = 0.35.
        let input = ranks([("x1", 0.8), ("b1", 0.6), ("b2", 0.5), ("b3", 0.4)])
        let out = documentAwareRanking(input, weight: 0.5) { String($0.prefix(1)) }
        #expect(out.map(\.id) == ["b1", "b2", "b3", "x1"])
        #expect(abs(out[0].score - (0.6 + 0.5 * (0.5 + 0.5 * 0.4))) < 1e-12)
        #expect(out.first { $0.id == "x1" }?.score == 0.8)
    }

    @Test func supportDecaysSoALongPageDoesNotWinBySize() {
        // Sixty weak hits of one page give at most about twice the best of them, not sixty times it.
        var input = ranks([("x1", 1.0)])
        input += (1...60).map { FusedRank(id: "p\($0)", ranks: [nil], score: 0.1) }
        let out = documentAwareRanking(input, weight: 1) { String($0.prefix(1)) }
        #expect(out.first?.id == "x1")
        let best = out.first { $0.id == "p1" }!.score
        #expect(best < 0.1 + 2 * 0.1)
    }

    @Test func passagesWithoutADocumentAndTiesStayDeterministic() {
        let input = ranks([("a1", 0.5), ("?", 0.5), ("b1", 0.5)])
        let out = documentAwareRanking(input, weight: 1) { $0 == "?" ? nil : String($0.prefix(1)) }
        #expect(out.map(\.id) == ["a1", "?", "b1"])
    }
}
