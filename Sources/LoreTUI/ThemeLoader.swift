import Foundation
import LoreCore
import TOMLKit

public struct ThemeError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Reads theme files: TOML with one table per role. A user theme may start from another with
/// `base = "NAME"` and restyle only some roles; roles it leaves out come from that base (default "dark").
public enum ThemeLoader {
    public static let defaultName = "dark"

    /// Parses a theme file's text. `resolveBase` supplies the theme named by `base`.
    public static func parse(_ text: String, name: String,
                             resolveBase: (String) throws -> Theme? = { builtin($0) }) throws -> Theme {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ThemeError("theme \(name): \(error.description) at line \(error.source.begin.line)")
        }
        var theme = Theme(name: (table["name"]?.string) ?? name, roles: [:])
        let baseName = table["base"]?.string ?? (name == defaultName ? nil : defaultName)
        if let baseName, baseName != name {
            guard let base = try resolveBase(baseName) else {
                throw ThemeError("theme \(name): base theme \"\(baseName)\" not found")
            }
            theme.roles = base.roles
        }
        for key in table.keys where key != "name" && key != "base" {
            guard let role = ThemeRole(rawValue: key) else {
                let known = ThemeRole.allCases.map(\.rawValue).joined(separator: ", ")
                throw ThemeError("theme \(name): unknown role [\(key)]; roles are \(known)")
            }
            guard let entry = table[key]?.table else {
                throw ThemeError("theme \(name): \(key) must be a table, e.g. [\(key)] fg = \"#c0caf5\"")
            }
            theme.roles[role] = try roleStyle(entry, role: key, theme: name)
        }
        return theme
    }

    static func roleStyle(_ entry: TOMLTable, role: String, theme: String) throws -> RoleStyle {
        var style = RoleStyle()
        let flags: [(String, TextAttributes)] = [("bold", .bold), ("italic", .italic), ("underline", .underline),
                                                 ("dim", .dim), ("reverse", .reverse)]
        for key in entry.keys {
            switch key {
            case "fg", "bg":
                let color: ThemeColor?
                if let s = entry[key]?.string {
                    color = ThemeColor(parsing: s)
                } else if let n = entry[key]?.int, (0...255).contains(n) {
                    color = .indexed(UInt8(n))
                } else {
                    color = nil
                }
                guard let color else {
                    throw ThemeError("theme \(theme): [\(role)] \(key) is not a colour; use \"#rrggbb\", 0-255, an ANSI name or \"default\"")
                }
                if key == "fg" { style.fg = color } else { style.bg = color }
            default:
                guard let flag = flags.first(where: { $0.0 == key })?.1 else {
                    throw ThemeError("theme \(theme): [\(role)] has unknown key \(key)")
                }
                guard let on = entry[key]?.bool else {
                    throw ThemeError("theme \(theme): [\(role)] \(key) must be true or false")
                }
                if on { style.attributes.insert(flag) }
            }
        }
        return style
    }

    /// A shipped theme by name.
    public static func builtin(_ name: String) -> Theme? {
        guard let text = BuiltinThemes.sources[name] else { return nil }
        return try? parse(text, name: name)
    }

    /// Folders searched for user themes, most specific first.
    public static func userDirectories(environment: [String: String]) -> [String] {
        var dirs: [String] = []
        if let home = environment["LORE_HOME"], !home.isEmpty { dirs.append(home + "/config/themes") }
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            dirs.append(xdg + "/lore/themes")
        } else if let home = environment["HOME"], !home.isEmpty {
            dirs.append(home + "/.config/lore/themes")
        }
        return dirs
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// Loads a theme: a user file of that name wins over a shipped theme of the same name.
    public static func load(_ name: String, environment: [String: String]) throws -> Theme {
        guard isValidName(name) else {
            throw ThemeError("theme name \"\(name)\" may hold only letters, digits, - and _")
        }
        for dir in userDirectories(environment: environment) {
            let path = dir + "/" + name + ".toml"
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ThemeError("cannot read theme \(path): \(error.localizedDescription)")
            }
            return try parse(text, name: name) { base in
                base == name ? builtin(base) : try load(base, environment: environment)
            }
        }
        if let theme = builtin(name) { return theme }
        let known = availableNames(environment: environment).joined(separator: ", ")
        throw ThemeError("no theme named \"\(name)\"; available: \(known)")
    }

    /// Shipped theme names followed by user themes found on disk.
    public static func availableNames(environment: [String: String]) -> [String] {
        var names = BuiltinThemes.names
        for dir in userDirectories(environment: environment) {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            for file in files.sorted() where file.hasSuffix(".toml") {
                let name = String(file.dropLast(5))
                if isValidName(name) && !names.contains(name) { names.append(name) }
            }
        }
        return names
    }
}
