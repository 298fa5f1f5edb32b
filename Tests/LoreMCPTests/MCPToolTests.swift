import Foundation
import LoreBench
import LoreCore
import LoreEngine
import LoreMCP
import LoreStore
import MCP
import Testing

@Suite("MCP tools over a real knowledge base")
struct MCPToolTests {
    @Test func searchReturnsPassagesWithTheirPlaces() async throws {
        let fixture = try MCPFixture()
        let tools = try await fixture.tools()
        let found = try await tools.search(query: "disk space", kb: nil, k: 3, mode: .bm25)
        #expect(found.kb == "docs")
        #expect(found.mode == "bm25")
        #expect(found.notice == nil)
        let best = try #require(found.results.first)
        #expect(best.path == fixture.docs + "/vacuum.md")
        #expect(best.uri == "lore://docs/vacuum.md")
        #expect(best.headings.last == "Recovering Disk Space")
        #expect(best.text.contains("VACUUM FULL rewrites"))
        // Line 7 of the file holds that sentence; the passage's range covers it.
        #expect(best.lineStart <= 7 && best.lineEnd >= 7)
        #expect(best.location == "vacuum.md:\(best.lineStart)-\(best.lineEnd)" || best.location == "vacuum.md:\(best.lineStart)")
        #expect(best.score.map { $0 > 0 } == true)
        // The id names the same passage in the store.
        let stored = try #require(try fixture.store().passage(id: best.id))
        #expect(stored.text == best.text)
        #expect(found.results.count <= 3)
    }

    @Test func searchWithoutEmbeddingsFallsBackAndSaysWhy() async throws {
        let fixture = try MCPFixture()
        let found = try await fixture.tools().search(query: "pg_dump snapshot", kb: "docs", k: 8, mode: .vector)
        #expect(found.mode == "bm25")
        #expect(found.notice?.contains("no [embedding] is configured") == true)
        #expect(found.results.first?.uri == "lore://docs/guide/backup%20and%20restore.md")
    }

    @Test func getPassageGivesNeighboursInDocumentOrder() async throws {
        let fixture = try MCPFixture()
        let tools = try await fixture.tools()
        let all = try fixture.store().passages(ofDocument: fixture.docs + "/vacuum.md")
        #expect(all.count >= 3)
        let middle = all[1]
        let got = try tools.passage(id: middle.id, kb: nil, context: 1)
        #expect(got.passage.id == middle.id)
        #expect(got.passage.text == middle.text)
        #expect(got.before.map(\.id) == [all[0].id])
        #expect(got.after.map(\.id) == [all[2].id])
        let first = try tools.passage(id: all[0].id, kb: "docs", context: 5)
        #expect(first.before.isEmpty)
        #expect(first.after.map(\.id) == all.dropFirst().map(\.id))
        let alone = try tools.passage(id: middle.id, kb: nil, context: 0)
        #expect(alone.before.isEmpty && alone.after.isEmpty)
    }

    @Test func listKnowledgeBasesCountsFilesAndPassages() async throws {
        let fixture = try MCPFixture()
        let listed = try await fixture.tools().knowledgeBases()
        #expect(listed.map(\.name) == ["docs", "empty"])
        let docs = try #require(listed.first)
        let stats = try fixture.store().statistics()
        #expect(docs.isDefault)
        #expect(docs.paths == [fixture.docs])
        #expect(docs.files == 3)
        #expect(docs.passages == stats.passages)
        #expect(docs.state == "indexed")
        #expect(docs.lastIndexed != nil)
        #expect(docs.embedding == EmbeddingState(configured: false, model: nil, embedded: 0, passages: stats.passages,
                                                 state: "not configured"))
        #expect(listed[1].state == "not indexed yet")
        #expect(listed[1].files == 0)
    }

    @Test func embeddingStateCountsStoredVectorsWithoutAskingTheServer() async throws {
        // The embedding server's port is closed: listing must not need it.
        let port = try LoopbackServer.closedPort()
        let fixture = try MCPFixture(extraConfig: """
            [embedding]
            base_url = "http://127.0.0.1:\(port)/v1"
            model = "test-embed"
            """)
        let store = try fixture.store()
        let waiting = try store.passagesWithoutVectors(model: "test-embed", dimensions: 3, limit: 100)
        #expect(waiting.count >= 3)
        let written = try store.putVectors(waiting.prefix(2).map { ($0, [1, 0, 0]) }, model: "test-embed")
        #expect(written == 2)
        let docs = try #require(try await fixture.tools().knowledgeBases().first)
        #expect(docs.embedding.configured)
        #expect(docs.embedding.model == "test-embed")
        #expect(docs.embedding.embedded == 2)
        #expect(docs.embedding.passages == waiting.count)
        #expect(docs.embedding.state == "partial")
    }

    @Test func documentsAreResourcesWhoseTextIsTheFile() async throws {
        let fixture = try MCPFixture()
        let server = try await fixture.server()
        let resources = try server.resourceList()
        #expect(resources.map(\.uri) == ["lore://docs/guide/backup%20and%20restore.md", "lore://docs/replication.txt",
                                         "lore://docs/vacuum.md"])
        #expect(resources.map(\.mimeType) == ["text/markdown", "text/plain", "text/markdown"])
        let read = try server.read("lore://docs/guide/backup%20and%20restore.md")
        #expect(read.contents.first?.text == MCPFixture.backup)
        #expect(read.contents.first?.mimeType == "text/markdown")
        #expect(try server.read("lore://docs/vacuum.md").contents.first?.text == MCPFixture.vacuum)
    }

    @Test func aResourceURIReachesOnlyIndexedDocuments() async throws {
        let fixture = try MCPFixture()
        try "secret\n".write(toFile: fixture.home + "/secret.md", atomically: true, encoding: .utf8)
        let server = try await fixture.server()
        for uri in ["lore://docs/../secret.md", "lore://docs/nope.md", "lore://docs/" + fixture.home + "/secret.md"] {
            #expect {
                _ = try server.read(uri)
            } throws: { error in
                guard case MCPError.serverError(let code, let message) = error else { return false }
                return code == -32002 && message.contains("no indexed document")
            }
        }
        #expect {
            _ = try server.read("lore://nokb/vacuum.md")
        } throws: { error in
            "\(error)".contains("no knowledge base named \"nokb\"; known: docs, empty")
        }
        #expect {
            _ = try server.read("file:///etc/passwd")
        } throws: { error in
            "\(error)".contains("is not a Lore document")
        }
    }

    @Test func documentURIsRoundTrip() {
        let uri = DocumentURI.make(kb: "notes", relativePath: "a b/c#d?.md")
        #expect(uri == "lore://notes/a%20b/c%23d%3F.md")
        #expect(DocumentURI.parse(uri)?.kb == "notes")
        #expect(DocumentURI.parse(uri)?.relativePath == "a b/c#d?.md")
        #expect(DocumentURI.relativePath(of: "/x/docs/a.md", roots: ["/x/docs"]) == "a.md")
        #expect(DocumentURI.relativePath(of: "/y/src/a.md", roots: ["/x/docs", "/y/src"]) == "src/a.md")
        #expect(DocumentURI.parse("lore://notes") == nil)
        #expect(DocumentURI.parse("http://notes/a.md") == nil)
    }
}

@Suite("MCP tool calls: arguments, errors, optional tools")
struct MCPCallTests {
    @Test func aCallReturnsJSONTextAndStructuredContent() async throws {
        let fixture = try MCPFixture()
        let server = try await fixture.server()
        let result = try await server.call("search", arguments: ["query": "pg_dump", "k": 2])
        #expect(result.isError == false)
        let output = try result.decoded(SearchOutput.self)
        #expect(output.results.first?.path.hasSuffix("backup and restore.md") == true)
        let fromText = try JSONDecoder().decode(SearchOutput.self, from: Data(result.text.utf8))
        #expect(fromText.results.map(\.id) == output.results.map(\.id))
        // 2.0 from a JSON client is the whole number 2.
        let two = try await server.call("search", arguments: ["query": "table", "k": .double(2)])
        #expect(two.isError == false)
        #expect(try two.decoded(SearchOutput.self).results.count <= 2)
    }

    @Test(arguments: [
        (["k": 3] as [String: Value], "search: `query` is required: the words to look for"),
        (["query": "  "], "search: `query` is empty; give the words to look for"),
        (["query": 7], "search: `query` must be a string, not the number 7"),
        (["query": "vacuum", "k": "five"], "search: `k` must be a whole number, not the string \"five\""),
        (["query": "vacuum", "k": 0], "search: `k` must be between 1 and 50, not 0"),
        (["query": "vacuum", "k": .double(2.5)], "search: `k` must be a whole number, not the number 2.5"),
        (["query": "vacuum", "mode": "fuzzy"], "search: `mode` must be one of bm25, vector, hybrid, rerank, not \"fuzzy\""),
        (["query": "vacuum", "limit": 3], "search: unknown argument `limit`; it takes `query`, `kb`, `k`, `mode`"),
        (["query": "vacuum", "kb": "nope"], "no knowledge base named \"nope\"; known: docs, empty; or add it with `lore kb add nope FOLDER`"),
        (["query": "vacuum", "kb": "empty"], "knowledge base \"empty\" is not indexed yet; run `lore index --kb empty`"),
    ])
    func badSearchArgumentsAreToolErrors(arguments: [String: Value], message: String) async throws {
        let fixture = try MCPFixture()
        let result = try await fixture.server().call("search", arguments: arguments)
        #expect(result.isError == true)
        #expect(result.text == message)
        #expect(result.structuredContent == nil)
    }

    @Test func badPassageRequestsAreToolErrors() async throws {
        let fixture = try MCPFixture()
        let server = try await fixture.server()
        let missing = try await server.call("get_passage", arguments: [:])
        #expect(missing.isError == true)
        #expect(missing.text == "get_passage: `id` is required: a passage id from search")
        let unknown = try await server.call("get_passage", arguments: ["id": 999_999])
        #expect(unknown.isError == true)
        #expect(unknown.text.hasPrefix("no passage 999999 in docs; passage ids come from `search`"))
        let context = try await server.call("get_passage", arguments: ["id": 1, "context": 9])
        #expect(context.text == "get_passage: `context` must be between 0 and 5, not 9")
        let extra = try await server.call("list_knowledge_bases", arguments: ["kb": "docs"])
        #expect(extra.isError == true)
        #expect(extra.text == "list_knowledge_bases: unknown argument `kb`; it takes no arguments")
    }

    @Test func readOnlyByDefault() async throws {
        let fixture = try MCPFixture()
        let server = try await fixture.server()
        #expect(server.toolList.map(\.name) == ["search", "get_passage", "list_knowledge_bases"])
        #expect(server.toolList.allSatisfy { $0.annotations.readOnlyHint == true })
        await #expect {
            _ = try await server.call("index", arguments: [:])
        } throws: { error in
            guard case MCPError.invalidParams(let message?) = error else { return false }
            return message.contains("unknown tool \"index\"") && message.contains("lore mcp --allow-index")
        }
        await #expect {
            _ = try await server.call("ask", arguments: ["question": "why?"])
        } throws: { error in
            guard case MCPError.invalidParams(let message?) = error else { return false }
            return message.contains("needs a chat model")
        }
    }

    @Test func allowIndexAddsAnIncrementalIndexTool() async throws {
        let fixture = try MCPFixture()
        let server = try await fixture.server(allowIndex: true)
        #expect(server.toolList.map(\.name).contains("index"))
        let unchanged = try await server.call("index", arguments: [:]).decoded(IndexOutput.self)
        #expect(unchanged.unchanged == 3)
        #expect(unchanged.added == 0 && unchanged.passagesWritten == 0)
        try "# Tablespaces\n\nA tablespace names a folder where PostgreSQL keeps the files of its tables.\n"
            .write(toFile: fixture.docs + "/tablespaces.md", atomically: true, encoding: .utf8)
        let result = try await server.call("index", arguments: ["kb": "docs"])
        #expect(result.isError == false)
        let output = try result.decoded(IndexOutput.self)
        #expect(output.added == 1 && output.unchanged == 3)
        #expect(output.summary.hasPrefix("added 1, updated 0, removed 0"))
        #expect(output.embedding == nil)
        let found = try await server.tools.search(query: "tablespace", kb: nil, k: 1, mode: .bm25)
        #expect(found.results.first?.uri == "lore://docs/tablespaces.md")
        // A knowledge base never indexed can be indexed from here.
        let empty = try await server.call("index", arguments: ["kb": "empty"]).decoded(IndexOutput.self)
        #expect(empty.added == 0 && empty.kb == "empty")
    }

    @Test func askAnswersWithNumberedCitationsThroughTheChatSession() async throws {
        let model = try LoopbackServer { _, _ in
            OpenAIScript.response(["VACUUM FULL returns the space ", "to the operating system [1]."], ending: .done)
        }
        defer { model.stop() }
        let fixture = try MCPFixture(extraConfig: """
            [model]
            provider = "openai"
            base_url = "\(model.baseURL)/v1"
            name = "scripted"
            """)
        let server = try await fixture.server()
        #expect(server.toolList.map(\.name).contains("ask"))
        let result = try await server.call("ask", arguments: ["question": "How do I get disk space back?"])
        #expect(result.isError == false)
        let answer = try result.decoded(AskOutput.self)
        #expect(answer.answer == "VACUUM FULL returns the space to the operating system [1].")
        #expect(answer.mode == "generative")
        #expect(answer.model == "scripted")
        #expect(answer.state == "complete")
        #expect(answer.cited == [1])
        let first = try #require(answer.sources.first)
        #expect(first.number == 1 && first.cited)
        #expect(first.passage.path == fixture.docs + "/vacuum.md")
        #expect(result.text.hasPrefix(answer.answer + "\n\nSources:\n*[1] Routine Vacuuming"))
        // The prompt carried the retrieved passage, and the turn was saved as `lore ask` saves it.
        let body = String(decoding: try #require(model.requests.first).body, as: UTF8.self)
        #expect(body.contains("VACUUM FULL rewrites the whole table"))
        let saved = try #require(try fixture.store().conversation(id: answer.conversation))
        #expect(saved.1.map(\.question) == ["How do I get disk space back?"])

        let bad = try await server.call("ask", arguments: ["question": "again?", "conversation": 4242])
        #expect(bad.isError == true)
        #expect(bad.text == "no conversation 4242 in docs; see `lore history`")
    }

    @Test func unknownToolIsAProtocolError() async throws {
        let fixture = try MCPFixture()
        let server = try await fixture.server()
        await #expect {
            _ = try await server.call("delete_everything", arguments: nil)
        } throws: { error in
            guard case MCPError.invalidParams(let message?) = error else { return false }
            return message == "unknown tool \"delete_everything\"; tools: search, get_passage, list_knowledge_bases"
        }
    }
}

@Suite("MCP line transport over real pipes")
struct LineTransportTests {
    @Test func messagesSplitAcrossWritesArriveWholeAndRepliesEndInANewline() async throws {
        var toServer: [Int32] = [0, 0]
        var fromServer: [Int32] = [0, 0]
        #expect(pipe(&toServer) == 0 && pipe(&fromServer) == 0)
        // The reader thread has reached end of file (the stream ended) before these close.
        defer { for fd in [toServer[0], fromServer[0], fromServer[1]] { close(fd) } }
        let transport = LineTransport(input: toServer[0], output: fromServer[1])
        try await transport.connect()
        let bytes = Array(#"{"a":1}"#.utf8) + [0x0A, 0x0A] + Array(#"{"b":"#.utf8)
        _ = bytes.withUnsafeBytes { write(toServer[1], $0.baseAddress, $0.count) }
        _ = Array("2}\n".utf8).withUnsafeBytes { write(toServer[1], $0.baseAddress, $0.count) }
        close(toServer[1])
        var received: [String] = []
        for try await line in transport.receive() { received.append(String(decoding: line, as: UTF8.self)) }
        // The blank line is dropped; the end of input ends the stream.
        #expect(received == [#"{"a":1}"#, #"{"b":2}"#])

        try await transport.send(Data(#"{"ok":true}"#.utf8))
        var reply = [UInt8](repeating: 0, count: 64)
        let count = reply.withUnsafeMutableBytes { read(fromServer[0], $0.baseAddress, $0.count) }
        #expect(String(decoding: reply[0..<max(0, count)], as: UTF8.self) == "{\"ok\":true}\n")
    }
}
