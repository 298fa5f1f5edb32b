import Testing
@testable import LoreCore

@Suite("TrigramQuery")
struct TrigramQueryTests {
    private func query(_ text: String) -> TrigramQuery {
        TrigramQuery(expression: FTSQuery.matchExpression(text)!)
    }

    @Test("an expression without a script written without spaces is left exactly as it came")
    func latinUntouched() {
        for text in ["vacuum", "how do I VACUUM the \"Write-Ahead log\" vacu*", "pg_dump", "café Привет", "x\"y"] {
            let expression = FTSQuery.matchExpression(text)!
            let q = TrigramQuery(expression: expression)
            #expect(q.isEmpty)
            #expect(q.remainder == expression)
            #expect(q.matchExpression == nil && q.shortRuns.isEmpty)
        }
    }

    @Test("text FTSQuery would not write is left whole for unicode61")
    func foreignExpressions() {
        for expression in ["日本語 AND テキスト", "\"日本語\" NEAR \"テキスト\"", "\"日本語", "\"日本語\" OR ", "", "body:日本語"] {
            let q = TrigramQuery(expression: expression)
            #expect(q.isEmpty)
            #expect(q.remainder == expression)
        }
    }

    @Test("a run becomes its overlapping trigrams and, when longer than one, itself as a phrase")
    func trigrams() {
        let q = query("テキスト")
        #expect(q.runs == ["テキスト"])
        #expect(q.remainder == nil)
        #expect(q.matchExpression == "\"テキスト\" OR \"テキス\" OR \"キスト\"")
        #expect(query("五花肉").matchExpression == "\"五花肉\"")
        #expect(query("데이터베이스를").matchExpression
            == "\"데이터베이스를\" OR \"데이터\" OR \"이터베\" OR \"터베이\" OR \"베이스\" OR \"이스를\"")
    }

    @Test("Latin words stay on the unicode61 side, in order; script runs move")
    func mixed() {
        let q = query("vacuum テキスト pg_dump 索引")
        #expect(q.runs == ["テキスト", "索引"])
        #expect(q.remainder == "\"vacuum\" OR \"pg dump\"")
        #expect(q.shortRuns == ["索引"])
        #expect(q.matchExpression == "\"テキスト\" OR \"テキス\" OR \"キスト\"")
    }

    @Test("a token mixing scripts is one run; a quoted phrase mixing scripts keeps its other words as words")
    func mixedTokens() {
        #expect(query("SQLiteの索引").runs == ["SQLiteの索引"])
        #expect(query("SQLiteの索引").matchExpression?.hasPrefix("\"SQLiteの索引\" OR \"SQL\" OR \"QLi\"") == true)
        let phrase = query("\"full text 検索\"")
        #expect(phrase.runs == ["検索"])
        #expect(phrase.remainder == "\"full\" OR \"text\"")
    }

    @Test("runs of one or two scalars are left to the scan; a starred run is a run")
    func shortRuns() {
        let q = query("索引 の 데이터*")
        #expect(q.shortRuns == ["索引", "の"])
        #expect(q.runs == ["索引", "の", "데이터"])
        #expect(q.matchExpression == "\"데이터\"")
        #expect(query("索引").matchExpression == nil)
        let many = (0..<40).map { String(UnicodeScalar(0x4E00 + $0)!) }.joined(separator: " ")
        #expect(query(many).shortRuns.count == TrigramQuery.maxShortRuns)
    }

    @Test("repeats count once, whatever their case")
    func repeats() {
        let q = query("テキスト テキスト sqlの SQLの")
        #expect(q.runs == ["テキスト", "sqlの"])
        #expect(q.matchExpression == "\"テキスト\" OR \"テキス\" OR \"キスト\" OR \"sqlの\" OR \"sql\" OR \"qlの\"")
    }

    @Test("a pasted page is capped at 64 strings, and its phrase at 64 trigrams")
    func cap() {
        let page = String(String.UnicodeScalarView((0..<1_000).map { UnicodeScalar(0x4E00 + $0)! }))
        let strings = TrigramQuery.clauses(of: query(page).matchExpression!)!
        #expect(strings.count == FTSQuery.defaultMaxTerms)
        #expect(strings[0].tokens[0].unicodeScalars.count == FTSQuery.defaultMaxTerms + 2)
        #expect(strings[1].tokens[0].unicodeScalars.count == 3)
    }

    @Test("quotes inside a string are read back and written doubled")
    func quotes() {
        let q = TrigramQuery(expression: "\"日本\"\"語\" OR \"x\"")
        #expect(q.runs == ["日本\"語"])
        #expect(q.matchExpression == "\"日本\"\"語\" OR \"日本\"\"\" OR \"本\"\"語\"")
        #expect(q.remainder == "\"x\"")
    }

    @Test("whatever is typed, the trigram expression is only quoted strings joined by OR")
    func neverMalformed() {
        let alphabet = Array("\"'-*^:()NEAR AND OR NOT{}+,.;!?\\ \t\nvacuum日本語のテキスト데이터🚀é\u{301}\u{0}")
        var generator = SeededRandom(seed: 0xC7C)
        for _ in 0..<2_000 {
            let length = Int(generator.next() % 40)
            let text = String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            guard let expression = FTSQuery.matchExpression(text) else { continue }
            let q = TrigramQuery(expression: expression)
            if let match = q.matchExpression { #expect(TrigramQuery.clauses(of: match) != nil, "\(text.debugDescription)") }
            if let rest = q.remainder { #expect(TrigramQuery.clauses(of: rest) != nil, "\(text.debugDescription)") }
            #expect(q.remainder != nil || !q.isEmpty)
        }
    }

    @Test("BM25 of a scanned run: more hits, rarer runs and shorter rows score higher, as in FTS5")
    func bm25() {
        let stats = TrigramBM25(rows: 100, totalLength: 10_000, matchingRows: [5, 50])
        let one = stats.score(weightedHits: [1, 0], length: 100)
        #expect(one > 0)
        #expect(stats.score(weightedHits: [2, 0], length: 100) > one)
        #expect(stats.score(weightedHits: [1, 0], length: 400) < one)
        #expect(stats.score(weightedHits: [0, 1], length: 100) < one)
        #expect(stats.score(weightedHits: [1, 1], length: 100) > one)
        #expect(stats.score(weightedHits: [0, 0], length: 100) == 0)
        // FTS5 floors the IDF of a run in most rows to 1e-6 rather than letting it go negative.
        let common = TrigramBM25(rows: 4, totalLength: 40, matchingRows: [3])
        #expect(common.score(weightedHits: [1], length: 10) > 0 && common.score(weightedHits: [1], length: 10) < 1e-5)
        #expect(TrigramBM25(rows: 0, totalLength: 0, matchingRows: [0]).score(weightedHits: [1], length: 0) == 0)
        #expect(TrigramBM25.trigrams(inCharacters: 2) == 0 && TrigramBM25.trigrams(inCharacters: 10) == 8)
    }

    @Test("the writer's test for passages the trigram index takes")
    func scriptTest() {
        #expect(UnsegmentedScript.appears(in: "これは日本語"))
        #expect(UnsegmentedScript.appears(in: "see 데이터베이스"))
        #expect(UnsegmentedScript.appears(in: "ภาษาไทย"))
        #expect(UnsegmentedScript.appears(in: "𠀋"))
        #expect(!UnsegmentedScript.appears(in: "café — “quoted” Привет 🚀 ½"))
        #expect(!UnsegmentedScript.appears(in: ""))
        // The byte scan agrees with the scalars at every boundary of the ranges, in every UTF-8 length.
        for value: UInt32 in [0x7F, 0x80, 0x7FF, 0x800, 0xDFF, 0xE00, 0xEFF, 0xF00, 0x3040, 0x303F, 0x30FF, 0x3100,
                              0x9FFF, 0xA000, 0xAC00, 0xD7AF, 0xD7B0, 0xFF65, 0xFF66, 0xFF9F, 0xFFA0, 0xFFFF,
                              0x10000, 0x1F680, 0x1FFFF, 0x20000, 0x3134F, 0x31350, 0x10FFFF] {
            let scalar = Unicode.Scalar(value)!
            #expect(UnsegmentedScript.appears(in: "ab" + String(Character(scalar)) + "c") == UnsegmentedScript.contains(scalar),
                    "U+\(String(value, radix: 16))")
        }
    }
}
