/// Lets the other hits of a passage's document lend it weight, so that a page where many passages match
/// moderately can rise above a page with one lucky passage.
///
/// Each passage keeps its own fused score and gains `weight` times the decayed sum of its document's other
/// candidates: the best of them counts fully, the next half, the next a quarter, and so on. The decay keeps a
/// long page from winning by size alone (its 50th weak hit adds almost nothing), and passages of one document
/// keep their order among themselves because each gains the same support apart from itself.
///
/// `weight` 0 returns the input order unchanged. Ties keep the input order, so the result is deterministic.
public func documentAwareRanking<ID: Hashable & Sendable, Document: Hashable>(
    _ fused: [FusedRank<ID>], weight: Double, document: (ID) -> Document?
) -> [FusedRank<ID>] {
    guard weight > 0, fused.count > 1 else { return fused }
    // Candidates arrive best first, so each document's list is already in descending score order.
    var members: [Document: [Int]] = [:]
    for (index, item) in fused.enumerated() {
        guard let key = document(item.id) else { continue }
        members[key, default: []].append(index)
    }
    var boosted = fused
    for indices in members.values where indices.count > 1 {
        for own in indices {
            var support = 0.0
            var factor = 1.0
            for other in indices where other != own {
                support += factor * fused[other].score
                factor *= 0.5
                if factor < 1.0 / 64 { break }
            }
            boosted[own].score = fused[own].score + weight * support
        }
    }
    return boosted.enumerated().sorted { a, b in
        a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset
    }.map(\.element)
}
