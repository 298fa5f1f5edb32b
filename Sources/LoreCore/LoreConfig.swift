/// A knowledge base as the config file defines it: a name and the folders it covers.
public struct KnowledgeBaseDefinition: Sendable, Equatable, Codable {
    public var name: String
    public var paths: [String]
    public var include: [String]
    public var exclude: [String]

    public init(name: String, paths: [String], include: [String] = [], exclude: [String] = []) {
        self.name = name
        self.paths = paths
        self.include = include
        self.exclude = exclude
    }

    /// Names become TOML bare keys and file names, so they are kept to letters, digits, '-' and '_'.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" || $0 == "_"
        }
    }
}

/// Retrieval settings: how many passages a question gets and how they are ranked.
public struct RetrievalSettings: Sendable, Equatable {
    /// Passages given to the model with each question.
    public var topK: Int
    /// At most this many passages from one document, while others are waiting.
    public var perDocument: Int

    public init(topK: Int = 8, perDocument: Int = 2) {
        self.topK = topK
        self.perDocument = perDocument
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
}
