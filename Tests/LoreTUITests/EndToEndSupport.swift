import Foundation
import LoreBench
import LoreTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif


/// How the loopback model answers every `POST /v1/chat/completions`: `pieces` as OpenAI chunks, then
/// `ending`. With a `gate`, the test lets each piece (and a `.done` ending) out by opening the gate, so a test
/// that acts while an answer streams never depends on how fast a loaded machine runs.
struct ScriptedAnswer: Sendable {
    var pieces: [String]
    var gate: StepGate?
    var ending: OpenAIScript.Ending = .done
}

/// A loopback stand-in for an OpenAI-compatible server: lists one model and answers every chat request
/// with the same script.
func startModelServer(_ answer: ScriptedAnswer) throws -> LoopbackServer {
    try OpenAIScript.server { OpenAIScript.response(answer.pieces, gate: answer.gate, ending: answer.ending) }
}

/// A throwaway LORE_HOME and HOME, a config pointing at a model server, and `lore` running in tmux on it.
/// `close()` kills the tmux server and removes the folder; call it from a `defer`.
final class LoreSession {
    let base: String
    let home: String
    let binary: String
    private(set) var tmux: TmuxHarness?

    /// Exits of `lore` are shown by this marker, printed by the shell that ran it.
    static let exitMarker = "LORE-EXIT="

    init(modelPort: Int?) throws {
        binary = try #require(loreBinary, """
            the lore executable is not built; run `swift build --build-tests` (or `make test`) before the tests
            """)
        base = NSTemporaryDirectory() + "lore-e2e-" + UUID().uuidString
        home = base + "/home"
        try FileManager.default.createDirectory(atPath: home + "/config", withIntermediateDirectories: true)
        if let modelPort {
            try """
                [model]
                provider = "openai"
                base_url = "http://127.0.0.1:\(modelPort)/v1"
                """.write(toFile: home + "/config/config.toml", atomically: true, encoding: .utf8)
        }
    }

    var environment: [String: String] {
        ["LORE_HOME": home, "HOME": base, "LANG": "C.UTF-8"]
    }

    /// Runs `lore ARGS` once, outside tmux, and returns its exit status (for `lore kb add`).
    @discardableResult
    func runCommand(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
        var env = environment
        env["PATH"] = "/usr/bin:/bin"
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Opens the UI on the bundled sample-kb (ad hoc) in a `cols`×`rows` tmux window. The shell prints the
    /// exit status afterwards and stays, so a test can read the screen `lore` left behind.
    @discardableResult
    func launch(arguments: [String] = ["--kb", "./sample-kb"], cols: Int = 120, rows: Int = 40) throws -> TmuxHarness {
        let quoted = ([binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let command = "cd '\(packageRoot)' && \(quoted.joined(separator: " ")); echo \(Self.exitMarker)$?; exec sleep 600"
        let harness = try TmuxHarness(command: command, cols: cols, rows: rows, environment: environment)
        tmux = harness
        return harness
    }

    func close() {
        tmux?.kill()
        tmux = nil
        try? FileManager.default.removeItem(atPath: base)
    }
}

extension TmuxHarness {
    /// Waits for the UI to be up with the sample knowledge base indexed, so that questions find passages.
    @discardableResult
    func waitForIndexedKB(_ name: String = "sample-kb") throws -> [String] {
        try waitUntil("the status bar saying \(name) is up to date") { screen in
            screen.contains { $0.contains(" \(name) │") && $0.contains("up to date") }
        }
    }

    /// Types a question and sends it.
    func ask(_ question: String) throws {
        try type(question)
        try press("Enter")
    }

    /// The status bar: the line naming the knowledge base with its counts.
    static func statusBar(_ screen: [String]) -> String? {
        screen.last { $0.contains(" docs · ") && $0.contains(" passages") }
    }

    /// The chat pane: each line's text left of the pane divider.
    static func chatPane(_ screen: [String]) -> [String] {
        screen.map { line in
            guard let bar = line.firstIndex(of: "│") else { return line }
            return String(line[..<bar])
        }
    }

    /// The sources pane: each line's text right of the first pane divider.
    static func sourcesPane(_ screen: [String]) -> [String] {
        screen.compactMap { line in
            guard let bar = line.firstIndex(of: "│") else { return nil }
            return String(line[line.index(after: bar)...])
        }
    }
}

/// The titles of the sample-kb's Markdown documents, from their first `# ` heading.
func sampleKBMarkdownTitles() -> [String] {
    let root = packageRoot + "/sample-kb"
    guard let walk = FileManager.default.enumerator(atPath: root) else { return [] }
    var titles: [String] = []
    for case let relative as String in walk where relative.hasSuffix(".md") {
        guard let text = try? String(contentsOfFile: root + "/" + relative, encoding: .utf8) else { continue }
        if let heading = text.split(separator: "\n").first(where: { $0.hasPrefix("# ") }) {
            titles.append(String(heading.dropFirst(2)).trimmingCharacters(in: .whitespaces))
        }
    }
    return titles
}

/// Whether a captured screen shows text a terminal would only produce by obeying a control sequence meant
/// for it, or raw control bytes: a sign that an escape reached the terminal.
func screenHasRawControls(_ screen: [String]) -> Bool {
    screen.contains { line in
        line.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }
}
