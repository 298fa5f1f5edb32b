import LoreCore
import Testing

private let prose = """
    Autovacuum wakes up once a minute and looks for tables whose dead rows pass a threshold. When it finds \
    one it cleans it in the background, so that the space held by deleted rows can be used again by later \
    inserts without growing the file on disk.
    """

@Suite("boilerplate classifier") struct BoilerplateTests {
    @Test("ordinary prose is kept") func prosePasses() {
        #expect(Boilerplate.classify(prose) == nil)
    }

    @Test("a few words are too short") func short() {
        #expect(Boilerplate.classify("Installation\n\nSee below.") == .tooShort)
        #expect(Boilerplate.classify("") == .tooShort)
    }

    @Test("contents lists, dotted or numbered or linked") func contents() {
        let dotted = "1. Introduction ........ 1\n2. Getting started ........ 5\n3. Indexes ........ 12\n4. Backups ........ 20"
        #expect(Boilerplate.classify(dotted) == .tableOfContents)
        let numbered = "1.1 Overview\n1.2 Installation\n1.3 Configuration\n2.1 Queries\n2.2 Indexes\nChapter 3 Backups"
        #expect(Boilerplate.classify(numbered) == .tableOfContents)
        let linked = "- [Install](install.md)\n- [Search](search.md)\n- [Models](models.md)\n- [Themes](themes.md)"
        #expect(Boilerplate.classify(linked) == .tableOfContents)
    }

    @Test("licence and copyright text") func license() {
        let mit = """
            Permission is hereby granted, free of charge, to any person obtaining a copy of this software, to deal \
            in the Software without restriction. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, \
            EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY.
            """
        #expect(Boilerplate.classify(mit) == .license)
        #expect(Boilerplate.classify("Copyright 2024 The Lore authors.") == .license)
        #expect(Boilerplate.classify(prose + " The copyright of this page belongs to nobody in particular, as it happens.") == nil)
    }

    @Test("mostly links") func links() {
        let text = "See https://127.0.0.1/a and https://127.0.0.1/b and https://127.0.0.1/c, also https://127.0.0.1/d"
        #expect(Boilerplate.classify(text) == .links)
    }

    @Test("mostly code") func code() {
        let text = "```sh\nlore kb add notes ~/notes\nlore index\nlore search \"disk space\"\n```\nRun these."
        #expect(Boilerplate.classify(text) == .code)
        let c = "int main(void) {\n    printf(\"hi\");\n    return 0;\n}"
        #expect(Boilerplate.classify(c) == .code)
    }

    @Test("prose with a short example stays") func proseWithExample() {
        #expect(Boilerplate.classify(prose + "\n\n```\nVACUUM;\n```") == nil)
    }
}

@Suite("synth judges") struct SynthJudgeTests {
    let corpus = TermStatistics(texts: [
        prose,
        "Backups are made with a dump of the database into one file that can be moved to another machine.",
        "Indexes make lookups faster; a partial index covers only the rows that match a condition.",
        "The server reads its settings from a file at start and again when it is told to reload.",
    ])

    @Test("content words drop function words, fold case and light inflections") func contentWords() {
        #expect(ContentWords.stems("How do I reclaim the Rows?") == ["reclaim", "row"])
        #expect(ContentWords.coverage(of: "deleted rows", in: "the row was deleted") == 1)
        #expect(ContentWords.coverage(of: "", in: "anything") == 0)
    }

    @Test("key terms are the passage's rarest words") func keyTerms() throws {
        let key = corpus.keyTerms(of: prose, count: 3)
        #expect(key.count == 3)
        let file = try #require(ContentWords.stems("file").first)
        #expect(!key.contains(file), "a word other passages share is not a key term: \(key)")
        #expect(corpus.idf("autovacuum") > corpus.idf(file))
    }

    @Test("a question copying the key terms is trivial; a paraphrase is not") func triviality() {
        let copy = "When does autovacuum clean dead rows past the threshold?"
        #expect(SynthJudge.isTrivial(question: copy, passage: prose, statistics: corpus))
        let paraphrase = "Does the database tidy up after I delete lots of records without me asking?"
        #expect(!SynthJudge.isTrivial(question: paraphrase, passage: prose, statistics: corpus))
        #expect(SynthJudge.keyTermShare(question: "what is it?", passage: prose, statistics: corpus) == 0)
    }

    @Test("duplicates: same normalized text or high word overlap") func duplicates() {
        let kept = ["How do I move a database to another machine?"]
        #expect(SynthJudge.isDuplicate("how do I move a DATABASE to another machine", of: kept))
        #expect(SynthJudge.isDuplicate("How can I move my database to another machine?", of: kept))
        #expect(!SynthJudge.isDuplicate("Why are my lookups slow on a big table?", of: kept))
        #expect(!SynthJudge.isDuplicate("anything at all here", of: []))
        let prompt = SynthJudge.questionPrompt(passage: Passage(id: 1, documentPath: "a.md", title: "", headingPath: [],
                                                                lineStart: 1, lineEnd: 1, text: "Some text.", score: 0))
        #expect(prompt.last?.content.contains(#"{"question": "...", "answer": "..."}"#) == true)
        #expect(SynthJudge.normalized("  Hello,   World!? ") == "hello world")
    }

    @Test("a clear yes, and everything else") func verdict() {
        for yes in ["yes", "Yes.", " YES", "**Yes**, it does.", "\"yes\"", "Yes\nNo", "The passage answers the question."] {
            #expect(SynthJudge.isClearYes(yes), "\(yes)")
        }
        for other in ["no", "No.", "", "Maybe", "Yes and no.", "yes, but only partly", "The answer is yes", "yesterday",
                      "The passage does not answer the question.", "The passage doesn't answer the question.",
                      "It answers the question only partly."] {
            #expect(!SynthJudge.isClearYes(other), "\(other)")
        }
    }

    @Test("sampling goes round the documents in a seeded order") func sampling() {
        let docs: [(path: String, passages: [Int64])] = [("big.md", Array(1...10)), ("a.md", [20]), ("b.md", [30, 31])]
        let order = SynthJudge.sampleOrder(documents: docs, seed: 7)
        #expect(order.count == 13)
        #expect(Set(order) == Set(Array(1...10) + [20, 30, 31]))
        // The first round has one passage of each document, the second one of each that has two or more.
        #expect(Set(order.prefix(3).map { $0 >= 30 ? 30 : $0 >= 20 ? 20 : 1 }) == [1, 20, 30])
        #expect(Set(order.dropFirst(3).prefix(2).map { $0 >= 30 ? 30 : 1 }) == [1, 30])
        #expect(SynthJudge.sampleOrder(documents: docs.reversed(), seed: 7) == order, "input order does not matter")
        #expect(SynthJudge.sampleOrder(documents: [], seed: 1).isEmpty)
    }
}

@Suite("synth reply parsing") struct SynthReplyTests {
    let expected = SynthReply(question: "How do I get the disk space back?", answer: "Run a vacuum.")

    @Test("plain JSON") func plain() {
        #expect(SynthReply.parse(#"{"question": "How do I get the disk space back?", "answer": "Run a vacuum."}"#) == expected)
    }

    @Test("in a code fence, after prose") func fenced() {
        let text = "Sure! Here is one:\n```json\n{\"question\": \"How do I get the disk space back?\",\n \"answer\": \"Run a vacuum.\"}\n```\nHope it helps."
        #expect(SynthReply.parse(text) == expected)
    }

    @Test("leading and trailing prose, braces inside strings, other key names") func prose() {
        let text = #"Question follows {"Q": "How do I get the disk space back?", "reference_answer": "Run a vacuum."} done {"#
        #expect(SynthReply.parse(text) == expected)
        let braces = #"x {"question": "What does {a} mean in a template?", "answer": "A placeholder."}"#
        #expect(SynthReply.parse(braces)?.question == "What does {a} mean in a template?")
    }

    @Test("nothing usable") func unusable() {
        #expect(SynthReply.parse("I cannot do that.") == nil)
        #expect(SynthReply.parse(#"{"question": "How?", "answer": "So."}"#) == nil, "a question needs three words")
        #expect(SynthReply.parse(#"{"question": "How do I get it back?"}"#) == nil, "no answer")
        #expect(SynthReply.parse(#"{"question": "How do I get it back?", "answer": "#) == nil)
    }
}
