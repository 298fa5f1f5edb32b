import Foundation

/// The named roles a theme gives colours to. Widgets ask for a role, never for a raw colour, so that a theme
/// file restyles the whole UI and a monochrome terminal still tells roles apart by attributes.
public enum ThemeRole: String, Sendable, CaseIterable, Hashable, Codable {
    case background, surface, panel, foreground, muted, primary, accent, success, warning, error, citation,
         selection
}

/// A colour as a theme file writes it.
public enum ThemeColor: Sendable, Hashable {
    /// The terminal's own default foreground or background.
    case terminalDefault
    /// One of the 256 xterm palette entries (0–15 are the ANSI colours).
    case indexed(UInt8)
    case rgb(UInt8, UInt8, UInt8)

    static let ansiNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// Parses "#rrggbb", "#rgb", "default", an ANSI name ("red", "bright-blue") or "0"–"255".
    public init?(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t == "default" || t == "none" {
            self = .terminalDefault
            return
        }
        if t.hasPrefix("#") {
            let hex = Array(t.dropFirst())
            let digits: [Character]
            switch hex.count {
            case 6: digits = hex
            case 3: digits = hex.flatMap { [$0, $0] }
            default: return nil
            }
            var bytes: [UInt8] = []
            for i in stride(from: 0, to: 6, by: 2) {
                guard let b = UInt8(String(digits[i...i + 1]), radix: 16) else { return nil }
                bytes.append(b)
            }
            self = .rgb(bytes[0], bytes[1], bytes[2])
            return
        }
        if let n = Int(t) {
            guard (0...255).contains(n) else { return nil }
            self = .indexed(UInt8(n))
            return
        }
        var name = t.replacingOccurrences(of: "_", with: "-")
        var bright = false
        for prefix in ["bright-", "light-"] where name.hasPrefix(prefix) {
            bright = true
            name.removeFirst(prefix.count)
        }
        if name == "gray" || name == "grey" {
            self = .indexed(bright ? 7 : 8)
            return
        }
        guard let i = Self.ansiNames.firstIndex(of: name) else { return nil }
        self = .indexed(UInt8(i + (bright ? 8 : 0)))
    }

    /// The colour's red, green and blue, using xterm's default palette for indexed colours; nil for the
    /// terminal default, whose value is unknown.
    public var rgbValue: (r: Int, g: Int, b: Int)? {
        switch self {
        case .terminalDefault: return nil
        case .rgb(let r, let g, let b): return (Int(r), Int(g), Int(b))
        case .indexed(let i): return Palette.rgb(ofIndex: Int(i))
        }
    }

    /// The palette index to use on a terminal with `depth` colours; nil means "terminal default".
    public func index(for depth: ColorDepth) -> Int? {
        switch self {
        case .terminalDefault: return nil
        case .indexed(let i) where Int(i) < depth.colorCount: return Int(i)
        default:
            guard depth.colorCount > 0, let rgb = rgbValue else { return nil }
            return Palette.nearest(rgb, among: depth.colorCount)
        }
    }
}

/// How many colours the terminal can show.
public enum ColorDepth: Int, Sendable, Comparable, CaseIterable {
    /// No colour at all (NO_COLOR set, or a terminal without colours): roles become attributes.
    case monochrome = 0
    case eight = 8
    case sixteen = 16
    case palette256 = 256

    public var colorCount: Int { rawValue }

    public static func < (a: ColorDepth, b: ColorDepth) -> Bool { a.rawValue < b.rawValue }

    /// The depth to use given what the terminal reports and the environment: NO_COLOR (any non-empty
    /// value, per no-color.org) wins over everything.
    public static func detect(terminalColors: Int, environment: [String: String]) -> ColorDepth {
        if let v = environment["NO_COLOR"], !v.isEmpty { return .monochrome }
        switch terminalColors {
        case 256...: return .palette256
        case 16...: return .sixteen
        case 8...: return .eight
        default: return .monochrome
        }
    }
}

/// xterm's default palette and nearest-colour search.
public enum Palette {
    static let ansi16: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205),
        (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255),
        (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]
    static let cubeLevels = [0, 95, 135, 175, 215, 255]

    public static func rgb(ofIndex i: Int) -> (r: Int, g: Int, b: Int) {
        switch i {
        case 0..<16:
            let c = ansi16[i]
            return (c.0, c.1, c.2)
        case 16..<232:
            let n = i - 16
            return (cubeLevels[n / 36], cubeLevels[(n / 6) % 6], cubeLevels[n % 6])
        default:
            let v = 8 + 10 * (min(i, 255) - 232)
            return (v, v, v)
        }
    }

    /// The palette index among the first `count` entries closest to `rgb`, by a weighted distance that
    /// follows how the eye weighs red, green and blue ("redmean").
    public static func nearest(_ color: (r: Int, g: Int, b: Int), among count: Int) -> Int {
        var best = 0
        var bestDistance = Int.max
        // In the 256-colour palette the first 16 entries are often redefined by the user's terminal
        // theme, so an exact colour is only looked for in the fixed cube and gray ramp.
        var candidates: [Int] = count > 16 ? Array(16..<min(count, 256)) : Array(0..<min(count, 16))
        // With 8 or 16 colours a muted grey-blue would otherwise land on cyan or blue, which reads as an
        // accent; greyish colours keep to the grey entries.
        if count <= 16 && max(color.r, color.g, color.b) - min(color.r, color.g, color.b) < 48 {
            candidates = count > 8 ? [0, 8, 7, 15] : [0, 7]
        }
        for i in candidates {
            let c = rgb(ofIndex: i)
            let d = distance(color, c)
            if d < bestDistance {
                bestDistance = d
                best = i
            }
        }
        return best
    }

    static func distance(_ a: (r: Int, g: Int, b: Int), _ b: (r: Int, g: Int, b: Int)) -> Int {
        let rMean = (a.r + b.r) / 2
        let dr = a.r - b.r, dg = a.g - b.g, db = a.b - b.b
        // Swift's >> binds tighter than *, hence the parentheses.
        return (((512 + rMean) * dr * dr) >> 8) + 4 * dg * dg + (((767 - rMean) * db * db) >> 8)
    }
}

/// Visual attributes a cell can carry besides its colours.
public struct TextAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = TextAttributes(rawValue: 1 << 0)
    public static let italic = TextAttributes(rawValue: 1 << 1)
    public static let underline = TextAttributes(rawValue: 1 << 2)
    public static let dim = TextAttributes(rawValue: 1 << 3)
    public static let reverse = TextAttributes(rawValue: 1 << 4)
}

/// What a theme says about one role.
public struct RoleStyle: Sendable, Hashable {
    public var fg: ThemeColor?
    public var bg: ThemeColor?
    public var attributes: TextAttributes

    public init(fg: ThemeColor? = nil, bg: ThemeColor? = nil, attributes: TextAttributes = []) {
        self.fg = fg
        self.bg = bg
        self.attributes = attributes
    }
}

/// How a widget asks for a cell to look: text in the colour of one role on the background of another,
/// plus attributes of its own (a heading is bold whatever the theme says).
public struct TextStyle: Sendable, Hashable {
    public var fg: ThemeRole
    public var bg: ThemeRole
    public var attributes: TextAttributes

    public init(_ fg: ThemeRole = .foreground, on bg: ThemeRole = .background, _ attributes: TextAttributes = []) {
        self.fg = fg
        self.bg = bg
        self.attributes = attributes
    }

    public static let plain = TextStyle()

    public func with(_ extra: TextAttributes) -> TextStyle {
        var s = self
        s.attributes.formUnion(extra)
        return s
    }

    public func on(_ bg: ThemeRole) -> TextStyle {
        var s = self
        s.bg = bg
        return s
    }
}

/// A style reduced to what a terminal of a given depth can show: palette indexes (nil for the terminal
/// default) and attributes.
public struct ResolvedStyle: Sendable, Hashable {
    public var fg: Int?
    public var bg: Int?
    public var attributes: TextAttributes

    public init(fg: Int?, bg: Int?, attributes: TextAttributes) {
        self.fg = fg
        self.bg = bg
        self.attributes = attributes
    }
}

/// A set of role styles with a name.
public struct Theme: Sendable, Hashable {
    public var name: String
    public var roles: [ThemeRole: RoleStyle]

    public init(name: String, roles: [ThemeRole: RoleStyle]) {
        self.name = name
        self.roles = roles
    }

    public subscript(role: ThemeRole) -> RoleStyle { roles[role] ?? RoleStyle() }

    /// The colours and attributes to draw `style` with at `depth`. The foreground comes from the text role
    /// (falling back to `foreground`), the background from the background role (falling back to
    /// `background`). Without colour each role keeps its meaning through attributes alone.
    public func resolve(_ style: TextStyle, depth: ColorDepth) -> ResolvedStyle {
        let text = self[style.fg]
        var attributes = text.attributes.union(style.attributes)
        if depth == .monochrome {
            attributes.formUnion(Self.monochromeAttributes(style.fg))
            if style.bg == .selection { attributes.insert(.reverse) }
            return ResolvedStyle(fg: nil, bg: nil, attributes: attributes)
        }
        if depth == .eight && style.fg == .muted { attributes.insert(.dim) }
        let fgColor = text.fg ?? self[.foreground].fg
        let bgColor = self[style.bg].bg ?? self[.background].bg
        var fg = fgColor?.index(for: depth)
        let bg = bgColor?.index(for: depth)
        // Two different colours can land on one palette entry at low depth; keep the text readable.
        if let f = fg, f == bg, fgColor != bgColor {
            fg = depth == .eight || depth == .sixteen ? (Palette.rgb(ofIndex: f).r + Palette.rgb(ofIndex: f).g
                + Palette.rgb(ofIndex: f).b > 384 ? 0 : 7) : nil
        }
        return ResolvedStyle(fg: fg, bg: bg, attributes: attributes)
    }

    /// How roles stay distinguishable on a terminal without colour.
    public static func monochromeAttributes(_ role: ThemeRole) -> TextAttributes {
        switch role {
        case .muted: return .dim
        case .primary, .accent, .warning: return .bold
        case .error: return [.bold, .underline]
        case .citation: return .underline
        case .selection: return .reverse
        case .background, .surface, .panel, .foreground, .success: return []
        }
    }
}
