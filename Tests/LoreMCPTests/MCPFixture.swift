import Foundation
import LoreCore
import LoreEngine
import LoreIngest
import LoreMCP
import LoreStore
import MCP

/// A Lore home in a temporary folder: a config.toml naming the knowledge base `docs` (three Markdown
/// files, indexed by the real indexer into a real SQLite store) and `empty` (a folder never indexed).
final class MCPFixture {
    let home: String
    let docs: String
    let paths: LorePaths

    static let vacuum = """
        # Routine Vacuuming

        Plain VACUUM only makes the space of dead rows reusable within the table.

        ## Recovering Disk Space

        VACUUM FULL rewrites the whole table into a new file, so the disk space of dead rows goes back to the operating system.

        ## Preventing Wraparound

        Every table must be vacuumed at least once every two billion transactions.

        """

    static let backup = """
        # Backup and Restore

        ## SQL Dump

        The pg_dump program writes a consistent snapshot of one database as SQL commands.
        Restore such a dump with psql or, for custom-format archives, with pg_restore.

        """

    /// `extraConfig` is appended to config.toml (a [model] or [embedding] table).
    init(extraConfig: String = "") throws {
        home = NSTemporaryDirectory() + "lore-mcp-\(UUID().uuidString)"
        docs = home + "/docs"
        let guide = docs + "/guide"
        try FileManager.default.createDirectory(atPath: guide, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home + "/empty", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home + "/config", withIntermediateDirectories: true)
        try Self.vacuum.write(toFile: docs + "/vacuum.md", atomically: true, encoding: .utf8)
        try Self.backup.write(toFile: guide + "/backup and restore.md", atomically: true, encoding: .utf8)
        try "Replication streams the write-ahead log to a standby server.\n"
            .write(toFile: docs + "/replication.txt", atomically: true, encoding: .utf8)
        try """
            default_kb = "docs"

            [kb.docs]
            paths = ["\(docs)"]

            [kb.empty]
            paths = ["\(home)/empty"]

            \(extraConfig)
            """.write(toFile: home + "/config/config.toml", atomically: true, encoding: .utf8)
        paths = LorePaths(configDirectory: home + "/config", dataDirectory: home + "/data")
        let library = try Library(paths: paths)
        try library.open("docs").indexer(config: library.config).run()
    }

    deinit { try? FileManager.default.removeItem(atPath: home) }

    func tools(allowIndex: Bool = false) async throws -> LoreTools {
        try await LoreTools.make(paths: paths, defaultKB: nil, modelProfile: nil, allowIndex: allowIndex, environment: [:])
    }

    func server(allowIndex: Bool = false) async throws -> LoreMCPServer {
        LoreMCPServer(tools: try await tools(allowIndex: allowIndex), version: "test")
    }

    func store() throws -> KnowledgeBaseStore {
        try KnowledgeBaseStore(path: paths.dataDirectory + "/kb/docs.sqlite")
    }
}

extension CallTool.Result {
    /// The text of the first content block.
    var text: String {
        guard case .text(let text, _, _)? = content.first else { return "" }
        return text
    }

    /// The structured content decoded as `T`.
    func decoded<T: Decodable>(_ type: T.Type) throws -> T {
        let data = try JSONEncoder().encode(structuredContent ?? .null)
        return try JSONDecoder().decode(T.self, from: data)
    }
}
