import Testing
@testable import LoreCore

@Suite("Grounding text: sentences and stems")
struct GroundingTextTests {
    @Test("sentences end at stops, not inside abbreviations, versions or file names")
    func sentences() {
        #expect(SentenceSplitter.sentences(in: "Use a tool, e.g. pg_dump, for this. Version 3.14 is out. Run it now!")
            == ["Use a tool, e.g. pg_dump, for this.", "Version 3.14 is out.", "Run it now!"])
        #expect(SentenceSplitter.sentences(in: "Tables, indexes, etc. are stored. Then more.")
            == ["Tables, indexes, etc. are stored.", "Then more."])
        #expect(SentenceSplitter.sentences(in: "Keep logs, sockets, etc. The server restarts.")
            == ["Keep logs, sockets, etc.", "The server restarts."])
        #expect(SentenceSplitter.sentences(in: "Edit postgresql.conf now. See Fig. 3 and cf. Section 2, i.e. below.")
            == ["Edit postgresql.conf now.", "See Fig. 3 and cf. Section 2, i.e. below."])
        #expect(SentenceSplitter.sentences(in: "Written by J. Smith. He said \"Stop.\" Then left (quietly.) Done")
            == ["Written by J. Smith.", "He said \"Stop.\"", "Then left (quietly.)", "Done"])
        #expect(SentenceSplitter.sentences(in: "  ") == [])
    }

    @Test("only prose is quoted: no code, tables, headings, rules or prompts")
    func prose() {
        let text = """
            Routine Vacuuming
            =================

            # Heading in Markdown

            VACUUM removes dead rows and
            marks their space for reuse. It runs
            alongside normal reads.

            ```sql
            VACUUM FULL orders;
            ```

                indented code line here.

            | Option | Meaning |
            | --- | --- |
            | FULL | rewrite the table. |

            $ vacuumdb --all --full
            postgres=# VACUUM VERBOSE;
            .. note:: directive body.

            - First list item without a stop
            * Second item.
            3. Third item here.
            > Quoted advice is still prose.

            ---
            """
        let sentences = SentenceSplitter.proseSentences(in: text)
        #expect(sentences.map(\.text) == [
            "VACUUM removes dead rows and marks their space for reuse.",
            "It runs alongside normal reads.",
            "First list item without a stop",
            "Second item.",
            "Third item here.",
            "Quoted advice is still prose.",
        ])
        #expect(sentences.map(\.fromListItem) == [false, false, true, true, true, false])
    }

    @Test("CRLF text splits the same way")
    func crlf() {
        let sentences = SentenceSplitter.proseSentences(in: "One line of text here.\r\n\r\n# H\r\nTwo more words here.")
        #expect(sentences.map(\.text) == ["One line of text here.", "Two more words here."])
    }

    @Test("prefix cuts prefer sentences, then lines, then words")
    func prefixCuts() {
        let text = "First sentence is here. Second sentence is longer than the first."
        #expect(SentenceSplitter.prefix(of: text, fittingTokens: 100) == text)
        #expect(SentenceSplitter.prefix(of: text, fittingTokens: 8) == "First sentence is here.")
        // "alpha beta" is 10 bytes, 3 tokens; "alpha beta gamma" is 16 bytes, 4 tokens.
        #expect(SentenceSplitter.prefix(of: "alpha beta gamma delta epsilon", fittingTokens: 3) == "alpha beta")
        #expect(SentenceSplitter.prefix(of: "line one\nline two\nline three", fittingTokens: 5) == "line one\nline two")
        #expect(SentenceSplitter.prefix(of: "unbreakable", fittingTokens: 0) == nil)
        #expect(SentenceSplitter.prefix(of: String(repeating: "x", count: 100), fittingTokens: 3) == nil)
    }

    @Test("the light stemmer folds common inflections the same way on both sides")
    func stems() {
        let pairs: [(String, String)] = [("indexes", "index"), ("vacuuming", "vacuum"), ("reclaimed", "reclaim"),
                                         ("queries", "query"), ("running", "run"), ("spaces", "space"),
                                         ("quickly", "quick"), ("Tables", "table"), ("classes", "class"),
                                         ("reused", "reuse"), ("filled", "fill")]
        for (a, b) in pairs {
            #expect(LightStemmer.stem(a) == LightStemmer.stem(b), "\(a) / \(b)")
        }
        #expect(LightStemmer.stem("status") == "status")
        #expect(LightStemmer.stem("bus") == "bus")
        #expect(LightStemmer.stem("pg15s") == "pg15s")
        #expect(LightStemmer.stem("indexing") == "index")
    }
}
