import Foundation

/// The shapes a training line can take.
public enum DatasetFormat: String, Sendable, Equatable, CaseIterable {
    /// `{"messages": [{"role": "system|user|assistant", "content": "…"}, …]}`
    case openai
    /// `{"conversations": [{"from": "system|human|gpt", "value": "…"}, …]}`
    case sharegpt
    /// `{"instruction": "…", "input": "…", "output": "…"}`
    case alpaca
}

/// What each example's prompt carries besides the question.
public enum DatasetContext: String, Sendable, Equatable, CaseIterable {
    /// The question alone; the answer loses its citation markers.
    case none
    /// The gold passages, numbered as Lore's chat prompt numbers sources.
    case gold
    /// Gold passages shuffled among retrieved distractors; for a share of the examples the gold is left out
    /// (retrieval-augmented fine-tuning).
    case raft
}

/// One question with the passages that answer it and an answer citing them.
public struct DatasetItem: Sendable, Equatable {
    public var question: String
    /// The passages that answer the question; the answer's `[n]` is `gold[n - 1]`.
    public var gold: [Passage]
    public var answer: String
    /// Where it came from, for messages: "conversation 3 turn 2", "synth line 7".
    public var origin: String

    public init(question: String, gold: [Passage], answer: String, origin: String) {
        self.question = question
        self.gold = gold
        self.answer = answer
        self.origin = origin
    }

    /// The documents the gold passages come from, each once, in order.
    public var goldDocuments: [String] {
        var seen = Set<String>()
        return gold.map(\.documentPath).filter { seen.insert($0).inserted }
    }

    /// A saved turn as an item: the passages it cited become the gold, and the answer's markers are
    /// renumbered to them. nil when the answer cites none of its sources (it was not grounded).
    public static func fromTurn(question: String, answer: String, sources: [(number: Int, passage: Passage)],
                                origin: String) -> DatasetItem? {
        let cited = Set(CitationParser.citations(in: answer).citedNumbers)
        let gold = sources.filter { cited.contains($0.number) }.sorted { $0.number < $1.number }
        guard !gold.isEmpty else { return nil }
        var renumber: [Int: Int] = [:]
        for (i, source) in gold.enumerated() { renumber[source.number] = i + 1 }
        return DatasetItem(question: question, gold: gold.map(\.passage),
                           answer: CitationRenumbering.apply(renumber, to: answer), origin: origin)
    }
}

/// Rewrites the citation markers of an answer for a new numbering of its sources.
public enum CitationRenumbering {
    /// Each marker is rewritten as `[a][b]` with the new numbers; numbers missing from `mapping` are dropped,
    /// and a marker left with none goes altogether (with a space before it that would dangle).
    public static func apply(_ mapping: [Int: Int], to text: String) -> String {
        let found = CitationParser.citations(in: text)
        guard !found.isEmpty else { return text }
        let units = Array(text.utf16)
        var out: [UInt16] = []
        out.reserveCapacity(units.count)
        var cursor = 0
        for citation in found {
            out.append(contentsOf: units[cursor..<citation.range.lowerBound])
            cursor = citation.range.upperBound
            let numbers = citation.numbers.compactMap { mapping[$0] }
            if numbers.isEmpty {
                if out.last == 0x20 { out.removeLast() }
                continue
            }
            out.append(contentsOf: numbers.map { "[\($0)]" }.joined().utf16)
        }
        out.append(contentsOf: units[cursor...])
        return String(decoding: out, as: UTF16.self)
    }
}

/// Splits examples between training and validation by document: examples that share a gold document stay
/// together, so no document's passages are seen in training and then asked about in validation.
public enum DocumentSplit {
    /// For each example (given as its gold documents), whether it goes to validation. Documents linked by a
    /// shared example form one group; groups are shuffled with `seed` and taken for validation, each one that brings
    /// the count nearer `share` of the examples. At least one group stays in training, and with `share` > 0 and
    /// two or more groups at least one goes to validation.
    public static func assign(_ documents: [[String]], share: Double, seed: UInt64) -> [Bool] {
        guard !documents.isEmpty, share > 0 else { return documents.map { _ in false } }
        // Union-find over document names.
        var parent: [String: String] = [:]
        func root(_ d: String) -> String {
            var r = d
            while let p = parent[r], p != r { r = p }
            var c = d
            while let p = parent[c], p != r { parent[c] = r; c = p }
            return r
        }
        for docs in documents {
            for d in docs where parent[d] == nil { parent[d] = d }
            for d in docs.dropFirst() {
                let a = root(docs[0]), b = root(d)
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        // Examples per group; an example without documents is a group of its own.
        var groupOf: [String] = []
        var sizes: [String: Int] = [:]
        for (i, docs) in documents.enumerated() {
            let key = docs.first.map { "d:" + root($0) } ?? "e:\(i)"
            groupOf.append(key)
            sizes[key, default: 0] += 1
        }
        var groups = sizes.keys.sorted()
        guard groups.count > 1 else { return documents.map { _ in false } }
        var random = SeededRandom(seed: seed)
        stableShuffle(&groups, using: &random)
        let target = max(1, Int((Double(documents.count) * share).rounded()))
        var held = Set<String>()
        var taken = 0
        // A group goes in when it brings the count nearer the target than it was, so one large group does not
        // overshoot when smaller ones later in the order fit.
        for group in groups where taken < target && held.count < groups.count - 1 {
            let size = sizes[group] ?? 0
            guard taken == 0 || taken + size <= target || taken + size - target < target - taken else { continue }
            held.insert(group)
            taken += size
        }
        return groupOf.map { held.contains($0) }
    }
}

/// Fisher–Yates with `SeededRandom`, written out so that a seed gives the same order on every Swift release
/// (the standard library does not promise its shuffle's algorithm).
public func stableShuffle<T>(_ items: inout [T], using random: inout SeededRandom) {
    guard items.count > 1 else { return }
    for i in stride(from: items.count - 1, to: 0, by: -1) {
        let j = Int(random.next() % UInt64(i + 1))
        if i != j { items.swapAt(i, j) }
    }
}

/// How `TrainingSet.build` lays the examples out.
public struct DatasetOptions: Sendable, Equatable {
    public var format: DatasetFormat
    public var context: DatasetContext
    /// Distractors per example with `raft`.
    public var distractors: Int
    /// With `raft`, the share of examples whose context leaves the gold out (their answer says the sources do
    /// not cover the question, as Lore's prompt tells a model to).
    public var noGoldShare: Double
    public var validationShare: Double
    public var seed: UInt64

    public init(format: DatasetFormat = .openai, context: DatasetContext = .gold, distractors: Int = 3,
                noGoldShare: Double = 0.2, validationShare: Double = 0.1, seed: UInt64 = 1) {
        self.format = format
        self.context = context
        self.distractors = distractors
        self.noGoldShare = noGoldShare
        self.validationShare = validationShare
        self.seed = seed
    }
}

/// A finished training set: JSON lines per split and what they hold.
public struct BuiltTrainingSet: Sendable, Equatable {
    public var train: [String]
    public var validation: [String]
    /// The gold documents of each split.
    public var trainDocuments: Set<String>
    public var validationDocuments: Set<String>
    /// Every document any context of the split shows (gold and distractors).
    public var trainContextDocuments: Set<String>
    public var validationContextDocuments: Set<String>
    /// `estimateTokens` over every message of every example.
    public var estimatedTokens: Int
    /// Examples whose prompt carries the gold passages.
    public var withGold: Int

    public var examples: Int { train.count + validation.count }

    /// "120 examples (108 train, 12 validation), ~84000 tokens, 57 gold documents (51 train, 6 validation), gold in context 80%"
    public var summary: String {
        let goldShare = examples == 0 ? 0 : Int((Double(withGold) * 100 / Double(examples)).rounded())
        return "\(examples) example\(examples == 1 ? "" : "s") (\(train.count) train, \(validation.count) validation), "
            + "~\(estimatedTokens) tokens, \(trainDocuments.count + validationDocuments.count) gold documents (\(trainDocuments.count) train, "
            + "\(validationDocuments.count) validation), gold in context \(goldShare)%"
    }
}

/// Turns items into training lines: pure, so a seed always gives the same files.
public enum TrainingSet {
    /// The prompt budget used for examples: large, so every chosen passage is shown whole.
    static let budget = PromptBudget(contextWindow: 1_000_000, reservedForAnswer: 0)

    /// `candidates[i]` are passages retrieved for `items[i]`, best first, from which `raft` takes its
    /// distractors; other contexts ignore them. A distractor never comes from a gold document of its own
    /// example, nor from a gold document of the other split, so no document appears on both sides.
    public static func build(_ items: [DatasetItem], candidates: [[Passage]], options: DatasetOptions) -> BuiltTrainingSet {
        let held = DocumentSplit.assign(items.map(\.goldDocuments), share: options.validationShare, seed: options.seed)
        var trainDocs = Set<String>(), validationDocs = Set<String>()
        for (item, isHeld) in zip(items, held) {
            if isHeld { validationDocs.formUnion(item.goldDocuments) } else { trainDocs.formUnion(item.goldDocuments) }
        }
        // Which examples lose their gold: an exact share, chosen by seed.
        var noGold = Set<Int>()
        if options.context == .raft && options.noGoldShare > 0 {
            var order = Array(items.indices)
            var random = SeededRandom(seed: options.seed ^ 0x6E6F_676F_6C64)
            stableShuffle(&order, using: &random)
            noGold = Set(order.prefix(Int((Double(items.count) * min(1, options.noGoldShare)).rounded())))
        }
        var result = BuiltTrainingSet(train: [], validation: [], trainDocuments: trainDocs, validationDocuments: validationDocs,
                                      trainContextDocuments: [], validationContextDocuments: [], estimatedTokens: 0, withGold: 0)
        for (i, item) in items.enumerated() {
            var random = SeededRandom(seed: options.seed &+ UInt64(i + 1) &* 0x9E37_79B9)
            // Neither a gold document of the other split nor any document its contexts already show.
            let otherSide = held[i] ? trainDocs.union(result.trainContextDocuments)
                                    : validationDocs.union(result.validationContextDocuments)
            let pool = i < candidates.count ? candidates[i] : []
            let example = makeExample(item, candidates: pool, avoiding: otherSide, leaveOutGold: noGold.contains(i),
                                      options: options, random: &random)
            if example.hasGold { result.withGold += 1 }
            result.estimatedTokens += example.messages.reduce(0) { $0 + estimateTokens($1.content) }
            let line = encode(example.messages, format: options.format)
            if held[i] {
                result.validation.append(line)
                result.validationContextDocuments.formUnion(example.contextDocuments)
            } else {
                result.train.append(line)
                result.trainContextDocuments.formUnion(example.contextDocuments)
            }
        }
        return result
    }

    struct Example {
        var messages: [ChatMessage]
        var hasGold: Bool
        var contextDocuments: Set<String>
    }

    static func makeExample(_ item: DatasetItem, candidates: [Passage], avoiding: Set<String>, leaveOutGold: Bool,
                            options: DatasetOptions, random: inout SeededRandom) -> Example {
        let question = item.question.trimmingCharacters(in: .whitespacesAndNewlines)
        switch options.context {
        case .none:
            let answer = CitationParser.removingCitations(from: item.answer).trimmingCharacters(in: .whitespacesAndNewlines)
            return Example(messages: [.user(question), .assistant(answer)], hasGold: false, contextDocuments: [])
        case .gold, .raft:
            var context = leaveOutGold ? [] : item.gold
            if options.context == .raft {
                let goldDocs = Set(item.goldDocuments)
                var seen = Set(item.gold.map(\.id))
                var picked: [Passage] = []
                for p in candidates where picked.count < options.distractors {
                    guard !goldDocs.contains(p.documentPath), !avoiding.contains(p.documentPath),
                          seen.insert(p.id).inserted else { continue }
                    picked.append(p)
                }
                context += picked
                stableShuffle(&context, using: &random)
            }
            let nonce = String(format: "%016llx", random.next())
            let prompt = GroundedPrompt.build(question: question, passages: context, history: [], budget: budget, nonce: nonce)
            // Where each gold passage ended up in the prompt's numbering.
            var mapping: [Int: Int] = [:]
            for (g, passage) in item.gold.enumerated() {
                if let shown = prompt.sources.first(where: { $0.passage == passage }) { mapping[g + 1] = shown.number }
            }
            let answer = mapping.isEmpty
                ? GroundedPrompt.notCoveredAnswer
                : CitationRenumbering.apply(mapping, to: item.answer).trimmingCharacters(in: .whitespacesAndNewlines)
            return Example(messages: prompt.messages + [.assistant(answer)], hasGold: !mapping.isEmpty,
                           contextDocuments: Set(prompt.sources.map(\.passage.documentPath)))
        }
    }

    /// One JSON line in `format`, keys sorted so equal examples give equal bytes.
    public static func encode(_ messages: [ChatMessage], format: DatasetFormat) -> String {
        let object: Any
        switch format {
        case .openai:
            object = ["messages": messages.map { ["role": $0.role.rawValue, "content": $0.content] }]
        case .sharegpt:
            let from: [ChatRole: String] = [.system: "system", .user: "human", .assistant: "gpt"]
            object = ["conversations": messages.map { ["from": from[$0.role] ?? "human", "value": $0.content] }]
        case .alpaca:
            let system = messages.filter { $0.role == .system }.map(\.content).joined(separator: "\n\n")
            let users = messages.filter { $0.role == .user }.map(\.content)
            let output = messages.last { $0.role == .assistant }?.content ?? ""
            // With a system message, the rules are the instruction and the sources with the question the
            // input; without one, the question is the instruction.
            object = system.isEmpty
                ? ["instruction": users.joined(separator: "\n\n"), "input": "", "output": output]
                : ["instruction": system, "input": users.joined(separator: "\n\n"), "output": output]
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Picks, among a document's passages, the one that best matches a question: the most distinct question
/// terms it contains, the earlier passage on a tie. For a synthetic question that names only its document.
public enum GoldPassagePicker {
    public static func best(for question: String, among passages: [Passage]) -> Passage? {
        let terms = Set(FTSQuery.terms(question).map { LightStemmer.stem($0.lowercased()) })
        var best: (score: Int, passage: Passage)?
        for passage in passages {
            let words = Set(passage.text.lowercased().split { !$0.isLetter && !$0.isNumber }.map { LightStemmer.stem(String($0)) })
            let score = terms.intersection(words).count
            if best == nil || score > best!.score { best = (score, passage) }
        }
        return best?.passage
    }
}
