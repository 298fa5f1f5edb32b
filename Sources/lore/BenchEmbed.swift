import ArgumentParser
import Foundation
import LoreCore
import LoreEngine
import LoreLLM
import LoreStore

extension BenchCommand {
    struct Embed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Embed a knowledge base's passages from scratch and report passages/s and refusals.",
            discussion: """
                The knowledge base's folders are indexed again into a temporary store, so the knowledge \
                base itself is not touched; then its passages are embedded with its [embedding] settings, \
                exactly as `lore index` does. Reports passages, wall time, passages/s, inputs cut to the \
                input limit, "too large" refusals and token-count requests.

                With --export FILE nothing is embedded: the texts are written as the pass would send them \
                (cut to the limit), one {"id", "text"} JSON object a line and in the pass's order, for a \
                plain client to replay (bench/plain_embed_client.py), and the cost of preparing them is \
                reported.
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "Embed only the first N passages.") var passages: Int?
        @Option(help: ArgumentHelp("Which texts the server counts, where it can: long (every text that could be too long), near (only those of more than two characters per token of the limit), never.",
                                   valueName: "long|near|never"))
        var count: String = TokenCounting.everyLongText.rawValue
        @Option(help: "Write the prepared texts to this file (JSON lines) instead of embedding them.") var export: String?

        func run() async throws {
            guard let counting = TokenCounting(rawValue: count) else { throw CLIError("--count takes long, near or never") }
            if let passages, passages < 1 { throw CLIError("--passages must be positive") }
            let library = try global.library()
            let kb = try global.openKB(library)
            guard let settings = library.config.retrieval(forKnowledgeBase: kb.name).embedding else {
                throw CLIError("\(TerminalText.sanitize(kb.name, keepNewlines: false)) has no [embedding] table; see `lore help kb`")
            }
            let file = NSTemporaryDirectory() + "lore-bench-embed-\(getpid()).sqlite"
            defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + s) } }
            let scratch = KnowledgeBase(definition: kb.definition, store: try KnowledgeBaseStore(path: file), isAdHoc: true)
            print(Machine.description)
            let text = try scratch.indexer(config: library.config).run()
            print(String(format: "text index:     %d passages in %.1f s", text.passagesWritten, text.seconds))
            print("server:         \(settings.baseURL), model \(settings.model.isEmpty ? "(server's)" : settings.model), "
                  + "batch \(settings.batchSize), concurrency \(settings.concurrency), token counting: \(counting.rawValue)")
            let indexer = EmbeddingIndexer(store: scratch.store, settings: settings, tokenCounting: counting)
            if let export {
                try await Self.export(indexer, passages: passages, to: export)
            } else {
                let summary = try await EmbedPass.run(indexer, name: "bench", quiet: false, verbose: false,
                                                      passageLimit: passages)
                let statistics = await indexer.client.limitStatistics
                print(String(format: "embedded:       %d passages in %.1f s, %.2f passages/s", summary.embedded, summary.seconds,
                             summary.passagesPerSecond))
                print("input limit:    " + Self.describe(await indexer.client.inputLimit))
                print("cut to limit:   \(summary.cut) passages; token-count requests \(statistics.countRequests)")
                print("too large:      \(summary.rejections) refusals, \(summary.truncated) passages cut again, "
                      + "\(summary.failed) not embedded")
            }
        }

        /// The texts as the pass would send them, batch by batch in its order, and what preparing them cost.
        static func export(_ indexer: EmbeddingIndexer, passages: Int?, to path: String) async throws {
            let dims = try await indexer.dimensions()
            let model = indexer.settings.modelKey
            guard FileManager.default.createFile(atPath: path, contents: nil), let out = FileHandle(forWritingAtPath: path) else {
                throw CLIError("cannot write \(path)")
            }
            defer { try? out.close() }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            let batch = max(1, indexer.settings.batchSize)
            let started = DispatchTime.now()
            var afterID: Int64 = 0, written = 0, cut = 0
            while written < passages ?? .max {
                let page = try indexer.store.passagesWithoutVectors(model: model, dimensions: dims, afterID: afterID,
                                                                    limit: min(batch, (passages ?? .max) - written))
                guard let last = page.last else { break }
                afterID = last.id
                let prepared = await indexer.client.prepare(page.map(\.text))
                for (passage, text) in zip(page, prepared) {
                    if text.utf8.count < passage.text.utf8.count { cut += 1 }
                    out.write(try encoder.encode(ExportedText(id: passage.id, text: text)) + Data("\n".utf8))
                }
                written += page.count
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
            let statistics = await indexer.client.limitStatistics
            print(String(format: "exported:       %d texts to %@ in %.1f s (%d cut to the limit, %d token-count requests)",
                         written, path, seconds, cut, statistics.countRequests))
            print("input limit:    " + describe(await indexer.client.inputLimit))
        }

        static func describe(_ limit: InputLimitKnowledge) -> String {
            var text = "\(limit.tokenLimit) tokens"
            text += limit.serverTokens != nil ? " (as the server states)" : " (as configured)"
            text += limit.exactCounts ? ", counted by the server" : ", estimated"
            if let ratio = limit.charactersPerToken { text += String(format: ", %.2f characters/token learned from a refusal", ratio) }
            return text
        }

        struct ExportedText: Encodable {
            var id: Int64
            var text: String
        }
    }
}
