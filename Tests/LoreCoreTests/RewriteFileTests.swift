import LoreCore
import Testing

@Suite struct RewriteFileTests {
    @Test func linesRoundTrip() throws {
        let plans = [("how do I vacuum?", QueryRewrite.Plan(queries: ["VACUUM FULL", "reclaim \"dead\" rows"],
                                                            hypothetical: "VACUUM reclaims storage.\nIt runs online.")),
                     ("second", QueryRewrite.Plan(queries: []))]
        let text = "# saved rewrites\n\n" + plans.map { RewriteFile.line(question: $0.0, plan: $0.1) }.joined(separator: "\n")
        let read = try RewriteFile.parse(text)
        #expect(read.count == 2)
        for (q, plan) in plans { #expect(read[q] == plan) }
        #expect(!RewriteFile.line(question: "a/b", plan: plans[1].1).contains("\\/"))
    }

    @Test func badLinesSayWhereAndWhat() {
        func message(_ text: String) -> String {
            do { _ = try RewriteFile.parse(text); return "" } catch { return "\(error)" }
        }
        #expect(message("{\"q\": \"x\"}").hasPrefix("line 1: needs \"queries\""))
        #expect(message("\n[1, 2]").hasPrefix("line 2: not a JSON object"))
        #expect(message("{\"queries\": []}").contains("non-empty \"q\""))
        #expect(message("{\"q\": \"x\", \"queries\": [], \"passage\": 3}").contains("\"passage\" must be a string"))
        #expect(message("{\"q\": \"x\", \"queries\": []}\n{\"q\": \"x\", \"queries\": [\"y\"]}").hasPrefix("line 2: the question \"x\" is listed twice (first on line 1); keep one"))
    }

    @Test func windowsLineEndingsReadAsLines() throws {
        let read = try RewriteFile.parse("{\"q\": \"a\", \"queries\": [\"x\"]}\r\n{\"q\": \"b\", \"queries\": []}\r\n")
        #expect(read.count == 2 && read["a"]?.queries == ["x"])
        #expect(try EvalSet.parse("{\"q\": \"a\", \"relevant\": [\"x.md\"]}\r\n{\"q\": \"b\", \"relevant\": [\"y.md\"]}\r\n").count == 2)
    }

    @Test func blankQueriesAndPassagesAreDropped() throws {
        let read = try RewriteFile.parse("{\"q\": \"x\", \"queries\": [\" \", \"pg_dump\"], \"passage\": \"  \"}")
        #expect(read["x"] == QueryRewrite.Plan(queries: ["pg_dump"]))
    }
}
