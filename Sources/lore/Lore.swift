import ArgumentParser
import Foundation
import LoreCore
import LoreEngine

@main
struct Lore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lore",
        abstract: "Ask questions of your documents and get answers that cite them.",
        discussion: """
            Lore indexes folders of documents (Markdown, text, reStructuredText, HTML, source code) into a \
            knowledge base, an SQLite file per knowledge base, and answers questions from the passages it \
            retrieves, citing each one. Run without a subcommand to open the terminal UI.

            FILES
              $XDG_CONFIG_HOME/lore/config.toml   configuration (default ~/.config/lore/config.toml)
              $XDG_DATA_HOME/lore/kb/NAME.sqlite  one knowledge base (default ~/.local/share/lore)
              $LORE_HOME                           when set, holds config/ and data/ instead of the above

            EXAMPLES
              lore kb add notes ~/notes --include '*.md'
              lore index
              lore search "recover disk space" -k 5
              lore ask "how do I reclaim disk space?"
            """,
        version: LoreVersion.string,
        subcommands: [KBCommand.self, IndexCommand.self, SearchCommand.self, BenchCommand.self],
        defaultSubcommand: nil
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        throw CleanExit.helpRequest(self)
    }
}

enum LoreVersion {
    static let string = "0.1.0"
}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Knowledge base to use: a name from `lore kb list`, or a folder used ad hoc.",
                                            valueName: "NAME|PATH"))
    var kb: String?

    func library() throws -> Library {
        do {
            return try Library()
        } catch let error as ConfigError {
            throw CLIError(error.description)
        }
    }
}

/// An error printed as "lore: message" with a non-zero exit status.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}
