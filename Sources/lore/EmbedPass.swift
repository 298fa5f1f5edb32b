import Foundation
import LoreCore
import LoreEngine
import LoreLLM

/// The embedding pass `lore index` runs after the text index when `[embedding]` is configured.
enum EmbedPass {
    static func run(_ kb: KnowledgeBase, config: LoreConfig, quiet: Bool, verbose: Bool) async throws {
        guard let settings = config.retrieval(forKnowledgeBase: kb.name).embedding else { return }
        let indexer = EmbeddingIndexer(store: kb.store, settings: settings)
        var lastDraw = Date.distantPast
        let summary: EmbeddingSummary
        do {
            summary = try await indexer.run { event in
                switch event {
                case .started(let missing, let model, let dims):
                    if !quiet && missing > 0 {
                        Console.status("embedding \(missing) passages with \(TerminalText.sanitize(model, keepNewlines: false)) (\(dims) dimensions)…")
                    }
                case .progress(let done, let total, let failed):
                    guard !quiet, Date().timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
                    lastDraw = Date()
                    let percent = total == 0 ? 100 : done * 100 / total
                    Console.status("embedding \(percent)%  \(done)/\(total) passages" + (failed > 0 ? ", \(failed) refused" : ""))
                case .failed(let id, let reason):
                    if verbose {
                        Console.clearStatus()
                        Console.error("passage \(id) not embedded: \(TerminalText.sanitize(reason, keepNewlines: false))")
                    }
                }
            }
        } catch let error as LLMError {
            Console.clearStatus()
            // The text index is complete and committed; embeddings resume on the next run.
            throw CLIError("embedding stopped: \(error.description); the keyword index is up to date and `lore index` resumes the embeddings")
        }
        Console.clearStatus()
        if !quiet { print("\(TerminalText.sanitize(kb.name, keepNewlines: false)): \(summary.line)") }
    }
}
