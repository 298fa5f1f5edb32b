import Foundation

/// What is known, at one moment, about how long an input the embedding server takes.
public struct InputLimitKnowledge: Sendable, Equatable {
    /// `[embedding] max_input_tokens`.
    public var configuredTokens: Int
    /// The limit the server stated: in `/props`, or in a refusal ("current batch size: M").
    public var serverTokens: Int?
    /// Characters per token of the densest refused input seen, when the server said how many tokens it had.
    public var charactersPerToken: Double?
    /// Whether the server counts tokens for Lore (`/tokenize`).
    public var exactCounts = false

    /// Characters per token assumed before the server has said anything: a margin below the ~4 of English
    /// prose, which still runs high for SQL and code in WordPiece vocabularies.
    public static let initialCharactersPerToken = 3.0

    /// Tokens that an input may hold.
    public var tokenLimit: Int { min(configuredTokens, serverTokens ?? .max) }

    /// Characters kept of a text when its tokens cannot be counted: the ratio of the densest refused input,
    /// with a tenth to spare for denser ones, else the initial estimate.
    public var characterLimit: Int {
        let ratio = charactersPerToken.map { $0 * 0.9 } ?? Self.initialCharactersPerToken
        return max(16, Int(Double(tokenLimit) * ratio))
    }

    /// Special tokens a server adds around an input ([CLS]/[SEP], BOS/EOS) and a sentencepiece word prefix,
    /// with room to spare.
    static let specialTokenAllowance = 8

    /// True when `text` fits whatever the tokenizer: no vocabulary in use makes more than one token of a
    /// UTF-8 byte, so a text of fewer bytes than the limit (less the special tokens) needs no counting.
    public func certainlyFits(_ text: String) -> Bool {
        text.utf8.count + Self.specialTokenAllowance <= tokenLimit
    }
}

/// The input limit of one embedding server as a run learns it, shared by every batch of the run: the
/// server is probed once, and what one refusal teaches applies to all inputs prepared after it.
actor InputLimit {
    private(set) var knowledge: InputLimitKnowledge
    /// Answers of "too large" the server gave.
    private(set) var rejections = 0
    /// Requests made to count tokens.
    private(set) var countRequests = 0
    private var probing: Task<ServerTokenizer.Probe, Never>?

    init(configuredTokens: Int) {
        knowledge = InputLimitKnowledge(configuredTokens: configuredTokens)
    }

    /// The server's tokenizer, probing for it on the first call only; concurrent first calls share one probe.
    func serverTokenizer(probe: @escaping @Sendable () async -> ServerTokenizer.Probe) async -> ServerTokenizer? {
        let task = probing ?? Task { await probe() }
        probing = task
        let result = await task.value
        // Applied by every caller that waited (the same values each time), so none reads the old limit.
        if let limit = result.tokenLimit { knowledge.serverTokens = min(knowledge.serverTokens ?? .max, limit) }
        knowledge.exactCounts = result.tokenizer != nil
        return result.tokenizer
    }

    func countedTokens() { countRequests += 1 }

    /// Learns from a "too large" answer to `sent`: the limit the server named and the characters per token
    /// of the refused input. Returns whether anything new was learned, that is, whether preparing the same
    /// texts again would cut them differently.
    func learn(from error: LLMError, sent: [String]) -> Bool {
        rejections += 1
        let before = knowledge
        if let limit = EmbeddingClient.reportedBatchSize(error), limit > 0 {
            knowledge.serverTokens = min(knowledge.serverTokens ?? .max, limit)
        }
        if let tokens = EmbeddingClient.reportedTokens(error),
           let characters = Self.refusedLength(tokens: tokens, among: sent) {
            let ratio = Double(characters) / Double(tokens)
            knowledge.charactersPerToken = min(knowledge.charactersPerToken ?? .infinity, ratio)
        }
        return knowledge != before
    }

    /// The length in characters of the input that had `tokens` tokens. The server does not say which input
    /// of a batch it refused; of those long enough in bytes to make that many tokens, the shortest is
    /// assumed, which gives the densest (most cautious) ratio.
    static func refusedLength(tokens: Int, among texts: [String]) -> Int? {
        let possible = texts.filter { $0.utf8.count + InputLimitKnowledge.specialTokenAllowance >= tokens }
        return (possible.isEmpty ? texts : possible).map(\.count).min()
    }
}
