import LoreCore
import Testing

@Suite struct BootstrapTests {
    @Test func anIntervalHoldsTheMeanAndNarrowsWithMoreQuestions() {
        // 40 questions, 27 found: the spread of a proportion of 27/40 is about ±.145 at 95 %.
        let forty = Array(repeating: 1.0, count: 27) + Array(repeating: 0.0, count: 13)
        let i = Bootstrap.interval(forty)
        #expect(abs(i.mean - 0.675) < 1e-9)
        #expect(i.low < i.mean && i.mean < i.high)
        #expect(i.low > 0.45 && i.low < 0.6 && i.high > 0.75 && i.high < 0.9, "\(i)")
        let four_hundred = Array(repeating: 1.0, count: 270) + Array(repeating: 0.0, count: 130)
        let j = Bootstrap.interval(four_hundred)
        #expect(j.high - j.low < (i.high - i.low) / 2, "ten times the questions, about a third of the width: \(i) \(j)")
    }

    @Test func sameScoresSameInterval() {
        let values = [0.2, 1, 0, 0.5, 1, 1, 0, 0.33]
        #expect(Bootstrap.interval(values) == Bootstrap.interval(values))
    }

    @Test func constantOrTinySetsHaveNoSpread() {
        #expect(Bootstrap.interval([0.5, 0.5, 0.5]) == Bootstrap.Interval(mean: 0.5, low: 0.5, high: 0.5))
        #expect(Bootstrap.interval([0.7]) == Bootstrap.Interval(mean: 0.7, low: 0.7, high: 0.7))
        #expect(Bootstrap.interval([]) == Bootstrap.Interval(mean: 0, low: 0, high: 0))
    }

    @Test func aPairedComparisonCountsWinsAndLosses() {
        let a = [1.0, 1, 1, 0, 1, 0.5, 1, 1]
        let b = [0.0, 1, 0, 0, 1, 1.0, 0, 1]
        let c = Bootstrap.compare(a, b)
        #expect(c.better == 3 && c.worse == 1)
        #expect(abs(c.difference.mean - 2.5 / 8) < 1e-9)
        #expect(c.difference.low <= c.difference.mean && c.difference.mean <= c.difference.high)
        // The same ranking against itself: no difference at all.
        #expect(Bootstrap.compare(a, a) == Bootstrap.Comparison(difference: .init(mean: 0, low: 0, high: 0), better: 0, worse: 0))
    }
}

@Suite struct KeywordListWeightTests {
    @Test func fullUpToFourTermsThenInProportion() {
        #expect(keywordListWeight(1, contentTerms: 0) == 1)
        #expect(keywordListWeight(1, contentTerms: 4) == 1)
        #expect(keywordListWeight(1, contentTerms: 8) == 0.5)
        #expect(keywordListWeight(2, contentTerms: 16) == 0.5)
        #expect(keywordListWeight(1, contentTerms: 5, fullWeightUpTo: 0) == 1)
    }
}
