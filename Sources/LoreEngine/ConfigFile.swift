import Foundation
import LoreCore
import TOMLKit

/// Where Lore keeps its configuration and its knowledge-base files.
public struct LorePaths: Sendable, Equatable {
    public var configDirectory: String
    public var dataDirectory: String

    public var configFile: String { configDirectory + "/config.toml" }
    public var themesDirectory: String { configDirectory + "/themes" }

    public init(configDirectory: String, dataDirectory: String) {
        self.configDirectory = configDirectory
        self.dataDirectory = dataDirectory
    }

    /// `LORE_HOME` puts everything under one folder (tests use it); otherwise the XDG base directories.
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) -> LorePaths {
        if let home = environment["LORE_HOME"], !home.isEmpty {
            return LorePaths(configDirectory: home + "/config", dataDirectory: home + "/data")
        }
        let userHome = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? userHome + "/.config"
        let data = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? userHome + "/.local/share"
        return LorePaths(configDirectory: config + "/lore", dataDirectory: data + "/lore")
    }
}

/// A mistake in config.toml, with where it is and what to do about it.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int?
    public var message: String

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

/// Reads config.toml into a `LoreConfig`, and makes the few edits `lore kb …` needs as small textual
/// changes, so that a person's comments and layout survive.
public struct ConfigFile: Sendable {
    public var path: String
    public var text: String

    public init(path: String) throws {
        self.path = path
        if FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigError(file: path, line: nil, message: "cannot read the file; check its permissions")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw ConfigError(file: path, line: nil, message: "the file is not UTF-8 text; save it as UTF-8")
            }
            self.text = text
        } else {
            self.text = ""
        }
    }

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }

    /// A warning when the file can hold an API key and others can read it.
    public func permissionWarning() -> String? {
        guard text.contains("api_key"),
              let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let mode = attributes[.posixPermissions] as? NSNumber, mode.intValue & 0o077 != 0 else { return nil }
        return "warning: \(path) holds an API key and is readable by others; run `chmod 600 \(path)`"
    }

    // MARK: - Parsing

    public func parse() throws -> LoreConfig {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(file: path, line: error.source.begin.line,
                              message: "\(error.description) (column \(error.source.begin.column)); fix the TOML syntax there")
        }
        var config = LoreConfig()
        try checkKeys(root, allowed: ["default_kb", "model", "models", "chunking", "retrieval", "ui", "kb", "indexing",
                                    "embedding"],
                      table: nil)
        config.defaultKnowledgeBase = try string(root, "default_kb", table: nil)
        if let model = try table(root, "model", table: nil) {
            config.model = try modelSettings(model, table: "model")
        }
        if let models = try table(root, "models", table: nil) {
            for name in models.keys {
                guard let profile = try table(models, name, table: "models") else { continue }
                config.models[name] = try modelSettings(profile, table: "models.\(name)")
            }
        }
        if let chunking = try table(root, "chunking", table: nil) {
            try checkKeys(chunking, allowed: ["target_tokens", "overlap_tokens", "max_tokens"], table: "chunking")
            let d = ChunkingOptions.default
            let target = try int(chunking, "target_tokens", table: "chunking", range: 16...8192) ?? d.targetTokens
            config.chunking = ChunkingOptions(
                targetTokens: target,
                overlapTokens: try int(chunking, "overlap_tokens", table: "chunking", range: 0...4096) ?? d.overlapTokens,
                maxTokens: try int(chunking, "max_tokens", table: "chunking", range: 16...16384) ?? max(d.maxTokens, target))
        }
        if let retrieval = try table(root, "retrieval", table: nil) {
            try checkKeys(retrieval, allowed: ["top_k", "per_document", "mode", "rrf_k", "bm25_weight", "vector_weight",
                                               "candidates", "document_weight", "context_tokens", "rewrite",
                                               "rewrite_budget_ms", "rewrite_hyde", "rerank"], table: "retrieval")
            config.retrieval.topK = try int(retrieval, "top_k", table: "retrieval", range: 1...100) ?? config.retrieval.topK
            config.retrieval.perDocument = try int(retrieval, "per_document", table: "retrieval", range: 1...100)
                ?? config.retrieval.perDocument
            try retrievalRanking(retrieval, into: &config.retrieval)
        }
        if let embedding = try table(root, "embedding", table: nil) {
            config.retrieval.embedding = try embeddingSettings(embedding, table: "embedding")
        }
        if let indexing = try table(root, "indexing", table: nil) {
            try checkKeys(indexing, allowed: ["max_file_mb"], table: "indexing")
            if let mb = try int(indexing, "max_file_mb", table: "indexing", range: 1...4096) { config.maxFileBytes = mb << 20 }
        }
        if let ui = try table(root, "ui", table: nil) {
            try checkKeys(ui, allowed: ["theme"], table: "ui")
            config.theme = try string(ui, "theme", table: "ui")
        }
        if let kbs = try table(root, "kb", table: nil) {
            for name in kbs.keys {
                let tableName = "kb.\(name)"
                guard let kb = try table(kbs, name, table: "kb") else { continue }
                guard KnowledgeBaseDefinition.isValidName(name) else {
                    throw error(at: "[\(tableName)]", "knowledge-base names may use letters, digits, '-' and '_' only")
                }
                try checkKeys(kb, allowed: ["paths", "include", "exclude", "embedding", "model", "store"], table: tableName)
                guard let paths = try strings(kb, "paths", table: tableName), !paths.isEmpty else {
                    throw error(at: "[\(tableName)]", "[\(tableName)] needs `paths = [\"/some/folder\"]`")
                }
                let store = try string(kb, "store", table: tableName)
                if let store {
                    do { _ = try PostgresLocation(parsing: store) } catch let bad as PostgresLocationError {
                        throw error(at: key("store", in: tableName), bad.message)
                    }
                }
                config.knowledgeBases[name] = KnowledgeBaseDefinition(
                    name: name, paths: paths.map(Self.expandTilde), store: store,
                    include: try strings(kb, "include", table: tableName) ?? [],
                    exclude: try strings(kb, "exclude", table: tableName) ?? [],
                    embedding: try table(kb, "embedding", table: tableName).map {
                        try embeddingSettings($0, table: tableName + ".embedding")
                    },
                    model: try table(kb, "model", table: tableName).map {
                        try modelSettings($0, table: tableName + ".model")
                    })
            }
        }
        return config
    }

    private func retrievalRanking(_ t: TOMLTable, into settings: inout RetrievalSettings) throws {
        if let mode = try string(t, "mode", table: "retrieval") {
            guard let parsed = RetrievalMode(rawValue: mode) else {
                throw error(at: key("mode", in: "retrieval"), "unknown mode \"\(mode)\"; use one of: bm25, vector, hybrid, rerank")
            }
            settings.mode = parsed
        }
        settings.rrfK = try double(t, "rrf_k", table: "retrieval", range: 0...10_000) ?? settings.rrfK
        settings.bm25Weight = try double(t, "bm25_weight", table: "retrieval", range: 0...100) ?? settings.bm25Weight
        settings.vectorWeight = try double(t, "vector_weight", table: "retrieval", range: 0...100) ?? settings.vectorWeight
        settings.candidates = try int(t, "candidates", table: "retrieval", range: 1...1000) ?? settings.candidates
        settings.documentWeight = try double(t, "document_weight", table: "retrieval", range: 0...10) ?? settings.documentWeight
        settings.contextTokens = try int(t, "context_tokens", table: "retrieval", range: 0...100_000) ?? settings.contextTokens
        if let rewrite = try string(t, "rewrite", table: "retrieval") {
            switch rewrite {
            case "off": settings.rewrite = nil
            case "auto": settings.rewrite = RewriteSettings()
            default: throw error(at: key("rewrite", in: "retrieval"), "unknown rewrite \"\(rewrite)\"; use \"auto\" or \"off\"")
            }
        }
        if settings.rewrite != nil {
            settings.rewrite?.budgetMilliseconds = try int(t, "rewrite_budget_ms", table: "retrieval", range: 100...600_000)
                ?? RewriteSettings().budgetMilliseconds
            if let value = t["rewrite_hyde"] {
                guard let b = value.bool else {
                    throw error(at: key("rewrite_hyde", in: "retrieval"), "`rewrite_hyde` must be true or false")
                }
                settings.rewrite?.hypothetical = b
            }
        }
        if let rerank = try table(t, "rerank", table: "retrieval") {
            let name = "retrieval.rerank"
            try checkKeys(rerank, allowed: ["base_url", "model", "top_n", "api_key_env"], table: name)
            guard let url = try string(rerank, "base_url", table: name) else {
                throw error(at: "[\(name)]", "[\(name)] needs `base_url = \"http://host:port/v1\"`")
            }
            settings.rerank = RerankSettings(baseURL: url, model: try string(rerank, "model", table: name) ?? "",
                                             topN: try int(rerank, "top_n", table: name, range: 1...1000) ?? 20,
                                             apiKeyEnv: try string(rerank, "api_key_env", table: name))
        }
    }

    private func embeddingSettings(_ t: TOMLTable, table name: String) throws -> EmbeddingSettings {
        try checkKeys(t, allowed: ["provider", "base_url", "model", "dimensions", "batch_size", "concurrency",
                                   "max_input_tokens", "api_key_env", "half_precision", "passage_parts"], table: name)
        let providerName = try string(t, "provider", table: name) ?? "openai"
        guard let provider = EmbeddingProvider(rawValue: providerName) else {
            throw error(at: key("provider", in: name), "unknown provider \"\(providerName)\"; use openai or ollama")
        }
        var half: Bool? = nil
        if let value = t["half_precision"] {
            guard let b = value.bool else { throw error(at: key("half_precision", in: name), "`half_precision` must be true or false") }
            half = b
        }
        let d = EmbeddingSettings(provider: provider)
        return EmbeddingSettings(
            provider: provider, baseURL: try string(t, "base_url", table: name), model: try string(t, "model", table: name) ?? "",
            dimensions: try int(t, "dimensions", table: name, range: 1...65536),
            batchSize: try int(t, "batch_size", table: name, range: 1...2048) ?? d.batchSize,
            concurrency: try int(t, "concurrency", table: name, range: 1...64) ?? d.concurrency,
            maxInputTokens: try int(t, "max_input_tokens", table: name, range: 16...1_000_000) ?? d.maxInputTokens,
            apiKeyEnv: try string(t, "api_key_env", table: name), halfPrecision: half ?? false,
            passageParts: try int(t, "passage_parts", table: name, range: 1...64) ?? d.passageParts)
    }

    private func modelSettings(_ t: TOMLTable, table name: String) throws -> ModelSettings {
        try checkKeys(t, allowed: ["provider", "base_url", "name", "api_key_env", "api_key", "temperature", "max_tokens",
                                   "context_window", "stall_timeout", "connect_timeout"], table: name)
        let providerName = try string(t, "provider", table: name) ?? "openai"
        guard let provider = ModelProvider(rawValue: providerName) else {
            throw error(at: key("provider", in: name),
                        "unknown provider \"\(providerName)\"; use one of: openai, ollama, anthropic, none")
        }
        return ModelSettings(
            provider: provider, baseURL: try string(t, "base_url", table: name), name: try string(t, "name", table: name),
            apiKeyEnv: try string(t, "api_key_env", table: name), apiKey: try string(t, "api_key", table: name),
            temperature: try double(t, "temperature", table: name, range: 0...2),
            maxTokens: try int(t, "max_tokens", table: name, range: 1...1_000_000),
            contextWindow: try int(t, "context_window", table: name, range: 512...10_000_000),
            stallTimeout: try double(t, "stall_timeout", table: name, range: 1...3600),
            connectTimeout: try double(t, "connect_timeout", table: name, range: 0.1...600))
    }

    // MARK: - Typed reads that explain a wrong type with the line of the key

    private func checkKeys(_ t: TOMLTable, allowed: Set<String>, table: String?) throws {
        for k in t.keys where !allowed.contains(k) {
            let known = allowed.sorted().joined(separator: ", ")
            throw error(at: key(k, in: table), "unknown key `\(k)`\(table.map { " in [\($0)]" } ?? ""); known keys: \(known)")
        }
    }

    private func table(_ t: TOMLTable, _ k: String, table: String?) throws -> TOMLTable? {
        guard let value = t[k] else { return nil }
        guard let result = value.table else {
            throw error(at: key(k, in: table), "`\(k)` must be a table, written [\(table.map { "\($0)." } ?? "")\(k)]")
        }
        return result
    }

    private func string(_ t: TOMLTable, _ k: String, table: String?) throws -> String? {
        guard let value = t[k] else { return nil }
        guard let s = value.string else { throw error(at: key(k, in: table), "`\(k)` must be a string in quotes") }
        return s
    }

    private func strings(_ t: TOMLTable, _ k: String, table: String?) throws -> [String]? {
        guard let value = t[k] else { return nil }
        if let single = value.string { return [single] }
        guard let array = value.array else {
            throw error(at: key(k, in: table), "`\(k)` must be a list of strings, like [\"a\", \"b\"]")
        }
        return try array.map {
            guard let s = $0.string else {
                throw error(at: key(k, in: table), "`\(k)` must be a list of strings, like [\"a\", \"b\"]")
            }
            return s
        }
    }

    private func int(_ t: TOMLTable, _ k: String, table: String?, range: ClosedRange<Int>) throws -> Int? {
        guard let value = t[k] else { return nil }
        guard let n = value.int else { throw error(at: key(k, in: table), "`\(k)` must be a whole number") }
        guard range.contains(n) else {
            throw error(at: key(k, in: table), "`\(k)` = \(n) is out of range; use \(range.lowerBound)…\(range.upperBound)")
        }
        return n
    }

    private func double(_ t: TOMLTable, _ k: String, table: String?, range: ClosedRange<Double>) throws -> Double? {
        guard let value = t[k] else { return nil }
        guard let n = value.double ?? value.int.map(Double.init) else {
            throw error(at: key(k, in: table), "`\(k)` must be a number")
        }
        guard range.contains(n) else {
            throw error(at: key(k, in: table), "`\(k)` = \(n) is out of range; use \(range.lowerBound)…\(range.upperBound)")
        }
        return n
    }

    private struct KeyLocation { var key: String; var table: String? }
    private func key(_ k: String, in table: String?) -> KeyLocation { KeyLocation(key: k, table: table) }

    private func error(at location: KeyLocation, _ message: String) -> ConfigError {
        ConfigError(file: path, line: line(of: location.key, inTable: location.table), message: message)
    }

    private func error(at header: String, _ message: String) -> ConfigError {
        let lines = text.components(separatedBy: "\n")
        let index = lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix(header) }
        return ConfigError(file: path, line: index.map { $0 + 1 }, message: message)
    }

    /// The line where `key = …` is written inside `[table]`, found in the text since TOMLKit keeps no
    /// positions for values.
    private func line(of key: String, inTable table: String?) -> Int? {
        var current: String? = nil
        for (index, raw) in text.components(separatedBy: "\n").enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                current = line.trimmingCharacters(in: CharacterSet(charactersIn: "[] ")).components(separatedBy: "]").first
                continue
            }
            guard current == table || (table != nil && current.map { table!.hasPrefix($0) } == true) else { continue }
            let name = line.split(separator: "=", maxSplits: 1).first?.trimmingCharacters(in: .whitespaces)
            if name == key || name == "\"\(key)\"" { return index + 1 }
        }
        return nil
    }

    static func expandTilde(_ path: String) -> String {
        if path == "~" { return NSHomeDirectory() }
        if path.hasPrefix("~/") { return NSHomeDirectory() + path.dropFirst() }
        return path
    }

    // MARK: - Edits

    /// Appends a `[kb.NAME]` table.
    public mutating func addKnowledgeBase(_ definition: KnowledgeBaseDefinition) {
        var block = "\n[kb.\(definition.name)]\npaths = \(Self.tomlArray(definition.paths))\n"
        if !definition.include.isEmpty { block += "include = \(Self.tomlArray(definition.include))\n" }
        if !definition.exclude.isEmpty { block += "exclude = \(Self.tomlArray(definition.exclude))\n" }
        if let store = definition.store { block += "store = \(Self.tomlString(store))\n" }
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        text += block
    }

    /// Removes the `[kb.NAME]` table with its sub-tables (`[kb.NAME.embedding]`) and the blank lines
    /// before each, and `default_kb` when it named this knowledge base.
    public mutating func removeKnowledgeBase(_ name: String) {
        var lines = text.components(separatedBy: "\n")
        while let start = lines.firstIndex(where: { Self.isHeader($0, "kb.\(name)") || Self.isHeader($0, "kb.\(name).", prefixOnly: true) }) {
            var end = start + 1
            while end < lines.count && !lines[end].trimmingCharacters(in: .whitespaces).hasPrefix("[") { end += 1 }
            var from = start
            while from > 0 && lines[from - 1].trimmingCharacters(in: .whitespaces).isEmpty { from -= 1 }
            lines.removeSubrange(from..<end)
        }
        let firstTable = lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix("[") } ?? lines.count
        if let line = lines[..<firstTable].firstIndex(where: { Self.assignsDefault($0, to: name) }) {
            lines.remove(at: line)
        }
        text = lines.joined(separator: "\n")
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
    }

    static func assignsDefault(_ line: String, to name: String) -> Bool {
        let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, parts[0] == "default_kb" else { return false }
        let value = parts[1].split(separator: "#", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return value == tomlString(name) || value == "'\(name)'"
    }

    /// Sets `default_kb` among the top-level keys, before the first table.
    public mutating func setDefaultKnowledgeBase(_ name: String) {
        var lines = text.components(separatedBy: "\n")
        let firstTable = lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix("[") } ?? lines.count
        let entry = "default_kb = \(Self.tomlString(name))"
        if let existing = lines[..<firstTable].firstIndex(where: {
            $0.trimmingCharacters(in: .whitespaces).hasPrefix("default_kb")
        }) {
            lines[existing] = entry
        } else {
            lines.insert(entry, at: 0)
        }
        text = lines.joined(separator: "\n")
    }

    public func save() throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Written whole to a neighbour and renamed, so a crash never leaves half a config.
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw ConfigError(file: path, line: nil, message: "cannot write the file; check that its folder is writable")
        }
        if rename(temporary, path) != 0 {
            unlink(temporary)
            throw ConfigError(file: path, line: nil, message: "cannot replace the file: \(String(cString: strerror(errno)))")
        }
    }

    /// Whether `line` opens the table `[name]`, or with `prefixOnly` any table whose name starts with `name`.
    static func isHeader(_ line: String, _ name: String, prefixOnly: Bool = false) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if prefixOnly { return trimmed.hasPrefix("[\(name)") }
        return trimmed == "[\(name)]" || trimmed.hasPrefix("[\(name)]")
    }

    static func tomlString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\u%04X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func tomlArray(_ values: [String]) -> String {
        "[" + values.map(tomlString).joined(separator: ", ") + "]"
    }
}
