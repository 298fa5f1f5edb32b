/// A shell-style pattern over '/'-separated relative paths, compiled once so that matching the same pattern
/// against a hundred thousand paths does no parsing.
///
/// Syntax, as in git's wildmatch and ripgrep's globs: `*` any run of characters within one path component,
/// `?` one character other than '/', `[abc]`, `[a-z]`, `[!x]` or `[^x]` and POSIX classes like `[[:digit:]]`,
/// `\x` the character x itself, and `**` as a whole component for any number of components, zero included
/// (`**/*.md`, `a/**/b`), except that a trailing `/**` needs at least one: `docs/**` is what is inside docs.
/// A `**` inside a component (`a**b`) is an ordinary `*`. An unclosed `[` is a literal bracket, so no
/// pattern fails to compile. Matching is case-sensitive, like git on Linux.
public struct Glob: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as the user wrote it.
    public let pattern: String
    let segments: [GlobSegment]
    /// The pattern ended in '/', so it matches directories only.
    public let directoryOnly: Bool

    /// Compiles `pattern` as a whole-path pattern; a leading '/' is dropped because paths are relative.
    public init(_ pattern: String) {
        self.pattern = pattern
        var body = Substring(pattern)
        while body.hasPrefix("/") { body = body.dropFirst() }
        var dirOnly = false
        while body.hasSuffix("/") && !Glob.endsWithEscape(body.dropLast()) {
            dirOnly = true
            body = body.dropLast()
        }
        self.directoryOnly = dirOnly
        self.segments = Glob.compile(body)
    }

    init(segments: [GlobSegment], pattern: String, directoryOnly: Bool) {
        self.segments = segments
        self.pattern = pattern
        self.directoryOnly = directoryOnly
    }

    public var description: String { pattern }

    /// Whether the whole relative path matches. A directory-only pattern never matches a file.
    public func matches(_ path: String, isDirectory: Bool = false) -> Bool {
        if directoryOnly && !isDirectory { return false }
        return matches(components: GlobPath(path).components)
    }

    /// Matching on a path already split, for callers (the walker, gitignore rules) that test one path
    /// against many patterns.
    public func matches(components: [[Unicode.Scalar]]) -> Bool {
        Glob.match(segments[...], components[...])
    }

    /// True when the text ends in an odd number of backslashes, so its next character is escaped.
    static func endsWithEscape(_ text: Substring) -> Bool {
        var count = 0
        var index = text.endIndex
        while index > text.startIndex {
            index = text.index(before: index)
            if text[index] == "\\" { count += 1 } else { break }
        }
        return count % 2 == 1
    }

    // MARK: Compiling

    static func compile(_ body: Substring) -> [GlobSegment] {
        var segments: [GlobSegment] = []
        for raw in splitUnescaped(Array(body.unicodeScalars)) where !raw.isEmpty {
            if raw.count == 2 && raw[0] == "*" && raw[1] == "*" {
                // Consecutive globstars mean the same as one and would only multiply backtracking.
                if segments.last != .globstar { segments.append(.globstar) }
            } else {
                segments.append(.component(ComponentPattern(compiling: raw)))
            }
        }
        // A trailing `**` means "everything inside", so `docs/**` matches docs/a but not docs itself (as in
        // git, which is what lets `docs/**` then `!docs/keep.md` re-include a file).
        if segments.count > 1, segments.last == .globstar {
            segments.append(.component(ComponentPattern(compiling: ["*"])))
        }
        return segments
    }

    /// Splits at '/' that is neither escaped nor inside a bracket expression.
    private static func splitUnescaped(_ scalars: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var parts: [[Unicode.Scalar]] = [[]]
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "\\" && i + 1 < scalars.count {
                parts[parts.count - 1].append(c)
                parts[parts.count - 1].append(scalars[i + 1])
                i += 2
                continue
            }
            if c == "/" {
                parts.append([])
            } else {
                parts[parts.count - 1].append(c)
            }
            i += 1
        }
        return parts
    }

    // MARK: Matching

    /// Matches components against segments; `**` backtracks over whole components the way `*` backtracks
    /// over characters, so the cost stays proportional to segments × components.
    static func match(_ segments: ArraySlice<GlobSegment>, _ components: ArraySlice<[Unicode.Scalar]>) -> Bool {
        var s = segments.startIndex
        var c = components.startIndex
        var starSegment: Int? = nil
        var starComponent = c
        while c < components.endIndex {
            if s < segments.endIndex {
                switch segments[s] {
                case .globstar:
                    starSegment = s
                    starComponent = c
                    s += 1
                    continue
                case .component(let pattern):
                    if pattern.matches(components[c]) {
                        s += 1
                        c += 1
                        continue
                    }
                }
            }
            guard let star = starSegment else { return false }
            s = star + 1
            starComponent += 1
            c = starComponent
        }
        while s < segments.endIndex, segments[s] == .globstar { s += 1 }
        return s == segments.endIndex
    }
}

/// One '/'-separated part of a compiled glob.
enum GlobSegment: Sendable, Hashable {
    case globstar
    case component(ComponentPattern)
}

/// A path split into components of Unicode scalars, the form every matcher consumes. Empty components
/// (from "a//b" or a trailing '/') are dropped.
public struct GlobPath: Sendable {
    public let components: [[Unicode.Scalar]]

    public init(_ path: String) {
        var result: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for scalar in path.unicodeScalars {
            if scalar == "/" {
                if !current.isEmpty { result.append(current); current = [] }
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { result.append(current) }
        components = result
    }

    public init(components: [[Unicode.Scalar]]) {
        self.components = components
    }
}

/// A pattern for one path component. The common shapes (a literal name, `*.ext`, `*`) get a direct test;
/// anything else runs the general wildcard matcher.
struct ComponentPattern: Sendable, Hashable {
    enum Token: Sendable, Hashable {
        case literal(Unicode.Scalar)
        case anyOne
        case anyRun
        case set(GlobCharacterClass)
    }

    enum Shape: Sendable, Hashable {
        case literal([Unicode.Scalar])
        case suffix([Unicode.Scalar])
        case anything
        case general
    }

    let tokens: [Token]
    let shape: Shape

    init(compiling raw: [Unicode.Scalar]) {
        var tokens: [Token] = []
        var i = 0
        while i < raw.count {
            let c = raw[i]
            switch c {
            case "\\":
                // A trailing lone backslash has nothing to escape and stands for itself.
                if i + 1 < raw.count {
                    tokens.append(.literal(raw[i + 1]))
                    i += 2
                } else {
                    tokens.append(.literal(c))
                    i += 1
                }
            case "*":
                if tokens.last != .anyRun { tokens.append(.anyRun) }
                i += 1
            case "?":
                tokens.append(.anyOne)
                i += 1
            case "[":
                if let (set, next) = GlobCharacterClass.parse(raw, from: i) {
                    tokens.append(.set(set))
                    i = next
                } else {
                    tokens.append(.literal(c))
                    i += 1
                }
            default:
                tokens.append(.literal(c))
                i += 1
            }
        }
        self.tokens = tokens
        self.shape = ComponentPattern.shape(of: tokens)
    }

    private static func shape(of tokens: [Token]) -> Shape {
        func literals(_ slice: ArraySlice<Token>) -> [Unicode.Scalar]? {
            var out: [Unicode.Scalar] = []
            for token in slice {
                guard case .literal(let c) = token else { return nil }
                out.append(c)
            }
            return out
        }
        if tokens == [.anyRun] { return .anything }
        if let all = literals(tokens[...]) { return .literal(all) }
        if tokens.first == .anyRun, let rest = literals(tokens.dropFirst()) { return .suffix(rest) }
        return .general
    }

    func matches(_ name: [Unicode.Scalar]) -> Bool {
        switch shape {
        case .anything:
            return true
        case .literal(let text):
            return name == text
        case .suffix(let text):
            return name.count >= text.count && name[(name.count - text.count)...].elementsEqual(text)
        case .general:
            return matchGeneral(name)
        }
    }

    /// The classic two-pointer wildcard match: on a mismatch, retry from the last `*` one character later.
    /// Only the most recent `*` needs remembering, which keeps the worst case at tokens × characters.
    private func matchGeneral(_ name: [Unicode.Scalar]) -> Bool {
        var t = 0
        var n = 0
        var starToken = -1
        var starName = 0
        while n < name.count {
            if t < tokens.count {
                switch tokens[t] {
                case .anyRun:
                    starToken = t
                    starName = n
                    t += 1
                    continue
                case .anyOne:
                    t += 1
                    n += 1
                    continue
                case .literal(let c):
                    if c == name[n] {
                        t += 1
                        n += 1
                        continue
                    }
                case .set(let set):
                    if set.contains(name[n]) {
                        t += 1
                        n += 1
                        continue
                    }
                }
            }
            guard starToken >= 0 else { return false }
            t = starToken + 1
            starName += 1
            n = starName
        }
        while t < tokens.count, tokens[t] == .anyRun { t += 1 }
        return t == tokens.count
    }
}

/// A bracket expression: single characters, ranges and POSIX classes, possibly negated. It never matches
/// '/', because a component holds none.
struct GlobCharacterClass: Sendable, Hashable {
    enum Item: Sendable, Hashable {
        case single(Unicode.Scalar)
        case range(Unicode.Scalar, Unicode.Scalar)
        case posix(String)
    }

    let items: [Item]
    let negated: Bool

    func contains(_ c: Unicode.Scalar) -> Bool {
        var found = false
        for item in items {
            switch item {
            case .single(let s): found = s == c
            case .range(let lo, let hi): found = lo <= c && c <= hi
            case .posix(let name): found = GlobCharacterClass.posixClass(name, contains: c)
            }
            if found { break }
        }
        return found != negated
    }

    /// Parses the bracket expression that starts at `raw[start] == "["`; nil when it never closes, in which
    /// case the caller treats the bracket as a literal (git does the same).
    static func parse(_ raw: [Unicode.Scalar], from start: Int) -> (GlobCharacterClass, Int)? {
        var i = start + 1
        var negated = false
        if i < raw.count && (raw[i] == "!" || raw[i] == "^") {
            negated = true
            i += 1
        }
        var items: [Item] = []
        var first = true
        while i < raw.count {
            var c = raw[i]
            if c == "]" && !first {
                return (GlobCharacterClass(items: items, negated: negated), i + 1)
            }
            first = false
            if c == "[" && i + 1 < raw.count && raw[i + 1] == ":" {
                if let close = findPosixEnd(raw, from: i + 2) {
                    items.append(.posix(String(String.UnicodeScalarView(raw[(i + 2)..<close]))))
                    i = close + 2
                    continue
                }
            }
            if c == "\\" && i + 1 < raw.count {
                i += 1
                c = raw[i]
            }
            // A '-' between two characters makes a range; first or last it is itself.
            if i + 2 < raw.count && raw[i + 1] == "-" && raw[i + 2] != "]" {
                var hi = raw[i + 2]
                var next = i + 3
                if hi == "\\" && i + 3 < raw.count {
                    hi = raw[i + 3]
                    next = i + 4
                }
                if c <= hi { items.append(.range(c, hi)) }
                i = next
                continue
            }
            items.append(.single(c))
            i += 1
        }
        return nil
    }

    private static func findPosixEnd(_ raw: [Unicode.Scalar], from start: Int) -> Int? {
        var i = start
        while i + 1 < raw.count {
            if raw[i] == ":" && raw[i + 1] == "]" { return i }
            let c = raw[i]
            guard (c >= "a" && c <= "z") else { return nil }
            i += 1
        }
        return nil
    }

    static func posixClass(_ name: String, contains c: Unicode.Scalar) -> Bool {
        let p = c.properties
        switch name {
        case "alpha": return p.isAlphabetic
        case "digit": return c >= "0" && c <= "9"
        case "alnum": return p.isAlphabetic || (c >= "0" && c <= "9")
        case "upper": return p.isUppercase
        case "lower": return p.isLowercase
        case "space": return p.isWhitespace
        case "blank": return c == " " || c == "\t"
        case "punct": return c.isASCII && c.value > 0x20 && c.value < 0x7F && !p.isAlphabetic
            && !(c >= "0" && c <= "9")
        case "xdigit": return p.isASCIIHexDigit
        case "cntrl": return p.generalCategory == .control
        case "print": return c.value >= 0x20 && c.value != 0x7F && p.generalCategory != .control
        case "graph": return c.value > 0x20 && c.value != 0x7F && p.generalCategory != .control
            && !p.isWhitespace
        default: return false
        }
    }
}

/// The `--include` / `--exclude` filter of a knowledge base, with ripgrep's `-g` reading of patterns: one
/// without '/' matches a file or folder name at any depth (`*.md`, `node_modules`); one with '/' is anchored
/// at the KB root (`docs/**/*.md`, `/drafts`). A trailing '/' limits a pattern to folders.
public struct PathFilter: Sendable {
    public let include: [Glob]
    public let exclude: [Glob]

    public init(include: [String], exclude: [String]) {
        self.include = include.map(PathFilter.anchoredGlob)
        self.exclude = exclude.map(PathFilter.anchoredGlob)
    }

    /// A glob as `-g` reads it: patterns with no inner '/' get an implicit `**/` in front.
    public static func anchoredGlob(_ pattern: String) -> Glob {
        let plain = Glob(pattern)
        var body = Substring(pattern)
        while body.hasSuffix("/") && !Glob.endsWithEscape(body.dropLast()) { body = body.dropLast() }
        let hasInnerSlash = body.unicodeScalars.contains("/")
        if hasInnerSlash { return plain }
        return Glob(segments: [.globstar] + plain.segments, pattern: pattern, directoryOnly: plain.directoryOnly)
    }

    /// Whether a folder should be entered: only excludes apply, since an included file may sit at any depth.
    public func allowsDirectory(components: [[Unicode.Scalar]]) -> Bool {
        !exclude.contains { $0.matches(components: components) }
    }

    /// Whether a file should be listed: it matches some include (or there are none) and no exclude.
    public func allowsFile(components: [[Unicode.Scalar]]) -> Bool {
        for glob in exclude where !glob.directoryOnly && glob.matches(components: components) { return false }
        if include.isEmpty { return true }
        return include.contains { !$0.directoryOnly && $0.matches(components: components) }
    }

    /// Convenience for a path given as text.
    public func allows(_ relativePath: String, isDirectory: Bool) -> Bool {
        let components = GlobPath(relativePath).components
        return isDirectory ? allowsDirectory(components: components) : allowsFile(components: components)
    }
}
