import Dispatch
import Foundation
import LoreCore
import LoreStore

/// Settings of one index run.
public struct IndexOptions: Sendable, Equatable {
    public var chunking: ChunkingOptions
    /// Larger files are skipped as `tooLarge`: they are nearly always logs or data dumps, and reading one
    /// whole would break the memory bound.
    public var maxFileBytes: Int
    /// A batch is one transaction; its size bounds both memory and what a crash can make the next run redo.
    public var batchFiles: Int
    public var batchBytes: Int
    /// Threads that read, parse and chunk files while the writer stores the previous batch.
    public var workers: Int

    public init(chunking: ChunkingOptions = .default, maxFileBytes: Int = 32 << 20, batchFiles: Int = 256,
                batchBytes: Int = 16 << 20, workers: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)) {
        self.chunking = chunking
        self.maxFileBytes = maxFileBytes
        self.batchFiles = batchFiles
        self.batchBytes = batchBytes
        self.workers = workers
    }

    public static let `default` = IndexOptions()
}

/// Brings a knowledge base's store in line with its folders, doing only the work that changed files need:
/// unchanged files (same size and modification time) are not read, files whose bytes did not change are
/// not re-chunked, and moved files keep their passages.
public struct Indexer: Sendable {
    public var store: any PassageStore
    public var roots: [String]
    public var include: [String]
    public var exclude: [String]
    public var options: IndexOptions

    public init(store: any PassageStore, roots: [String], include: [String] = [], exclude: [String] = [],
                options: IndexOptions = .default) {
        self.store = store
        self.roots = roots
        self.include = include
        self.exclude = exclude
        self.options = options
    }

    /// The identity of everything that shapes passages; when it changes every file is chunked again.
    var chunkingSignature: String {
        "chunker-1 target=\(options.chunking.targetTokens) overlap=\(options.chunking.overlapTokens) max=\(options.chunking.maxTokens)"
    }

    @discardableResult
    public func run(events: (IndexEvent) -> Void = { _ in }) throws -> IndexSummary {
        let turn: AnyObject = try store.indexRunTurn { events(.waitingForAnotherRun) }
            ?? IndexRunLock(storePath: store.location) { events(.waitingForAnotherRun) }
        defer { withExtendedLifetime(turn) {} }
        let started = DispatchTime.now()
        var summary = IndexSummary()

        let walk = FileWalker(roots: roots, include: include, exclude: exclude).walk()
        for skip in walk.skipped {
            summary.skipped += 1
            summary.skippedByReason[skip.reason.rawValue, default: 0] += 1
            events(.skipped(path: skip.path, reason: skip.reason.description))
        }

        let stored = try store.storedDocuments()
        let rechunkAll = try store.metaValue("chunking") != chunkingSignature
        var seen = Set<String>()
        var candidates: [FoundFile] = []
        for file in walk.files {
            seen.insert(file.absolutePath)
            if !rechunkAll, let known = stored[file.absolutePath], known.size == file.size,
               known.mtimeNanoseconds == file.modificationTimeNanoseconds,
               // A file too large for an earlier limit is looked at again once the limit allows it.
               !(known.skipReason == SkipReason.tooLarge.rawValue && file.size <= Int64(options.maxFileBytes)) {
                summary.unchanged += 1
                if known.status == .skipped {
                    summary.skipped += 1
                    summary.skippedByReason[known.skipReason ?? "unknown", default: 0] += 1
                }
            } else {
                candidates.append(file)
            }
        }
        // Files that are gone from disk; a candidate with the same bytes is the same file moved.
        var gone: [String: StoredDocument] = [:]
        for (path, document) in stored where !seen.contains(path) {
            gone[path] = document
        }
        var goneByHash: [String: [String]] = [:]
        for (path, document) in gone where document.status == .indexed {
            goneByHash[document.hash, default: []].append(path)
        }

        // With the chunking unchanged, a file whose bytes match what is stored needs no parsing at all.
        var knownHashes: [String: String] = [:]
        if !rechunkAll {
            for file in candidates {
                if let known = stored[file.absolutePath], known.status == .indexed { knownHashes[known.path] = known.hash }
            }
        }
        let bytesTotal = candidates.reduce(Int64(0)) { $0 + $1.size }
        events(.listed(files: candidates.count, bytes: bytesTotal))
        var progress = IndexProgress(filesDone: 0, filesTotal: candidates.count, bytesDone: 0, bytesTotal: bytesTotal,
                                     passagesWritten: 0)
        events(.progress(progress))

        // In a store with no documents yet, every passage that will exist is cut with the current options, so
        // they are recorded with the first batch: a first index killed half way then resumes where it stopped
        // instead of chunking everything again. Otherwise they are recorded only when every file is done.
        var signaturePending = stored.isEmpty && rechunkAll
        var start = 0
        while start < candidates.count {
            var end = start
            var bytes: Int64 = 0
            while end < candidates.count && end - start < options.batchFiles
                    && (bytes < Int64(options.batchBytes) || end == start) {
                bytes += candidates[end].size
                end += 1
            }
            let batch = Array(candidates[start..<end])
            // With new chunking options a moved file must be chunked again too, not keep its old passages.
            let prepared = prepare(batch, renameHashes: rechunkAll ? [] : Set(goneByHash.keys), knownHashes: knownHashes)
            try store.writeBatch { writer in
                if signaturePending { try writer.setMeta("chunking", chunkingSignature) }
                for (file, outcome) in zip(batch, prepared) {
                    try record(file, outcome, stored: stored[file.absolutePath], goneByHash: &goneByHash,
                               gone: &gone, writer: writer, summary: &summary, events: events)
                }
            }
            signaturePending = false
            progress.filesDone = end
            progress.bytesDone += bytes
            progress.passagesWritten = summary.passagesWritten
            events(.progress(progress))
            start = end
        }

        try store.writeBatch { writer in
            for document in gone.values {
                try writer.removeDocument(id: document.id)
                if document.status == .indexed { summary.removed += 1 }
            }
            try writer.setMeta("chunking", chunkingSignature)
            try writer.setMeta("last_indexed", String(Date().timeIntervalSince1970))
        }
        summary.seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        events(.finished(summary))
        return summary
    }

    /// What reading one file produced, before anything is written.
    enum Outcome: Sendable {
        case document(hash: String, bytes: Int64, loaded: LoadedDocument, chunks: [ChunkDraft])
        /// The bytes match a file that disappeared from the tree: probably that file, moved.
        case possibleMove(hash: String, bytes: Int64)
        /// Touched but byte-for-byte the same as what is indexed.
        case sameContent(bytes: Int64)
        case skipped(SkipReason, bytes: Int64)
        case vanished
    }

    /// Reads, decodes, parses and chunks a batch on several threads; the order of results is the batch's.
    func prepare(_ batch: [FoundFile], renameHashes: Set<String>, knownHashes: [String: String]) -> [Outcome] {
        let slots = OutcomeSlots(count: batch.count)
        let options = self.options
        DispatchQueue.concurrentPerform(iterations: min(options.workers, batch.count)) { worker in
            var index = worker
            while index < batch.count {
                slots.set(index, Self.prepare(batch[index], options: options, renameHashes: renameHashes,
                                              knownHash: knownHashes[batch[index].absolutePath]))
                index += options.workers
            }
        }
        return slots.values
    }

    static func prepare(_ file: FoundFile, options: IndexOptions, renameHashes: Set<String>,
                        knownHash: String?) -> Outcome {
        if file.size > Int64(options.maxFileBytes) { return .skipped(.tooLarge, bytes: 0) }
        guard let format = DocumentFormat.forPath(file.absolutePath) else { return .skipped(.unsupported, bytes: 0) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file.absolutePath), options: .mappedIfSafe)
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            return .vanished
        } catch {
            return .skipped(.unreadable, bytes: 0)
        }
        let bytes = Int64(data.count)
        return data.withUnsafeBytes { raw -> Outcome in
            let hash = ContentHash.of(raw)
            if hash == knownHash { return .sameContent(bytes: bytes) }
            if renameHashes.contains(hash) { return .possibleMove(hash: hash, bytes: bytes) }
            return load(raw, hash: hash, bytes: bytes, path: file.absolutePath, format: format, options: options)
        }
    }

    static func load(_ raw: UnsafeRawBufferPointer, hash: String, bytes: Int64, path: String, format: DocumentFormat,
                     options: IndexOptions) -> Outcome {
        if format.isBinary {
            switch DocumentLoader.load(bytes: raw, path: path, format: format) {
            case .skipped(let reason):
                return .skipped(reason, bytes: bytes)
            case .loaded(let loaded):
                return .document(hash: hash, bytes: bytes, loaded: loaded,
                                 chunks: Chunker.chunk(loaded, options: options.chunking))
            }
        }
        switch TextDecoding.decode(raw, maxBytes: options.maxFileBytes) {
        case .failure(let reason):
            return .skipped(reason, bytes: bytes)
        case .success(let text):
            let loaded = DocumentLoader.load(text: text, path: path, format: format)
            let chunks = Chunker.chunk(loaded, options: options.chunking)
            return .document(hash: hash, bytes: bytes, loaded: loaded, chunks: chunks)
        }
    }

    private func record(_ file: FoundFile, _ outcome: Outcome, stored: StoredDocument?,
                        goneByHash: inout [String: [String]], gone: inout [String: StoredDocument],
                        writer: any IndexWriting, summary: inout IndexSummary, events: (IndexEvent) -> Void) throws {
        switch outcome {
        case .vanished:
            // Listed, then deleted before it could be read: it is simply no longer part of the tree.
            if let stored { try writer.removeDocument(id: stored.id) }
            if stored?.status == .indexed {
                summary.removed += 1
            } else {
                summary.skipped += 1
                summary.skippedByReason[SkipReason.vanished.rawValue, default: 0] += 1
                events(.skipped(path: file.absolutePath, reason: SkipReason.vanished.description))
            }
        case .skipped(let reason, let bytes):
            summary.bytesRead += bytes
            summary.skipped += 1
            summary.skippedByReason[reason.rawValue, default: 0] += 1
            try writer.putSkipped(path: file.absolutePath, size: file.size, mtimeNanoseconds: file.modificationTimeNanoseconds,
                                  reason: reason.rawValue)
            events(.skipped(path: file.absolutePath, reason: reason.description))
        case .possibleMove(let hash, let bytes):
            summary.bytesRead += bytes
            if let from = goneByHash[hash]?.popLast(), let moved = gone.removeValue(forKey: from) {
                if goneByHash[hash]?.isEmpty == true { goneByHash[hash] = nil }
                try writer.moveDocument(id: moved.id, to: file.absolutePath, size: file.size,
                                        mtimeNanoseconds: file.modificationTimeNanoseconds)
                summary.renamed += 1
            } else {
                // Two copies of one moved file: the second one is new content for its path after all.
                guard let data = try? Data(contentsOf: URL(fileURLWithPath: file.absolutePath), options: .mappedIfSafe) else {
                    // Gone since it was hashed: the same as any file deleted while indexing, not a failed run.
                    summary.bytesRead -= bytes
                    try record(file, .vanished, stored: stored, goneByHash: &goneByHash, gone: &gone, writer: writer,
                               summary: &summary, events: events)
                    return
                }
                let format = DocumentFormat.forPath(file.absolutePath) ?? .text
                let reloaded = data.withUnsafeBytes {
                    Self.load($0, hash: hash, bytes: bytes, path: file.absolutePath, format: format, options: options)
                }
                summary.bytesRead -= bytes
                try record(file, reloaded, stored: stored, goneByHash: &goneByHash, gone: &gone, writer: writer,
                           summary: &summary, events: events)
            }
        case .sameContent(let bytes):
            summary.bytesRead += bytes
            summary.unchanged += 1
            if let stored {
                try writer.touchDocument(id: stored.id, size: file.size, mtimeNanoseconds: file.modificationTimeNanoseconds)
            }
        case .document(let hash, let bytes, let loaded, let chunks):
            summary.bytesRead += bytes
            let title = loaded.title ?? Self.fallbackTitle(file.absolutePath)
            summary.passagesWritten += try writer.putDocument(
                path: file.absolutePath, size: file.size, mtimeNanoseconds: file.modificationTimeNanoseconds, hash: hash,
                title: title, format: loaded.format, chunks: chunks)
            if stored?.status == .indexed { summary.updated += 1 } else { summary.added += 1 }
        }
    }

    static func fallbackTitle(_ path: String) -> String {
        let name = (path as NSString).lastPathComponent
        let stem = (name as NSString).deletingPathExtension
        return stem.isEmpty ? name : stem
    }
}

/// One slot per file of a batch, each written by exactly one worker thread and read only after
/// `concurrentPerform` has returned, which orders the writes before the reads.
private final class OutcomeSlots: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Indexer.Outcome?>
    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }
    deinit {
        slots.deinitialize()
        slots.deallocate()
    }
    func set(_ index: Int, _ outcome: Indexer.Outcome) { slots[index] = outcome }
    var values: [Indexer.Outcome] { slots.map { $0 ?? .vanished } }
}
