import ArgumentParser
import Foundation
import LoreBench
import LoreCore
import LoreEngine
import LoreIngest
import LoreLLM
import LoreStore

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure indexing and search speed on real documents.",
        discussion: """
            Figures go to standard output, one per line, with the machine they were measured on. Nothing \
            in your configuration is changed: `bench index` builds its index in a temporary folder.
            """,
        subcommands: [Index.self, Search.self, Ask.self, Stream.self, Vector.self, Embed.self, PDF.self, PostgresScale.self])

    struct Index: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Index folders from scratch into a temporary store, then again with nothing changed.",
            discussion: "Reports files/s, MB/s, passages, the no-change re-run time and the peak resident memory.")

        @Argument(help: "Folders to index.") var paths: [String]
        @Option(help: "Keep the index at this path instead of a temporary file (for `bench search --store`).")
        var keep: String?

        func run() async throws {
            let file = keep ?? NSTemporaryDirectory() + "lore-bench-\(getpid()).sqlite"
            defer { if keep == nil { for s in ["", "-wal", "-shm", ".index-lock"] { try? FileManager.default.removeItem(atPath: file + s) } } }
            let store = try KnowledgeBaseStore(path: file)
            let roots = paths.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            let indexer = Indexer(store: store, roots: roots)
            print(Machine.description)
            let full = try indexer.run()
            let files = full.added + full.updated + full.unchanged + full.skipped
            print(String(format: "full index:     %.3f s  %d files  %.1f MB  %d passages", full.seconds, files,
                         Double(full.bytesRead) / 1_048_576, full.passagesWritten))
            print(String(format: "throughput:     %.0f files/s  %.1f MB/s", Double(files) / full.seconds,
                         full.megabytesPerSecond))
            print("summary:        \(full.line)")
            let again = try indexer.run()
            print(String(format: "no-change run:  %.3f s  (%d unchanged)", again.seconds, again.unchanged))
            print("peak RSS:       \(Format.bytes(Machine.peakResidentBytes))")
        }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time searches over a file of queries, one per line.",
            discussion: """
                Every query runs --repeat times after one warm-up pass; latency is reported as p50/p95/p99 \
                in milliseconds, for Lore's search and, with --baseline, for plain SQLite FTS5 on the same \
                passages. --mode vector or hybrid embeds each query once first (with the knowledge base's \
                [embedding]) and times the ranking without that call.
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "A file of queries, one per line.") var queries: String
        @Option(help: "Use this store file (from `bench index --keep`) instead of a knowledge base.") var store: String?
        @Option(name: .short, help: "Passages per query.") var k: Int = 10
        @Option(name: .customLong("repeat"), help: "Runs of the whole query file.") var repetitions: Int = 5
        @Flag(help: "Also time plain SQLite FTS5 on a copy of the same passages.") var baseline = false
        @Option(help: "Ranking to time: bm25 (default), vector or hybrid.") var mode: RetrievalMode = .bm25

        func run() async throws {
            let lines = try BenchCommand.lines(of: queries)
            let kbStore: any PassageStore
            let settings: RetrievalSettings
            if let store {
                kbStore = try KnowledgeBaseStore(path: store)
                settings = RetrievalSettings()
            } else {
                let library = try global.library()
                let kb: KnowledgeBase
                do { kb = try library.open(global.kb) } catch let e as LibraryError { throw CLIError(e.message) }
                kbStore = kb.store
                settings = library.config.retrieval(forKnowledgeBase: kb.name)
            }
            let retriever = Retriever(store: kbStore, settings: settings)
            let stats = try kbStore.statistics()
            print(Machine.description)
            print("knowledge base: \(stats.documents) documents, \(stats.passages) passages, \(Format.bytes(stats.fileBytes))")
            // One search of each query as Lore runs it in this mode, its embedding already made.
            let search: (Int) throws -> Void
            if mode == .bm25 {
                search = { _ = try retriever.retrieve(lines[$0], limit: k) }
            } else {
                guard let embedding = settings.embedding else {
                    throw CLIError("--mode \(mode.rawValue) needs an [embedding] table in config.toml")
                }
                let client = EmbeddingClient(settings: embedding, retry: .never)
                var vectors: [[Float]] = []
                for line in lines { vectors.append(try await client.embedQuery(line)) }
                let mode = self.mode
                search = { _ = try retriever.rank(lines[$0], vector: vectors[$0], mode: mode, embedding: embedding, limit: k) }
            }
            for index in lines.indices { try search(index) }
            var times: [Double] = []
            for _ in 0..<repetitions {
                for index in lines.indices {
                    let t = DispatchTime.now()
                    try search(index)
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - t.uptimeNanoseconds) / 1e6)
                }
            }
            let what = mode == .bm25 ? "" : ", \(mode.rawValue) without the embedding call"
            print("lore search:    " + Percentiles(times).line + "  (\(times.count) queries\(what))")
            if baseline, let kbStore = kbStore as? KnowledgeBaseStore {
                let expressions = lines.compactMap { FTSQuery.matchExpression($0) }
                let report = try FTSBaseline.run(copyingFrom: kbStore, to: NSTemporaryDirectory() + "lore-baseline-\(getpid()).sqlite",
                                                 queries: expressions, repetitions: repetitions, limit: k)
                print(String(format: "plain FTS5:     insert %d passages in %.3f s", report.passages, report.insertSeconds))
                print("plain FTS5:     " + Percentiles(report.queryMilliseconds).line)
            }
            print("peak RSS:       \(Format.bytes(Machine.peakResidentBytes))")
        }
    }
}

extension BenchCommand {
    struct Ask: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time the way from a question to the request sent to the model.",
            discussion: """
                For each query: the follow-up-aware retrieval query, retrieval, prompt packing for a model \
                with a 8,192-token window, and encoding the request body — everything before the first byte \
                goes to the server. No model is contacted.
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "A file of questions, one per line.") var queries: String
        @Option(name: .customLong("repeat"), help: "Runs of the whole file.") var repetitions: Int = 5

        func run() async throws {
            let lines = try BenchCommand.lines(of: queries)
            let library = try global.library()
            let kb: KnowledgeBase
            do { kb = try library.open(global.kb) } catch let e as LibraryError { throw CLIError(e.message) }
            let session = ChatSession(kb: kb, retrieval: library.config.retrieval(forKnowledgeBase: kb.name),
                                      model: ModelSettings(provider: .openai, contextWindow: 8192))
            print(Machine.description)
            let encoder = JSONEncoder()
            var times: [Double] = []
            var tokens: [Double] = []
            for pass in 0...repetitions {
                for line in lines {
                    let t = DispatchTime.now()
                    let prepared = try await session.prepare(line, history: [])
                    let body = try encoder.encode(prepared.prompt?.messages ?? [])
                    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - t.uptimeNanoseconds) / 1e6
                    if pass > 0 {
                        times.append(elapsed)
                        tokens.append(Double(prepared.prompt?.estimatedTokens ?? 0))
                        _ = body
                    }
                }
            }
            print("question → request: " + Percentiles(times).line + "  (\(times.count) questions)")
            print(String(format: "prompt size:        %.0f tokens on average", tokens.reduce(0, +) / Double(max(1, tokens.count))))
        }
    }

    struct Stream: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay a long answer from a loopback server as fast as it can send, through the whole client.",
            discussion: """
                Reports the decoding and delivery cost per token and resident memory before, at peak and after; \
                then the cost of decoding alone, per protocol, on a made-up stream held in memory.
                """)
        @Option(help: "Tokens in the replayed answer.") var tokens: Int = 100_000

        func run() async throws {
            print(Machine.description)
            print("stream:  " + String(describing: try await StreamBenchmark.run(tokens: max(1, tokens))))
            for format in StreamBench.Format.allCases {
                let result = StreamBench.run(format, tokens: max(1, tokens))
                print("decode \(format.rawValue): " + String(format: "%.2f µs/token, %.1f MB/s", result.perTokenMicros,
                                                                       result.megabytesPerSecond))
            }
        }
    }

    static func lines(of file: String) throws -> [String] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw CLIError("cannot read \(file); give a text file with one query per line")
        }
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !lines.isEmpty else { throw CLIError("\(file) holds no queries") }
        return lines
    }
}

struct Percentiles {
    var sorted: [Double]
    init(_ values: [Double]) { sorted = values.sorted() }
    func at(_ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }
    var line: String {
        String(format: "p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  max %.2f ms", at(0.5), at(0.95), at(0.99), sorted.last ?? 0)
    }
}

enum Machine {
    static var description: String {
        var cpu = "unknown CPU"
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let name = line.split(separator: ":", maxSplits: 1).last {
            cpu = name.trimmingCharacters(in: .whitespaces)
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let memory = Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824
        return String(format: "machine:        %@, %d cores, %.0f GiB", cpu, cores, memory)
    }

    /// VmHWM from /proc: the most memory this process has had resident.
    static var peakResidentBytes: Int64 {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        let digits = line.filter(\.isNumber)
        return (Int64(digits) ?? 0) * 1024
    }
}
