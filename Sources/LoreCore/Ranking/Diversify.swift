/// Keeps a ranking's order but lets no group (a document) take more than `perGroup` of the first places
/// while items of other groups are waiting; leftover places are then filled in rank order.
public func diversify<Item, Group: Hashable>(_ ranked: [Item], limit: Int, perGroup: Int,
                                             group: (Item) -> Group) -> [Item] {
    guard limit > 0 else { return [] }
    var taken: [Group: Int] = [:]
    var chosen: [Int] = []
    var deferred: [Int] = []
    for (index, item) in ranked.enumerated() where chosen.count < limit {
        let key = group(item)
        if taken[key, default: 0] < perGroup {
            taken[key, default: 0] += 1
            chosen.append(index)
        } else {
            deferred.append(index)
        }
    }
    for index in deferred where chosen.count < limit { chosen.append(index) }
    return chosen.map { ranked[$0] }
}
