/// A key press as the UI sees it, after the runtime has decoded curses codes and ESC-prefixed Alt keys.
public struct KeyEvent: Sendable, Hashable {
    public enum Key: Sendable, Hashable {
        case char(Character)
        case enter, tab, backTab, backspace, delete, escape
        case up, down, left, right, home, end, pageUp, pageDown
        case function(Int)
        case wheelUp, wheelDown
    }

    public var key: Key
    public var ctrl: Bool
    public var alt: Bool

    public init(_ key: Key, ctrl: Bool = false, alt: Bool = false) {
        self.key = key
        self.ctrl = ctrl
        self.alt = alt
    }

    public static func char(_ c: Character) -> KeyEvent { KeyEvent(.char(c)) }
    public static func ctrl(_ c: Character) -> KeyEvent { KeyEvent(.char(c), ctrl: true) }
    public static func alt(_ c: Character) -> KeyEvent { KeyEvent(.char(c), alt: true) }
    public static let enter = KeyEvent(.enter)
    public static let escape = KeyEvent(.escape)
    public static let tab = KeyEvent(.tab)

    /// Decodes one code from `wget_wch`: `isFunctionKey` is true for KEY_* codes. Control bytes become
    /// Ctrl-letters (Enter is CR because the runtime turns `nl` translation off, so Ctrl-J stays apart).
    public static func decode(code: UInt32, isFunctionKey: Bool, keyCodes: KeyCodes) -> KeyEvent? {
        if isFunctionKey {
            let c = Int32(bitPattern: code)
            switch c {
            case keyCodes.up: return KeyEvent(.up)
            case keyCodes.down: return KeyEvent(.down)
            case keyCodes.left: return KeyEvent(.left)
            case keyCodes.right: return KeyEvent(.right)
            case keyCodes.home: return KeyEvent(.home)
            case keyCodes.end: return KeyEvent(.end)
            case keyCodes.pageUp: return KeyEvent(.pageUp)
            case keyCodes.pageDown: return KeyEvent(.pageDown)
            case keyCodes.backspace: return KeyEvent(.backspace)
            case keyCodes.delete: return KeyEvent(.delete)
            case keyCodes.enter: return KeyEvent(.enter)
            case keyCodes.backTab: return KeyEvent(.backTab)
            case keyCodes.ctrlLeft: return KeyEvent(.left, ctrl: true)
            case keyCodes.ctrlRight: return KeyEvent(.right, ctrl: true)
            case keyCodes.altLeft: return KeyEvent(.left, alt: true)
            case keyCodes.altRight: return KeyEvent(.right, alt: true)
            case keyCodes.f0 + 1...keyCodes.f0 + 12: return KeyEvent(.function(Int(c - keyCodes.f0)))
            default: return nil
            }
        }
        switch code {
        case 0x0D: return KeyEvent(.enter)
        case 0x09: return KeyEvent(.tab)
        case 0x1B: return KeyEvent(.escape)
        case 0x7F, 0x08: return KeyEvent(.backspace)
        case 0x00: return KeyEvent(.char(" "), ctrl: true)
        case 0x01...0x1A: return KeyEvent(.char(Character(Unicode.Scalar(code + 0x60)!)), ctrl: true)
        case 0x1C...0x1F: return nil
        default:
            guard let s = Unicode.Scalar(code) else { return nil }
            if (0x80..<0xA0).contains(code) { return nil }
            return KeyEvent(.char(Character(s)))
        }
    }
}

/// The curses key codes the decoder needs. Ctrl/Alt-arrow codes are not constants in curses: the runtime
/// looks them up by their terminfo names (kLFT5 …) at start.
public struct KeyCodes: Sendable {
    public var up: Int32, down: Int32, left: Int32, right: Int32, home: Int32, end: Int32
    public var pageUp: Int32, pageDown: Int32, backspace: Int32, delete: Int32, enter: Int32, backTab: Int32
    public var f0: Int32
    public var ctrlLeft: Int32, ctrlRight: Int32, altLeft: Int32, altRight: Int32

    public init(up: Int32, down: Int32, left: Int32, right: Int32, home: Int32, end: Int32, pageUp: Int32,
                pageDown: Int32, backspace: Int32, delete: Int32, enter: Int32, backTab: Int32, f0: Int32,
                ctrlLeft: Int32, ctrlRight: Int32, altLeft: Int32, altRight: Int32) {
        self.up = up
        self.down = down
        self.left = left
        self.right = right
        self.home = home
        self.end = end
        self.pageUp = pageUp
        self.pageDown = pageDown
        self.backspace = backspace
        self.delete = delete
        self.enter = enter
        self.backTab = backTab
        self.f0 = f0
        self.ctrlLeft = ctrlLeft
        self.ctrlRight = ctrlRight
        self.altLeft = altLeft
        self.altRight = altRight
    }
}
