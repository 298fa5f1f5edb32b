import CNcursesw
import Dispatch
import Foundation
import LoreCore

/// Runs the full-screen UI until the person quits. Prints nothing to stdout besides what curses draws.
/// Returns false, having said why on stderr, when there is no terminal to run in.
@MainActor
@discardableResult
public func runTUI(services: any LoreServices, initialKB: String, themeName: String?) async -> Bool {
    let runtime = TerminalRuntime(services: services, initialKB: initialKB, themeName: themeName)
    return await runtime.run()
}

/// The one place that talks to curses. It owns the terminal, turns input and signals into messages, runs
/// effects as tasks whose results come back as messages, and draws at most 60 frames a second by diffing
/// each new view against the last one. When nothing happens it waits on stdin and signals: no polling.
@MainActor
public final class TerminalRuntime {
    let services: any LoreServices
    let environment: [String: String]
    var model: AppModel
    var theme: Theme
    var depth: ColorDepth = .monochrome
    var previous: ScreenBuffer?
    var tasks: [Int: Task<Void, Never>] = [:]
    var watchTask: Task<Void, Never>?
    var pairs: [PairKey: Int32] = [:]
    var nextPair: Int32 = 1
    var maxPairs: Int32 = 0
    var keyCodes: KeyCodes?
    var screen: OpaquePointer?
    var window: UnsafeMutablePointer<WINDOW>?
    var sources: [any DispatchSourceProtocol] = []
    var inbox: AsyncStream<Msg>.Continuation?
    var drawScheduled = false
    var lastDraw = ContinuousClock.now
    var ticking = false
    var initialThemeError: String?
    /// Text between the bracketed-paste markers, while a paste is arriving.
    var pasting: String?
    /// Set only when LORE_TRACE names a file: one line per frame for `bench/tui.sh`.
    let trace: FrameTrace?
    /// When the input behind the next frame was read (only kept while tracing).
    var inputReadAt: UInt64?

    /// Codes curses returns for the bracketed-paste markers once `define_key` has taught it them; any
    /// values above KEY_MAX that curses does not use itself will do.
    static let pasteStart: Int32 = 0x7F01
    static let pasteEnd: Int32 = 0x7F02

    struct PairKey: Hashable {
        var fg: Int
        var bg: Int
    }

    public init(services: any LoreServices, initialKB: String, themeName: String?) {
        self.services = services
        environment = ProcessInfo.processInfo.environment
        trace = environment["LORE_TRACE"].flatMap(FrameTrace.init(path:))
        let name = themeName ?? environment["LORE_THEME"] ?? ThemeLoader.defaultName
        do {
            theme = try ThemeLoader.load(name, environment: environment)
        } catch {
            theme = ThemeLoader.builtin(ThemeLoader.defaultName)!
            initialThemeError = "\(error)"
        }
        model = AppModel(rows: 24, cols: 80, kbName: initialKB, themeName: theme.name,
                         themeNames: ThemeLoader.availableNames(environment: environment))
        let searchPath = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        model.pdfViewer = DocumentViewerCommand.choose(environment: environment) { name in
            searchPath.contains { FileManager.default.isExecutableFile(atPath: $0 + "/" + name) }
        }
    }

    @discardableResult
    public func run() async -> Bool {
        let (stream, continuation) = AsyncStream<Msg>.makeStream()
        inbox = continuation
        guard start() else { return false }
        defer { stop() }
        if let initialThemeError { post(.failed(initialThemeError)) }
        for effect in [Effect.openKnowledgeBase(model.kbName), .loadKnowledgeBases, .refreshModel] {
            perform(effect)
        }
        draw()
        for await msg in stream {
            apply(msg)
            if model.shouldQuit { break }
        }
        for task in tasks.values { task.cancel() }
        return true
    }

    // MARK: terminal setup and teardown

    func start() -> Bool {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            FileHandle.standardError.write(Data("lore: the chat screen needs a terminal on stdin and stdout; use `lore ask` in scripts and pipes\n".utf8))
            return false
        }
        setlocale(LC_ALL, "")
        screen = lore_newterm()
        guard screen != nil else {
            FileHandle.standardError.write(Data("lore: cannot start the terminal UI (TERM=\(environment["TERM"] ?? "unset")); use `lore ask` instead\n".utf8))
            return false
        }
        window = lore_stdscr()
        raw()
        noecho()
        nonl()
        keypad(window, true)
        nodelay(window, true)
        set_escdelay(25)
        curs_set(1)
        mousemask(lore_wheel_mask(), nil)
        mouseinterval(0)
        if has_colors() {
            start_color()
            use_default_colors()
        }
        depth = ColorDepth.detect(terminalColors: has_colors() ? Int(lore_colors()) : 0, environment: environment)
        maxPairs = Int32(lore_color_pairs())
        keyCodes = KeyCodes(
            up: KEY_UP, down: KEY_DOWN, left: KEY_LEFT, right: KEY_RIGHT, home: KEY_HOME, end: KEY_END,
            pageUp: KEY_PPAGE, pageDown: KEY_NPAGE, backspace: KEY_BACKSPACE, delete: KEY_DC, enter: KEY_ENTER,
            backTab: KEY_BTAB, f0: Int32(lore_key_f0()),
            ctrlLeft: Int32(lore_key_code_for("kLFT5")), ctrlRight: Int32(lore_key_code_for("kRIT5")),
            altLeft: Int32(lore_key_code_for("kLFT3")), altRight: Int32(lore_key_code_for("kRIT3")))
        define_key("\u{1B}[200~", Self.pasteStart)
        define_key("\u{1B}[201~", Self.pasteEnd)
        setBracketedPaste(true)
        updateSize()
        installSources()
        return true
    }

    /// With bracketed paste on, the terminal marks pasted text, so a pasted multi-line question lands in
    /// the editor instead of sending its first line on the first newline.
    func setBracketedPaste(_ on: Bool) {
        // Written straight to the terminal: the mode is independent of anything curses has buffered.
        let sequence = Array((on ? "\u{1B}[?2004h" : "\u{1B}[?2004l").utf8)
        _ = sequence.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    }

    func stop() {
        for source in sources { source.cancel() }
        sources = []
        if screen != nil {
            setBracketedPaste(false)
            endwin()
            delscreen(screen)
            screen = nil
        }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
        signal(SIGHUP, SIG_DFL)
    }

    func installSources() {
        let input = DispatchSource.makeReadSource(fileDescriptor: STDIN_FILENO, queue: .main)
        input.setEventHandler { [weak self] in MainActor.assumeIsolated { self?.readInput() } }
        input.resume()
        sources.append(input)
        let winch = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .main)
        winch.setEventHandler { [weak self] in MainActor.assumeIsolated { self?.terminalResized() } }
        winch.resume()
        sources.append(winch)
        // Quit cleanly on termination signals so the terminal is restored.
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .main)
            source.setEventHandler { [weak self] in
                MainActor.assumeIsolated {
                    self?.model.shouldQuit = true
                    self?.post(.tick)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    func terminalResized() {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0, size.ws_col > 0 {
            resizeterm(Int32(size.ws_row), Int32(size.ws_col))
        }
        updateSize()
    }

    func updateSize() {
        var rows: Int32 = 0
        var cols: Int32 = 0
        lore_getmaxyx(window, &rows, &cols)
        if Int(rows) != model.rows || Int(cols) != model.cols {
            post(.resize(rows: Int(rows), cols: Int(cols)))
        }
    }

    // MARK: input

    func readInput() {
        guard let window, let keyCodes else { return }
        if trace != nil, inputReadAt == nil { inputReadAt = FrameTrace.monotonicMicros() }
        var pendingEscape = false
        while true {
            var ch: wint_t = 0
            let status = wget_wch(window, &ch)
            if status == lore_err() { break }
            let isKey = status == lore_key_code_yes()
            if isKey && Int32(ch) == Self.pasteStart {
                pasting = ""
                continue
            }
            if isKey && Int32(ch) == Self.pasteEnd {
                if let text = pasting { post(.paste(text)) }
                pasting = nil
                continue
            }
            if pasting != nil {
                if !isKey, let scalar = Unicode.Scalar(UInt32(ch)) {
                    pasting!.unicodeScalars.append(scalar == "\r" ? "\n" : scalar)
                }
                continue
            }
            if isKey && Int32(ch) == lore_key_resize() {
                updateSize()
                continue
            }
            if isKey && Int32(ch) == lore_key_mouse() {
                let wheel = lore_mouse_wheel()
                if wheel != 0 { post(.key(KeyEvent(wheel < 0 ? .wheelUp : .wheelDown))) }
                continue
            }
            if !isKey && ch == 0x1A {
                suspend()
                continue
            }
            guard var event = KeyEvent.decode(code: UInt32(ch), isFunctionKey: isKey, keyCodes: keyCodes) else {
                continue
            }
            // ESC followed at once by another key is how terminals send Alt-key.
            if event.key == KeyEvent.Key.escape && !pendingEscape {
                pendingEscape = true
                continue
            }
            if pendingEscape {
                pendingEscape = false
                if event.key == KeyEvent.Key.escape {
                    post(.key(KeyEvent.escape))
                    continue
                }
                event.alt = true
            }
            post(.key(event))
        }
        if pendingEscape { post(.key(KeyEvent.escape)) }
    }

    // MARK: messages, effects and drawing

    func post(_ msg: Msg) {
        inbox?.yield(msg)
    }

    func apply(_ msg: Msg) {
        model.now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        let effects = update(&model, msg)
        for effect in effects { perform(effect) }
        scheduleDraw()
        scheduleTicks()
    }

    /// Draws now if a frame's time has passed since the last one, else once at the next frame boundary, so
    /// a burst of tokens costs one redraw per frame.
    func scheduleDraw() {
        guard !drawScheduled else { return }
        drawScheduled = true
        let wait = Duration.milliseconds(16) - (ContinuousClock.now - lastDraw)
        Task { @MainActor in
            if wait > .zero { try? await Task.sleep(for: wait) }
            self.drawScheduled = false
            self.draw()
        }
    }

    /// Sends ticks only while something animates (a spinner, a streaming cursor); idle costs nothing.
    func scheduleTicks() {
        let animating = model.isStreaming || model.activeIndex != nil
            || { if case .viewer(let v) = model.overlay { return v.text == nil && v.error == nil }; return false }()
        guard animating, !ticking else { return }
        ticking = true
        Task { @MainActor in
            try? await Task.sleep(for: .milliseconds(80))
            self.ticking = false
            self.post(.tick)
        }
    }

    func draw() {
        guard let window, screen != nil else { return }
        let started = trace == nil ? 0 : FrameTrace.monotonicMicros()
        let frame = view(model)
        let runs = ScreenBuffer.diff(old: previous, new: frame)
        let built = trace == nil ? 0 : FrameTrace.monotonicMicros()
        for run in runs {
            let resolved = theme.resolve(run.style, depth: depth)
            _ = lore_wattr_set_pair(window, attributes(resolved.attributes), pair(for: resolved))
            var wide = run.text.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
            wide.append(0)
            _ = mvwaddnwstr(window, Int32(run.row), Int32(run.col), wide, Int32(wide.count - 1))
        }
        if let cursor = frame.cursor {
            curs_set(1)
            wmove(window, Int32(cursor.row), Int32(cursor.col))
        } else {
            curs_set(0)
        }
        wnoutrefresh(window)
        doupdate()
        previous = frame
        lastDraw = .now
        if let trace {
            let done = FrameTrace.monotonicMicros()
            trace.frame(build: built - started, output: done - built, runs: runs.count,
                        inputToScreen: inputReadAt.map { done - $0 },
                        kbLoaded: model.kb != nil, modelKnown: model.model != nil, streaming: model.isStreaming)
            inputReadAt = nil
        }
    }

    func attributes(_ a: TextAttributes) -> attr_t {
        var out = lore_a_normal()
        if a.contains(.bold) { out |= lore_a_bold() }
        if a.contains(.dim) { out |= lore_a_dim() }
        if a.contains(.italic) { out |= lore_a_italic() }
        if a.contains(.underline) { out |= lore_a_underline() }
        if a.contains(.reverse) { out |= lore_a_reverse() }
        return out
    }

    /// The colour pair for a resolved style, created on first use; pair 0 (terminal defaults) when the
    /// terminal has run out of pairs.
    func pair(for style: ResolvedStyle) -> Int32 {
        guard depth != .monochrome else { return 0 }
        let key = PairKey(fg: style.fg ?? -1, bg: style.bg ?? -1)
        if key.fg == -1 && key.bg == -1 { return 0 }
        if let p = pairs[key] { return p }
        guard nextPair < maxPairs else { return 0 }
        let p = nextPair
        nextPair += 1
        init_extended_pair(p, Int32(key.fg), Int32(key.bg))
        pairs[key] = p
        return p
    }

    /// Forgets what is on screen so the next frame is written whole.
    func invalidate() {
        previous = nil
        clearok(lore_curscr(), true)
    }

    /// Ctrl-Z: give the terminal back, stop, and redraw everything when continued.
    func suspend() {
        setBracketedPaste(false)
        endwin()
        signal(SIGTSTP, SIG_DFL)
        // To the process group, not raise(): this code may run on a thread that blocks SIGTSTP, and a
        // signal raised on such a thread would stay pending instead of stopping the job.
        kill(0, SIGTSTP)
        // Execution resumes here after SIGCONT.
        refresh()
        setBracketedPaste(true)
        terminalResized()
        invalidate()
        scheduleDraw()
    }

    func perform(_ effect: Effect) {
        let services = self.services
        switch effect {
        case .ask(let id, let question, let history, let kb, let conversationID):
            tasks[id] = Task { @MainActor in
                do {
                    for try await event in services.ask(question, history: history, kb: kb, conversationID: conversationID) {
                        self.post(.answer(request: id, event))
                    }
                    self.post(.answerEnded(request: id, error: nil))
                } catch is CancellationError {
                    self.post(.answerEnded(request: id, error: nil))
                } catch {
                    self.post(.answerEnded(request: id, error: Self.describe(error)))
                }
                self.tasks[id] = nil
            }
        case .cancel(let id):
            tasks[id]?.cancel()
            tasks[id] = nil
        case .reindex(let id, let kb):
            tasks[id] = Task { @MainActor in
                for await event in services.reindex(kb) {
                    self.post(.indexProgress(request: id, event))
                }
                self.tasks[id] = nil
            }
        case .watch(let id, let kb):
            // Cancelling the task drops the stream, which ends the watch on the knowledge base left behind.
            watchTask?.cancel()
            watchTask = Task { @MainActor in
                for await event in services.watch(kb) {
                    self.post(.watchStatus(request: id, event))
                }
            }
        case .tickAfter(let seconds):
            Task { @MainActor in
                try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                self.post(.tick)
            }
        case .loadKnowledgeBases:
            run { .knowledgeBasesLoaded(try await services.knowledgeBases()) }
        case .openKnowledgeBase(let name):
            run {
                do {
                    return .knowledgeBaseOpened(try await services.openKnowledgeBase(name))
                } catch {
                    return .knowledgeBaseOpenFailed(name: name, error: Self.describe(error))
                }
            }
        case .addKnowledgeBase(let name, let path):
            run {
                let kb = try await services.addKnowledgeBase(name: name, path: path)
                return .notice(Notice(.info, "Added \(kb.name) (\(path)). Open it with /kb \(kb.name), re-index with Ctrl-R in the picker."))
            }
        case .removeKnowledgeBase(let name):
            run {
                try await services.removeKnowledgeBase(name)
                return .notice(Notice(.info, "Removed \(name)."))
            }
        case .loadDocument(let id, let path, let kb):
            Task { @MainActor in
                do {
                    self.post(.documentLoaded(request: id, text: try await services.documentText(path: path, kb: kb)))
                } catch {
                    self.post(.documentFailed(request: id, error: Self.describe(error)))
                }
            }
        case .refreshModel:
            let kb = model.kbName
            Task { @MainActor in self.post(.modelStatus(await services.modelStatus(kb: kb))) }
        case .selectModel(let name):
            let kb = model.kbName
            run { .modelStatus(try await services.selectModel(name, kb: kb)) }
        case .loadConversations(let kb):
            run { .conversationsLoaded(try await services.conversations(kb: kb)) }
        case .loadConversation(let id, let kb):
            run { .conversationLoaded(try await services.loadConversation(id: id, kb: kb)) }
        case .rate(let turnID, let kb, let rating):
            run {
                try await services.rate(turnID: turnID, kb: kb, rating: rating)
                return .rated(turnID: turnID, rating: rating)
            }
        case .applyTheme(let name):
            do {
                theme = try ThemeLoader.load(name, environment: environment)
                pairs = [:]
                nextPair = 1
                invalidate()
                post(.themeApplied(theme.name))
            } catch {
                post(.failed(Self.describe(error)))
            }
        case .export(let markdown):
            exportConversation(markdown)
        case .openInEditor(let path, let line):
            openExternally(path: resolve(path), line: line)
        case .openDocument(let path, let page):
            openInDocumentViewer(path: resolve(path), page: page)
        case .redraw:
            invalidate()
        case .quit:
            model.shouldQuit = true
        }
    }

    /// Runs a service call and posts its message, or its error as an inline notice.
    func run(_ call: @escaping @Sendable () async throws -> Msg) {
        Task { @MainActor in
            do {
                self.post(try await call())
            } catch {
                self.post(.failed(Self.describe(error)))
            }
        }
    }

    nonisolated static func describe(_ error: any Error) -> String {
        TerminalText.sanitize(String(describing: error), keepNewlines: false)
    }

    /// A document path from the index made absolute against the knowledge base's only root.
    func resolve(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        if let root = model.kb?.paths.first { return root + "/" + path }
        return path
    }

    func exportConversation(_ markdown: String) {
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let path = FileManager.default.currentDirectoryPath + "/lore-\(model.kbName)-\(stamp).md"
        do {
            try markdown.write(toFile: path, atomically: true, encoding: .utf8)
            post(.notice(Notice(.info, "Saved the conversation to \(path).")))
        } catch {
            post(.failed("Cannot write \(path): \(error.localizedDescription)"))
        }
    }

    /// Leaves curses, runs $EDITOR (or $PAGER, or less) on the file at `line`, and comes back to a fully
    /// redrawn screen.
    func openExternally(path: String, line: Int) {
        let command: String
        if let editor = environment["VISUAL"] ?? environment["EDITOR"], !editor.isEmpty {
            command = "\(editor) \"+$1\" \"$2\""
        } else {
            command = "${PAGER:-less} \"+$1\" \"$2\""
        }
        def_prog_mode()
        setBracketedPaste(false)
        endwin()
        var failure: String?
        let status = runInForeground(["/bin/sh", "-c", command, "sh", String(max(1, line)), path])
        if status == 127 {
            failure = "Cannot run the editor: \(command) (set $EDITOR or $PAGER)."
        } else if status != 0 {
            failure = "The editor exited with status \(status) (command: \(command))."
        }
        reset_prog_mode()
        setBracketedPaste(true)
        terminalResized()
        invalidate()
        if let failure { post(.failed(failure)) }
        scheduleDraw()
    }

    /// Starts the person's PDF viewer on the file at `page`, beside Lore rather than in its terminal: viewers
    /// are windowed programs, so Lore keeps the screen and is told only if the viewer fails. Its output goes
    /// to /dev/null, where it cannot scribble over the curses screen.
    func openInDocumentViewer(path: String, page: Int) {
        let name = (path as NSString).lastPathComponent
        // The viewer found at the start, so that what runs is what the hint named.
        guard let chosen = model.pdfViewer else {
            post(.failed(DocumentViewerCommand.notFoundMessage(for: path)))
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chosen.arguments[0])
        process.arguments = Array(chosen.arguments.dropFirst()) + [String(max(1, page)), path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let program = chosen.program
        process.terminationHandler = { [weak self] finished in
            let status = finished.terminationStatus
            guard status != 0 else { return }
            Task { @MainActor in
                self?.post(.failed("\(program) could not open \(name) (exit status \(status)); set $LORE_PDF_VIEWER to choose another viewer."))
            }
        }
        do {
            try process.run()
            post(.notice(Notice(.info, chosen.opensAtPage ? "Opened \(name) at page \(page) in \(program)."
                                                          : "Opened \(name) in \(program) (it cannot be told the page: \(page)).")))
        } catch {
            post(.failed("Cannot start \(program): \(error.localizedDescription)"))
        }
    }

    /// Runs a program that owns the terminal until it exits, and returns its exit status (127 when it could
    /// not start). It gets a process group of its own in the foreground, so Ctrl-C or Ctrl-Z typed in it
    /// reach it alone, not Lore; default signal handling and an empty signal mask, whatever Lore's threads
    /// block; and the wait blocks the main queue, so Lore's input source cannot read the editor's keys.
    func runInForeground(_ argv: [String]) -> Int32 {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, argv[0], nil, &attributes, &cArgs, environ) == 0 else { return 127 }
        // Handing the terminal back from the background would raise SIGTTOU; Lore expects that.
        signal(SIGTTOU, SIG_IGN)
        defer { signal(SIGTTOU, SIG_DFL) }
        let ownsTerminal = tcsetpgrp(STDIN_FILENO, pid) == 0
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WUNTRACED)
            if r == -1 && errno == EINTR { continue }
            if r == -1 { break }
            // Stopped with Ctrl-Z: there is no shell job to resume it from, so carry on.
            if status & 0xFF == 0x7F {
                kill(pid, SIGCONT)
                continue
            }
            break
        }
        if ownsTerminal { tcsetpgrp(STDIN_FILENO, getpgrp()) }
        let exited = status & 0x7F == 0
        return exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }
}

/// The frame trace behind `LORE_TRACE=/path`: one line per frame with its wall-clock time (to compare with
/// the launch time a benchmark took), how long the view and diff took, how long curses took to write it,
/// and, for a frame that followed input, the time from reading that input to `doupdate` returning.
/// Written with plain `write(2)` on a descriptor opened once, so tracing costs a syscall per frame; when
/// the variable is unset nothing of this exists.
final class FrameTrace {
    private let fd: Int32

    init?(path: String) {
        guard !path.isEmpty else { return nil }
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
    }

    deinit { close(fd) }

    static func monotonicMicros() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) * 1_000_000 + UInt64(t.tv_nsec) / 1000
    }

    static func wallMicros() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return UInt64(t.tv_sec) * 1_000_000 + UInt64(t.tv_nsec) / 1000
    }

    func frame(build: UInt64, output: UInt64, runs: Int, inputToScreen: UInt64?, kbLoaded: Bool, modelKnown: Bool,
               streaming: Bool) {
        var line = "frame wall_us=\(Self.wallMicros()) build_us=\(build) output_us=\(output) runs=\(runs)"
        line += " input_us=\(inputToScreen.map(String.init) ?? "-") kb=\(kbLoaded ? 1 : 0)"
        line += " model=\(modelKnown ? 1 : 0) streaming=\(streaming ? 1 : 0)\n"
        _ = line.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
    }
}
