import Foundation
import LoreCore
import LoreEngine
import LoreLLM

/// The embedding pass `lore index` runs after the text index when `[embedding]` is configured.
enum EmbedPass {
    static func run(_ kb: KnowledgeBase, config: LoreConfig, quiet: Bool, verbose: Bool) async throws {
        guard let settings = config.retrieval(forKnowledgeBase: kb.name).embedding else { return }
        let name = TerminalText.sanitize(kb.name, keepNewlines: false)
        let summary = try await run(EmbeddingIndexer(store: kb.store, settings: settings), name: name, quiet: quiet,
                                    verbose: verbose)
        if !quiet { print("\(name): \(summary.line)") }
    }

    /// Runs `indexer` with progress on standard error (unless `quiet`) and turns a server failure into a
    /// message that says the text index is safe.
    static func run(_ indexer: EmbeddingIndexer, name: String, quiet: Bool, verbose: Bool,
                    passageLimit: Int? = nil) async throws -> EmbeddingSummary {
        let progress = quiet ? nil : ProgressReporter(prefix: "\(name): ")
        defer { progress?.finish() }
        do {
            return try await indexer.run(passageLimit: passageLimit) { event in
                switch event {
                case .started(let missing, let model, let dims):
                    if let progress, missing > 0 {
                        let line = "embedding \(missing) passages with \(TerminalText.sanitize(model, keepNewlines: false)) (\(dims) dimensions)…"
                        if Console.stderrIsTerminal { Console.status(line) } else { Console.error("\(name): " + line) }
                        progress.start(total: missing)
                    }
                case .progress(let done, let total, let failed):
                    progress?.update(done: done, total: total, failed: failed)
                case .failed(let id, let reason):
                    if verbose {
                        Console.clearStatus()
                        Console.error("passage \(id) not embedded: \(TerminalText.sanitize(reason, keepNewlines: false))")
                    }
                }
            }
        } catch let error as LLMError {
            // The text index is complete and committed; embeddings resume on the next run.
            throw CLIError("embedding stopped: \(error.description); the keyword index is up to date and `lore index` resumes the embeddings")
        }
    }
}
