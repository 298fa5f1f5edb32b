import Testing
@testable import LoreCore

@Suite("FTSQuery")
struct FTSQueryTests {
    private func expr(_ text: String) -> String? { FTSQuery.matchExpression(text) }

    @Test("plain words become quoted terms joined with OR, stop words dropped")
    func plainWords() {
        #expect(expr("how do I vacuum a table") == "\"vacuum\" OR \"table\"")
        #expect(expr("vacuum") == "\"vacuum\"")
        #expect(expr("Vacuum VACUUM vacuum") == "\"Vacuum\"")
    }

    @Test("a query of stop words only keeps them")
    func onlyStopWords() {
        #expect(expr("what is it") == "\"what\" OR \"is\" OR \"it\"")
        #expect(expr("to be or not to be") == "\"not\"")
    }

    @Test("nothing searchable gives nil, so no MATCH runs")
    func nothingSearchable() {
        for text in ["", "   ", "\n\t", "!!! ??? ...", "\"\"", "\" \"", "-", "*", "^", ":", "()", "🎉🎉", "—–"] {
            #expect(expr(text) == nil, "\(text.debugDescription)")
        }
    }

    @Test("FTS5 operators typed by the user are plain words")
    func operatorsArePlain() {
        #expect(expr("vacuum AND analyze") == "\"vacuum\" OR \"analyze\"")
        #expect(expr("NOT vacuum") == "\"NOT\" OR \"vacuum\"")
        #expect(expr("NEAR(vacuum analyze)") == "\"NEAR\" OR \"vacuum\" OR \"analyze\"")
        #expect(expr("-vacuum") == "\"vacuum\"")
        #expect(expr("^vacuum") == "\"vacuum\"")
        #expect(expr("title:vacuum") == "\"title vacuum\"")
        #expect(expr("title: vacuum") == "\"title\" OR \"vacuum\"")
        #expect(expr("(x OR y)") == "\"x\" OR \"y\"")
    }

    @Test("a quoted phrase stays a phrase; an unclosed quote is plain text")
    func phrases() {
        #expect(expr("\"write ahead log\" tuning") == "\"write ahead log\" OR \"tuning\"")
        #expect(expr("\"the\" vacuum") == "\"the\" OR \"vacuum\"")
        #expect(expr("\"vacuum") == "\"vacuum\"")
        #expect(expr("it's \"a\"b\" c") == "\"it s\" OR \"a\" OR \"b\" OR \"c\"")
    }

    @Test("a trailing star makes a prefix query")
    func prefix() {
        #expect(expr("vacu*") == "\"vacu\"*")
        #expect(expr("pg_du*") == "\"pg du\"*")
        #expect(expr("*vacuum") == "\"vacuum\"")
        #expect(expr("va*cuum") == "\"va\" OR \"cuum\"")
    }

    @Test("words joined by in-word punctuation are a phrase")
    func compounds() {
        #expect(expr("pg_dump") == "\"pg dump\"")
        #expect(expr("e-mail") == "\"e mail\"")
        #expect(expr("3.14") == "\"3 14\"")
        #expect(expr("x--y") == "\"x\" OR \"y\"")
    }

    @Test("single and double quotes inside words never break the expression")
    func quotes() {
        #expect(expr("don't") == "\"don t\"")
        #expect(expr("say \"hi") == "\"say\" OR \"hi\"")
        #expect(FTSQuery.quote("a\"b") == "\"a\"\"b\"")
    }

    @Test("other scripts: CJK runs become prefixes, accents stay, emoji separate")
    func otherScripts() {
        #expect(expr("日本語") == "\"日本語\"*")
        #expect(expr("日本語のテキスト") == "\"日本語のテキスト\"*")
        #expect(expr("café") == "\"café\"")
        #expect(expr("cafe\u{301}") == "\"café\"")
        #expect(expr("Привет мир") == "\"Привет\" OR \"мир\"")
        #expect(expr("rocket🚀launch") == "\"rocket\" OR \"launch\"")
        #expect(expr("👍 vacuum 🎉") == "\"vacuum\"")
    }

    @Test("tokens follow unicode61: letters, digits and private use are word characters")
    func tokenizer() {
        #expect(FTSQuery.tokenize("Hello, wörld! x2 ½ 日本") == ["Hello", "wörld", "x2", "½", "日本"])
        #expect(FTSQuery.tokenize("a\u{200D}b") == ["a", "b"])
        #expect(FTSQuery.tokenize("a\u{E000}b") == ["a\u{E000}b"])
        #expect(FTSQuery.tokenize("$%&*") == [])
    }

    @Test("a 10,000 character query is capped at 64 terms")
    func longQuery() {
        var words: [String] = []
        for i in 0..<2_000 { words.append("w\(i)") }
        let text = String(words.joined(separator: " ").prefix(10_000))
        let query = FTSQuery(text)
        #expect(query.clauses.count == FTSQuery.defaultMaxTerms)
        let phrase = "\"" + words.joined(separator: " ") + "\""
        let capped = FTSQuery(phrase)
        #expect(capped.clauses == [.phrase(Array(words.prefix(64)), prefix: false)])
        #expect(FTSQuery(String(repeating: "a", count: 10_000)).clauses.count == 1)
        #expect(FTSQuery(String(repeating: "\"", count: 10_001)).matchExpression == nil)
        #expect(FTSQuery(String(repeating: "(", count: 10_000) + "x").matchExpression == "\"x\"")
    }

    @Test("highlight terms are lowercased and unique")
    func highlightTerms() {
        #expect(FTSQuery.terms("How do I VACUUM the \"Write-Ahead log\" vacu*") ==
                ["vacuum", "write", "ahead", "log", "vacu"])
        #expect(FTSQuery.terms("") == [])
        #expect(FTSQuery.terms("日本語") == ["日本語"])
    }

    @Test("suggested column weights favour titles over headings over body")
    func weights() {
        let w = FTSQuery.ColumnWeights.standard
        #expect(w.title > w.headings && w.headings > w.body)
    }
}
