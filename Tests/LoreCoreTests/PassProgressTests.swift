import Testing
import LoreCore

@Suite struct PassProgressTests {
    @Test func lineSaysDoneRateAndTimeLeft() {
        let p = PassProgress(done: 1200, total: 10844, elapsed: 164.4)
        #expect(p.line() == "embedding 1200/10844 passages (11%), 7.3 passages/s, ETA 22m 02s")
        #expect(PassProgress(done: 10, total: 20, failed: 2, elapsed: 5).line() == "embedding 10/20 passages (50%), 2 refused, 2.0 passages/s, ETA 5s")
    }

    @Test func beforeAnythingIsDoneTheTimeLeftIsUnknown() {
        #expect(PassProgress(done: 0, total: 50, elapsed: 3).line() == "embedding 0/50 passages (0%), ETA unknown")
        #expect(PassProgress(done: 0, total: 0, elapsed: 0).line() == "embedding 0/0 passages (100%), ETA unknown")
    }

    @Test func finishedPassHasNoETA() {
        #expect(PassProgress(done: 40, total: 40, elapsed: 8).line() == "embedding 40/40 passages (100%), 5.0 passages/s")
    }

    @Test func durations() {
        #expect(PassProgress.duration(0) == "0s")
        #expect(PassProgress.duration(41.2) == "42s")
        #expect(PassProgress.duration(59.5) == "1m 00s")
        #expect(PassProgress.duration(1317) == "21m 57s")
        #expect(PassProgress.duration(3725) == "1h 02m")
    }

    @Test func aLogGetsALineEveryFiveSecondsATerminalTenASecond() {
        var log = ProgressCadence.forOutput(isTerminal: false)
        let times = stride(from: 0.0, through: 16.0, by: 0.5)
        let logged = times.filter { log.isDue(at: $0) }
        #expect(logged == [0, 5, 10, 15])
        var terminal = ProgressCadence.forOutput(isTerminal: true)
        let drawn = [0, 0.05, 0.1, 0.12, 0.25].filter { terminal.isDue(at: $0) }
        #expect(drawn == [0, 0.1, 0.25])
        // The end of a pass is always shown.
        let last = log.isDue(at: 15.5, finished: true)
        #expect(last)
    }
}
