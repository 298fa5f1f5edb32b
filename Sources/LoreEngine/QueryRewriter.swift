import Dispatch
import Foundation
import LoreCore
import LoreLLM

/// Asks the chat model for search queries (`QueryRewrite`) within a time budget. A model that misses the
/// budget twice in a row is not asked again by this process, so a slow local model costs two questions
/// the budget and no more; the reason is kept for the status line.
public struct QueryRewriter: Sendable {
    public var model: ModelSettings
    public var settings: RewriteSettings
    public var environment: [String: String]

    public init(model: ModelSettings, settings: RewriteSettings,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.model = model
        self.settings = settings
        self.environment = environment
    }

    public struct Outcome: Sendable {
        /// nil when rewriting did not happen; `note` says why.
        public var plan: QueryRewrite.Plan?
        public var milliseconds: Double
        public var note: String?
    }

    public func rewrite(_ question: String, history: [ConversationTurn]) async -> Outcome {
        let key = model.provider.rawValue + "\u{0}" + model.baseURL + "\u{0}" + model.name
        if let paused = RewriteHealth.shared.pauseReason(key) {
            return Outcome(plan: nil, milliseconds: 0, note: paused)
        }
        guard let provider = makeChatProvider(model, environment: environment) else {
            return Outcome(plan: nil, milliseconds: 0, note: "no chat model to rewrite the question with")
        }
        let started = DispatchTime.now()
        let request = ChatRequest(messages: QueryRewrite.messages(question: question, history: history,
                                                                  hypothetical: settings.hypothetical),
                                  temperature: 0, maxTokens: QueryRewrite.maximumReplyTokens)
        let budget = settings.budgetMilliseconds
        let reply: Result<String, any Error>? = await withTaskGroup(of: Result<String, any Error>?.self) { group in
            group.addTask {
                do {
                    var text = ""
                    let hypothetical = settings.hypothetical
                    reading: for try await event in provider.stream(request) {
                        switch event {
                        case .text(let piece):
                            text += piece
                            // Leaving the loop ends the stream and its request.
                            if QueryRewrite.isComplete(text, question: question, hypothetical: hypothetical) {
                                text = QueryRewrite.finishedLines(of: text)
                                break reading
                            }
                        case .error(let message, _): throw RewriteStreamError(message: message)
                        default: break
                        }
                    }
                    return .success(text)
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(budget) * 1_000_000)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        let elapsed = milliseconds(since: started)
        switch reply {
        case nil:
            let note = RewriteHealth.shared.missed(key, budget: budget)
            return Outcome(plan: nil, milliseconds: elapsed, note: note)
        case .failure(let error):
            return Outcome(plan: nil, milliseconds: elapsed,
                           note: "query rewriting failed (\(error)); searched the question as asked")
        case .success(let text):
            RewriteHealth.shared.answered(key)
            let plan = QueryRewrite.parse(text, question: question)
            return Outcome(plan: plan.isEmpty ? nil : plan, milliseconds: elapsed,
                           note: plan.isEmpty ? "the model's rewrite held no usable query; searched the question as asked" : nil)
        }
    }
}

/// Budget overruns per model, for this process.
final class RewriteHealth: @unchecked Sendable {
    static let shared = RewriteHealth()
    static let pauseAfter = 2
    private let lock = NSLock()
    private var misses: [String: Int] = [:]

    func pauseReason(_ key: String) -> String? {
        lock.withLock {
            (misses[key] ?? 0) >= Self.pauseAfter
                ? "query rewriting is paused: the model missed its time budget \(Self.pauseAfter) times in a row" : nil
        }
    }

    func missed(_ key: String, budget: Int) -> String {
        lock.withLock {
            misses[key, default: 0] += 1
            let paused = misses[key]! >= Self.pauseAfter ? "; paused for this session" : ""
            return "the model did not rewrite the question within \(budget) ms\(paused); searched the question as asked"
        }
    }

    func answered(_ key: String) {
        lock.withLock { misses[key] = 0 }
    }
}

struct RewriteStreamError: Error, CustomStringConvertible {
    var message: String
    var description: String { "the server said: \(message)" }
}
