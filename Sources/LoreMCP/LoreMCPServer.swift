import Foundation
import LoreCore
import MCP

/// The MCP face of `LoreTools`: the tool list with JSON schemas, a dispatcher that checks arguments and
/// turns results into tool results (JSON text plus the same value as structured content) and mistakes
/// into tool errors, the document resources, and the SDK server wired to them.
public struct LoreMCPServer: Sendable {
    public let tools: LoreTools
    /// `lore --version`, told to the client at initialisation.
    public let version: String

    public init(tools: LoreTools, version: String) {
        self.tools = tools
        self.version = version
    }

    public static let searchModes = RetrievalMode.allCases.map(\.rawValue)

    // MARK: - Tool list

    public var toolList: [Tool] {
        var list = [
            Tool(name: "search",
                 description: """
                     Find the passages of a Lore knowledge base that best match a query. Each result has the \
                     document, heading path, line range (or page range for PDFs), score, text and a passage id \
                     for get_passage.
                     """,
                 inputSchema: Self.object([
                     "query": Self.property("string", "What to look for: words, \"a quoted phrase\", a prefix*."),
                     "kb": Self.property("string", "Knowledge base name (list_knowledge_bases); default: the configured default."),
                     "k": .object(["type": "integer", "minimum": 1, "maximum": 50, "default": 8,
                                   "description": "How many passages to return."]),
                     "mode": .object(["type": "string", "enum": .array(Self.searchModes.map { .string($0) }),
                                      "description": "Ranking: bm25 (keywords), vector (embeddings), hybrid (both), rerank; default: the best configured."]),
                 ], required: ["query"]),
                 annotations: .init(readOnlyHint: true, openWorldHint: false)),
            Tool(name: "get_passage",
                 description: "The full text of one passage by id, with its neighbouring passages in the same document before and after it.",
                 inputSchema: Self.object([
                     "id": .object(["type": "integer", "description": "A passage id from search."]),
                     "kb": Self.property("string", "The knowledge base the id came from; default: the configured default."),
                     "context": .object(["type": "integer", "minimum": 0, "maximum": 5, "default": 1,
                                         "description": "How many neighbouring passages on each side."]),
                 ], required: ["id"]),
                 annotations: .init(readOnlyHint: true, openWorldHint: false)),
            Tool(name: "list_knowledge_bases",
                 description: "The knowledge bases Lore knows: name, folders, file and passage counts, when indexed, and how far their embeddings are.",
                 inputSchema: Self.object([:], required: []),
                 annotations: .init(readOnlyHint: true, openWorldHint: false)),
        ]
        if tools.canAsk {
            list.append(Tool(
                name: "ask",
                description: """
                    Ask a question of a knowledge base; the configured chat model answers from retrieved \
                    passages only, citing them as [n], and the numbered sources follow. The turn is saved in \
                    the knowledge base's history (`lore history`); pass `conversation` to ask a follow-up.
                    """,
                inputSchema: Self.object([
                    "question": Self.property("string", "The question."),
                    "kb": Self.property("string", "Knowledge base name; default: the configured default."),
                    "conversation": .object(["type": "integer", "description": "Continue this conversation (from an earlier answer)."]),
                ], required: ["question"]),
                annotations: .init(readOnlyHint: false, destructiveHint: false, openWorldHint: false)))
        }
        if tools.allowIndex {
            list.append(Tool(
                name: "index",
                description: "Bring a knowledge base's index up to date with its folders (incremental), then embed new passages when embeddings are configured.",
                inputSchema: Self.object([
                    "kb": Self.property("string", "Knowledge base name; default: the configured default."),
                ], required: []),
                annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false)))
        }
        return list
    }

    private static func property(_ type: String, _ description: String) -> Value {
        .object(["type": .string(type), "description": .string(description)])
    }

    private static func object(_ properties: [String: Value], required: [String]) -> Value {
        .object(["type": "object", "properties": .object(properties), "required": .array(required.map { .string($0) }),
                 "additionalProperties": false])
    }

    // MARK: - Calls

    /// Runs one tool call. Bad arguments, unknown knowledge bases and failures of the engine come back
    /// as results marked `isError` with the CLI's wording; only a tool that does not exist is a protocol
    /// error, as the MCP specification has it.
    public func call(_ name: String, arguments: [String: Value]?) async throws -> CallTool.Result {
        do {
            switch name {
            case "search":
                let args = try ToolArguments(tool: name, values: arguments, accepted: ["query", "kb", "k", "mode"])
                let query = try args.requiredString("query", what: "the words to look for")
                let mode = try args.choice("mode", from: Self.searchModes).flatMap(RetrievalMode.init(rawValue:))
                return try Self.result(await tools.search(query: query, kb: try args.string("kb"),
                                                          k: try args.integer("k", in: 1...50) ?? 8, mode: mode))
            case "get_passage":
                let args = try ToolArguments(tool: name, values: arguments, accepted: ["id", "kb", "context"])
                guard let id = try args.integer("id", in: 1...Int.max) else {
                    throw ToolError("get_passage: `id` is required: a passage id from search")
                }
                return try Self.result(tools.passage(id: Int64(id), kb: try args.string("kb"),
                                                     context: try args.integer("context", in: 0...5) ?? 1))
            case "list_knowledge_bases":
                _ = try ToolArguments(tool: name, values: arguments, accepted: [])
                return try Self.result(["knowledgeBases": tools.knowledgeBases()])
            case "ask" where tools.canAsk:
                let args = try ToolArguments(tool: name, values: arguments, accepted: ["question", "kb", "conversation"])
                let question = try args.requiredString("question", what: "the question to answer")
                let conversation = try args.integer("conversation", in: 1...Int.max).map(Int64.init)
                let answer = try await tools.ask(question: question, kb: try args.string("kb"), conversation: conversation)
                return try Self.result(answer, text: Self.answerText(answer))
            case "index" where tools.allowIndex:
                let args = try ToolArguments(tool: name, values: arguments, accepted: ["kb"])
                return try Self.result(await tools.index(kb: try args.string("kb")))
            default:
                throw MCPError.invalidParams(unknownTool(name))
            }
        } catch let error as MCPError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            return CallTool.Result(content: [.text(text: String(describing: error), annotations: nil, _meta: nil)],
                                   isError: true)
        }
    }

    func unknownTool(_ name: String) -> String {
        let names = toolList.map(\.name).joined(separator: ", ")
        var message = "unknown tool \"\(name)\"; tools: \(names)"
        if name == "index" { message += " (start the server as `lore mcp --allow-index` for `index`)" }
        if name == "ask" { message += " (`ask` needs a chat model: a [model] table in config.toml)" }
        return message
    }

    static func result<T: Codable>(_ value: T, text: String? = nil) throws -> CallTool.Result {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(value), as: UTF8.self)
        return try CallTool.Result(content: [.text(text: text ?? json, annotations: nil, _meta: nil)],
                                   structuredContent: value, isError: false)
    }

    /// The answer, then its numbered sources with their places, as `lore ask` prints them.
    static func answerText(_ answer: AskOutput) -> String {
        var text = answer.answer
        if answer.mode == "extractive" { text = "Extractive answer:\n\n" + text }
        if !answer.sources.isEmpty {
            text += "\n\nSources:\n" + answer.sources.map { s in
                let crumb = ([s.passage.title] + (s.passage.headings.first == s.passage.title
                    ? Array(s.passage.headings.dropFirst()) : s.passage.headings)).joined(separator: " › ")
                return "\(s.cited ? "*" : " ")[\(s.number)] \(crumb) — \(s.passage.location) (passage \(s.passage.id))"
            }.joined(separator: "\n")
        }
        for notice in answer.notices { text += "\nnote: " + notice }
        return text + "\n(conversation \(answer.conversation))"
    }

    // MARK: - Resources

    public func resourceList() throws -> [Resource] {
        try tools.documents().map {
            Resource(name: $0.kb + "/" + $0.relativePath, uri: $0.uri, title: $0.relativePath,
                     description: "A document of the knowledge base \($0.kb)", mimeType: $0.mimeType, size: Int($0.size))
        }
    }

    public func read(_ uri: String) throws -> ReadResource.Result {
        do {
            let (entry, text) = try tools.readDocument(uri: uri)
            // Binary documents (PDF, DOCX, …) are read as the text Lore extracted from them.
            let mime = entry.mimeType
            return ReadResource.Result(contents: [.text(text, uri: entry.uri, mimeType: mime)])
        } catch {
            // -32002 is the specification's "resource not found".
            throw MCPError.serverError(code: -32002, message: String(describing: error))
        }
    }

    // MARK: - Serving

    /// An SDK server with every handler registered.
    public func makeServer() async -> Server {
        let server = Server(
            name: "lore", version: version, title: "Lore",
            instructions: """
                Lore searches local knowledge bases of documents. Use search to find passages (each with a \
                document, location and id), get_passage to read one with its neighbours, and \
                list_knowledge_bases to see what is there. Resources lore://KB/path are the documents.
                """,
            capabilities: .init(resources: .init(subscribe: false, listChanged: false), tools: .init(listChanged: false)))
        let this = self
        await server.withMethodHandler(ListTools.self) { _ in .init(tools: this.toolList) }
        await server.withMethodHandler(CallTool.self) { params in
            try await this.call(params.name, arguments: params.arguments)
        }
        await server.withMethodHandler(ListResources.self) { _ in
            do {
                return .init(resources: try this.resourceList())
            } catch {
                throw MCPError.internalError(String(describing: error))
            }
        }
        await server.withMethodHandler(ListResourceTemplates.self) { _ in
            .init(templates: [Resource.Template(uriTemplate: "lore://{kb}/{+path}", name: "Lore document",
                                                description: "A document of a knowledge base, by its path inside it.")])
        }
        await server.withMethodHandler(ReadResource.self) { params in try this.read(params.uri) }
        return server
    }

    /// Serves MCP on standard input and output until the client closes standard input.
    public func serveStdio() async throws {
        let server = await makeServer()
        try await server.start(transport: LineTransport())
        await server.waitUntilCompleted()
        await server.stop()
    }
}
