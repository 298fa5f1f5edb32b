@testable import LoreCore
import Testing

@Suite struct VectorSearchTests {
    static func matrix(rows: Int, dims: Int, seed: UInt64) -> [Float] {
        var rng = SeededRandom(seed: seed)
        var out: [Float] = []
        for _ in 0..<rows {
            out += VectorSearch.normalized((0..<dims).map { _ in Float.random(in: -1...1, using: &rng) })
        }
        return out
    }

    static func bruteForce(_ q: [Float], _ m: [Float], dims: Int, k: Int) -> [Int] {
        let rows = m.count / dims
        let scores = (0..<rows).map { r in (r, (0..<dims).reduce(Float(0)) { $0 + q[$1] * m[r * dims + $1] }) }
        return scores.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(k).map(\.0)
    }

    // Dimensions that exercise the 32-wide, the 16-wide and the scalar tails of the kernel.
    @Test(arguments: [384, 17, 3, 48])
    func matchesBruteForce(dims: Int) {
        let m = Self.matrix(rows: 3000, dims: dims, seed: UInt64(dims))
        let queries = Self.matrix(rows: 5, dims: dims, seed: 99)
        for qi in 0..<5 {
            let q = Array(queries[(qi * dims)..<((qi + 1) * dims)])
            let expected = Self.bruteForce(q, m, dims: dims, k: 10)
            let single = m.withUnsafeBufferPointer { VectorSearch.topK(query: q, matrix: $0, dimensions: dims, k: 10) }
            // Summation order differs from the reference, so compare the sets of rows and near-equal scores.
            #expect(Set(single.map(\.row)) == Set(expected))
            let parallel = m.withUnsafeBufferPointer {
                VectorSearch.parallelTopK(query: q, matrix: $0, dimensions: dims, k: 10, parts: 4)
            }
            #expect(parallel.map(\.row) == single.map(\.row))
            #expect(zip(single, single.dropFirst()).allSatisfy { $0.score >= $1.score })
        }
    }

    @Test func parallelSplitsLargeMatrices() {
        let dims = 32
        let m = Self.matrix(rows: 20000, dims: dims, seed: 5)
        let q = Array(m[(1234 * dims)..<(1235 * dims)])
        let found = m.withUnsafeBufferPointer { VectorSearch.parallelTopK(query: q, matrix: $0, dimensions: dims, k: 3, parts: 3) }
        // The query is row 1234 itself: it must come first with similarity 1.
        #expect(found.first?.row == 1234)
        #expect(abs((found.first?.score ?? 0) - 1) < 1e-5)
        #expect(Set(found.map(\.row)) == Set(Self.bruteForce(q, m, dims: dims, k: 3)))
    }

    @Test func halfPrecisionFindsTheSameNeighbours() {
        let dims = 64
        let m = Self.matrix(rows: 2000, dims: dims, seed: 7)
        let half = m.map { Float16($0) }
        let q = Array(m[(42 * dims)..<(43 * dims)])
        let exact = m.withUnsafeBufferPointer { VectorSearch.topK(query: q, matrix: $0, dimensions: dims, k: 5) }
        let approx = half.withUnsafeBufferPointer { VectorSearch.topK(query: q, matrix: $0, dimensions: dims, k: 5) }
        #expect(approx.first?.row == 42)
        for (a, b) in zip(exact, approx) { #expect(abs(a.score - b.score) < 2e-3) }
    }

    @Test func heapKeepsTheBest() {
        var heap = TopKHeap(capacity: 3)
        for (row, score) in [(0, 0.1), (1, 0.9), (2, 0.5), (3, 0.7), (4, 0.2), (5, 0.9)] as [(Int, Float)] {
            heap.insert(VectorMatch(row: row, score: score))
        }
        // Equal scores: the earlier row ranks first.
        #expect(heap.sorted().map(\.row) == [1, 5, 3])
        var empty = TopKHeap(capacity: 0)
        empty.insert(VectorMatch(row: 0, score: 1))
        #expect(empty.sorted().isEmpty)
    }

    @Test func kLargerThanRowsAndZeroVector() {
        let m: [Float] = [1, 0, 0, 1]
        let found = m.withUnsafeBufferPointer { VectorSearch.topK(query: [1, 0], matrix: $0, dimensions: 2, k: 10) }
        #expect(found.map(\.row) == [0, 1])
        #expect(VectorSearch.normalized([0, 0, 0]) == [0, 0, 0])
        #expect(VectorSearch.normalized([3, 4]) == [0.6, 0.8])
    }
}

@Suite("half precision widening") struct HalfWideningTests {
    @Test func widensLikeTheStandardConversionForNormalValues() {
        var rng = SeededRandom(seed: 11)
        for _ in 0..<200 {
            let values = (0..<16).map { _ in Float16(Float.random(in: -1...1, using: &rng)) }
            let bits = SIMD16<UInt16>(values.map(\.bitPattern))
            let wide = VectorSearch.widen(bits)
            for lane in 0..<16 {
                #expect(wide[lane] == Float(values[lane]))
            }
        }
    }

    @Test func zerosSubnormalsAndLargeValuesWidenExactly() {
        let values: [Float16] = [0, -Float16(0), 1e-6, -1e-6, 1, -1, 0.5, 65504] + Array(repeating: 0.25, count: 8)
        let wide = VectorSearch.widen(SIMD16<UInt16>(values.map(\.bitPattern)))
        for lane in 0..<16 { #expect(wide[lane] == Float(values[lane])) }
        #expect(wide[1].sign == .minus)
    }
}
