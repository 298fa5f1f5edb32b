import ArgumentParser
import Foundation
import LoreCore
import LoreEngine
import LoreTUI

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
              ~/.config/lore/config.toml
                  configuration; $XDG_CONFIG_HOME/lore/config.toml when that is set
              ~/.local/share/lore/kb/NAME.sqlite
                  one knowledge base; under $XDG_DATA_HOME/lore when that is set
              $LORE_HOME/config, $LORE_HOME/data
                  both of the above, when LORE_HOME is set

            ENVIRONMENT
              NO_COLOR     plain output and a monochrome UI
              LORE_THEME   the UI theme when --theme and [ui] theme are not given

            EXAMPLES
              lore kb add notes ~/notes --include '*.md'
              lore index
              lore search "recover disk space" -k 5
              lore ask "how do I reclaim disk space?"
            """,
        version: LoreVersion.string,
        subcommands: [KBCommand.self, IndexCommand.self, SearchCommand.self, AskCommand.self, HistoryCommand.self,
                      ShowCommand.self, RateCommand.self, ExportCommand.self, ModelsCommand.self, BenchCommand.self,
                      EvalCommand.self, SynthCommand.self, DatasetCommand.self, MCPCommand.self],
        defaultSubcommand: nil
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Use the [models.NAME] profile of config.toml.", valueName: "NAME")) var model: String?
    @Option(help: ArgumentHelp("Colour theme: dark, light, solarized-dark, gruvbox, high-contrast, mono, or one of yours.",
                               valueName: "NAME"))
    var theme: String?

    /// With no subcommand: the terminal UI on the chosen knowledge base.
    func run() async throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw CLIError("the terminal UI needs a terminal; for scripts use `lore search` or `lore ask` (see `lore --help`)")
        }
        let library = try global.library()
        if let warning = library.configFile.permissionWarning() { Console.error(warning) }
        let kb: KnowledgeBase
        let choice: ModelChoice
        do {
            kb = try library.open(global.kb)
            choice = try await ModelChoice.resolve(config: library.config, profile: model)
        } catch let error as LibraryError { throw CLIError(error.message) }
        let services = EngineServices(library: library, model: choice, picked: model != nil, opened: kb)
        await runTUI(services: services, initialKB: kb.name, themeName: theme ?? library.config.theme)
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

/// A subcommand with its own `--model NAME`. `lore` itself takes `--model` wherever it is written on the
/// line (its own option has the same name), so the profile is read from there when the subcommand's is
/// empty; each such command declares `@ParentCommand var root: Lore`.
protocol TakesModelProfile {
    var model: String? { get }
    var root: Lore { get }
}

extension TakesModelProfile {
    var modelProfile: String? { model ?? root.model }
}
