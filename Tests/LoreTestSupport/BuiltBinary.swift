import Foundation

/// The package's root folder, from this file's place in it (for `sample-kb` and the built binary).
public let packageRoot: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// The built `lore` executable: `LORE_BINARY`, else beside the test bundle (where `swift build
/// --build-tests` puts it, whatever the scratch path), else `.build/debug/lore`.
public let loreBinary: String? = {
    var candidates: [String] = []
    if let explicit = ProcessInfo.processInfo.environment["LORE_BINARY"] { candidates.append(explicit) }
    if let me = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        candidates.append((me as NSString).deletingLastPathComponent + "/lore")
    }
    if let first = CommandLine.arguments.first {
        candidates.append(((first as NSString).standardizingPath as NSString).deletingLastPathComponent + "/lore")
    }
    candidates.append(packageRoot + "/.build/debug/lore")
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}()
