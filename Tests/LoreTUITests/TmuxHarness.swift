import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Drives a program inside a detached tmux session on a private server, the way a person at a terminal
/// would: type keys, then read the screen. Used by the end-to-end UI tests.
struct TmuxHarness {
    enum Failure: Error, CustomStringConvertible {
        case tmux(arguments: [String], status: Int32, output: String)
        case timedOut(waitingFor: String, screen: String)

        var description: String {
            switch self {
            case .tmux(let arguments, let status, let output):
                return "tmux \(arguments.joined(separator: " ")) exited \(status): \(output)"
            case .timedOut(let text, let screen):
                return "timed out waiting for \(text); the screen was:\n\(screen)"
            }
        }
    }

    static let executable: String? = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    static var isAvailable: Bool { executable != nil }

    /// A server socket of its own, in the temporary directory, so tests never touch a person's tmux
    /// sessions or each other's, and `kill` can remove it afterwards.
    let socket = FileManager.default.temporaryDirectory
        .appendingPathComponent("lore-tmux-\(UUID().uuidString.prefix(8)).sock").path
    let session = "t"

    /// Starts `command` (run by the shell) in a `cols`×`rows` window with the given extra environment.
    init(command: String, cols: Int = 120, rows: Int = 40, environment: [String: String] = [:]) throws {
        var args = ["new-session", "-d", "-s", session, "-x", String(cols), "-y", String(rows)]
        for (k, v) in environment.sorted(by: { $0.key < $1.key }) { args += ["-e", "\(k)=\(v)"] }
        args.append(command)
        try run(args)
    }

    /// Runs one tmux command and returns what it printed. posix_spawn rather than Foundation's Process:
    /// the tmux server outlives the command and must start with a clean signal mask (a test process
    /// blocks most signals in its threads, and a server inheriting that ignores kill-server's SIGTERM),
    /// and output goes through a file so the daemon cannot hold a pipe open.
    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        let outputPath = socket + "-\(UUID().uuidString.prefix(8)).out"
        defer { unlink(outputPath) }
        var env = ProcessInfo.processInfo.environment
        env["TERM"] = env["TERM"].flatMap { $0.isEmpty || $0 == "dumb" ? nil : $0 } ?? "xterm-256color"
        env.removeValue(forKey: "TMUX")
        let argv = [Self.executable ?? "/usr/bin/tmux", "-S", socket, "-f", "/dev/null"] + arguments
        let envp = env.map { "\($0.key)=\($0.value)" }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var cArgs = argv.map { strdup($0) } + [nil]
        var cEnv = envp.map { strdup($0) } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, &cArgs, &cEnv)
        guard spawned == 0 else {
            throw Failure.tmux(arguments: arguments, status: spawned, output: String(cString: strerror(spawned)))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exited = status & 0x7F == 0
        let code = exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        guard code == 0 else { throw Failure.tmux(arguments: arguments, status: code, output: output) }
        return output
    }

    /// Types literal text (no key names are interpreted).
    func type(_ text: String) throws {
        try run(["send-keys", "-t", session, "-l", text])
    }

    /// Sends named keys such as "Enter", "C-c", "Escape", "F1", "PageUp".
    func press(_ keys: String...) throws {
        try run(["send-keys", "-t", session] + keys)
    }

    /// The visible screen as lines of text.
    func screen() throws -> [String] {
        var lines = try run(["capture-pane", "-p", "-t", session])
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// Polls the screen until `text` appears. The deadline only bounds a hung program; it asserts nothing
    /// about speed.
    @discardableResult
    func waitFor(_ text: String, deadline seconds: Double = 15) throws -> [String] {
        try waitUntil("\"\(text)\" on screen", deadline: seconds) { $0.contains { $0.contains(text) } }
    }

    /// Polls the screen until `condition` holds for it.
    @discardableResult
    func waitUntil(_ what: String, deadline seconds: Double = 15, _ condition: ([String]) -> Bool) throws -> [String] {
        let end = Date().addingTimeInterval(seconds)
        var last: [String] = []
        while Date() < end {
            last = try screen()
            if condition(last) { return last }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw Failure.timedOut(waitingFor: what, screen: last.joined(separator: "\n"))
    }

    /// Whether the program in the pane has exited (the pane stays around as dead only with remain-on-exit;
    /// without it the session disappears).
    func isRunning() -> Bool {
        (try? run(["has-session", "-t", session])) != nil
    }

    /// Resizes the window as a person dragging the terminal's corner would; the program gets SIGWINCH.
    func resize(cols: Int, rows: Int) throws {
        try run(["resize-window", "-t", session, "-x", String(cols), "-y", String(rows)])
    }

    /// Sets a server option, e.g. `set-clipboard on` so that an OSC 52 write would land in a paste buffer.
    func setServerOption(_ name: String, _ value: String) throws {
        try run(["set-option", "-s", name, value])
    }

    /// The names of tmux's paste buffers: a program that wrote OSC 52 through would have created one.
    func pasteBuffers() throws -> [String] {
        try run(["list-buffers", "-F", "#{buffer_name}"]).split(separator: "\n").map(String.init)
    }

    /// Flags of the pane's terminal state as tmux tracks them (`alternate_on`, `cursor_flag`,
    /// `mouse_any_flag` …), by name: what a program left set when it exited.
    func paneFlags(_ names: [String]) throws -> [String: String] {
        let format = names.map { "#{\($0)}" }.joined(separator: " ")
        let values = try run(["display-message", "-p", "-t", session, format])
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ", omittingEmptySubsequences: false)
        return Dictionary(uniqueKeysWithValues: zip(names, values.map(String.init)))
    }

    /// The process id of the pane's shell's child whose command name is `name` (the program a test runs
    /// under `sh -c`), from /proc.
    func childProcess(named name: String) throws -> pid_t? {
        let shell = try run(["display-message", "-p", "-t", session, "#{pane_pid}"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard let children = try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
        else { return nil }
        for child in children.split(separator: " ") {
            let comm = (try? String(contentsOfFile: "/proc/\(child)/comm", encoding: .utf8)) ?? ""
            if comm.trimmingCharacters(in: .whitespacesAndNewlines) == name { return pid_t(child) }
        }
        return nil
    }

    func kill() {
        _ = try? run(["kill-server"])
        unlink(socket)
    }
}
