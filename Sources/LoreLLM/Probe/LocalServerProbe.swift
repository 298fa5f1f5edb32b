import Foundation
import LoreCore

/// Looks for model servers running on this machine, so that Lore can suggest a `[model]` section instead
/// of asking the person to write one: Ollama on 127.0.0.1:11434 (`/api/tags`) and llama.cpp's
/// `llama-server` on 127.0.0.1:8080 (`/v1/models`). Each check gives up after a short timeout; nothing but
/// loopback is contacted and no API key is sent.
public struct LocalServerProbe: Sendable {
    /// A server to look for.
    public struct Candidate: Sendable, Equatable {
        public var name: String
        public var provider: ModelProvider
        public var baseURL: String

        public init(name: String, provider: ModelProvider, baseURL: String) {
            self.name = name
            self.provider = provider
            self.baseURL = baseURL
        }
    }

    /// What one check found.
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public var candidate: Candidate
        /// The models the server offers; nil when it did not answer.
        public var models: [String]?
        /// Why it did not answer, in words.
        public var failure: String?

        public var isRunning: Bool { models != nil }

        /// Settings that would talk to this server, with its first model.
        public var suggestedSettings: ModelSettings? {
            guard let models else { return nil }
            return ModelSettings(provider: candidate.provider, baseURL: candidate.baseURL,
                                 name: candidate.provider == .openai ? "" : models.first)
        }

        public var description: String {
            let place = "\(candidate.name) at \(candidate.baseURL)"
            guard let models else { return "\(place): not found (\(failure ?? "no answer"))" }
            if models.isEmpty { return "\(place): running, no models" }
            let shown = models.prefix(5).joined(separator: ", ") + (models.count > 5 ? ", …" : "")
            return "\(place): running, \(models.count) model\(models.count == 1 ? "" : "s") (\(shown))"
        }
    }

    public static let standardCandidates = [
        Candidate(name: "Ollama", provider: .ollama, baseURL: "http://127.0.0.1:11434"),
        Candidate(name: "llama.cpp server", provider: .openai, baseURL: "http://127.0.0.1:8080/v1"),
    ]

    public var candidates: [Candidate]
    /// Seconds allowed to connect, and then again for the answer to start.
    public var timeout: Double
    private let client: HTTPClient

    public init(candidates: [Candidate] = LocalServerProbe.standardCandidates, timeout: Double = 1,
                client: HTTPClient = HTTPClient()) {
        self.candidates = candidates
        self.timeout = timeout
        self.client = client
    }

    /// Checks every candidate at once; findings come back in the candidates' order.
    public func run() async -> [Finding] {
        await withTaskGroup(of: (Int, Finding).self) { group in
            for (index, candidate) in candidates.enumerated() {
                group.addTask { (index, await check(candidate)) }
            }
            var findings: [(Int, Finding)] = []
            for await result in group { findings.append(result) }
            return findings.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    private func check(_ candidate: Candidate) async -> Finding {
        let settings = ModelSettings(provider: candidate.provider, baseURL: candidate.baseURL,
                                     stallTimeout: timeout, connectTimeout: timeout)
        let provider: (any ChatProvider)? = switch candidate.provider {
        case .ollama: OllamaChatProvider(settings: settings, retry: .never, client: client)
        case .openai: OpenAIChatProvider(settings: settings, environment: [:], retry: .never, client: client)
        case .anthropic: AnthropicChatProvider(settings: settings, environment: [:], retry: .never, client: client)
        case .none: nil
        }
        guard let provider else { return Finding(candidate: candidate, models: nil, failure: "no protocol") }
        do {
            return Finding(candidate: candidate, models: try await provider.listModels(), failure: nil)
        } catch let error as LLMError {
            return Finding(candidate: candidate, models: nil, failure: error.shortReason)
        } catch {
            return Finding(candidate: candidate, models: nil, failure: String(describing: error))
        }
    }
}

extension LLMError {
    /// The failure without URL or advice, for lists that already name the place.
    var shortReason: String {
        switch kind {
        case .cannotConnect(let reason): reason
        case .connectTimeout: "no connection within \(Self.format(connectTimeoutSeconds)) s"
        case .stalled: "no answer in time"
        case .httpStatus(let status): "HTTP \(status)"
        case .htmlPage: "a web page, not this API"
        default: description
        }
    }

    private var connectTimeoutSeconds: Double {
        if case .connectTimeout(let seconds) = kind { return seconds }
        return 0
    }
}
