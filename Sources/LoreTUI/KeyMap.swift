/// Where a key is pressed. `update` looks a key up in the contexts that apply to the screen, in order, and
/// the first that knows the key acts on it.
public enum KeyContext: Sendable, Hashable, CaseIterable {
    /// Before anything else, even with an overlay open.
    case anywhere
    /// The terminal is below the minimum size and only the notice shows.
    case tooSmall
    /// The main screen with no overlay, whatever has the focus.
    case main
    /// The command completion popup is showing.
    case completion
    case input, chat, sources
    case helpOverlay, viewer, history
    case knowledgeBases, addFolder, confirmRemove
    /// The text field of the knowledge base picker, in the modes that have one.
    case filter
    /// Handled by the runtime or the terminal itself; such keys never reach `update`.
    case terminal
}

/// What a key does. The handler of the context the key is pressed in carries it out, so the same action
/// means the natural thing in each place (`up` scrolls the chat, picks the previous source, …).
public enum KeyAction: Sendable, Hashable {
    case quit, redraw
    /// Ctrl-C: stops the answer, else clears the input, else quits.
    case interrupt
    /// Esc: stops the answer, else hides the sources overlay, else clears a command, else focuses the input.
    case back
    case showHelp, showHelpOnEmptyInput, toggleSources, openKnowledgeBasesOnEmptyInput
    case focusNext, focusPrevious
    case complete, previousCompletion, nextCompletion
    case send, newLine, type
    case lineStart, lineEnd, deleteToLineEnd, deleteToLineStart, deleteWordBackward
    case wordLeft, wordRight, characterLeft, characterRight, deleteForward, backspace
    case up, down, top, bottom, pageUp, pageDown, wheelUp, wheelDown
    case previousCitation, nextCitation
    case open, openInEditor, close
    case addFolder, reindex, remove, confirm, cancel
    /// `+` / `-` in the chat: rate the latest answer good / bad; the same key again clears the rating.
    case rateGood, rateBad
    case suspend
}

/// Which key events a stroke stands for. A modifier that is nil may be held or not.
public struct KeyPattern: Sendable, Hashable {
    public enum Key: Sendable, Hashable {
        case exactly(KeyEvent.Key)
        /// Any character key: what typing produces.
        case anyCharacter
        case anyKey
    }

    public var key: Key
    public var ctrl: Bool?
    public var alt: Bool?

    public init(_ key: Key, ctrl: Bool? = false, alt: Bool? = false) {
        self.key = key
        self.ctrl = ctrl
        self.alt = alt
    }

    /// The key with no modifier held.
    public static func plain(_ key: KeyEvent.Key) -> KeyPattern { KeyPattern(.exactly(key)) }
    /// The key with or without modifiers.
    public static func any(_ key: KeyEvent.Key) -> KeyPattern { KeyPattern(.exactly(key), ctrl: nil, alt: nil) }
    public static func char(_ c: Character) -> KeyPattern { plain(.char(c)) }
    public static func ctrl(_ c: Character, alt: Bool? = false) -> KeyPattern {
        KeyPattern(.exactly(.char(c)), ctrl: true, alt: alt)
    }
    public static func ctrl(_ key: KeyEvent.Key) -> KeyPattern { KeyPattern(.exactly(key), ctrl: true) }
    public static func alt(_ key: KeyEvent.Key) -> KeyPattern { KeyPattern(.exactly(key), alt: true) }
    public static let typing = KeyPattern(.anyCharacter)
    public static let anyKey = KeyPattern(.anyKey, ctrl: nil, alt: nil)

    public func matches(_ event: KeyEvent) -> Bool {
        if let ctrl, ctrl != event.ctrl { return false }
        if let alt, alt != event.alt { return false }
        switch key {
        case .exactly(let k): return k == event.key
        case .anyCharacter: if case .char = event.key { return true }; return false
        case .anyKey: return true
        }
    }

    /// Stands for one key rather than a whole class of them; such strokes win over typing and "any key".
    var isSpecific: Bool { if case .exactly = key { return true }; return false }
}

/// One key (or class of keys) in one context and what it does there.
public struct KeyStroke: Sendable, Hashable {
    public var pattern: KeyPattern
    public var context: KeyContext
    public var action: KeyAction

    public init(_ pattern: KeyPattern, _ context: KeyContext, _ action: KeyAction) {
        self.pattern = pattern
        self.context = context
        self.action = action
    }
}

/// One entry of the help: the keys as a person reads them, what they do, and the strokes behind it.
public struct KeyBinding: Sendable, Equatable {
    /// Where the help text of a binding is shown.
    public enum Section: Sendable, Hashable {
        /// The help overlay's list of keys.
        case keys
        /// After the command list in the help overlay.
        case commands
        /// The title of the help overlay.
        case helpOverlay
        /// Footer of the source viewer.
        case viewer
        /// Title of the conversation picker.
        case history
        /// Footer of the knowledge base picker, one section per mode.
        case knowledgeBases, addFolder, confirmRemove
        /// The notice shown when the terminal is too small.
        case tooSmall
    }

    public var keys: String
    public var help: String
    public var section: Section
    public var strokes: [KeyStroke]

    public init(_ keys: String, _ help: String, _ section: Section, _ strokes: [KeyStroke]) {
        self.keys = keys
        self.help = help
        self.section = section
        self.strokes = strokes
    }

    /// A binding listed in the help overlay's keys.
    public init(_ keys: String, _ help: String, _ strokes: [KeyStroke]) {
        self.init(keys, help, .keys, strokes)
    }

    /// "Enter switch", as footers and titles show a binding.
    public var hint: String { "\(keys) \(help)" }
}

/// Every key Lore reacts to, with its help. The key handlers dispatch through it and the help overlay,
/// footers and titles are drawn from it, so a key and its description cannot drift apart.
public struct KeyMap: Sendable, Equatable {
    public var bindings: [KeyBinding]

    public init(_ bindings: [KeyBinding]) {
        self.bindings = bindings
    }

    /// What `event` does in `context`: the first stroke for that one key, else the first for a class of
    /// keys (typing, any key) that takes it.
    public func action(for event: KeyEvent, in context: KeyContext) -> KeyAction? {
        let strokes = bindings.lazy.flatMap(\.strokes).filter { $0.context == context && $0.pattern.matches(event) }
        return (strokes.first { $0.pattern.isSpecific } ?? strokes.first)?.action
    }

    public func bindings(in section: KeyBinding.Section) -> [KeyBinding] {
        bindings.filter { $0.section == section }
    }

    /// The bindings of `section` as one line of hints: "Enter switch · Esc close".
    public func hints(_ section: KeyBinding.Section) -> String {
        bindings(in: section).map(\.hint).joined(separator: " · ")
    }

    public static let `default` = KeyMap([
        // The help overlay's list, in the order it shows.
        KeyBinding("Type, then Enter", "send the question", [
            KeyStroke(.typing, .input, .type), KeyStroke(.typing, .chat, .type), KeyStroke(.typing, .sources, .type),
            KeyStroke(.typing, .filter, .type), KeyStroke(.plain(.enter), .input, .send),
        ]),
        KeyBinding("Alt-Enter, Ctrl-J", "new line in the question", [
            KeyStroke(KeyPattern(.exactly(.enter), ctrl: nil, alt: true), .input, .newLine),
            KeyStroke(.ctrl("j"), .input, .newLine),
        ]),
        KeyBinding("Up / Down", "earlier questions, lines or completions", [
            KeyStroke(.plain(.up), .input, .up), KeyStroke(.plain(.down), .input, .down),
            KeyStroke(.any(.up), .completion, .previousCompletion), KeyStroke(.any(.down), .completion, .nextCompletion),
        ]),
        KeyBinding("Ctrl-A / Ctrl-E, Home / End", "start / end of line", [
            KeyStroke(.ctrl("a"), .input, .lineStart), KeyStroke(.ctrl("e"), .input, .lineEnd),
            KeyStroke(.any(.home), .input, .lineStart), KeyStroke(.any(.end), .input, .lineEnd),
        ]),
        KeyBinding("Ctrl-K / Ctrl-U", "delete to end / start of line", [
            KeyStroke(.ctrl("k"), .input, .deleteToLineEnd), KeyStroke(.ctrl("u"), .input, .deleteToLineStart),
            KeyStroke(.ctrl("u"), .filter, .deleteToLineStart),
        ]),
        KeyBinding("Ctrl-W", "delete the word before the cursor", [
            KeyStroke(.ctrl("w"), .input, .deleteWordBackward), KeyStroke(.ctrl("w"), .filter, .deleteWordBackward),
        ]),
        KeyBinding("Alt-B / F, Ctrl-← / →", "word left / right", [
            KeyStroke(.alt(.char("b")), .input, .wordLeft), KeyStroke(.ctrl(.left), .input, .wordLeft),
            KeyStroke(.alt(.left), .input, .wordLeft),
            KeyStroke(.alt(.char("f")), .input, .wordRight), KeyStroke(.ctrl(.right), .input, .wordRight),
            KeyStroke(.alt(.right), .input, .wordRight),
        ]),
        KeyBinding("← / →, Backspace, Delete", "as usual; Ctrl-B / F / H / D too", [
            KeyStroke(.plain(.left), .input, .characterLeft), KeyStroke(.ctrl("b"), .input, .characterLeft),
            KeyStroke(.plain(.right), .input, .characterRight), KeyStroke(.ctrl("f"), .input, .characterRight),
            KeyStroke(.any(.backspace), .input, .backspace), KeyStroke(.ctrl("h"), .input, .backspace),
            KeyStroke(.any(.delete), .input, .deleteForward), KeyStroke(.ctrl("d"), .input, .deleteForward),
            KeyStroke(.plain(.left), .filter, .characterLeft), KeyStroke(.plain(.right), .filter, .characterRight),
            KeyStroke(.any(.backspace), .filter, .backspace),
        ]),
        KeyBinding("Esc, Ctrl-C", "stop the answer (its text is kept)", [
            KeyStroke(.plain(.escape), .main, .back), KeyStroke(.ctrl("c"), .main, .interrupt),
        ]),
        KeyBinding("Ctrl-C on empty input, Ctrl-Q", "quit", [
            KeyStroke(.ctrl("q"), .anywhere, .quit),
        ]),
        KeyBinding("Tab / Shift-Tab", "focus input → chat → sources", [
            KeyStroke(.plain(.tab), .main, .focusNext), KeyStroke(.any(.backTab), .main, .focusPrevious),
        ]),
        KeyBinding("PgUp / PgDn, wheel, chat ↑ ↓", "scroll (End follows the answer again)", [
            KeyStroke(.any(.pageUp), .main, .pageUp), KeyStroke(.any(.pageDown), .main, .pageDown),
            KeyStroke(.any(.wheelUp), .main, .wheelUp), KeyStroke(.any(.wheelDown), .main, .wheelDown),
            KeyStroke(.any(.up), .chat, .up), KeyStroke(.any(.down), .chat, .down),
            KeyStroke(.any(.home), .chat, .top), KeyStroke(.any(.end), .chat, .bottom),
        ]),
        // One line for both, so that the help still fits 80×24.
        KeyBinding("[ / ], ← / →, + / - in chat", "cited sources / rate answer good, bad", [
            KeyStroke(.any(.char("[")), .chat, .previousCitation), KeyStroke(.any(.left), .chat, .previousCitation),
            KeyStroke(.any(.char("]")), .chat, .nextCitation), KeyStroke(.any(.right), .chat, .nextCitation),
            KeyStroke(.char("+"), .chat, .rateGood), KeyStroke(.char("-"), .chat, .rateBad),
        ]),
        KeyBinding("↑ / ↓, Enter / o on a source", "pick, open at the passage / in $EDITOR", [
            KeyStroke(.any(.up), .sources, .up), KeyStroke(.any(.down), .sources, .down),
            KeyStroke(.any(.home), .sources, .top), KeyStroke(.any(.end), .sources, .bottom),
            KeyStroke(.any(.enter), .sources, .open), KeyStroke(.any(.enter), .chat, .open),
            KeyStroke(.char("o"), .sources, .openInEditor),
        ]),
        KeyBinding("F2, Ctrl-S", "sources pane (an overlay below 100 cols)", [
            KeyStroke(.plain(.function(2)), .main, .toggleSources), KeyStroke(.ctrl("s"), .main, .toggleSources),
        ]),
        KeyBinding("Ctrl-K on empty input, /kb", "knowledge bases", [
            KeyStroke(.ctrl("k"), .main, .openKnowledgeBasesOnEmptyInput),
        ]),
        KeyBinding("F1 or ?, Ctrl-L, Ctrl-Z", "these keys, redraw, suspend", [
            KeyStroke(.plain(.function(1)), .main, .showHelp), KeyStroke(.char("?"), .main, .showHelpOnEmptyInput),
            KeyStroke(.ctrl("l"), .anywhere, .redraw), KeyStroke(.ctrl("z"), .terminal, .suspend),
        ]),
        // The terminal selects text itself while Shift is held; there is no key for Lore to handle.
        KeyBinding("Shift-drag", "select text (the wheel scrolls Lore)", []),

        KeyBinding("Tab", "completes", .commands, [KeyStroke(.plain(.tab), .completion, .complete)]),

        KeyBinding("Esc", "closes", .helpOverlay, [
            KeyStroke(.plain(.escape), .helpOverlay, .close), KeyStroke(.plain(.enter), .helpOverlay, .close),
            KeyStroke(.char("q"), .helpOverlay, .close), KeyStroke(.char("?"), .helpOverlay, .close),
            KeyStroke(.plain(.function(1)), .helpOverlay, .close), KeyStroke(.ctrl("c"), .helpOverlay, .close),
        ]),

        KeyBinding("↑↓ PgUp PgDn", "scroll", .viewer, [
            KeyStroke(.any(.up), .viewer, .up), KeyStroke(.any(.char("k")), .viewer, .up),
            KeyStroke(.any(.down), .viewer, .down), KeyStroke(.any(.char("j")), .viewer, .down),
            KeyStroke(.any(.wheelUp), .viewer, .wheelUp), KeyStroke(.any(.wheelDown), .viewer, .wheelDown),
            KeyStroke(.any(.pageUp), .viewer, .pageUp), KeyStroke(.any(.char("b")), .viewer, .pageUp),
            KeyStroke(.any(.pageDown), .viewer, .pageDown), KeyStroke(.any(.char(" ")), .viewer, .pageDown),
            KeyStroke(.any(.home), .viewer, .top), KeyStroke(.any(.char("g")), .viewer, .top),
            KeyStroke(.any(.end), .viewer, .bottom), KeyStroke(.any(.char("G")), .viewer, .bottom),
        ]),
        KeyBinding("o", "open in $EDITOR", .viewer, [KeyStroke(.any(.char("o")), .viewer, .openInEditor)]),
        KeyBinding("Esc", "back", .viewer, [
            KeyStroke(.any(.escape), .viewer, .close), KeyStroke(.any(.char("q")), .viewer, .close),
            KeyStroke(.ctrl("c", alt: nil), .viewer, .close),
        ]),

        KeyBinding("↑↓ Enter", "opens", .history, [
            KeyStroke(.any(.up), .history, .up), KeyStroke(.any(.down), .history, .down),
            KeyStroke(.any(.enter), .history, .open),
        ]),
        KeyBinding("Esc", "closes", .history, [
            KeyStroke(.any(.escape), .history, .close), KeyStroke(.ctrl("c", alt: nil), .history, .close),
        ]),

        KeyBinding("↑↓ Enter", "switch", .knowledgeBases, [
            KeyStroke(.any(.up), .knowledgeBases, .up), KeyStroke(.any(.down), .knowledgeBases, .down),
            KeyStroke(.any(.enter), .knowledgeBases, .open),
        ]),
        KeyBinding("Ctrl-A", "add folder", .knowledgeBases, [KeyStroke(.ctrl("a", alt: nil), .knowledgeBases, .addFolder)]),
        KeyBinding("Ctrl-R", "re-index", .knowledgeBases, [KeyStroke(.ctrl("r", alt: nil), .knowledgeBases, .reindex)]),
        KeyBinding("Ctrl-D", "remove", .knowledgeBases, [
            KeyStroke(.ctrl("d", alt: nil), .knowledgeBases, .remove), KeyStroke(.any(.delete), .knowledgeBases, .remove),
        ]),
        KeyBinding("Esc", "close", .knowledgeBases, [
            KeyStroke(.any(.escape), .knowledgeBases, .close), KeyStroke(.ctrl("c", alt: nil), .knowledgeBases, .close),
        ]),
        KeyBinding("Enter", "add", .addFolder, [KeyStroke(.any(.enter), .addFolder, .confirm)]),
        KeyBinding("Esc", "back", .addFolder, [KeyStroke(.any(.escape), .addFolder, .cancel)]),
        KeyBinding("y", "remove", .confirmRemove, [
            KeyStroke(.char("y"), .confirmRemove, .confirm), KeyStroke(.char("Y"), .confirmRemove, .confirm),
        ]),
        KeyBinding("any other key", "keeps it", .confirmRemove, [KeyStroke(.anyKey, .confirmRemove, .cancel)]),

        KeyBinding("Ctrl-C", "quit", .tooSmall, [KeyStroke(.ctrl("c"), .tooSmall, .quit)]),
    ])
}
