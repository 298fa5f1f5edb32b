import ArgumentParser
import Foundation
import LoreCore
import LoreEngine

struct KBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kb",
        abstract: "Add, list, remove and choose knowledge bases.",
        subcommands: [Add.self, List.self, Remove.self, Use.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a knowledge base made of one or more folders.",
            discussion: """
                The knowledge base is written to config.toml as a [kb.NAME] table and indexed right away \
                (skip that with --no-index). Hidden files and files excluded by .gitignore files are skipped, \
                as ripgrep does. A glob without '/' matches file names at any depth ('*.md'); with '/' it \
                is anchored at the folder ('docs/**/*.rst').
                """)

        @Argument(help: "A name of letters, digits, '-' and '_'.") var name: String
        @Argument(help: "Folders (or files) to index.") var paths: [String]
        @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Index only files matching GLOB (repeatable).", valueName: "GLOB"))
        var include: [String] = []
        @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Skip files matching GLOB (repeatable).", valueName: "GLOB"))
        var exclude: [String] = []
        @Flag(name: .long, help: "Only record the knowledge base; index it later with `lore index`.")
        var noIndex = false
        @Option(name: .long, help: ArgumentHelp("""
            Keep the passages in a shared PostgreSQL database instead of a local file             (postgres://USER@HOST[:PORT]/DATABASE; the password comes from PGPASSWORD or ~/.pgpass, never from here).
            """, valueName: "URL"))
        var store: String?

        func run() async throws {
            var library = try GlobalOptions().library()
            if let store {
                // Checked before anything is written, so a bad URL leaves the config as it was.
                do { _ = try PostgresLocation(parsing: store) } catch let error as PostgresLocationError {
                    throw CLIError("--store: \(error.message)")
                }
            }
            do {
                try library.add(KnowledgeBaseDefinition(name: name, paths: paths, store: store, include: include, exclude: exclude))
            } catch let error as LibraryError {
                throw CLIError(error.message)
            }
            print("added knowledge base \"\(name)\"\(library.config.defaultKnowledgeBase == name ? " (default)" : "")")
            if !noIndex {
                let kb: KnowledgeBase
                do { kb = try library.open(name) } catch let error as LibraryError { throw CLIError(error.message) }
                try IndexCommand.index(kb, config: library.config, quiet: false, verbose: false)
                try await EmbedPass.run(kb, config: library.config, quiet: false, verbose: false)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List knowledge bases with their documents, passages, size and state.")
        @Flag(name: .long, help: "Print JSON for scripts.") var json = false

        /// Skipped files named per knowledge base; the rest are counted.
        static let skippedShown = 10

        func run() async throws {
            let library = try GlobalOptions().library()
            let listings = library.listings()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                print(String(decoding: try encoder.encode(listings), as: UTF8.self))
                return
            }
            if listings.isEmpty {
                print("no knowledge bases yet; add one with `lore kb add NAME FOLDER`")
                return
            }
            var rows = [["", "NAME", "DOCS", "PASSAGES", "SIZE", "LAST INDEXED", "STATE", "PATHS"]]
            for l in listings {
                let s = l.statistics
                var state = l.state
                if let s, s.skipped > 0 { state += ", \(s.skipped) skipped" }
                rows.append([l.isDefault ? "*" : "", l.name, s.map { String($0.documents) } ?? "-",
                             s.map { String($0.passages) } ?? "-", s.map { Format.bytes($0.fileBytes) } ?? "-",
                             s?.lastIndexed.map(Format.date) ?? "never", state,
                             l.paths.map(Format.home).joined(separator: ", ")])
            }
            print(Format.table(rows))
            // Which files were left out and why: a PDF that is encrypted or scanned should not look indexed.
            for l in listings {
                guard let s = l.statistics, s.skipped > 0,
                      let skipped = try? library.open(l.name).store.skippedDocuments() else { continue }
                print("\n\(l.name): \(s.skipped) skipped")
                for (path, reason) in skipped.prefix(Self.skippedShown) {
                    let why = SkipReason(rawValue: reason)?.description ?? reason
                    print("  \(TerminalText.sanitize(Format.home(path), keepNewlines: false)): \(why)")
                }
                if skipped.count > Self.skippedShown { print("  … and \(skipped.count - Self.skippedShown) more") }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a knowledge base and its index (your documents are not touched).")
        @Argument var name: String
        func run() async throws {
            var library = try GlobalOptions().library()
            let shared = library.config.knowledgeBases[name]?.store
            do { try library.remove(name) } catch let error as LibraryError { throw CLIError(error.message) }
            if let shared {
                // Others may be using the shared index; only this person's part goes.
                let display = (try? PostgresLocation(parsing: shared).display) ?? shared
                print("removed knowledge base \"\(name)\" and your conversations about it; the shared index in \(display) is left for the others who use it")
            } else {
                print("removed knowledge base \"\(name)\" and its index; the documents themselves are untouched")
            }
        }
    }

    struct Use: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a knowledge base the default for commands without --kb.")
        @Argument var name: String
        func run() async throws {
            var library = try GlobalOptions().library()
            do { try library.setDefault(name) } catch let error as LibraryError { throw CLIError(error.message) }
            print("\"\(name)\" is now the default knowledge base")
        }
    }
}
