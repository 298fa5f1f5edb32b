import Foundation
import LoreCore
import LoreLLM
import LoreStore

/// Progress of an embedding pass, for the CLI's progress line and the UI's status bar.
public enum EmbeddingEvent: Sendable, Equatable {
    /// The pass knows its work: passages without a vector for (model, dimensions).
    case started(missing: Int, model: String, dimensions: Int)
    case progress(done: Int, total: Int, failed: Int)
    /// A passage the server refused even shortened; it stays without a vector and is tried again next run.
    case failed(passageID: Int64, reason: String)
}

public struct EmbeddingSummary: Sendable, Equatable {
    public var model = ""
    public var dimensions = 0
    public var embedded = 0
    public var failed = 0
    /// Passages cut to the input limit before they were sent, with what did not fit left unembedded.
    public var cut = 0
    /// Passages longer than the input limit embedded in parts, and the vectors they got.
    public var inParts = 0
    public var parts = 0
    /// Passages cut shorter again because the server still found them too long.
    public var truncated = 0
    /// Answers of "too large" from the server; with a server that counts tokens, none.
    public var rejections = 0
    public var requests = 0
    public var seconds = 0.0
    /// Passages with a vector once the pass ended, and passages in all.
    public var coverage = VectorCoverage(passages: 0, embedded: 0)

    public var passagesPerSecond: Double { seconds > 0 ? Double(embedded) / seconds : 0 }

    public var line: String {
        var text = "embedded \(embedded) passages with \(model) (\(dimensions) dimensions)"
        if failed > 0 { text += ", \(failed) refused by the server (retried next run)" }
        if inParts > 0 { text += ", \(inParts) long ones in \(parts) parts" }
        if cut > 0 { text += ", \(cut) cut to the input limit" }
        if rejections > 0 { text += ", \(rejections) refused as too long (\(truncated) cut again)" }
        text += String(format: " in %.1f s, %.0f passages/s; %d of %d passages have vectors", seconds, passagesPerSecond,
                       coverage.embedded, coverage.passages)
        return text
    }
}

/// One batch's passages cut into the parts that fit the model's input, and the vectors of all parts.
struct PartsOutcome: Sendable {
    var embedded: EmbeddingOutcome
    /// For each passage of the batch, the rows of `embedded` that hold its parts, in order.
    var rows: [[Int]]
    /// Passages whose text went on beyond their last part.
    var cutShort: Int
}

/// Embeds every passage that has no vector for the configured (model, dimensions), after the text index.
/// Batches go to the server with bounded concurrency and each batch is committed on arrival, so a
/// `kill -9` loses at most the batches in flight and the next run continues from what is missing.
public struct EmbeddingIndexer: Sendable {
    public var store: any PassageStore
    public var settings: EmbeddingSettings
    public var client: EmbeddingClient

    public init(store: any PassageStore, settings: EmbeddingSettings,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                retry: RetryPolicy = .standard, tokenCounting: TokenCounting = .everyLongText) {
        self.store = store
        self.settings = settings
        self.client = EmbeddingClient(settings: settings, environment: environment, retry: retry,
                                      tokenCounting: tokenCounting)
    }

    /// The parts of each passage (one when it fits, else up to `maxParts`, each led by the passage's title
    /// and headings; with one part, the passage cut to the limit), embedded in one call. The parts are
    /// already cut to fit, so the client does not count them again.
    static func embedParts(of batch: [PassageToEmbed], client: EmbeddingClient, maxParts: Int) async throws -> PartsOutcome {
        var texts: [String] = []
        var rows: [[Int]] = []
        var cutShort = 0
        for passage in batch {
            let split = await client.parts(of: passage.text, lead: passage.lead, maxParts: maxParts)
            if !split.covered { cutShort += 1 }
            rows.append(Array(texts.count..<(texts.count + split.parts.count)))
            texts += split.parts
        }
        let outcome = try await client.embed(texts, fitted: true)
        return PartsOutcome(embedded: outcome, rows: rows, cutShort: cutShort)
    }

    /// The vector size: the configured one, else what the model returns for a probe text.
    public func dimensions() async throws -> Int {
        if let d = settings.dimensions { return d }
        return try await client.embedQuery("dimension probe").count
    }

    /// Embeds what is missing, or only its first `passageLimit` passages (for benchmarks on part of a corpus).
    public func run(passageLimit: Int? = nil, events: (EmbeddingEvent) -> Void = { _ in }) async throws -> EmbeddingSummary {
        let started = DispatchTime.now()
        var summary = EmbeddingSummary()
        summary.model = settings.modelKey
        summary.dimensions = try await dimensions()
        let dims = summary.dimensions
        let missing = min(try store.vectorCoverage(model: summary.model, dimensions: dims).missing, passageLimit ?? .max)
        events(.started(missing: missing, model: summary.model, dimensions: dims))
        let batchSize = max(1, settings.batchSize)
        let inFlight = max(1, settings.concurrency)
        var afterID: Int64 = 0
        var done = 0
        var queued = 0
        var exhausted = false
        var waiting: [[PassageToEmbed]] = []
        let client = self.client
        let store = self.store
        let model = summary.model
        // The next batch to send: from the page read last, else from a new page. Pages are read as batches
        // are launched, not between them, so no batch waits for the whole of a page to finish and the
        // server always has `inFlight` requests to work on.
        func nextBatch() throws -> [PassageToEmbed]? {
            if waiting.isEmpty && !exhausted {
                let room = (passageLimit ?? .max) - queued
                let page = room > 0
                    ? try store.passagesWithoutVectors(model: model, dimensions: dims, afterID: afterID,
                                                       limit: min(batchSize * inFlight * 4, room))
                    : []
                if let last = page.last {
                    afterID = last.id
                    queued += page.count
                    waiting = stride(from: 0, to: page.count, by: batchSize)
                        .map { Array(page[$0..<min(page.count, $0 + batchSize)]) }
                } else {
                    exhausted = true
                }
            }
            return waiting.isEmpty ? nil : waiting.removeFirst()
        }
        let maxParts = settings.passageParts
        try await withThrowingTaskGroup(of: ([PassageToEmbed], PartsOutcome).self) { group in
            func launch() throws {
                guard let batch = try nextBatch() else { return }
                group.addTask { (batch, try await Self.embedParts(of: batch, client: client, maxParts: maxParts)) }
            }
            for _ in 0..<inFlight { try launch() }
            // A failed batch stops new launches, but the batches already in flight are still awaited
            // and committed: their work is done, and a resumed run need not repeat it.
            var firstError: (any Error)?
            while let result = await group.nextResult() {
                let batch: [PassageToEmbed], outcome: PartsOutcome
                switch result {
                case .failure(let error):
                    if firstError == nil { firstError = error }
                    continue
                case .success(let value):
                    (batch, outcome) = value
                }
                if firstError == nil {
                    do { try launch() } catch { firstError = error }
                }
                summary.requests += 1
                var pairs: [(passage: PassageToEmbed, vector: [Float])] = []
                for (index, passage) in batch.enumerated() {
                    let rows = outcome.rows[index]
                    let vectors = rows.map { outcome.embedded.vectors[$0] }
                    // A passage is stored with all of its parts or not at all: a next run embeds it whole.
                    if let bad = vectors.firstIndex(where: { $0?.count != dims }) {
                        summary.failed += 1
                        events(.failed(passageID: passage.id, reason: outcome.embedded.failures[rows[bad]]
                                       ?? "the server returned \(vectors[bad]?.count ?? 0) dimensions, expected \(dims)"))
                        continue
                    }
                    for (part, vector) in vectors.enumerated() {
                        var piece = passage
                        piece.part = part
                        pairs.append((piece, vector!))
                    }
                    if vectors.count > 1 { summary.inParts += 1; summary.parts += vectors.count }
                }
                summary.truncated += outcome.embedded.truncatedFurther
                // A passage in parts is cut into them, not cut short; only a last part that ends early is.
                summary.cut += outcome.cutShort
                summary.rejections += outcome.embedded.rejections
                let written = try store.putVectors(pairs, model: summary.model)
                summary.embedded += written
                done += batch.count
                events(.progress(done: done, total: missing, failed: summary.failed))
            }
            if let firstError { throw firstError }
        }
        summary.coverage = try store.vectorCoverage(model: summary.model, dimensions: dims)
        // Vectors of an earlier model are dropped only once the new one covers everything, so a failed
        // switch leaves the knowledge base searchable as before.
        if summary.coverage.missing == 0 { try store.removeVectors(except: summary.model, dimensions: dims) }
        summary.seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        return summary
    }
}
