/// What the ignore rules say about one path, judged on its own (without looking at its parent folders).
public enum IgnoreDecision: Sendable, Equatable {
    /// The last matching rule excludes it.
    case ignored
    /// The last matching rule is a `!` negation, which re-includes it.
    case included
}

/// One line of a .gitignore file, compiled.
public struct GitignoreRule: Sendable, Hashable {
    /// The line as written, for explaining why a file was ignored.
    public let line: String
    public let negated: Bool
    /// The pattern ended in '/', so it matches folders only (and files through their folder).
    public let directoryOnly: Bool
    /// The pattern had a '/' at its start or middle, so it is matched from the .gitignore's folder rather
    /// than against the name at any depth.
    public let anchored: Bool
    let segments: [GlobSegment]

    /// Parses one line by git's rules; nil for blank lines and comments.
    public init?(line rawLine: String) {
        var text = Substring(rawLine)
        if text.hasSuffix("\r") { text = text.dropLast() }
        // Trailing spaces go unless backslash-escaped; the escape itself is undone by the glob compiler.
        while text.hasSuffix(" ") && !Glob.endsWithEscape(text.dropLast()) { text = text.dropLast() }
        if text.isEmpty || text.hasPrefix("#") { return nil }
        var negated = false
        if text.hasPrefix("!") {
            negated = true
            text = text.dropFirst()
        }
        var directoryOnly = false
        if text.hasSuffix("/") && !Glob.endsWithEscape(text.dropLast()) {
            directoryOnly = true
            text = text.dropLast()
        }
        if text.isEmpty { return nil }
        let anchored = text.unicodeScalars.contains("/")
        var segments = Glob.compile(text)
        if segments.isEmpty { return nil }
        if !anchored && segments != [.globstar] {
            // A bare name matches at any depth below the .gitignore: the same as a leading `**/`.
            segments.insert(.globstar, at: 0)
        }
        self.line = rawLine
        self.negated = negated
        self.directoryOnly = directoryOnly
        self.anchored = anchored
        self.segments = segments
    }

    /// Whether the rule's pattern matches a path given relative to the .gitignore's own folder.
    public func matches(components: ArraySlice<[Unicode.Scalar]>, isDirectory: Bool) -> Bool {
        if directoryOnly && !isDirectory { return false }
        if components.isEmpty { return false }
        if !anchored, segments.count == 2, case .component(let name) = segments[1] {
            // The common case, a bare name like `*.log` or `build`: only the last component matters.
            return name.matches(components[components.endIndex - 1])
        }
        return Glob.match(segments[...], components)
    }
}

/// The rules of one .gitignore (or .ignore) file, bound to the folder it sits in.
public struct Gitignore: Sendable {
    /// The folder holding the file, relative to the KB root; empty for the root itself.
    public let baseDirectory: String
    let baseComponents: [[Unicode.Scalar]]
    public let rules: [GitignoreRule]

    public init(text: String, baseDirectory: String = "") {
        self.baseDirectory = baseDirectory
        self.baseComponents = GlobPath(baseDirectory).components
        var rules: [GitignoreRule] = []
        text.enumerateLinesKeepingCarriageReturn { line in
            if let rule = GitignoreRule(line: line) { rules.append(rule) }
        }
        self.rules = rules
    }

    /// The verdict of the last rule in this file that matches `components` (relative to the KB root), or nil
    /// when no rule matches or the path is not below this file's folder.
    public func decision(components: [[Unicode.Scalar]], isDirectory: Bool) -> IgnoreDecision? {
        guard components.count > baseComponents.count else { return nil }
        for index in baseComponents.indices where components[index] != baseComponents[index] { return nil }
        let relative = components[baseComponents.count...]
        for rule in rules.reversed() where rule.matches(components: relative, isDirectory: isDirectory) {
            return rule.negated ? .included : .ignored
        }
        return nil
    }
}

/// The ignore files that apply at one point of a walk, from the KB root down. A deeper file overrides a
/// shallower one and, within a file, a later line overrides an earlier one, so the last matching rule wins.
public struct IgnoreRules: Sendable {
    public private(set) var files: [Gitignore] = []

    public init(_ files: [Gitignore] = []) {
        self.files = files
    }

    /// Adds a file whose folder is at or below those already present.
    public mutating func push(_ file: Gitignore) {
        files.append(file)
    }

    public func pushing(_ file: Gitignore) -> IgnoreRules {
        var copy = self
        copy.push(file)
        return copy
    }

    public mutating func pop() {
        _ = files.popLast()
    }

    /// The verdict for the path itself, not looking at its parents. A walker that never enters an ignored
    /// folder needs only this, which is why it is separate from `isIgnored`.
    public func decision(components: [[Unicode.Scalar]], isDirectory: Bool) -> IgnoreDecision? {
        for file in files.reversed() {
            if let verdict = file.decision(components: components, isDirectory: isDirectory) { return verdict }
        }
        return nil
    }

    /// Git's answer: ignored when the last matching rule says so, or when any parent folder is ignored,
    /// since git never looks inside an excluded folder and so a `!` rule cannot bring back its files.
    public func isIgnored(relativePath: String, isDirectory: Bool) -> Bool {
        let components = GlobPath(relativePath).components
        if components.isEmpty { return false }
        for depth in 1..<components.count
        where decision(components: Array(components[..<depth]), isDirectory: true) == .ignored {
            return true
        }
        return decision(components: components, isDirectory: isDirectory) == .ignored
    }
}

extension String {
    /// Splits on "\n" only, leaving any "\r" for the rule parser, and without Foundation.
    fileprivate func enumerateLinesKeepingCarriageReturn(_ body: (String) -> Void) {
        // Works on UTF-8 because "\r\n" is one Character and a Character search would never see its "\n".
        let bytes = utf8
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: 0x0A) {
            body(String(self[start..<newline]))
            start = bytes.index(after: newline)
        }
        if start < bytes.endIndex { body(String(self[start...])) }
    }
}
