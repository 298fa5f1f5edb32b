import Testing
@testable import LoreCore

@Suite("CitationParser")
struct CitationParserTests {
    private func numbers(_ text: String) -> [[Int]] { CitationParser.citations(in: text).map(\.numbers) }

    /// Feeds `pieces` one after another and collects every event, `finish()` included.
    private func streamed(_ pieces: [String]) -> [Citation] {
        var parser = CitationParser()
        var events: [Citation] = []
        for piece in pieces { events += parser.feed(piece) }
        return events + parser.finish()
    }

    @Test("the marker forms models write")
    func forms() {
        #expect(numbers("x [2]") == [[2]])
        #expect(numbers("x [1, 3]") == [[1, 3]])
        #expect(numbers("x [1,3]") == [[1, 3]])
        #expect(numbers("x [1; 3]") == [[1, 3]])
        #expect(numbers("x [ 4 ]") == [[4]])
        #expect(numbers("x [2-4]") == [[2, 3, 4]])
        #expect(numbers("x [2–4]") == [[2, 3, 4]])
        #expect(numbers("x [1, 3-5, 3]") == [[1, 3, 4, 5]])
        #expect(numbers("x [^2]") == [[2]])
        #expect(numbers("x [1][3]") == [[1], [3]])
        #expect(numbers("[999]") == [[999]])
        #expect(numbers("[5-5]") == [[5]])
    }

    @Test("ranges are UTF-16 offsets into the whole answer, bracket to bracket")
    func ranges() {
        let text = "🎉 ok [2] and [10, 11]."
        let found = CitationParser.citations(in: text)
        // 🎉 is two UTF-16 units: "🎉 ok " is 6 units, so "[2]" spans 6..<9; "[10, 11]" starts at 14.
        #expect(found == [Citation(numbers: [2], range: 6..<9),
                          Citation(numbers: [10, 11], range: 14..<22,
                                   parts: [.init(numbers: [10], range: 15..<17), .init(numbers: [11], range: 19..<21)])])
        #expect(String(text[found[1].stringRange(in: text)]) == "[10, 11]")
    }

    @Test("each item of a marker is reported with its numbers and its own range")
    func parts() {
        func items(_ text: String) -> [[String: [Int]]] {
            let units = Array(text.utf16)
            return CitationParser.citations(in: text).map { citation in
                Dictionary(uniqueKeysWithValues: citation.parts.map {
                    (String(decoding: units[$0.range], as: UTF16.self), $0.numbers)
                })
            }
        }
        #expect(items("x [2]") == [["2": [2]]])
        #expect(items("x [1, 3]") == [["1": [1], "3": [3]]])
        #expect(items("x [ 1 ;3 ]") == [["1": [1], "3": [3]]])
        #expect(items("x [2-4]") == [["2-4": [2, 3, 4]]])
        #expect(items("x [1; 2–4]") == [["1": [1], "2–4": [2, 3, 4]]])
        #expect(items("x [^7]") == [["7": [7]]])
        #expect(items("x [1][3]") == [["1": [1]], ["3": [3]]])
        // The whole-answer offsets survive a shift, as when a front end puts a header before the answer.
        let shifted = CitationParser.citations(in: "[1, 2]")[0].shifted(by: 5)
        #expect(shifted.range == 5..<11 && shifted.parts.map(\.range) == [6..<7, 9..<10])
        #expect([Citation](CitationParser.citations(in: "[3] [1, 3] [2-3]")).citedNumbers == [3, 1, 2])
    }

    @Test("things in brackets that are not citations")
    func notCitations() {
        for text in ["see [link](https://example.com)", "see [1](https://example.com)", "array[0]", "[0]", "[01]",
                     "[1000]", "[12345]", "[]", "[ ]", "[,]", "[1,]", "[,1]", "[4-2]", "[1-60]", "[1-2-3]", "[1 2]",
                     "[x]", "[ ] todo", "[1a]", "[^]", "[2^]", "[-3]", "[3"] {
            #expect(numbers(text).isEmpty, "\(text)")
        }
    }

    @Test("a marker glued to the word it cites still counts; identifiers in code do not")
    func gluedAndCode() {
        #expect(numbers("It is on by default[1].") == [[1]])
        #expect(numbers("In 2023[2] it changed.") == [[2]])
        #expect(numbers("Use `items[1]` here [2].") == [[2]])
        #expect(numbers("Use ``a ` items[1]`` here [2].") == [[2]])
        #expect(numbers("```swift\nlet x = a[1]\n```\nSee [3].") == [[3]])
        #expect(numbers("~~~\n[1]\n~~~\n[2]") == [[2]])
        // A three-backtick line does not close a four-backtick fence.
        #expect(numbers("````\n```\n[1]\n````\n[2]") == [[2]])
        // An indented fence still opens; a run in mid-line is inline code, not a fence.
        #expect(numbers("  ```\n[1]\n  ```\n[2]") == [[2]])
        // An inline span never closed ends with its line.
        #expect(numbers("a stray ` tick [1]\nthen [2]") == [[2]])
    }

    @Test("nested and repeated brackets")
    func brackets() {
        #expect(numbers("[[1]]") == [[1]])
        #expect(numbers("[see [2]]") == [[2]])
        #expect(numbers("[1]]") == [[1]])
        #expect(numbers("[1][2][3]") == [[1], [2], [3]])
    }

    @Test("a marker is reported once its next character shows it is not a link, or at finish")
    func timing() {
        var parser = CitationParser()
        #expect(parser.feed("Autovacuum [1").isEmpty)
        #expect(parser.feed(", 3]").isEmpty)
        #expect(parser.feed(" is on.") == [Citation(numbers: [1, 3], range: 11..<17,
                                                     parts: [.init(numbers: [1], range: 12..<13),
                                                             .init(numbers: [3], range: 15..<16)])])
        #expect(parser.feed(" See [2]").isEmpty)
        #expect(parser.finish() == [Citation(numbers: [2], range: 29..<32)])

        var linked = CitationParser()
        #expect(linked.feed("see [4]").isEmpty)
        #expect(linked.feed("(http://x)").isEmpty)
        #expect(linked.finish().isEmpty)
    }

    static let streamSample = """
        VACUUM reclaims space [1]. VACUUM FULL returns it to the OS[2, 3]; see [4–5] and [^6].
        Not these: `rows[7]`, [docs](https://x/y), [9](http://y), [0], [1000].
        ```sql
        SELECT a[10] FROM t;
        ```
        Done [11][12] — ünïcödé 日本語 🎉 [13-14]
        """

    @Test("split at every position, the events are those of the whole text")
    func splitEverywhere() {
        let text = Self.streamSample
        let whole = CitationParser.citations(in: text)
        #expect(whole.map(\.numbers) == [[1], [2, 3], [4, 5], [6], [11], [12], [13, 14]])
        let characters = Array(text)
        for cut in 0...characters.count {
            let pieces = [String(characters[..<cut]), String(characters[cut...])]
            #expect(streamed(pieces) == whole, "cut at \(cut)")
        }
        let scalars = text.unicodeScalars.map { String($0) }
        #expect(streamed(scalars) == whole)
        var rng = SeededRandom(seed: 7)
        for _ in 0..<200 {
            var pieces: [String] = []
            var rest = Substring(text)
            while !rest.isEmpty {
                let n = Int(rng.next() % 6) + 1
                pieces.append(String(rest.prefix(n)))
                rest = rest.dropFirst(n)
            }
            #expect(streamed(pieces) == whole)
        }
    }

    @Test("a very long bracket is prose and costs nothing")
    func longBracket() {
        let long = "[" + String(repeating: "1, ", count: 10_000) + "2]"
        #expect(numbers(long).isEmpty)
        #expect(numbers(long + " then [3]") == [[3]])
    }

    @Test("CitationCheck splits known from unknown source numbers")
    func check() {
        let check = CitationCheck(text: "a [1] b [7] c [2-3] d [2]", sourceCount: 2)
        #expect(check.cited == [1, 2])
        #expect(check.unknown == [3, 7])
        #expect(!check.isClean)
        #expect(CitationCheck(text: "a [1]", sourceCount: 0).unknown == [1])
        #expect(CitationCheck(text: "no markers", sourceCount: 3) == CitationCheck(citations: [], sourceNumbers: [1, 2, 3]))
        #expect(CitationCheck(text: "x [3]", sourceCount: 3).isClean)
    }

    @Test("removing markers leaves readable text")
    func removing() {
        #expect(CitationParser.removingCitations(from: "On by default [1]. Also [2][3] here.") == "On by default. Also here.")
        #expect(CitationParser.removingCitations(from: "Glued[1] word [2]") == "Glued word")
        #expect(CitationParser.removingCitations(from: "Keep `a[1]` and [link](u).") == "Keep `a[1]` and [link](u).")
        #expect(CitationParser.removingCitations(from: "🎉 [1] x") == "🎉 x")
    }
}

