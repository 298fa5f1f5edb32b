import LoreCore
import LoreLLM

/// Which model answers, and how Lore came to it.
public struct ModelChoice: Sendable {
    /// nil: answer extractively.
    public var settings: ModelSettings?
    /// How the choice was made, for `lore models` and the status bar ("[model] in config.toml", "found
    /// llama.cpp on 127.0.0.1:8080", "no model configured and none found on 11434 or 8080").
    public var explanation: String

    /// `--model NAME` picks a `[models.NAME]` profile; otherwise the knowledge base's own `[kb.NAME.model]`;
    /// otherwise `[model]`; with none, a local server on the usual ports is used when one answers, else
    /// answers are extractive.
    public static func resolve(config: LoreConfig, profile: String?, knowledgeBase: String? = nil,
                               probe: Bool = true) async throws -> ModelChoice {
        if let profile {
            guard let settings = config.models[profile] else {
                let known = config.models.keys.sorted()
                throw LibraryError("no model profile \"\(profile)\"" + (known.isEmpty
                    ? "; define one as [models.\(profile)] in config.toml"
                    : "; known: \(known.joined(separator: ", "))"))
            }
            return ModelChoice(settings: settings, explanation: "[models.\(profile)] in config.toml")
        }
        if let knowledgeBase, let own = ownChoice(config: config, knowledgeBase: knowledgeBase) { return own }
        if let settings = config.model {
            return ModelChoice(settings: settings.provider == .none ? nil : settings,
                               explanation: settings.provider == .none ? "provider \"none\" in config.toml" : "[model] in config.toml")
        }
        guard probe else {
            return ModelChoice(settings: nil, explanation: "no model configured")
        }
        let findings = await LocalServerProbe(timeout: 0.5).run()
        if let running = findings.first(where: \.isRunning), let settings = running.suggestedSettings {
            return ModelChoice(settings: settings, explanation: "no [model] configured; using \(running.description)")
        }
        return ModelChoice(settings: nil,
                           explanation: "no model configured and no local server answered (Ollama on 11434, llama.cpp on 8080)")
    }

    /// The choice from `[kb.NAME.model]`, when the knowledge base has one.
    public static func ownChoice(config: LoreConfig, knowledgeBase: String) -> ModelChoice? {
        guard let own = config.knowledgeBases[knowledgeBase]?.model else { return nil }
        let table = "[kb.\(knowledgeBase).model]"
        return ModelChoice(settings: own.provider == .none ? nil : own,
                           explanation: own.provider == .none ? "provider \"none\" in \(table)" : "\(table) in config.toml")
    }

    /// Which model answers on `knowledgeBase` in a session that started with `session`: a profile the person
    /// picked (`--model`, `/model`) holds everywhere; otherwise the knowledge base's own model, else the
    /// session's.
    public static func forKnowledgeBase(_ knowledgeBase: String, config: LoreConfig, session: ModelChoice,
                                        picked: Bool) -> ModelChoice {
        if picked { return session }
        return ownChoice(config: config, knowledgeBase: knowledgeBase) ?? session
    }

    /// The name a status bar or footer shows: the model's name, else its provider; "extractive" without one.
    public var displayName: String {
        guard let settings else { return "extractive" }
        return settings.name.isEmpty ? settings.provider.rawValue : settings.name
    }
}
