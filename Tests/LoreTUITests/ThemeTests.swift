import Foundation
import LoreCore
import Testing
@testable import LoreTUI

@Suite("themes")
struct ThemeTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test(arguments: BuiltinThemes.names)
    func shippedThemeLoadsWithEveryRole(_ name: String) throws {
        let theme = try ThemeLoader.load(name, environment: [:])
        #expect(theme.name == name)
        for role in ThemeRole.allCases { #expect(theme.roles[role] != nil, "\(name) lacks \(role)") }
    }

    @Test(arguments: BuiltinThemes.names)
    func embeddedCopyMatchesTheFile(_ name: String) throws {
        let file = Self.repoRoot.appendingPathComponent("themes/\(name).toml")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text == BuiltinThemes.sources[name]! + "\n")
    }

    @Test func colourParsing() {
        #expect(ThemeColor(parsing: "#ff8000") == .rgb(255, 128, 0))
        #expect(ThemeColor(parsing: "#f80") == .rgb(255, 136, 0))
        #expect(ThemeColor(parsing: "bright-blue") == .indexed(12))
        #expect(ThemeColor(parsing: "red") == .indexed(1))
        #expect(ThemeColor(parsing: "208") == .indexed(208))
        #expect(ThemeColor(parsing: "default") == .terminalDefault)
        #expect(ThemeColor(parsing: "#12345") == nil)
        #expect(ThemeColor(parsing: "256") == nil)
        #expect(ThemeColor(parsing: "mauve") == nil)
    }

    @Test func nearestColours() {
        #expect(ThemeColor.rgb(255, 0, 0).index(for: .palette256) == 196)
        #expect(ThemeColor.rgb(255, 0, 0).index(for: .sixteen) == 9)
        #expect(ThemeColor.rgb(255, 0, 0).index(for: .eight) == 1)
        #expect(ThemeColor.rgb(0x1a, 0x1b, 0x26).index(for: .eight) == 0)
        #expect(ThemeColor.rgb(0xc0, 0xca, 0xf5).index(for: .eight) == 7)
        #expect(ThemeColor.indexed(12).index(for: .eight) == 4)
        #expect(ThemeColor.indexed(12).index(for: .sixteen) == 12)
        #expect(ThemeColor.terminalDefault.index(for: .palette256) == nil)
        // A muted grey-blue stays grey rather than turning into an accent colour.
        #expect(ThemeColor.rgb(0x6b, 0x73, 0x94).index(for: .sixteen) == 8)
        #expect(ThemeColor.rgb(0x6b, 0x73, 0x94).index(for: .palette256) == 60)
    }

    @Test(arguments: BuiltinThemes.names)
    func everyThemeDegradesToEightAndSixteenColours(_ name: String) throws {
        let theme = try ThemeLoader.load(name, environment: [:])
        for depth in [ColorDepth.eight, .sixteen] {
            for role in ThemeRole.allCases {
                let r = theme.resolve(TextStyle(role, on: role == .selection ? .selection : .background), depth: depth)
                if let fg = r.fg { #expect(fg < depth.colorCount) }
                if let bg = r.bg { #expect(bg < depth.colorCount) }
                if name != "mono", r.fg != nil { #expect(r.fg != r.bg, "\(name) \(role) unreadable at \(depth)") }
            }
        }
    }

    @Test func noColorMeansMonochromeAttributes() throws {
        #expect(ColorDepth.detect(terminalColors: 256, environment: ["NO_COLOR": "1"]) == .monochrome)
        #expect(ColorDepth.detect(terminalColors: 256, environment: ["NO_COLOR": ""]) == .palette256)
        #expect(ColorDepth.detect(terminalColors: 8, environment: [:]) == .eight)
        let theme = try ThemeLoader.load("dark", environment: [:])
        let citation = theme.resolve(TextStyle(.citation), depth: .monochrome)
        #expect(citation.fg == nil && citation.bg == nil)
        #expect(citation.attributes.contains(.underline))
        #expect(theme.resolve(TextStyle(.muted), depth: .monochrome).attributes.contains(.dim))
        #expect(theme.resolve(TextStyle(.foreground, on: .selection), depth: .monochrome).attributes.contains(.reverse))
    }

    @Test func userThemeOverridesAndInherits() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lore-theme-\(UUID().uuidString)")
        let themes = dir.appendingPathComponent("lore/themes")
        try FileManager.default.createDirectory(at: themes, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "base = \"light\"\n[citation]\nfg = \"#ff0000\"\nunderline = true\n"
            .write(to: themes.appendingPathComponent("mine.toml"), atomically: true, encoding: .utf8)
        try "[nonsense]\nfg = \"red\"\n".write(to: themes.appendingPathComponent("broken.toml"), atomically: true, encoding: .utf8)
        let env = ["XDG_CONFIG_HOME": dir.path]
        let mine = try ThemeLoader.load("mine", environment: env)
        #expect(mine[.citation] == RoleStyle(fg: .rgb(255, 0, 0), attributes: .underline))
        #expect(mine[.background] == ThemeLoader.builtin("light")![.background])
        #expect(ThemeLoader.availableNames(environment: env).suffix(2) == ["broken", "mine"])
        #expect(throws: ThemeError.self) { try ThemeLoader.load("broken", environment: env) }
        #expect(throws: ThemeError.self) { try ThemeLoader.load("../etc/passwd", environment: env) }
        #expect(throws: ThemeError.self) { try ThemeLoader.load("nope", environment: env) }
    }

    @Test func badThemeFilesExplainThemselves() {
        #expect(throws: ThemeError.self) { try ThemeLoader.parse("[primary]\nfg = \"#xyz\"", name: "t") }
        #expect(throws: ThemeError.self) { try ThemeLoader.parse("[primary]\nblink = true", name: "t") }
        #expect(throws: ThemeError.self) { try ThemeLoader.parse("[primary\nfg=1", name: "t") }
        do {
            _ = try ThemeLoader.parse("[primary]\nfg = \"#xyz\"", name: "t")
        } catch {
            #expect("\(error)".contains("[primary] fg is not a colour"))
        }
    }
}
