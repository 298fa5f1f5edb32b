import LoreCore
import Testing

@Suite struct FusionTests {
    @Test func reciprocalRankSumsByHand() {
        // k = 60: a at ranks 1 and 3 → 1/61 + 1/63; b at 2 and 1 → 1/62 + 1/61; c at 3 only → 1/63; d at 2 → 1/62.
        let fused = rankFusion([["a", "b", "c"], ["b", "d", "a"]], k: 60)
        #expect(fused.map(\.id) == ["b", "a", "d", "c"])
        #expect(abs(fused[0].score - (1.0 / 62 + 1.0 / 61)) < 1e-12)
        #expect(abs(fused[1].score - (1.0 / 61 + 1.0 / 63)) < 1e-12)
        #expect(fused[0].ranks == [2, 1])
        #expect(fused[2].ranks == [nil, 2])
        #expect(fused[3].ranks == [3, nil])
    }

    @Test func weightsTiltTheOrder() {
        // Vector list weighted 3: x (vector rank 1) gets 3/2 = 1.5, y (bm25 rank 1) 1/2 with k = 1.
        let fused = rankFusion([["y"], ["x"]], weights: [1, 3], k: 1)
        #expect(fused.map(\.id) == ["x", "y"])
        #expect(fused[0].score == 1.5)
        #expect(fused[1].score == 0.5)
    }

    @Test func tiesKeepFirstSeenOrder() {
        // p and q each appear once at rank 1 of one list: equal scores, the first list's item first.
        #expect(rankFusion([["p"], ["q"]]).map(\.id) == ["p", "q"])
        #expect(rankFusion([["q"], ["p"]]).map(\.id) == ["q", "p"])
    }

    @Test func repeatedItemCountsItsBestPlaceOnce() {
        let fused = rankFusion([["a", "a", "b"]], k: 0)
        #expect(fused.map(\.id) == ["a", "b"])
        #expect(fused[0].score == 1)
        #expect(fused[1].score == 1.0 / 3)
    }

    @Test func emptyListsAndZeroWeight() {
        #expect(rankFusion([[Int](), []]).isEmpty)
        let fused = rankFusion([[1, 2], [3]], weights: [0, 1], k: 60)
        #expect(fused.first?.id == 3)
        #expect(fused.dropFirst().allSatisfy { $0.score == 0 })
    }

    @Test func diversityAfterFusionLimitsOneDocument() {
        // Passages 1-4 from document A outrank B's 5: two of A, then B, then A's others fill what is left.
        let fused = rankFusion([[1, 2, 3, 4, 5]])
        let document: [Int: String] = [1: "A", 2: "A", 3: "A", 4: "A", 5: "B"]
        let chosen = diversify(fused, limit: 4, perGroup: 2) { document[$0.id]! }
        #expect(chosen.map(\.id) == [1, 2, 5, 3])
    }
}
