import Foundation
import Testing
@testable import LoreCore

/// Checks a JSON line against the published shape of its format, written out here rather than taken from a
/// library: openai chat `{"messages": [{"role", "content"}…]}`, ShareGPT `{"conversations": [{"from",
/// "value"}…]}`, Alpaca `{"instruction", "input", "output"}` — every value a string, no other keys.
enum DatasetShape {
    static func problems(_ line: String, format: DatasetFormat) -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            return ["not a JSON object"]
        }
        switch format {
        case .openai:
            return turns(object, list: "messages", speaker: "role", text: "content", speakers: ["system", "user", "assistant"],
                         last: "assistant")
        case .sharegpt:
            return turns(object, list: "conversations", speaker: "from", text: "value", speakers: ["system", "human", "gpt"],
                         last: "gpt")
        case .alpaca:
            var out: [String] = []
            if Set(object.keys) != ["instruction", "input", "output"] { out.append("keys \(object.keys.sorted())") }
            for key in ["instruction", "input", "output"] where !(object[key] is String) { out.append("\(key) is not a string") }
            if (object["instruction"] as? String)?.isEmpty != false { out.append("empty instruction") }
            if (object["output"] as? String)?.isEmpty != false { out.append("empty output") }
            return out
        }
    }

    private static func turns(_ object: [String: Any], list: String, speaker: String, text: String, speakers: Set<String>,
                              last: String) -> [String] {
        guard Set(object.keys) == [list] else { return ["keys \(object.keys.sorted()), want [\(list)]"] }
        guard let messages = object[list] as? [[String: Any]], !messages.isEmpty else { return ["\(list) is not a list of objects"] }
        var out: [String] = []
        for (i, m) in messages.enumerated() {
            if Set(m.keys) != [speaker, text] { out.append("message \(i) keys \(m.keys.sorted())") }
            guard let who = m[speaker] as? String, speakers.contains(who) else { out.append("message \(i) \(speaker)"); continue }
            if who == speakers.first(where: { $0 == "system" }) && i != 0 { out.append("system message not first") }
            if !(m[text] is String) { out.append("message \(i) \(text) is not a string") }
        }
        if messages.last?[speaker] as? String != last { out.append("last message is not from \(last)") }
        return out
    }

    /// The documents named in a prompt's `Location:` lines.
    static func contextDocuments(_ line: String) -> Set<String> {
        Set(line.components(separatedBy: "Location: ").dropFirst().compactMap { rest in
            rest.split(separator: ":", maxSplits: 1).first.map(String.init)
        })
    }
}

@Suite("Training sets")
struct TrainingSetTests {
    static func passage(_ id: Int64, doc: String, _ text: String) -> Passage {
        Passage(id: id, documentPath: doc, title: doc, headingPath: [], lineStart: Int(id), lineEnd: Int(id) + 2, text: text, score: 1)
    }

    /// 30 questions over 12 documents, two of them answered by two documents at once; every document also
    /// offers distractors for the others, and so do 4 documents that answer nothing.
    static let corpus: (items: [DatasetItem], candidates: [[Passage]]) = {
        var items: [DatasetItem] = []
        var candidates: [[Passage]] = []
        let docs = (0..<12).map { "docs/d\($0).md" }
        for i in 0..<30 {
            let doc = docs[i % docs.count]
            var gold = [passage(Int64(i * 10), doc: doc, "Fact \(i) lives in \(doc).")]
            if i % 13 == 5 { gold.append(passage(Int64(i * 10 + 1), doc: docs[(i + 1) % docs.count], "More on fact \(i).")) }
            items.append(DatasetItem(question: "What is fact \(i)?", gold: gold,
                                     answer: gold.count == 2 ? "It is fact \(i) [1], see also [2]." : "It is fact \(i) [1].",
                                     origin: "test \(i)"))
            candidates.append((0..<16).map { passage(Int64(1000 + i * 20 + $0), doc: "docs/d\($0).md", "Unrelated text \($0) for \(i).") })
        }
        return (items, candidates)
    }()

    @Test("every line of every format and context has its format's published shape", arguments: DatasetFormat.allCases)
    func shapes(format: DatasetFormat) {
        for context in DatasetContext.allCases {
            let set = TrainingSet.build(Self.corpus.items, candidates: Self.corpus.candidates,
                                        options: DatasetOptions(format: format, context: context, distractors: 3, seed: 7))
            #expect(set.examples == 30)
            #expect(!set.train.isEmpty && !set.validation.isEmpty)
            for line in set.train + set.validation {
                #expect(!line.contains("\n"), "one example per line")
                let problems = DatasetShape.problems(line, format: format)
                #expect(problems.isEmpty, "\(format) \(context): \(problems) in \(line.prefix(200))")
            }
        }
    }

    @Test("no document is on both sides, in gold or in any context")
    func splitByDocument() {
        for seed in [1, 2, 3, 99] as [UInt64] {
            let set = TrainingSet.build(Self.corpus.items, candidates: Self.corpus.candidates,
                                        options: DatasetOptions(context: .raft, distractors: 4, validationShare: 0.25, seed: seed))
            #expect(set.trainDocuments.isDisjoint(with: set.validationDocuments))
            #expect(set.trainContextDocuments.isDisjoint(with: set.validationDocuments))
            #expect(set.validationContextDocuments.isDisjoint(with: set.trainDocuments))
            // Read back from the lines themselves, not from the builder's own bookkeeping.
            let trainSeen = set.train.reduce(into: Set<String>()) { $0.formUnion(DatasetShape.contextDocuments($1)) }
            let validationSeen = set.validation.reduce(into: Set<String>()) { $0.formUnion(DatasetShape.contextDocuments($1)) }
            #expect(!trainSeen.isEmpty && !validationSeen.isEmpty)
            #expect(trainSeen.isDisjoint(with: validationSeen), "seed \(seed): \(trainSeen.intersection(validationSeen))")
            // About a quarter held out, whole documents at a time.
            #expect((3...12).contains(set.validation.count), "seed \(seed): \(set.validation.count)")
        }
    }

    @Test("examples sharing a document stay together; one group always trains")
    func groups() {
        let held = DocumentSplit.assign([["a"], ["a", "b"], ["b"], ["c"], ["d"]], share: 0.5, seed: 4)
        #expect(held[0] == held[1] && held[1] == held[2])
        #expect(held.contains(true) && held.contains(false))
        #expect(DocumentSplit.assign([["a"], ["a"]], share: 0.9, seed: 1) == [false, false])
        #expect(DocumentSplit.assign([["a"], ["b"]], share: 0, seed: 1) == [false, false])
    }

    @Test("the same seed gives the same bytes; another seed another split or order")
    func deterministic() {
        let options = DatasetOptions(format: .sharegpt, context: .raft, distractors: 3, noGoldShare: 0.3, validationShare: 0.2, seed: 42)
        let a = TrainingSet.build(Self.corpus.items, candidates: Self.corpus.candidates, options: options)
        let b = TrainingSet.build(Self.corpus.items, candidates: Self.corpus.candidates, options: options)
        #expect(a == b)
        var other = options
        other.seed = 43
        let c = TrainingSet.build(Self.corpus.items, candidates: Self.corpus.candidates, options: other)
        #expect(c.train != a.train)
    }

    @Test("raft: gold among distractors, renumbered citations, and the no-gold share answered with Lore's sentence")
    func raft() throws {
        let set = TrainingSet.build(Self.corpus.items, candidates: Self.corpus.candidates,
                                    options: DatasetOptions(context: .raft, distractors: 3, noGoldShare: 0.2, validationShare: 0, seed: 5))
        #expect(set.validation.isEmpty && set.train.count == 30)
        #expect(set.withGold == 24)
        var positions = Set<Int>()
        for line in set.train {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let messages = try #require(object["messages"] as? [[String: String]])
            let user = try #require(messages.dropLast().last?["content"])
            let answer = try #require(messages.last?["content"])
            let shown = user.components(separatedBy: "<<source ").count - 1
            let question = try #require(user.components(separatedBy: "Question: ").last)
            let fact = question.dropFirst("What is fact ".count).dropLast()
            if answer == GroundedPrompt.notCoveredAnswer {
                #expect(!user.contains("Fact \(fact) lives"), "gold left out")
                #expect(shown == 3)
                continue
            }
            // The number the answer cites is the source that holds the fact.
            let cited = try #require(CitationParser.citations(in: answer).first?.numbers.first)
            positions.insert(cited)
            let block = try #require(user.components(separatedBy: "<<source \(cited) id=").dropFirst().first)
            #expect(block.contains("Fact \(fact) lives"), "\(answer) → \(block.prefix(120))")
            #expect(shown >= 4)
        }
        #expect(positions.count > 1, "the gold is shuffled, not always first")
    }

    @Test("context none drops the markers; gold keeps them numbered from 1")
    func contexts() throws {
        let item = DatasetItem(question: "Why?", gold: [Self.passage(1, doc: "a.md", "Because.")], answer: "Because [1].", origin: "t")
        let none = TrainingSet.build([item], candidates: [], options: DatasetOptions(format: .alpaca, context: .none, validationShare: 0))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(none.train[0].utf8)) as? [String: String])
        #expect(object == ["instruction": "Why?", "input": "", "output": "Because."])
        let gold = TrainingSet.build([item], candidates: [], options: DatasetOptions(format: .alpaca, context: .gold, validationShare: 0))
        let g = try #require(try JSONSerialization.jsonObject(with: Data(gold.train[0].utf8)) as? [String: String])
        #expect(g["output"] == "Because [1].")
        #expect(g["instruction"]?.contains("Answer only from the numbered sources") == true)
        #expect(g["input"]?.hasPrefix("Sources:\n\n<<source 1 id=") == true)
        #expect(g["input"]?.hasSuffix("Question: Why?") == true)
        #expect(gold.summary.hasPrefix("1 example (1 train, 0 validation)"))
    }

    @Test("a saved turn's cited sources become the gold, its markers renumbered")
    func fromTurn() throws {
        let sources = (1...4).map { (number: $0, passage: Self.passage(Int64($0), doc: "d\($0).md", "text \($0)")) }
        let item = try #require(DatasetItem.fromTurn(question: "q", answer: "A [2]. B [4][9]. C [2, 4].", sources: sources, origin: "t"))
        #expect(item.gold.map(\.id) == [2, 4])
        #expect(item.answer == "A [1]. B [2]. C [1][2].")
        #expect(DatasetItem.fromTurn(question: "q", answer: "No citations.", sources: sources, origin: "t") == nil)
        #expect(CitationRenumbering.apply([1: 3], to: "x [1] and y [2].") == "x [3] and y.")
    }

    @Test("a synth line may name passages and a reference answer; wrong types are errors with the line")
    func synth() throws {
        let text = """
            # notes
            {"q": "How?", "relevant": ["a.md"], "passages": [12, "40"], "answer": "Like this."}
            {"question": "Why?", "relevant": "b.md"}
            """
        let set = try SynthSet.parse(text)
        #expect(set == [SynthQuestion(question: "How?", relevant: ["a.md"], passageIDs: [12, 40], answer: "Like this.", line: 2),
                        SynthQuestion(question: "Why?", relevant: ["b.md"], line: 3)])
        #expect(throws: EvalSetError.self) { try SynthSet.parse(#"{"q": "x", "relevant": ["a"], "passages": 3}"#) }
        #expect(SynthSet.citingAnswer("Like this.", goldCount: 2) == "Like this. [1][2]")
        #expect(SynthSet.citingAnswer("Like [1] this.", goldCount: 2) == "Like [1] this.")
        let best = GoldPassagePicker.best(for: "how is vacuum scheduled", among: [
            Self.passage(1, doc: "a", "Backups are made with pg_dump."),
            Self.passage(2, doc: "a", "Autovacuum schedules vacuum runs."),
        ])
        #expect(best?.id == 2)
    }

    @Test("pressing a rating again clears it; the other key replaces it")
    func ratingToggle() {
        #expect(TurnRating.toggled(nil, pressing: .good) == .good)
        #expect(TurnRating.toggled(.good, pressing: .good) == nil)
        #expect(TurnRating.toggled(.good, pressing: .bad) == .bad)
        #expect(TurnRating(storedValue: -1) == .bad && TurnRating(storedValue: nil) == nil && TurnRating(storedValue: 3) == nil)
    }
}
