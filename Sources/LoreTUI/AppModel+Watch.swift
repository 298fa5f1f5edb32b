/// Events of the watch on the open knowledge base.
extension AppModel {
    /// How long "refreshed 3 files" stays in the status bar.
    public static let refreshNoteSeconds = 4.0

    mutating func receiveWatchStatus(_ request: Int, _ event: WatchStatusEvent) -> [Effect] {
        guard activeWatch == request else { return [] }
        switch event {
        case .watching:
            watch = .watching
            return []
        case .polling(let reason):
            watch = .polling
            notice(.warning, reason)
            return []
        case .refreshed(let files, _):
            lastRefresh = RefreshNote(text: "refreshed \(files) file\(files == 1 ? "" : "s")", at: now)
            // New counts for the status bar, and a tick to take the note away again.
            return [.openKnowledgeBase(kbName), .tickAfter(seconds: Self.refreshNoteSeconds)]
        case .failed(let text):
            notice(.error, text)
            return []
        case .folderMissing(let path):
            notice(.warning, "\(path) is gone: its documents leave the index until it comes back (the watch waits for it).")
            return []
        case .folderReturned(let path):
            notice(.info, "\(path) is back: watching it again and catching up.")
            return []
        }
    }

    /// The refresh note while it is fresh.
    var recentRefresh: String? {
        guard let lastRefresh, now - lastRefresh.at < Self.refreshNoteSeconds else { return nil }
        return lastRefresh.text
    }
}
