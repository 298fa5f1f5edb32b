import Foundation
import LoreBench
import LoreCore
import Testing
@testable import LoreLLM

/// A fake llama.cpp embedding server with a toy tokenizer: every character that is not white space is a
/// token, and [CLS] and [SEP] are added, so SQL or code makes about one token per character, far more than
/// Lore's estimate of one per three. It offers `/props` and `/tokenize` when `counts` is set, and refuses an
/// input of more than `limit` tokens with llama.cpp's own status and body.
final class FakeLlamaServer: @unchecked Sendable {
    let limit: Int
    let server: LoopbackServer

    init(limit: Int, counts: Bool) throws {
        self.limit = limit
        server = try LoopbackServer { request, _ in Self.answer(request, limit: limit, counts: counts) }
    }

    deinit { server.stop() }

    static func tokens(_ text: String) -> Int {
        text.unicodeScalars.filter { !$0.properties.isWhitespace }.count + 2
    }

    static func json(_ object: Any, status: Int = 200) -> LoopbackServer.Response {
        .init(status: status, contentType: "application/json; charset=utf-8",
              body: try! JSONSerialization.data(withJSONObject: object))
    }

    static func answer(_ request: LoopbackServer.Request, limit: Int, counts: Bool) -> LoopbackServer.Response {
        let object = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] ?? [:]
        switch (request.method, request.path) {
        case ("GET", "/props") where counts:
            return json(["default_generation_settings": ["params": ["n_predict": -1], "n_ctx": limit],
                         "total_slots": 4, "bos_token": "[CLS]", "eos_token": "[SEP]"])
        case ("POST", "/tokenize") where counts:
            let content = object["content"] as? String ?? ""
            return json(["tokens": [101] + Array(repeating: 2000, count: tokens(content) - 2) + [102]])
        case ("POST", "/v1/embeddings"):
            let texts = object["input"] as? [String] ?? []
            if let long = texts.first(where: { tokens($0) > limit }) {
                let message = "input (\(tokens(long)) tokens) is too large to process. increase the physical batch size (current batch size: \(limit))"
                return json(["error": ["code": 500, "message": message, "type": "server_error"]], status: 500)
            }
            let items = texts.enumerated().map { ["index": $0.offset, "object": "embedding",
                                                  "embedding": [Float(tokens($0.element)), 1, Float($0.element.count)]] as [String: Any] }
            return json(["data": items, "object": "list", "model": "fake"])
        default:
            return json(["error": ["code": 404, "message": "File Not Found", "type": "not_found_error"]], status: 404)
        }
    }

    /// The inputs of every embedding request, in order.
    var embeddingRequests: [[String]] {
        server.requests.filter { $0.path == "/v1/embeddings" }.map(FakeEmbeddings.inputs)
    }

    /// Embedding requests the server refused as too large.
    var rejections: Int {
        embeddingRequests.filter { $0.contains { Self.tokens($0) > limit } }.count
    }

    func requests(to path: String) -> Int { server.requests.filter { $0.path == path }.count }

    /// Configured for more tokens than the server takes, as when the model card's figure is configured.
    func settings(maxTokens: Int, batch: Int = 4) -> EmbeddingSettings {
        EmbeddingSettings(provider: .openai, baseURL: server.baseURL + "/v1", model: "fake", batchSize: batch,
                          maxInputTokens: maxTokens)
    }
}

@Suite struct EmbeddingInputLimitTests {
    /// SQL with no spaces: one token a character for the toy tokenizer, under the 3-characters estimate.
    static func dense(_ length: Int) -> String {
        String(String(repeating: "SELECT(a.b,c.d);", count: length / 16 + 1).prefix(length))
    }
    static func prose(_ length: Int) -> String {
        String(String(repeating: "the quick brown fox jumps over ", count: length / 31 + 1).prefix(length))
    }

    /// Texts of every kind: dense and short enough that the estimate lets them through uncut, dense and
    /// long, prose over the limit, and short ones that need no counting.
    static let mixed: [String] = (0..<24).map { i in
        switch i % 4 {
        case 0: dense(120 + i)
        case 1: dense(900 + i)
        case 2: prose(400 + i)
        default: "short text \(i)"
        }
    }

    /// Runs `texts` in batches through one client, `concurrency` batches in flight, as the indexer does.
    static func run(_ client: EmbeddingClient, _ texts: [String], batch: Int, concurrency: Int) async throws -> [EmbeddingOutcome] {
        let batches = stride(from: 0, to: texts.count, by: batch).map { Array(texts[$0..<min(texts.count, $0 + batch)]) }
        var outcomes = [EmbeddingOutcome?](repeating: nil, count: batches.count)
        try await withThrowingTaskGroup(of: (Int, EmbeddingOutcome).self) { group in
            var next = 0
            for _ in 0..<concurrency where next < batches.count {
                let i = next; next += 1
                group.addTask { (i, try await client.embed(batches[i])) }
            }
            while let (i, outcome) = try await group.next() {
                outcomes[i] = outcome
                if next < batches.count {
                    let j = next; next += 1
                    group.addTask { (j, try await client.embed(batches[j])) }
                }
            }
        }
        return outcomes.compactMap { $0 }
    }

    @Test func aServerThatCountsTokensNeverHasToRefuseAnInput() async throws {
        let fake = try FakeLlamaServer(limit: 64, counts: true)
        // /props says 64; the 80 configured is an upper bound that /props lowers.
        let client = EmbeddingClient(settings: fake.settings(maxTokens: 80), environment: [:])
        let outcomes = try await Self.run(client, Self.mixed, batch: 4, concurrency: 2)

        #expect(fake.rejections == 0)
        #expect(outcomes.map(\.rejections).reduce(0, +) == 0)
        let vectors = outcomes.flatMap(\.vectors)
        #expect(vectors.count == Self.mixed.count)
        for (text, vector) in zip(Self.mixed, vectors) {
            let vector = try #require(vector)
            #expect(vector[0] <= 64)
            if FakeLlamaServer.tokens(text) <= 64 {
                #expect(Int(vector[2]) == text.count, "a text that fits is sent whole")
            } else {
                // Cut close to the limit, not by a wide margin.
                #expect(vector[0] >= 56, "\(text.prefix(20))… kept \(vector[0]) tokens")
            }
        }
        // The estimate would have sent the 120-character SQL uncut: 122 tokens.
        #expect(FakeLlamaServer.tokens(Self.mixed[0]) > 64 && Self.mixed[0].count < 64 * 3)
        #expect(fake.requests(to: "/props") == 1)
        let knowledge = await client.inputLimit
        #expect(knowledge.serverTokens == 64)
        #expect(knowledge.exactCounts)
        let statistics = await client.limitStatistics
        #expect(statistics.countRequests == fake.requests(to: "/tokenize") - 1, "all but the probe")
    }

    @Test func shortTextsCostNoProbe() async throws {
        let fake = try FakeLlamaServer(limit: 64, counts: true)
        let vector = try await EmbeddingClient(settings: fake.settings(maxTokens: 64), environment: [:]).embedQuery("vacuum full")
        #expect(vector[2] == 11)
        #expect(fake.server.requests.map(\.path) == ["/v1/embeddings"])
    }

    @Test func withoutATokenizerOneRefusalTeachesTheLimitForTheRestOfTheRun() async throws {
        let fake = try FakeLlamaServer(limit: 64, counts: false)
        // 512 configured (the model card's figure); the server takes 64 and says so only when it refuses.
        let client = EmbeddingClient(settings: fake.settings(maxTokens: 512), environment: [:])
        let texts = (0..<16).map { Self.dense(300 + $0) }
        // One batch after another, so that every batch after the first is prepared knowing the refusal.
        let outcomes = try await Self.run(client, texts, batch: 4, concurrency: 1)

        #expect(fake.rejections == 1)
        #expect(outcomes.map(\.rejections) == [1, 0, 0, 0])
        #expect(outcomes.flatMap(\.vectors).allSatisfy { $0 != nil })
        #expect(outcomes.allSatisfy { $0.failures.isEmpty })
        // The refused batch went again whole, cut, and so did every later one: no split, no second refusal.
        #expect(fake.embeddingRequests.map(\.count) == [4, 4, 4, 4, 4])
        #expect(fake.embeddingRequests.dropFirst().allSatisfy { $0.allSatisfy { FakeLlamaServer.tokens($0) <= 64 } })
        #expect(outcomes[0].truncatedFurther == 4)
        let knowledge = await client.inputLimit
        #expect(knowledge.serverTokens == 64)
        #expect(!knowledge.exactCounts)
        let ratio = try #require(knowledge.charactersPerToken)
        #expect(ratio > 0.9 && ratio < 1.0)
        // Probed once, not per batch.
        #expect(fake.requests(to: "/props") == 1)
        #expect(fake.requests(to: "/tokenize") == 1)
    }

    @Test func propsLimitIsReadWhereLlamaCppPutsIt() {
        func limit(_ json: String) -> Int? { ServerTokenizer.tokenLimit(fromProps: Data(json.utf8)) }
        #expect(limit(#"{"default_generation_settings":{"params":{"n_predict":-1},"n_ctx":512},"total_slots":4}"#) == 512)
        #expect(limit(#"{"n_ctx":2048,"default_generation_settings":{"n_ctx":512}}"#) == 512)
        #expect(limit(#"{"default_generation_settings":{"params":{"n_ubatch":256}},"n_ctx":512}"#) == 256)
        #expect(limit(#"{"total_slots":1}"#) == nil)
        #expect(limit("<html>") == nil)
    }

    @Test func certainFitIsCountedInBytes() {
        let knowledge = InputLimitKnowledge(configuredTokens: 20)
        #expect(knowledge.certainlyFits("twelve bytes"))
        #expect(!knowledge.certainlyFits("thirteen byte"))
        #expect(!knowledge.certainlyFits("日本語の文"), "fifteen bytes in five characters")
        #expect(knowledge.characterLimit == 60)
        var learned = knowledge
        learned.charactersPerToken = 1.5
        learned.serverTokens = 10
        #expect(learned.tokenLimit == 10)
        #expect(learned.characterLimit == 16)
    }
}

@Suite struct EmbeddingPartsTests {
    /// The words of a part after its lead line (the first part has none beyond the text's own start).
    static func body(_ part: String, lead: String, first: Bool) -> String {
        first ? part : String(part.dropFirst(lead.count + 1))
    }

    @Test("a long text is cut into parts that each fit, the later ones led by the title line, nothing skipped between them")
    func partsFitAndFollowOnAnother() async throws {
        let fake = try FakeLlamaServer(limit: 64, counts: true)
        let client = EmbeddingClient(settings: fake.settings(maxTokens: 64), environment: [:])
        let lead = "Routine Vacuuming › Autovacuum"
        let words = (0..<120).map { "word\($0)" }
        let text = lead + "\n" + words.joined(separator: " ")

        let whole = await client.parts(of: text, lead: lead, maxParts: 64)
        #expect(whole.covered)
        #expect(whole.parts.count > 4)
        for (index, part) in whole.parts.enumerated() {
            #expect(FakeLlamaServer.tokens(part) <= 64, "part \(index) has \(FakeLlamaServer.tokens(part)) tokens")
            #expect(part.hasPrefix(lead + "\n"), "every part starts with the title line")
        }
        // Read in order, the parts' bodies are the text's words, each once, but for a last part that
        // repeats the end of the one before when only a few words were left for it.
        var read: [String] = []
        for (index, part) in whole.parts.enumerated() {
            let words = Self.body(part, lead: lead, first: index == 0).split(whereSeparator: \.isWhitespace).map(String.init)
            if index == whole.parts.count - 1, let first = words.first, let at = read.lastIndex(of: first) {
                read.removeSubrange(at...)
            }
            read += words
        }
        #expect(read == [lead.split(separator: " ").map(String.init), words].flatMap { $0 })

        // 118 words: the last two are too few for a part of their own.
        let tail = await client.parts(of: lead + "\n" + words.prefix(118).joined(separator: " "), lead: lead, maxParts: 64)
        #expect(tail.covered)
        #expect(tail.parts.last?.hasSuffix("word116 word117") == true)
        let last = try #require(tail.parts.last), before = tail.parts[tail.parts.count - 2]
        let repeated = try #require(Self.body(last, lead: lead, first: false).split(separator: " ").first)
        #expect(before.hasSuffix(" " + repeated), "the last part starts with the end of the one before: \(last)")

        // Parts already fit: sending them costs no count of their tokens, and no refusal.
        let counted = fake.requests(to: "/tokenize")
        let sent = try await client.embed(whole.parts, fitted: true)
        #expect(fake.requests(to: "/tokenize") == counted)
        #expect(sent.vectors.allSatisfy { $0 != nil } && sent.rejections == 0 && sent.cut == 0)

        let capped = await client.parts(of: text, lead: lead, maxParts: 3)
        #expect(capped.parts == Array(whole.parts.prefix(3)))
        #expect(!capped.covered, "the words after the third part are not embedded")
    }

    @Test("a text that fits is one part, as sent; a lead too long for any body stops after one part")
    func shortTextsAndHopelessLeads() async throws {
        let fake = try FakeLlamaServer(limit: 64, counts: true)
        let client = EmbeddingClient(settings: fake.settings(maxTokens: 64), environment: [:])
        let short = await client.parts(of: "Title\nA short passage.", lead: "Title", maxParts: 4)
        #expect(short.parts == ["Title\nA short passage."] && short.covered)

        let lead = String(repeating: "heading ", count: 12).trimmingCharacters(in: .whitespaces)
        let text = lead + "\n" + String(repeating: "more words here ", count: 20)
        let stuck = await client.parts(of: text, lead: lead, maxParts: 8)
        #expect(stuck.parts.count <= 2, "no part after one that holds nothing but the lead")
        #expect(!stuck.covered)
        #expect(stuck.parts.allSatisfy { FakeLlamaServer.tokens($0) <= 64 })
    }
}
