import LoreCore

/// Which part of the screen keys go to.
public enum Focus: Sendable, Equatable, CaseIterable {
    case input, chat, sources
}

/// A question and its answer as they appear in the chat.
public struct Exchange: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case retrieving
        case streaming
        case done
        /// The person stopped it; the text so far is kept.
        case stopped
        /// The stream ended without the model saying it was done.
        case incomplete
        case failed(String)
    }

    public var requestID: Int
    public var question: String
    public var answer: String
    /// The engine's citation markers in `answer`, in the order they were found.
    public var citations: [Citation] = []
    public var reasoning: String
    public var passages: [Passage]
    public var retrievalMillis: Int?
    public var state: State
    public var stats: AnswerStats?
    /// The person's rating of the saved answer (`+` / `-` in the chat).
    public var rating: TurnRating?
    /// When the first text arrived (`AppModel.now`) and how many pieces came since, for the live rate.
    public var streamStartedAt: Double?
    public var deltas = 0
    /// What the engine said about this question before its answer began (a fallback to keywords, the
    /// queries it was rewritten into), shown under the question rather than after the answer.
    public var notes: [Notice] = []

    public init(requestID: Int, question: String) {
        self.requestID = requestID
        self.question = question
        answer = ""
        reasoning = ""
        passages = []
        state = .retrieving
    }

    public var isActive: Bool { state == .retrieving || state == .streaming }

    /// Source numbers (1-based) the answer cites, in order of first mention, unknown numbers included.
    public var citedNumbers: [Int] { citations.citedNumbers }

    /// Cited numbers that name one of this exchange's passages.
    public var citedSources: [Int] { citedNumbers.filter { $0 >= 1 && $0 <= passages.count } }
}

/// A line of information or an error in the chat, not part of any answer.
public struct Notice: Sendable, Equatable {
    public enum Level: Sendable, Equatable { case info, warning, error }
    public var level: Level
    public var text: String

    public init(_ level: Level, _ text: String) {
        self.level = level
        self.text = text
    }
}

public enum ChatItem: Sendable, Equatable {
    case exchange(Exchange)
    case notice(Notice)
}

/// Where indexing of the current knowledge base stands, for the status bar.
public enum IndexState: Sendable, Equatable {
    case unknown
    case running(done: Int, total: Int, skipped: Int)
    case finished(IndexTotals)
    case failed(String)
}

/// Whether the open knowledge base's folders are watched for changes, for the status bar.
public enum WatchState: Sendable, Equatable {
    case off
    case watching
    /// Scanned every so often instead (the inotify watch limit is reached).
    case polling
}

/// The latest refresh by the watch, shown in the status bar for a few seconds.
public struct RefreshNote: Sendable, Equatable {
    public var text: String
    /// `AppModel.now` when it happened.
    public var at: Double

    public init(text: String, at: Double) {
        self.text = text
        self.at = at
    }
}

/// The whole document opened from a source, scrolled to the passage.
public struct SourceViewer: Sendable, Equatable {
    public var requestID: Int
    public var passage: Passage
    public var text: String?
    public var error: String?
    public var scroll: Int
    public var terms: [String]
    /// Shown in place of the key hints until the next key: why `o` did nothing (no PDF viewer found).
    public var notice: String?

    public init(requestID: Int, passage: Passage, terms: [String]) {
        self.requestID = requestID
        self.passage = passage
        self.terms = terms
        scroll = max(0, passage.lineStart - 3)
    }
}

public struct KnowledgeBasePicker: Sendable, Equatable {
    public enum Mode: Sendable, Equatable {
        case browse
        /// Typing a path to add as a new knowledge base.
        case addPath
        case confirmRemove(String)
    }

    public var filter: InputEditor = InputEditor()
    public var selection = 0
    public var mode: Mode = .browse

    public init() {}

    public func matches(_ all: [KnowledgeBaseSummary]) -> [KnowledgeBaseSummary] {
        let f = filter.text.lowercased()
        if f.isEmpty { return all }
        return all.filter { kb in
            kb.name.lowercased().contains(f) || kb.paths.contains { $0.lowercased().contains(f) }
        }
    }
}

public struct HistoryPicker: Sendable, Equatable {
    public var conversations: [ConversationListing]
    public var selection = 0
}

public enum Overlay: Sendable, Equatable {
    case help
    case knowledgeBases(KnowledgeBasePicker)
    case history(HistoryPicker)
    case viewer(SourceViewer)
}

/// The state of the whole UI. A value: `update` changes it, `view` draws it.
public struct AppModel: Sendable, Equatable {
    public var rows: Int
    public var cols: Int
    public var kbName: String
    /// A knowledge base asked for and not opened yet; the chat stays on `kbName` until it opens.
    public var switchingTo: String?
    public var kb: KnowledgeBaseSummary?
    public var knowledgeBases: [KnowledgeBaseSummary] = []
    /// The list has been read at least once: before that an empty list says nothing about the library.
    public var knowledgeBasesListed = false
    public var index: IndexState = .unknown
    public var watch: WatchState = .off
    public var lastRefresh: RefreshNote?
    /// A brief confirmation in the status bar ("rated good"), gone after `statusNoteSeconds`.
    public var statusNote: RefreshNote?
    /// The watch whose events count; a late event of the watch on a knowledge base left behind is dropped.
    public var activeWatch: Int?
    public var model: ModelStatus?
    public var items: [ChatItem] = []
    public var input = InputEditor()
    public var inputHistory: [String] = []
    /// Position while recalling history with Up/Down; nil when editing a fresh line.
    public var historyCursor: Int?
    public var draftBeforeHistory = ""
    public var focus: Focus = .input
    /// Lines scrolled up from the bottom of the chat; 0 follows the stream.
    public var chatScroll = 0
    public var sourcesSelection = 0
    /// On narrow terminals the sources pane is an overlay shown on demand.
    public var sourcesOverlayVisible = false
    public var overlay: Overlay?
    public var completionSelection = 0
    public var nextRequestID = 1
    /// Seconds on a monotonic clock, set by the runtime before each message: time enters the model as
    /// data, so `update` and `view` stay pure and tests can set it.
    public var now: Double = 0
    public var activeAnswer: Int?
    public var activeIndex: Int?
    public var conversationID: String?
    public var themeName: String
    public var themeNames: [String]
    public var tick = 0
    public var shouldQuit = false
    /// The program `o` opens a PDF passage with, as the runtime found it at the start (`$LORE_PDF_VIEWER`,
    /// else the first known viewer on PATH); nil when there is none. Data, so hints and messages that name
    /// it stay pure.
    public var pdfViewer: DocumentViewerCommand?

    public init(rows: Int, cols: Int, kbName: String, themeName: String = "dark",
                themeNames: [String] = BuiltinThemes.names) {
        self.rows = rows
        self.cols = cols
        self.kbName = kbName
        self.themeName = themeName
        self.themeNames = themeNames
    }

    /// The sources pane sits beside the chat from this width on.
    public static let sideBySideWidth = 100
    public static let minimumRows = 10
    public static let minimumCols = 40

    public var sideBySide: Bool { cols >= Self.sideBySideWidth }
    public var tooSmall: Bool { rows < Self.minimumRows || cols < Self.minimumCols }

    /// The exchange the sources pane shows: the latest one.
    public var latestExchange: Exchange? {
        for item in items.reversed() {
            if case .exchange(let e) = item { return e }
        }
        return nil
    }

    public var isStreaming: Bool { activeAnswer != nil }

    public mutating func takeRequestID() -> Int {
        defer { nextRequestID += 1 }
        return nextRequestID
    }

    /// Applies `change` to the exchange with `requestID`, if it is still in the chat.
    mutating func updateExchange(_ requestID: Int, _ change: (inout Exchange) -> Void) {
        for i in items.indices.reversed() {
            if case .exchange(var e) = items[i], e.requestID == requestID {
                // Take the exchange out of the array first, so that its answer is uniquely referenced
                // and `answer += token` appends in place instead of copying the whole answer per token.
                items[i] = .notice(Notice(.info, ""))
                change(&e)
                items[i] = .exchange(e)
                return
            }
        }
    }

    mutating func notice(_ level: Notice.Level, _ text: String) {
        items.append(.notice(Notice(level, text)))
        chatScroll = 0
    }
}

/// Everything that can happen to the UI.
public enum Msg: Sendable, Equatable {
    case key(KeyEvent)
    case paste(String)
    case resize(rows: Int, cols: Int)
    case tick
    case answer(request: Int, AnswerStreamEvent)
    /// The answer stream ended (normally or by error); `error` is already phrased for a person.
    case answerEnded(request: Int, error: String?)
    case indexProgress(request: Int, IndexProgressEvent)
    case watchStatus(request: Int, WatchStatusEvent)
    case knowledgeBasesLoaded([KnowledgeBaseSummary])
    case knowledgeBaseOpened(KnowledgeBaseSummary)
    /// Opening the named knowledge base failed (a damaged file, a missing folder); `error` is for the person.
    case knowledgeBaseOpenFailed(name: String, error: String)
    case documentLoaded(request: Int, text: String)
    case documentFailed(request: Int, error: String)
    case modelStatus(ModelStatus)
    case conversationsLoaded([ConversationListing])
    case conversationLoaded(Transcript)
    /// The rating of saved turn `turnID` is now `rating` (nil: cleared).
    case rated(turnID: String, rating: TurnRating?)
    case themeApplied(String)
    case notice(Notice)
    /// A service call failed; the text says what failed and what to do.
    case failed(String)
}

/// Work `update` asks the runtime to do. Results come back as messages.
public enum Effect: Sendable, Equatable {
    case ask(request: Int, question: String, history: [ChatTurn], kb: String, conversationID: String?)
    case cancel(request: Int)
    case loadKnowledgeBases
    case openKnowledgeBase(String)
    case addKnowledgeBase(name: String, path: String)
    case removeKnowledgeBase(String)
    case reindex(request: Int, kb: String)
    /// Watches `kb`, ending the watch started before (one knowledge base is watched at a time).
    case watch(request: Int, kb: String)
    /// A `.tick` after `seconds`, for something shown for a while (a refresh in the status bar).
    case tickAfter(seconds: Double)
    case loadDocument(request: Int, path: String, kb: String)
    case refreshModel
    case selectModel(String)
    case loadConversations(kb: String)
    case loadConversation(id: String, kb: String)
    case rate(turnID: String, kb: String, rating: TurnRating?)
    case applyTheme(String)
    case export(markdown: String)
    case openInEditor(path: String, line: Int)
    /// A paged document (PDF) opened in the person's document viewer at a page, not in the text editor.
    case openDocument(path: String, page: Int)
    case redraw
    case quit
}
