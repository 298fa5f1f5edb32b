import LoreCore

/// Progress of one index run, as the CLI's progress bar and the UI's status bar show it.
public struct IndexProgress: Sendable, Equatable {
    public var filesDone: Int
    public var filesTotal: Int
    public var bytesDone: Int64
    public var bytesTotal: Int64
    public var passagesWritten: Int

    public var fraction: Double {
        filesTotal == 0 ? 1 : Double(filesDone) / Double(filesTotal)
    }
}

/// The outcome of one index run.
public struct IndexSummary: Sendable, Equatable, Codable {
    public var added = 0
    public var updated = 0
    public var removed = 0
    public var renamed = 0
    public var unchanged = 0
    public var skipped = 0
    public var skippedByReason: [String: Int] = [:]
    public var passagesWritten = 0
    public var bytesRead: Int64 = 0
    public var seconds: Double = 0

    public init() {}

    public var megabytesPerSecond: Double {
        seconds > 0 ? Double(bytesRead) / 1_048_576 / seconds : 0
    }

    /// "added 3, updated 1, removed 0, renamed 0, unchanged 120, skipped 2 (1 binary, 1 empty); 4.1 MB in 0.52 s, 7.9 MB/s"
    public var line: String {
        var text = "added \(added), updated \(updated), removed \(removed), renamed \(renamed), unchanged \(unchanged), skipped \(skipped)"
        if !skippedByReason.isEmpty {
            let reasons = skippedByReason.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
            text += " (" + reasons.joined(separator: ", ") + ")"
        }
        let megabytes = Double(bytesRead) / 1_048_576
        text += "; \(passagesWritten) passages written; "
        text += String(format: "%.1f MB in %.2f s, %.1f MB/s", megabytes, seconds, megabytesPerSecond)
        return text
    }
}

public enum IndexEvent: Sendable, Equatable {
    /// Another process is indexing the same knowledge base; this run starts when that one ends.
    case waitingForAnotherRun
    /// The walk is done: how many files will be looked at.
    case listed(files: Int, bytes: Int64)
    case progress(IndexProgress)
    case skipped(path: String, reason: String)
    case finished(IndexSummary)
}
