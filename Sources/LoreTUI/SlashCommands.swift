/// The commands typed after "/" in the input, with the one-line help the completion popup shows.
public enum SlashCommand: String, Sendable, CaseIterable {
    case help, kb, model, theme, new, history, export, reindex, quit

    public var summary: String {
        switch self {
        case .help: return "keys and commands"
        case .kb: return "pick, add, re-index or remove a knowledge base (/kb NAME switches)"
        case .model: return "show the model (/model NAME switches)"
        case .theme: return "switch theme: /theme NAME"
        case .new: return "start a new conversation"
        case .history: return "reopen an earlier conversation"
        case .export: return "save this conversation as Markdown"
        case .reindex: return "re-index the current knowledge base"
        case .quit: return "leave Lore"
        }
    }

    /// How the help lists the command: with its argument where the command needs one.
    public var usage: String {
        switch self {
        case .theme: return "/theme NAME"
        default: return "/\(rawValue)"
        }
    }

    /// What completing the current input could produce: command names while the first word is typed,
    /// theme names after "/theme ".
    public static func completions(for input: String, themes: [String]) -> [(text: String, summary: String)] {
        guard input.hasPrefix("/"), !input.contains("\n") else { return [] }
        let body = input.dropFirst()
        if let space = body.firstIndex(of: " ") {
            let command = body[..<space]
            let argument = body[body.index(after: space)...].lowercased()
            guard command == "theme" else { return [] }
            return themes.filter { $0.lowercased().hasPrefix(argument) && $0.lowercased() != argument }
                .map { ("/theme \($0)", "theme") }
        }
        let typed = body.lowercased()
        return allCases.filter { $0.rawValue.hasPrefix(typed) && $0.rawValue != typed }
            .map { ("/\($0.rawValue)", $0.summary) }
    }
}
