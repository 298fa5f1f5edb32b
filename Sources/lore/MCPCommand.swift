import ArgumentParser
import Foundation
import LoreEngine
import LoreMCP

struct MCPCommand: AsyncParsableCommand, TakesModelProfile {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the knowledge bases to an MCP client (Model Context Protocol, over stdio).",
        discussion: """
            Speaks MCP on standard input and output until the client closes standard input; nothing else \
            is written to standard output. Tools: search (query, kb, k, mode), get_passage (id, kb, \
            context), list_knowledge_bases, and ask (question, kb, conversation) when config.toml names a \
            chat model ([model], or --model NAME). Every indexed document is a resource, \
            lore://KB/relative/path, whose text can be read.

            The server is read-only: it never changes an index unless started with --allow-index, which \
            adds an index tool that brings a knowledge base up to date incrementally. (ask saves its turns \
            in the history, as `lore ask` does.) Mistakes come back as tool errors in the words the CLI \
            uses, such as an unknown knowledge base with the list of known ones.

            Register it with a client as the command `lore` with the argument `mcp`, and set LORE_HOME \
            in its environment when your knowledge bases live there.
            """)

    @OptionGroup var global: GlobalOptions
    @ParentCommand var root: Lore
    @Option(help: ArgumentHelp("Use the [models.NAME] profile of config.toml for ask.", valueName: "NAME")) var model: String?
    @Flag(help: "Offer an index tool that re-indexes a knowledge base (incrementally).") var allowIndex = false

    func run() async throws {
        let library = try global.library()
        if let warning = library.configFile.permissionWarning() { Console.error(warning) }
        if let kb = global.kb, kb.contains("/") {
            throw CLIError("lore mcp serves knowledge bases by name; add the folder with `lore kb add NAME \(kb)` first")
        }
        let tools: LoreTools
        do {
            tools = try await LoreTools.make(paths: library.paths, defaultKB: global.kb, modelProfile: modelProfile,
                                             allowIndex: allowIndex)
        } catch let error as LibraryError { throw CLIError(error.message) }
        do {
            try await LoreMCPServer(tools: tools, version: LoreVersion.string).serveStdio()
        } catch {
            throw CLIError("mcp: \(error)")
        }
    }
}
