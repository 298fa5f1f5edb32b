import Dispatch
import Foundation
import LoreCore
import LoreIngest
import Synchronization

/// What a watch on a knowledge base reports.
public enum KnowledgeBaseWatchEvent: Sendable, Equatable {
    case watching(folders: Int)
    /// inotify watches could not be had; the text says why and what to do.
    case polling(reason: String)
    /// A refresh changed the index; `seconds` covers the embedding pass too, when there is one.
    case refreshed(IndexSummary, seconds: Double)
    /// A refresh failed; the watch goes on and the next change tries again.
    case failed(String)
    /// A root folder was deleted or moved away: its documents leave the index (the refresh that follows
    /// says how many), and the watch waits for the folder to come back.
    case folderMissing(String)
    /// The missing root folder exists again: it is watched again and the index catches up with it.
    case folderReturned(String)
}

/// Keeps a knowledge base's index current while it is open: a `FolderWatcher` on its folders, and after
/// each burst of changes an ordinary incremental index run followed, when embeddings are configured, by
/// the embedding pass for the new passages. Right after the watches are in place one refresh catches up
/// with anything changed since the caller last indexed. Refreshes that change nothing are not reported.
public final class KnowledgeBaseWatch: Sendable {
    public let events: AsyncStream<KnowledgeBaseWatchEvent>
    private let watcher: FolderWatcher?

    public init(_ kb: KnowledgeBase, config: LoreConfig, options: WatchOptions = WatchOptions()) {
        let (events, continuation) = AsyncStream<KnowledgeBaseWatchEvent>.makeStream()
        self.events = events
        let indexer = kb.indexer(config: config)
        let embedder = config.retrieval(forKnowledgeBase: kb.name).embedding
            .map { EmbeddingIndexer(store: kb.store, settings: $0) }
        do {
            watcher = try FolderWatcher(roots: indexer.roots, include: indexer.include, exclude: indexer.exclude,
                                        options: options)
        } catch {
            watcher = nil
            continuation.yield(.failed("cannot watch \(kb.name): \(error)"))
            continuation.finish()
            return
        }
        guard let watcher else { return }
        continuation.onTermination = { _ in watcher.stop() }
        let refresh: @Sendable () -> Void = {
            let started = DispatchTime.now()
            do {
                let summary = try indexer.run()
                if let embedder, summary.passagesWritten > 0 { try Self.embed(embedder) }
                let changed = summary.added + summary.updated + summary.removed + summary.renamed
                if changed > 0 {
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
                    continuation.yield(.refreshed(summary, seconds: seconds))
                }
            } catch {
                continuation.yield(.failed("refreshing \(kb.name) failed: \(error)"))
            }
        }
        // Blocking work (inotify, file reads, SQLite) on a thread of its own, like `lore index` in the UI.
        let thread = Thread {
            var caughtUp = false
            do {
                try watcher.run(mode: { mode in
                    switch mode {
                    case .watching(let folders): continuation.yield(.watching(folders: folders))
                    case .polling(let reason): continuation.yield(.polling(reason: reason))
                    }
                    if !caughtUp {
                        caughtUp = true
                        refresh()
                    }
                }, refresh: { changes in
                    for change in changes {
                        switch change {
                        case .rootGone(let path): continuation.yield(.folderMissing(path))
                        case .rootReturned(let path): continuation.yield(.folderReturned(path))
                        default: break
                        }
                    }
                    refresh()
                })
            } catch {
                continuation.yield(.failed("watching \(kb.name) stopped: \(error)"))
            }
            continuation.finish()
        }
        thread.name = "lore-watch"
        thread.start()
    }

    /// Ends the watch; `events` finishes once a refresh under way is done.
    public func stop() {
        watcher?.stop()
    }

    /// Runs the async embedding pass from the watcher's thread, which has nothing else to do meanwhile.
    private static func embed(_ embedder: EmbeddingIndexer) throws {
        let outcome = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do { _ = try await embedder.run() } catch { outcome.withLock { $0 = error } }
            done.signal()
        }
        done.wait()
        if let error = outcome.withLock({ $0 }) {
            throw LibraryError("embedding stopped: \(error); answers use keyword ranking until it completes")
        }
    }
}
