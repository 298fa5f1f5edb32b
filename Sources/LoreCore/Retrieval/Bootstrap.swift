/// How far a mean over a small question set can be trusted: percentile bootstrap intervals, resampling
/// the questions with replacement. With 40 questions one question moves recall by .025, and a ranking
/// change that moves a handful of questions either way is noise; the interval says so.
///
/// Deterministic: the resamples come from `SeededRandom`, so the same scores always give the same interval.
public enum Bootstrap {
    public struct Interval: Sendable, Equatable {
        public var mean: Double
        public var low: Double
        public var high: Double

        public init(mean: Double, low: Double, high: Double) {
            self.mean = mean
            self.low = low
            self.high = high
        }
    }

    /// The mean of `values` with the central `confidence` share of the means of `resamples` resamples.
    public static func interval(_ values: [Double], confidence: Double = 0.95, resamples: Int = 2000,
                                seed: UInt64 = 0x4C6F_7265) -> Interval {
        let mean = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
        guard values.count > 1, resamples > 0 else { return Interval(mean: mean, low: mean, high: mean) }
        var random = SeededRandom(seed: seed)
        var means: [Double] = []
        means.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var sum = 0.0
            for _ in values.indices { sum += values[Int(random.next() % UInt64(values.count))] }
            means.append(sum / Double(values.count))
        }
        means.sort()
        let tail = (1 - confidence) / 2
        // Rounded first, so that 0.05 × 2000 is 100 and not 99.999…: the same count left out on each side.
        let outside = Int((tail * Double(means.count)).rounded())
        let lowIndex = min(means.count - 1, max(0, outside))
        let highIndex = min(means.count - 1, max(0, means.count - 1 - outside))
        return Interval(mean: mean, low: means[lowIndex], high: means[highIndex])
    }

    /// The difference `a − b` of two rankings measured on the same questions (paired: each resample takes
    /// the same questions from both), with how many questions each side did better on.
    public struct Comparison: Sendable, Equatable {
        public var difference: Interval
        public var better: Int
        public var worse: Int

        public init(difference: Interval, better: Int, worse: Int) {
            self.difference = difference
            self.better = better
            self.worse = worse
        }
    }

    public static func compare(_ a: [Double], _ b: [Double], confidence: Double = 0.95, resamples: Int = 2000) -> Comparison {
        precondition(a.count == b.count, "a paired comparison needs one score per question on both sides")
        let differences = zip(a, b).map { $0 - $1 }
        return Comparison(difference: interval(differences, confidence: confidence, resamples: resamples),
                          better: differences.filter { $0 > 1e-12 }.count, worse: differences.filter { $0 < -1e-12 }.count)
    }
}
