import Dispatch

/// A scored row of a vector matrix.
public struct VectorMatch: Sendable, Equatable {
    public var row: Int
    public var score: Float

    public init(row: Int, score: Float) {
        self.row = row
        self.score = score
    }
}

/// Keeps the `capacity` best matches seen so far in a min-heap, so a scan over N rows costs
/// O(N log k) comparisons with almost all rows rejected by one comparison against the root.
public struct TopKHeap: Sendable {
    public let capacity: Int
    private(set) var heap: [VectorMatch] = []

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
        heap.reserveCapacity(self.capacity)
    }

    /// The score a new match must beat to enter; -infinity while the heap is not full.
    @inline(__always) public var threshold: Float {
        heap.count < capacity ? -.infinity : heap[0].score
    }

    @inline(__always) public mutating func insert(_ match: VectorMatch) {
        guard capacity > 0 else { return }
        if heap.count < capacity {
            heap.append(match)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.worse(heap[child], than: heap[parent]) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        } else if Self.worse(heap[0], than: match) {
            heap[0] = match
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < heap.count && Self.worse(heap[left], than: heap[smallest]) { smallest = left }
                if right < heap.count && Self.worse(heap[right], than: heap[smallest]) { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
    }

    /// Lower score is worse; on equal scores the later row is worse, so results are deterministic.
    @inline(__always) static func worse(_ a: VectorMatch, than b: VectorMatch) -> Bool {
        a.score != b.score ? a.score < b.score : a.row > b.row
    }

    /// Best first.
    public func sorted() -> [VectorMatch] {
        heap.sorted { Self.worse($1, than: $0) }
    }
}

/// Top-k by dot product over a row-major matrix of `dimensions`-wide rows. With unit-length rows and
/// query this is cosine similarity. The inner loop works on 16 lanes at once so the compiler emits
/// vector instructions; the scan is then limited by memory bandwidth rather than arithmetic.
/// What a vector matrix can hold: full or half precision, each with its own dot product against a
/// Float query.
public protocol VectorElement: Sendable {
    static func dot(_ query: UnsafePointer<Float>, _ row: UnsafePointer<Self>, _ count: Int) -> Float
}

extension Float: VectorElement {
    @inline(__always)
    public static func dot(_ query: UnsafePointer<Float>, _ row: UnsafePointer<Float>, _ count: Int) -> Float {
        VectorSearch.dot(query, row, count)
    }
}

extension Float16: VectorElement {
    @inline(__always)
    public static func dot(_ query: UnsafePointer<Float>, _ row: UnsafePointer<Float16>, _ count: Int) -> Float {
        VectorSearch.dot(query, row, count)
    }
}

public enum VectorSearch {
    /// Matches ordered best first, with each passage kept once, at its best part's place and score.
    public static func bestPerPassage(_ matches: [(passageID: Int64, score: Float)]) -> [(passageID: Int64, score: Float)] {
        var seen = Set<Int64>()
        return matches.filter { seen.insert($0.passageID).inserted }
    }

    /// Half precision reads half the bytes, each widened to Float as it is used.
    public static func topK<Element: VectorElement>(query: [Float], matrix: UnsafeBufferPointer<Element>,
                                                    dimensions: Int, k: Int, rows: Range<Int>? = nil) -> [VectorMatch] {
        precondition(query.count == dimensions, "query has \(query.count) dimensions, the matrix \(dimensions)")
        let count = dimensions == 0 ? 0 : matrix.count / dimensions
        let range = rows ?? 0..<count
        var heap = TopKHeap(capacity: k)
        guard let base = matrix.baseAddress, !range.isEmpty, k > 0 else { return [] }
        query.withUnsafeBufferPointer { q in
            let q = q.baseAddress!
            for row in range {
                let score = Element.dot(q, base + row * dimensions, dimensions)
                if score > heap.threshold || heap.count < k { heap.insert(VectorMatch(row: row, score: score)) }
            }
        }
        return heap.sorted()
    }

    /// The same search split over `parts` threads, each scanning a contiguous band of rows; the bands'
    /// winners are merged. Worth it from a few tens of thousands of rows on.
    public static func parallelTopK<Element: VectorElement>(query: [Float], matrix: UnsafeBufferPointer<Element>,
                                                            dimensions: Int, k: Int, parts: Int) -> [VectorMatch] {
        let count = dimensions == 0 ? 0 : matrix.count / dimensions
        let parts = max(1, min(parts, count / 4096))
        if parts == 1 { return topK(query: query, matrix: matrix, dimensions: dimensions, k: k) }
        let band = (count + parts - 1) / parts
        let results = UnsafeMutableBufferPointer<[VectorMatch]>.allocate(capacity: parts)
        results.initialize(repeating: [])
        defer { results.deallocate() }
        nonisolated(unsafe) let matrix = matrix
        nonisolated(unsafe) let out = results
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let range = (part * band)..<min(count, (part + 1) * band)
            out[part] = topK(query: query, matrix: matrix, dimensions: dimensions, k: k, rows: range)
        }
        var heap = TopKHeap(capacity: k)
        for list in results { for match in list { heap.insert(match) } }
        return heap.sorted()
    }

    /// Half-precision bits to Float with integer and float vector operations. Converting
    /// `SIMD16<Float16>` directly compiles to one library call per lane on x86-64 without F16C. Shifting
    /// exponent and mantissa into Float's layout and multiplying by 2^112 re-biases the exponent and
    /// handles subnormal halves exactly; the sign is put back afterwards. Infinities and NaNs do not occur
    /// in normalised vectors.
    @inline(__always)
    static func widen(_ half: SIMD16<UInt16>) -> SIMD16<Float> {
        let x = SIMD16<UInt32>(truncatingIfNeeded: half)
        let magnitude = unsafeBitCast((x & 0x7FFF) &<< 13, to: SIMD16<Float>.self) * 0x1p112
        return unsafeBitCast(unsafeBitCast(magnitude, to: SIMD16<UInt32>.self) | ((x & 0x8000) &<< 16),
                             to: SIMD16<Float>.self)
    }

    @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float16>, _ n: Int) -> Float {
        var i = 0
        var acc = SIMD16<Float>()
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while i + 16 <= n {
            let wide = widen(rb.loadUnaligned(fromByteOffset: i * 2, as: SIMD16<UInt16>.self))
            acc += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) * wide
            i += 16
        }
        var sum = acc.sum()
        while i < n {
            sum += a[i] * Float(b[i])
            i += 1
        }
        return sum
    }

    @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var i = 0
        var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while i + 32 <= n {
            acc0 += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            acc1 += ra.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
                * rb.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
            i += 32
        }
        while i + 16 <= n {
            acc0 += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        var sum = (acc0 + acc1).sum()
        while i < n {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }

    /// The vector scaled to unit length; a zero vector stays zero (it then matches nothing).
    public static func normalized(_ v: [Float]) -> [Float] {
        var norm: Float = 0
        for x in v { norm += x * x }
        guard norm > 0, norm.isFinite else { return v.map { _ in 0 } }
        let scale = 1 / norm.squareRoot()
        return v.map { $0 * scale }
    }
}

extension TopKHeap {
    public var count: Int { heap.count }
}
