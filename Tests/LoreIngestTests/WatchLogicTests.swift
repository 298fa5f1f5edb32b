import LoreCore
@testable import LoreIngest
import Testing

/// The bytes the kernel writes for `events`: each header, then the name padded with NULs to 16 bytes.
private func kernelBytes(_ events: [InotifyEvent], padding: Int = 16) -> [UInt8] {
    var bytes: [UInt8] = []
    func append(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    for event in events {
        let name = Array(event.name.utf8)
        let length = name.isEmpty ? 0 : (name.count / padding + 1) * padding
        append(UInt32(bitPattern: event.watch))
        append(event.mask.rawValue)
        append(event.cookie)
        append(UInt32(length))
        bytes += name
        bytes += repeatElement(0, count: length - name.count)
    }
    return bytes
}

private func decode(_ bytes: [UInt8]) -> [InotifyEvent] {
    bytes.withUnsafeBytes { InotifyEvent.decode($0) }
}

@Suite struct InotifyDecodingTests {
    let sample = [
        InotifyEvent(watch: 1, mask: [.create], name: "notes.md"),
        InotifyEvent(watch: 1, mask: [.movedFrom], cookie: 77, name: "a name exactly 16"),
        InotifyEvent(watch: 2, mask: [.movedTo], cookie: 77, name: "日本語.md"),
        InotifyEvent(watch: 3, mask: [.deleteSelf]),
        InotifyEvent(watch: 3, mask: [.ignored]),
        InotifyEvent(watch: -1, mask: [.queueOverflow]),
        InotifyEvent(watch: 4, mask: [.create, .isDirectory], name: "sub"),
    ]

    @Test func decodesEventsWithVariableLengthNames() {
        #expect(decode(kernelBytes(sample)) == sample)
    }

    @Test func decodesAnyPaddingTheKernelChooses() {
        for padding in [1, 4, 8, 32] {
            #expect(decode(kernelBytes(sample, padding: padding)) == sample)
        }
    }

    @Test func dropsATruncatedTailInsteadOfReadingPastIt() {
        let bytes = kernelBytes(sample)
        for cut in 0..<bytes.count {
            let decoded = decode(Array(bytes[0..<cut]))
            #expect(decoded == Array(sample.prefix(decoded.count)), "cut at \(cut)")
        }
    }

    @Test func repairsANameThatIsNotUTF8() {
        var bytes = kernelBytes([InotifyEvent(watch: 1, mask: [.create], name: "ab")])
        bytes[InotifyEvent.headerSize] = 0xFF
        #expect(decode(bytes).first?.name == "\u{FFFD}b")
    }
}

@Suite struct DebouncerTests {
    @Test func nothingPendingMeansNoDeadline() {
        var d = Debouncer(quiet: 0.25, maximumDelay: 1)
        #expect(d.deadline == nil)
        let fired = d.fire(at: 100)
        #expect(!fired)
    }

    @Test func firesOnceAfterAQuietSpell() {
        var d = Debouncer(quiet: 0.25, maximumDelay: 1)
        d.record(at: 10)
        d.record(at: 10.5)
        #expect(d.deadline == 10.75)
        let early = d.fire(at: 10.5)
        let due = d.fire(at: 10.75)
        let again = d.fire(at: 11)
        #expect(!early && due && !again)
        #expect(!d.isPending)
    }

    @Test func aBurstThatNeverPausesStillFiresAtTheMaximumDelay() {
        var d = Debouncer(quiet: 0.25, maximumDelay: 1)
        var fired: [Double] = []
        // A change every 1/8 s for 3 s: one refresh per second, not one per change and not none.
        for step in 0...24 {
            let now = 10 + Double(step) * 0.125
            if d.fire(at: now) { fired.append(now) }
            d.record(at: now)
        }
        #expect(fired == [11, 12, 13])
        let last = d.fire(at: 14)
        #expect(last)
    }

    @Test func anEditorSaveDanceIsOneRefresh() {
        // Write a temporary file, rename it over the old one, chmod: three events within milliseconds.
        var d = Debouncer()
        var refreshes = 0
        for t in [5.000, 5.002, 5.004] {
            if d.fire(at: t) { refreshes += 1 }
            d.record(at: t)
        }
        if let deadline = d.deadline, d.fire(at: deadline) { refreshes += 1 }
        #expect(refreshes == 1)
        #expect(d.deadline == nil)
    }
}

@Suite struct WatchRulesTests {
    let root = WatchedFolder(absolutePath: "/kb", relativePath: "",
                             rules: IgnoreRules([Gitignore(text: "build/\n*.log.md\n!keep.log.md\n")]))
    let rules = WatchRules(include: [], exclude: ["drafts/", "*.tmp.md"])

    func change(_ mask: InotifyMask, _ name: String, watch: Int32 = 1, in folder: WatchedFolder? = nil) -> WatchChange? {
        rules.change(for: InotifyEvent(watch: watch, mask: mask, name: name), in: folder ?? root)
    }

    @Test func filesTheIndexHoldsAreChangedOrRemoved() {
        #expect(change([.closeWrite], "a.md") == .fileChanged("/kb/a.md"))
        #expect(change([.create], "a.md") == .fileChanged("/kb/a.md"))
        #expect(change([.movedTo], "a.md") == .fileChanged("/kb/a.md"))
        #expect(change([.attrib], "a.md") == .fileChanged("/kb/a.md"))
        #expect(change([.delete], "a.md") == .fileRemoved("/kb/a.md"))
        #expect(change([.movedFrom], "a.md") == .fileRemoved("/kb/a.md"))
    }

    @Test func whatTheWalkSkipsChangesNothing() {
        #expect(change([.closeWrite], ".a.md.swp") == nil)      // hidden (an editor's swap file)
        #expect(change([.closeWrite], "a.md~") == nil)          // no loader
        #expect(change([.closeWrite], "4913") == nil)           // vim's probe file
        #expect(change([.closeWrite], "picture.png") == nil)
        #expect(change([.closeWrite], "run.log.md") == nil)     // .gitignore
        #expect(change([.closeWrite], "x.tmp.md") == nil)       // exclude glob
        #expect(change([.create, .isDirectory], "build") == nil)
        #expect(change([.create, .isDirectory], "drafts") == nil)
        #expect(change([.create, .isDirectory], ".git") == nil)
    }

    @Test func aNegatedRuleBringsAFileBack() {
        #expect(change([.closeWrite], "keep.log.md") == .fileChanged("/kb/keep.log.md"))
    }

    @Test func rulesOfAParentFolderApplyBelowIt() {
        let sub = WatchedFolder(absolutePath: "/kb/notes", relativePath: "notes", rules: root.rules)
        #expect(change([.closeWrite], "day.log.md", watch: 2, in: sub) == nil)
        #expect(change([.closeWrite], "day.md", watch: 2, in: sub) == .fileChanged("/kb/notes/day.md"))
        #expect(change([.create, .isDirectory], "build", watch: 2, in: sub) == nil)
    }

    @Test func foldersAppearAndGo() {
        #expect(change([.create, .isDirectory], "new") == .folderAppeared("/kb/new", parentWatch: 1))
        #expect(change([.movedTo, .isDirectory], "new") == .folderAppeared("/kb/new", parentWatch: 1))
        #expect(change([.movedFrom, .isDirectory], "old") == .folderGone("/kb/old"))
        #expect(change([.delete, .isDirectory], "old") == .folderGone("/kb/old"))
        #expect(change([.attrib, .isDirectory], "old") == nil)
    }

    @Test func ignoreFilesChangeTheRules() {
        #expect(change([.closeWrite], ".gitignore") == .ignoreRulesChanged("/kb"))
        #expect(change([.movedTo], ".ignore") == .ignoreRulesChanged("/kb"))
        let plain = WatchRules(respectIgnoreFiles: false)
        #expect(plain.change(for: InotifyEvent(watch: 1, mask: [.closeWrite], name: ".gitignore"), in: root) == nil)
    }

    @Test func overflowAndVanishedWatches() {
        #expect(rules.change(for: InotifyEvent(watch: -1, mask: [.queueOverflow]), in: nil) == .overflow)
        #expect(rules.change(for: InotifyEvent(watch: 5, mask: [.ignored]), in: nil) == .watchGone(5))
        #expect(rules.change(for: InotifyEvent(watch: 5, mask: [.closeWrite], name: "a.md"), in: nil) == nil)
        #expect(WatchChange.watchGone(5).needsRefresh == false)
        #expect(WatchChange.overflow.needsRefresh)
    }

    @Test func eventsAboutAWatchedFolderItself() {
        // A root has no watched parent to report its deletion; a subfolder's parent does.
        #expect(change([.deleteSelf], "") == .rootGone("/kb"))
        #expect(change([.moveSelf], "") == .rootGone("/kb"))
        #expect(change([.unmount], "") == .rootGone("/kb"))
        // A root's watch dropped by the kernel, however it was announced, means the root is gone.
        #expect(change([.ignored], "") == .rootGone("/kb"))
        let sub = WatchedFolder(absolutePath: "/kb/notes", relativePath: "notes")
        #expect(change([.deleteSelf], "", watch: 2, in: sub) == nil)
        #expect(change([.ignored], "", watch: 2, in: sub) == .watchGone(2))
        #expect(WatchChange.rootGone("/kb").needsRefresh)
        #expect(WatchChange.rootReturned("/kb").needsRefresh)
    }
}

@Suite struct RootWaitTests {
    @Test func ancestorsNearestFirst() {
        #expect(RootWait.ancestors(of: "/srv/kb/docs") == ["/srv/kb", "/srv", "/"])
        #expect(RootWait.ancestors(of: "/docs") == ["/"])
        #expect(RootWait.ancestors(of: "/") == [])
    }

    @Test func theNextFolderOnTheWayDown() {
        #expect(RootWait(root: "/srv/kb/docs", ancestor: "/srv/kb", watch: 3).nextName == "docs")
        #expect(RootWait(root: "/srv/kb/docs", ancestor: "/srv", watch: 3).nextName == "kb")
        #expect(RootWait(root: "/srv/kb/docs", ancestor: "/", watch: 3).nextName == "srv")
        // "/srv/k" is not above "/srv/kb/docs", though its text is a prefix.
        #expect(RootWait(root: "/srv/kb/docs", ancestor: "/srv/k", watch: 3).nextName == nil)
    }

    @Test func onlyTheWayDownOrTheWatchedFolderGoingMatters() {
        let wait = RootWait(root: "/srv/kb/docs", ancestor: "/srv", watch: 3)
        #expect(wait.isAffected(by: InotifyEvent(watch: 3, mask: [.create, .isDirectory], name: "kb")))
        #expect(wait.isAffected(by: InotifyEvent(watch: 3, mask: [.movedTo, .isDirectory], name: "kb")))
        #expect(wait.isAffected(by: InotifyEvent(watch: 3, mask: [.deleteSelf])))
        #expect(wait.isAffected(by: InotifyEvent(watch: 3, mask: [.moveSelf])))
        #expect(wait.isAffected(by: InotifyEvent(watch: 3, mask: [.ignored])))
        // Another folder, a file of the same name, another watch.
        #expect(!wait.isAffected(by: InotifyEvent(watch: 3, mask: [.create, .isDirectory], name: "other")))
        #expect(!wait.isAffected(by: InotifyEvent(watch: 3, mask: [.create], name: "kb")))
        #expect(!wait.isAffected(by: InotifyEvent(watch: 4, mask: [.create, .isDirectory], name: "kb")))
        #expect(!wait.isAffected(by: InotifyEvent(watch: 3, mask: [.delete, .isDirectory], name: "kb")))
    }
}
