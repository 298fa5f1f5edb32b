import ArgumentParser
import Foundation
import LoreCore
import LoreIngest

extension BenchCommand {
    struct PDF: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pdf",
            abstract: "Time PDF text extraction: load and chunk each file as the indexer does, without storing.",
            discussion: """
                Each file is mapped, read by Lore's PDF loader (poppler) and cut into passages, one file at a \
                time on one thread, so the figure compares with `pdftotext` run over the same files (see \
                bench/pdf.sh). Reports pages/s, files skipped by reason, and the peak resident memory.
                """)

        @Argument(help: "PDF files, or folders to search for them.") var paths: [String]

        func run() async throws {
            let files = try Self.pdfFiles(paths)
            guard !files.isEmpty else { throw CLIError("no PDF files under \(paths.joined(separator: " "))") }
            print(Machine.description)
            var pages = 0, passages = 0, bytes = 0
            var skipped: [String: Int] = [:]
            let start = ContinuousClock.now
            for file in files {
                let data = try Data(contentsOf: URL(fileURLWithPath: file), options: .mappedIfSafe)
                bytes += data.count
                let result = data.withUnsafeBytes { DocumentLoader.load(bytes: $0, path: file, format: .pdf) }
                switch result {
                case .loaded(let document):
                    pages += document.pageStarts.count
                    passages += Chunker.chunk(document).count
                case .skipped(let reason):
                    skipped[reason.rawValue, default: 0] += 1
                }
            }
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let reasons = skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            print(String(format: "lore pdf:       %.3f s  %d files  %.1f MB  %d pages  %d passages", seconds, files.count,
                         Double(bytes) / 1_048_576, pages, passages))
            print(String(format: "throughput:     %.1f pages/s", Double(pages) / max(seconds, 1e-9)))
            print("skipped:        \(skipped.values.reduce(0, +))" + (reasons.isEmpty ? "" : " (\(reasons))"))
            print("peak RSS:       \(Format.bytes(Machine.peakResidentBytes))")
        }

        /// Files named on the command line as given; folders walked for `*.pdf`, in a stable order.
        static func pdfFiles(_ paths: [String]) throws -> [String] {
            var files: [String] = []
            for path in paths {
                var isFolder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                    throw CLIError("\(path) does not exist")
                }
                guard isFolder.boolValue else { files.append(path); continue }
                let found = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
                files += found.filter { $0.lowercased().hasSuffix(".pdf") }.sorted().map { path + "/" + $0 }
            }
            return files
        }
    }
}
