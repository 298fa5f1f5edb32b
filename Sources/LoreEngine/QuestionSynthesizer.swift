import Foundation
import LoreCore
import LoreLLM
import LoreStore

/// The passages `lore synth` may ask from, in the order it tries them, and what was left out.
public struct SynthPlan: Sendable {
    /// Eligible passages in sampling order (`SynthJudge.sampleOrder`).
    public var order: [Passage]
    /// Passages left out as boilerplate, by kind.
    public var boilerplate: [BoilerplateKind: Int]
    /// Term statistics over every passage of the knowledge base, for the triviality judge.
    public var statistics: TermStatistics
    public var documents: Int

    /// Reads every passage of `store` once.
    public static func make(store: any PassageStore, seed: UInt64) throws -> SynthPlan {
        let passages = try store.allPassages()
        var statistics = TermStatistics()
        var boilerplate: [BoilerplateKind: Int] = [:]
        var byDocument: [String: [Int64]] = [:]
        var byID: [Int64: Passage] = [:]
        for passage in passages {
            statistics.add(passage.text)
            if let kind = Boilerplate.classify(passage.text) {
                boilerplate[kind, default: 0] += 1
                continue
            }
            byDocument[passage.documentPath, default: []].append(passage.id)
            byID[passage.id] = passage
        }
        let order = SynthJudge.sampleOrder(documents: byDocument.map { (path: $0.key, passages: $0.value) }, seed: seed)
        return SynthPlan(order: order.compactMap { byID[$0] }, boilerplate: boilerplate, statistics: statistics,
                         documents: Set(passages.map(\.documentPath)).count)
    }
}

/// What became of one passage.
public enum SynthOutcome: Sendable, Equatable {
    case kept(SynthReply)
    case rejected(SynthRejection)
}

/// Asks a chat model for one question per passage and judges it: parsed (`SynthReply.parse`), not a
/// duplicate of a kept question, not trivial (`SynthJudge.isTrivial`), and — a second call — answered by
/// the passage as the model itself judges. The pure judges run before the second call, to spare it.
public struct QuestionSynthesizer: Sendable {
    public var model: ModelSettings
    public var statistics: TermStatistics
    let provider: any ChatProvider

    /// nil when the settings name no model (`provider = "none"`).
    public init?(model: ModelSettings, statistics: TermStatistics,
                 environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let provider = makeChatProvider(model, environment: environment) else { return nil }
        self.model = model
        self.statistics = statistics
        self.provider = provider
    }

    /// Tries `passage`. `kept` are the questions kept so far. Returns nil when `stop()` says so between
    /// the two calls; the passage then counts as not attempted.
    public func attempt(_ passage: Passage, kept: [String], stop: @Sendable () -> Bool) async throws -> SynthOutcome? {
        let reply = try await complete(SynthJudge.questionPrompt(passage: passage), temperature: model.temperature,
                                       maxTokens: 160, json: ["question", "answer"])
        guard let parsed = SynthReply.parse(reply) else { return .rejected(.unparseable) }
        if SynthJudge.isDuplicate(parsed.question, of: kept) { return .rejected(.duplicate) }
        if SynthJudge.isTrivial(question: parsed.question, passage: passage.text, statistics: statistics) {
            return .rejected(.trivial)
        }
        if stop() { return nil }
        let verdict = try await complete(SynthJudge.checkPrompt(passage: passage, question: parsed.question),
                                         temperature: 0, maxTokens: 8, json: nil)
        return SynthJudge.isClearYes(verdict) ? .kept(parsed) : .rejected(.unanswerable)
    }

    /// One whole reply's text.
    func complete(_ messages: [ChatMessage], temperature: Double?, maxTokens: Int, json: [String]?) async throws -> String {
        var text = ""
        let request = ChatRequest(messages: messages, temperature: temperature, maxTokens: maxTokens, jsonFields: json)
        for try await event in provider.stream(request) {
            switch event {
            case .text(let delta): text += delta
            case .error(let message, _): throw LibraryError("the model failed: \(message)")
            case .reasoning, .usage, .finished: break
            }
        }
        return text
    }
}
