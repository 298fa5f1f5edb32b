/// A knowledge base as the config file defines it: a name and the folders it covers.
public struct KnowledgeBaseDefinition: Sendable, Equatable, Codable {
    public var name: String
    public var paths: [String]
    public var include: [String]
    public var exclude: [String]
    /// `[kb.NAME.embedding]`: overrides the global `[embedding]` for this knowledge base.
    public var embedding: EmbeddingSettings?
    /// `[kb.NAME.model]`: the model that answers questions on this knowledge base instead of `[model]`.
    public var model: ModelSettings?
    /// `store = "postgres://USER@HOST/DB"`: a shared PostgreSQL database holds the passages; nil for the
    /// local SQLite file.
    public var store: String?

    public init(name: String, paths: [String], store: String? = nil, include: [String] = [], exclude: [String] = [],
                embedding: EmbeddingSettings? = nil, model: ModelSettings? = nil) {
        self.name = name
        self.paths = paths
        self.store = store
        self.include = include
        self.exclude = exclude
        self.embedding = embedding
        self.model = model
    }

    /// Names become TOML bare keys and file names, so they are kept to letters, digits, '-' and '_'.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" || $0 == "_"
        }
    }
}

/// How passages are ranked.
public enum RetrievalMode: String, Sendable, Equatable, Codable, CaseIterable {
    /// Keyword ranking only.
    case bm25
    /// Embedding similarity only.
    case vector
    /// Reciprocal rank fusion of the two.
    case hybrid
    /// Hybrid, then the top candidates reordered by a cross-encoder.
    case rerank
}

/// Retrieval settings: how many passages a question gets and how they are ranked.
public struct RetrievalSettings: Sendable, Equatable {
    /// Passages given to the model with each question.
    public var topK: Int
    /// At most this many passages from one document, while others are waiting.
    public var perDocument: Int
    /// nil: the best mode the configuration allows (rerank, else hybrid with embeddings, else BM25).
    public var mode: RetrievalMode?
    /// Reciprocal rank fusion's k.
    public var rrfK: Double
    /// Weights of the BM25 and the vector list in the fusion. The vector list weighs more by default: on
    /// paraphrased questions (bench/eval-postgresql.jsonl) it is the better of the two by far.
    public var bm25Weight: Double
    public var vectorWeight: Double
    /// How deep each list is read before fusing.
    public var candidates: Int
    /// How much a passage gains from the other candidates of its document (0: passages stand alone);
    /// see `documentAwareRanking`. 1 was best of 0, 0.25, 0.5, 0.75, 1, 1.5 and 2 on bench/eval-postgresql.jsonl
    /// and also raised the sample knowledge base's set.
    public var documentWeight: Double
    /// Each passage handed to the model grows with its neighbours in its section up to this many tokens
    /// (0: the passage alone); see `ContextExpansion`.
    public var contextTokens: Int
    public var embedding: EmbeddingSettings?
    public var rerank: RerankSettings?
    /// Query rewriting by the chat model before retrieval; nil: off.
    public var rewrite: RewriteSettings?

    public init(topK: Int = 8, perDocument: Int = 2, mode: RetrievalMode? = nil, rrfK: Double = 60,
                bm25Weight: Double = 1, vectorWeight: Double = 1.5, candidates: Int = 50, documentWeight: Double = 1,
                contextTokens: Int = 512, embedding: EmbeddingSettings? = nil, rerank: RerankSettings? = nil) {
        self.topK = topK
        self.perDocument = perDocument
        self.mode = mode
        self.rrfK = rrfK
        self.bm25Weight = bm25Weight
        self.vectorWeight = vectorWeight
        self.candidates = candidates
        self.documentWeight = documentWeight
        self.contextTokens = contextTokens
        self.embedding = embedding
        self.rerank = rerank
    }

    /// The mode used when none is asked for.
    public var effectiveMode: RetrievalMode {
        if let mode { return mode }
        if embedding == nil { return .bm25 }
        return rerank == nil ? .hybrid : .rerank
    }
}

/// `[retrieval] rewrite = "auto"`: the chat model writes search queries (and a hypothetical passage) for
/// each question, within a time budget.
public struct RewriteSettings: Sendable, Equatable {
    /// Past this the question is searched as asked.
    public var budgetMilliseconds: Int
    /// Also ask for a passage that could answer, and search by its embedding (HyDE).
    public var hypothetical: Bool

    public init(budgetMilliseconds: Int = 2500, hypothetical: Bool = true) {
        self.budgetMilliseconds = budgetMilliseconds
        self.hypothetical = hypothetical
    }
}

public enum EmbeddingProvider: String, Sendable, Equatable, Codable {
    /// Any server with OpenAI's `/v1/embeddings`: llama.cpp, vLLM, OpenAI.
    case openai
    /// Ollama's `/api/embed`.
    case ollama
}

/// The `[embedding]` table: which server turns passages into vectors.
public struct EmbeddingSettings: Sendable, Equatable, Codable {
    public var provider: EmbeddingProvider
    public var baseURL: String
    /// Sent to the server and stored with every vector, so vectors of different models never mix.
    public var model: String
    /// Asked of models that can shorten their output (OpenAI text-embedding-3); nil: the model's own size.
    public var dimensions: Int?
    /// Passages per request.
    public var batchSize: Int
    /// Requests in flight at once.
    public var concurrency: Int
    /// The model's input limit in tokens; text beyond it is cut before it is sent.
    public var maxInputTokens: Int
    public var apiKeyEnv: String?
    /// Keep vectors in half precision: half the memory, a small loss of precision.
    public var halfPrecision: Bool
    /// Vectors per passage at most: a passage longer than the input limit is embedded in parts that each
    /// fit (every part led by the passage's title and headings), and it scores as its best part. 1 embeds
    /// only the head of a long passage.
    public var passageParts: Int

    public init(provider: EmbeddingProvider = .openai, baseURL: String? = nil, model: String = "",
                dimensions: Int? = nil, batchSize: Int = 32, concurrency: Int = 2, maxInputTokens: Int = 512,
                apiKeyEnv: String? = nil, halfPrecision: Bool = false, passageParts: Int = 4) {
        self.provider = provider
        self.baseURL = baseURL ?? (provider == .ollama ? "http://127.0.0.1:11434" : "http://127.0.0.1:8080/v1")
        self.model = model
        self.dimensions = dimensions
        self.batchSize = batchSize
        self.concurrency = concurrency
        self.maxInputTokens = maxInputTokens
        self.apiKeyEnv = apiKeyEnv
        self.halfPrecision = halfPrecision
        self.passageParts = max(1, passageParts)
    }

    /// The name vectors are stored under: the model, or the server when the model is left to the server.
    public var modelKey: String { model.isEmpty ? "default@" + baseURL : model }
}

/// The `[retrieval.rerank]` table: a cross-encoder behind a `/v1/rerank` endpoint.
public struct RerankSettings: Sendable, Equatable, Codable {
    public var baseURL: String
    public var model: String
    /// How many fused candidates are sent to be reordered.
    public var topN: Int
    public var apiKeyEnv: String?

    public init(baseURL: String, model: String = "", topN: Int = 20, apiKeyEnv: String? = nil) {
        self.baseURL = baseURL
        self.model = model
        self.topN = topN
        self.apiKeyEnv = apiKeyEnv
    }
}

/// Everything `config.toml` says, with defaults for what it leaves out.
public struct LoreConfig: Sendable, Equatable {
    public var defaultKnowledgeBase: String?
    public var knowledgeBases: [String: KnowledgeBaseDefinition]
    /// The `[model]` table; nil when the file names no model (Lore then probes for a local server).
    public var model: ModelSettings?
    /// `[models.NAME]` profiles chosen with `--model NAME`.
    public var models: [String: ModelSettings]
    public var chunking: ChunkingOptions
    public var retrieval: RetrievalSettings
    public var theme: String?
    /// Files larger than this many bytes are skipped.
    public var maxFileBytes: Int

    public init(defaultKnowledgeBase: String? = nil, knowledgeBases: [String: KnowledgeBaseDefinition] = [:],
                model: ModelSettings? = nil, models: [String: ModelSettings] = [:],
                chunking: ChunkingOptions = .default, retrieval: RetrievalSettings = RetrievalSettings(),
                theme: String? = nil, maxFileBytes: Int = 32 << 20) {
        self.defaultKnowledgeBase = defaultKnowledgeBase
        self.knowledgeBases = knowledgeBases
        self.model = model
        self.models = models
        self.chunking = chunking
        self.retrieval = retrieval
        self.theme = theme
        self.maxFileBytes = maxFileBytes
    }

    /// The retrieval settings of one knowledge base: the global ones with its own embedding table, if any.
    public func retrieval(forKnowledgeBase name: String) -> RetrievalSettings {
        var settings = retrieval
        if let own = knowledgeBases[name]?.embedding { settings.embedding = own }
        return settings
    }
}
