import LoreCore

/// The keys and commands, in a box over the screen.
struct HelpOverlayView {
    /// Keys as a person reads them and what they do, one line each.
    var entries: [(keys: String, help: String)]
    /// The command list, wrapped to the description column under the heading "Commands".
    var commands: String
    var title: String

    static let maximumWidth = 80
    static let maximumKeyWidth = 31

    /// The help as the key map and the slash commands say, so that nothing is typed twice.
    init(keyMap: KeyMap, commands: [SlashCommand]) {
        entries = keyMap.bindings(in: .keys).map { ($0.keys, $0.help) }
        let completing = keyMap.hints(.commands)
        self.commands = commands.map(\.usage).joined(separator: " ") + (completing.isEmpty ? "" : " — " + completing)
        title = "Keys — " + keyMap.hints(.helpOverlay)
    }

    init(entries: [(keys: String, help: String)], commands: String, title: String) {
        self.entries = entries
        self.commands = commands
        self.title = title
    }

    /// The lines at a box width of `boxWidth`; an entry without a description spans the whole width.
    func lines(boxWidth: Int) -> (keyWidth: Int, lines: [(keys: String, help: String)]) {
        let inner = boxWidth - 4
        let keyWidth = min(Self.maximumKeyWidth, inner / 2)
        let wrapped = TextWrap.wrap(commands, width: inner - keyWidth - 1)
        return (keyWidth, entries + wrapped.enumerated().map { i, l in (i == 0 ? "Commands" : "", l) })
    }

    func draw(into buffer: inout ScreenBuffer, in screen: Rect) {
        let (keyWidth, lines) = lines(boxWidth: min(screen.width - 2, Self.maximumWidth))
        let inner = drawBox(&buffer, centered(in: screen, width: Self.maximumWidth, height: lines.count + 2), title: title)
        for (i, (key, what)) in lines.enumerated() where i < inner.height {
            let end = inner.col + inner.width
            buffer.put(key, row: inner.row + i, col: inner.col, style: TextStyle(.accent, on: .panel),
                       limit: what.isEmpty ? end : inner.col + keyWidth)
            buffer.put(what, row: inner.row + i, col: inner.col + keyWidth + 1, style: TextStyle(.foreground, on: .panel),
                       limit: end)
        }
    }
}
