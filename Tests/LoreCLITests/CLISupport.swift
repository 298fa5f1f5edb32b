import Foundation
import LoreCore
import LoreTestSupport
import Testing

/// What one run of the binary left behind.
struct CommandResult {
    var status: Int32
    var signalled: Bool
    var stdout: Data
    var stderr: Data
    var out: String { String(decoding: stdout, as: UTF8.self) }
    var err: String { String(decoding: stderr, as: UTF8.self) }
}

/// A throwaway `LORE_HOME` and working folder; every command runs with both.
final class CLISandbox {
    let base: String
    let home: String
    let work: String
    let binary: String

    init(sourceLocation: SourceLocation = #_sourceLocation) throws {
        binary = try #require(loreBinary, """
            the lore executable is not built; run `swift build --build-tests` (or `make test`) before the tests
            """, sourceLocation: sourceLocation)
        base = NSTemporaryDirectory() + "lore-cli-" + UUID().uuidString
        home = base + "/home"
        work = base + "/work"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: base) }

    var configFile: String { home + "/config/config.toml" }

    /// Starts `lore` with output going to files, so a chatty process can never block on a full pipe.
    func start(_ arguments: [String], tag: String = UUID().uuidString) throws -> RunningCommand {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: work)
        var environment = ["LORE_HOME": home, "HOME": base, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]
        if let tmp = ProcessInfo.processInfo.environment["TMPDIR"] { environment["TMPDIR"] = tmp }
        process.environment = environment
        let outPath = base + "/\(tag).out", errPath = base + "/\(tag).err"
        guard FileManager.default.createFile(atPath: outPath, contents: nil),
              FileManager.default.createFile(atPath: errPath, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: outPath])
        }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try out.close()
        try err.close()
        return RunningCommand(process: process, outPath: outPath, errPath: errPath)
    }

    @discardableResult
    func run(_ arguments: String...) throws -> CommandResult { try run(arguments) }

    @discardableResult
    func run(_ arguments: [String]) throws -> CommandResult { try start(arguments).wait() }

    func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}

struct RunningCommand {
    let process: Process
    let outPath: String
    let errPath: String

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    func wait() throws -> CommandResult {
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus,
                             signalled: process.terminationReason == .uncaughtSignal,
                             stdout: try Data(contentsOf: URL(fileURLWithPath: outPath)),
                             stderr: try Data(contentsOf: URL(fileURLWithPath: errPath)))
    }
}

/// Documents Lore can read under a folder, hidden entries left out, as the walk counts them.
func documentCount(under folder: String) -> Int {
    guard let walk = FileManager.default.enumerator(atPath: folder) else { return 0 }
    var count = 0
    for case let relative as String in walk {
        if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: folder + "/" + relative, isDirectory: &isDirectory)
        if exists && !isDirectory.boolValue && DocumentFormat.forPath(relative) != nil { count += 1 }
    }
    return count
}
