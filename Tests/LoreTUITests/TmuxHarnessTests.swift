import Foundation
import Testing

@Suite("TmuxHarness", .enabled(if: TmuxHarness.isAvailable, "tmux is not installed"))
struct TmuxHarnessTests {
    @Test func typesIntoCatAndReadsTheScreen() throws {
        let tmux = try TmuxHarness(command: "cat", cols: 120, rows: 40)
        defer { tmux.kill() }
        try tmux.type("hello from lore")
        try tmux.press("Enter")
        // The terminal echoes the line and cat prints it again.
        let screen = try tmux.waitUntil("the line twice") { $0.filter { $0 == "hello from lore" }.count == 2 }
        #expect(screen.count == 40)
        try tmux.press("C-d")
    }

    @Test func runsAShellAndSeesItExit() throws {
        let tmux = try TmuxHarness(command: "sh", environment: ["LORE_MARK": "ok"])
        defer { tmux.kill() }
        try tmux.type("echo $((6 * 7)) $LORE_MARK")
        try tmux.press("Enter")
        try tmux.waitFor("42 ok")
        try tmux.type("exit")
        try tmux.press("Enter")
        let end = Date().addingTimeInterval(10)
        while tmux.isRunning() && Date() < end { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!tmux.isRunning())
    }

    @Test func reportsWhatItWasWaitingFor() throws {
        let tmux = try TmuxHarness(command: "cat")
        defer { tmux.kill() }
        #expect(throws: TmuxHarness.Failure.self) { try tmux.waitFor("never shown", deadline: 0.3) }
    }
}
