import GRDB
import LoreCore

extension KnowledgeBaseStore {
    /// For each passage id, the passages of its document within `radius` places of it, in document order
    /// (the passage itself included): the context `ContextExpansion` widens a hit with. Ids that no longer
    /// exist are left out.
    public func passageRuns(around ids: [Int64], radius: Int) throws -> [[Passage]] {
        guard radius >= 0, !ids.isEmpty else { return [] }
        return try pool.read { db in
            let place = try db.cachedStatement(sql: "SELECT document_id, ordinal FROM chunks WHERE id = ?")
            let run = try db.cachedStatement(sql: """
                SELECT \(Schema.passageColumns)
                FROM chunks c JOIN documents d ON d.id = c.document_id
                WHERE c.document_id = ? AND c.ordinal BETWEEN ? AND ? ORDER BY c.ordinal
                """)
            return try ids.compactMap { id in
                guard let row = try Row.fetchOne(place, arguments: [id]) else { return nil }
                let document: Int64 = row[0], ordinal: Int = row[1]
                return try Row.fetchAll(run, arguments: [document, ordinal - radius, ordinal + radius])
                    .map { Self.passage(from: $0, score: 0) }
            }
        }
    }
}
