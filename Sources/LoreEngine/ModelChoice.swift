import LoreCore
import LoreLLM

/// Which model answers, and how Lore came to it.
public struct ModelChoice: Sendable {
    /// nil: answer extractively.
    public var settings: ModelSettings?
    /// How the choice was made, for `lore models` and the status bar ("[model] in config.toml", "found
    /// llama.cpp on 127.0.0.1:8080", "no model configured and none found on 11434 or 8080").
    public var explanation: String

    /// `--model NAME` picks a `[models.NAME]` profile; otherwise `[model]`; with neither, a local server on
    /// the usual ports is used when one answers, else answers are extractive.
    public static func resolve(config: LoreConfig, profile: String?, probe: Bool = true) async throws -> ModelChoice {
        if let profile {
            guard let settings = config.models[profile] else {
                let known = config.models.keys.sorted()
                throw LibraryError("no model profile \"\(profile)\"" + (known.isEmpty
                    ? "; define one as [models.\(profile)] in config.toml"
                    : "; known: \(known.joined(separator: ", "))"))
            }
            return ModelChoice(settings: settings, explanation: "[models.\(profile)] in config.toml")
        }
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
}
