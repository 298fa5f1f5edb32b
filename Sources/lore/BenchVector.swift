import ArgumentParser
import Foundation
import LoreCore

extension BenchCommand {
    struct Vector: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time top-k vector search over random unit vectors.",
            discussion: """
                Fills a matrix of --count random unit vectors of --dims dimensions (seeded, so runs compare), \
                then times --queries searches for the --k nearest by dot product: on all cores (as Lore \
                searches) and on one. The first query's answer is checked against a brute-force sort. \
                Reports p50/p95/p99, the bytes the matrix holds and the scan rate in GB/s.
                """)

        @Option(help: "Vectors in the matrix.") var count: Int = 100_000
        @Option(help: "Dimensions per vector.") var dims: Int = 384
        @Option(name: .short, help: "Nearest vectors per query.") var k: Int = 10
        @Option(help: "Queries to time.") var queries: Int = 200
        @Flag(help: "Hold the matrix in half precision (Float16).") var half = false

        func run() async throws {
            guard count > 0, dims > 0, k > 0, queries > 0 else { throw CLIError("--count, --dims, -k and --queries must be positive") }
            print(Machine.description)
            var generator = SeededRandom(seed: 42)
            func unitVector() -> [Float] {
                VectorSearch.normalized((0..<dims).map { _ in Float(generator.nextGaussian()) })
            }
            var single: [Float] = []
            var halves: [Float16] = []
            if half { halves.reserveCapacity(count * dims) } else { single.reserveCapacity(count * dims) }
            for _ in 0..<count {
                let v = unitVector()
                if half { halves.append(contentsOf: v.map { Float16($0) }) } else { single.append(contentsOf: v) }
            }
            let bytes = half ? halves.count * 2 : single.count * 4
            let probes = (0..<queries).map { _ in unitVector() }
            let cores = ProcessInfo.processInfo.activeProcessorCount
            func search(_ q: [Float], parts: Int) -> [VectorMatch] {
                half ? halves.withUnsafeBufferPointer { VectorSearch.parallelTopK(query: q, matrix: $0, dimensions: dims, k: k, parts: parts) }
                     : single.withUnsafeBufferPointer { VectorSearch.parallelTopK(query: q, matrix: $0, dimensions: dims, k: k, parts: parts) }
            }
            // The answer first: the same rows as sorting every score.
            let found = Set(search(probes[0], parts: cores).map(\.row))
            var all: [(Int, Float)] = []
            for row in 0..<count {
                var s: Float = 0
                for d in 0..<dims { s += probes[0][d] * (half ? Float(halves[row * dims + d]) : single[row * dims + d]) }
                all.append((row, s))
            }
            let reference = Set(all.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(k).map(\.0))
            print("check:          top-\(k) " + (found == reference ? "matches brute force" : "DIFFERS from brute force"))
            print("matrix:         \(count) × \(dims) \(half ? "Float16" : "Float32") = \(Format.bytes(Int64(bytes))) (N × dims × \(half ? 2 : 4) bytes)")
            for parts in Set([cores, 1]).sorted(by: >) {
                for q in probes.prefix(5) { _ = search(q, parts: parts) }
                var times: [Double] = []
                for q in probes {
                    let t = DispatchTime.now()
                    _ = search(q, parts: parts)
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - t.uptimeNanoseconds) / 1e6)
                }
                let p = Percentiles(times)
                let label = parts == 1 ? "1 thread: " : "\(parts) threads:"
                print("top-\(k) \(label)  " + p.line + String(format: "  (%.1f GB/s at p50)", Double(bytes) / (p.at(0.5) / 1000) / 1e9))
            }
            print("peak RSS:       \(Format.bytes(Machine.peakResidentBytes))")
        }
    }
}

extension SeededRandom {
    /// Box–Muller: normal deviates make directions uniform on the sphere once normalised.
    mutating func nextGaussian() -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let v = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}
