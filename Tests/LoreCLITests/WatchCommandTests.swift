import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("lore index --watch", .serialized)
struct WatchCommandTests {
    @Test("a file written while `lore index --watch` runs becomes searchable; SIGTERM ends it cleanly")
    func watchIndexesNewFilesAndStopsOnSIGTERM() throws {
        let s = try CLISandbox()
        let kb = s.work + "/kb"
        try s.writeFile(kb + "/first.md", Array("# First\n\nAn early note about herons.\n".utf8))
        // A named knowledge base: `lore search` on a folder given ad hoc would index it itself.
        #expect(try s.run("kb", "add", "birds", kb).status == 0)
        let watching = try s.start(["index", "--kb", "birds", "--watch"])
        defer { if watching.isRunning { kill(watching.pid, SIGKILL) } }
        try waitFor("the watch to start") {
            (try? String(contentsOfFile: watching.errPath, encoding: .utf8))?.contains("for changes") == true
        }

        try s.writeFile(kb + "/notes/second.md", Array("# Second\n\nA later note about kingfishers.\n".utf8))
        try waitFor("the new text to be found") {
            let found = try s.run("search", "--kb", "birds", "--json", "kingfishers")
            return found.status == 0 && found.out.contains("second.md")
        }

        kill(watching.pid, SIGTERM)
        let result = try watching.wait()
        #expect(!result.signalled)
        #expect(result.status == 0, "stderr: \(result.err)")
        let lines = result.out.split(separator: "\n")
        #expect(lines.first?.hasPrefix("birds: added ") == true, "\(result.out)")
        #expect(lines.contains { $0.hasPrefix("birds: refreshed: added 1, updated 0, removed 0, renamed 0 in ") },
                "stdout: \(result.out) stderr: \(result.err)")
    }
}

/// Polls until `condition` holds; the deadline only bounds a hang.
private func waitFor(_ what: String, deadline seconds: Double = 120, _ condition: () throws -> Bool) throws {
    let end = Date().addingTimeInterval(seconds)
    while try !condition() {
        if Date() > end {
            Issue.record("gave up waiting for \(what)")
            throw CancellationError()
        }
        usleep(20_000)
    }
}
