import LoreCore

/// Which program opens a PDF at a page, and how: pure, so that the choice is tested without a viewer, a
/// display or a PATH. The runtime does the lookups and the launch.
public struct DocumentViewerCommand: Equatable, Sendable {
    /// What to run: `/bin/sh -c script sh page file`, so a person's `$LORE_PDF_VIEWER` may hold any shell
    /// command, while the page and the path reach it as "$1" and "$2" and are never re-parsed as shell text.
    public var script: String
    /// The program's name, for messages ("Opened … in zathura").
    public var program: String
    /// False for a program that can only open the file (xdg-open), so the message does not promise the page.
    public var opensAtPage: Bool

    public var arguments: [String] { ["/bin/sh", "-c", script, "sh"] }

    /// Viewers in the order Lore tries them, with how each is told the page. mupdf takes the page after
    /// the file; the others take an option before it.
    static let knownViewers: [(program: String, script: String)] = [
        ("zathura", #"zathura -P "$1" "$2""#),
        ("evince", #"evince -i "$1" "$2""#),
        ("okular", #"okular -p "$1" "$2""#),
        ("mupdf", #"mupdf "$2" "$1""#),
    ]

    /// `$LORE_PDF_VIEWER` when set, its `%p` and `%f` standing for the page and the file (a template
    /// without `%f` gets the file appended; without `%p` the page is not passed, since a bare number after
    /// an unknown program's file would be read as a second file). Else the first known viewer that
    /// `isOnPath` finds, else xdg-open without the page, else nil.
    public static func choose(environment: [String: String], isOnPath: (String) -> Bool) -> DocumentViewerCommand? {
        if let template = environment["LORE_PDF_VIEWER"]?.trimmingSpaces, !template.isEmpty {
            var script = template.replacing("%p", with: #""$1""#)
            let atPage = script != template
            let withFile = script.replacing("%f", with: #""$2""#)
            script = withFile == script ? script + #" "$2""# : withFile
            let program = template.split(separator: " ").first.map(String.init) ?? template
            return DocumentViewerCommand(script: script, program: program, opensAtPage: atPage)
        }
        for viewer in knownViewers where isOnPath(viewer.program) {
            return DocumentViewerCommand(script: viewer.script, program: viewer.program, opensAtPage: true)
        }
        if isOnPath("xdg-open") {
            return DocumentViewerCommand(script: #"xdg-open "$2""#, program: "xdg-open", opensAtPage: false)
        }
        return nil
    }
}

extension DocumentViewerCommand {
    /// What `o` does with a passage, as the source viewer's hint says it: the PDF viewer at the page for a
    /// paged passage ("open p. 12 in zathura"), the text editor for any other. `viewer` is the command
    /// chosen at the start, nil when none was found.
    static func openHint(for passage: Passage, viewer: DocumentViewerCommand?) -> String {
        guard let page = passage.pageStart else { return "open in $EDITOR" }
        guard let viewer else { return "no PDF viewer found (set $LORE_PDF_VIEWER)" }
        return viewer.opensAtPage ? "open p. \(page) in \(viewer.program)"
                                  : "open in \(viewer.program) (not at p. \(page))"
    }

    /// The message for `o` on a PDF passage when no viewer was found: what to do, and the file unless it is
    /// on screen already (the source viewer's header names it).
    static func notFoundMessage(for path: String?) -> String {
        let name = path.map { " for " + ($0.split(separator: "/").last.map(String.init) ?? $0) } ?? ""
        return "No PDF viewer found\(name): install zathura, evince, okular or mupdf, "
            + "or set $LORE_PDF_VIEWER (e.g. 'zathura -P %p %f')."
    }
}

private extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
