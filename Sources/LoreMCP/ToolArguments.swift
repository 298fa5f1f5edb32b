import Foundation
import MCP

/// A mistake a client can correct: bad or missing arguments, an unknown knowledge base or passage. It
/// goes back as a tool result marked as an error, in the words the CLI would use.
public struct ToolError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The arguments of one tool call, checked against the names the tool takes. Every accessor says which
/// argument is wrong and what it should be.
struct ToolArguments {
    let tool: String
    let values: [String: Value]

    init(tool: String, values: [String: Value]?, accepted: [String]) throws(ToolError) {
        self.tool = tool
        self.values = values ?? [:]
        let unknown = self.values.keys.filter { !accepted.contains($0) }.sorted()
        if !unknown.isEmpty {
            let list = unknown.map { "`\($0)`" }.joined(separator: ", ")
            let takes = accepted.isEmpty ? "no arguments" : accepted.map { "`\($0)`" }.joined(separator: ", ")
            throw ToolError("\(tool): unknown argument\(unknown.count == 1 ? "" : "s") \(list); it takes \(takes)")
        }
    }

    /// A string, or nil when absent or null.
    func string(_ name: String) throws(ToolError) -> String? {
        guard let value = values[name], !value.isNull else { return nil }
        guard let text = value.stringValue else {
            throw ToolError("\(tool): `\(name)` must be a string, not \(Self.kind(of: value))")
        }
        return text
    }

    /// A string that must be there and hold more than white space.
    func requiredString(_ name: String, what: String) throws(ToolError) -> String {
        guard let text = try string(name) else {
            throw ToolError("\(tool): `\(name)` is required: \(what)")
        }
        guard text.contains(where: { !$0.isWhitespace }) else {
            throw ToolError("\(tool): `\(name)` is empty; give \(what)")
        }
        return text
    }

    /// A whole number within `range`, or nil when absent or null. 8.0 counts as 8; 8.5 and "8" do not.
    func integer(_ name: String, in range: ClosedRange<Int>) throws(ToolError) -> Int? {
        guard let value = values[name], !value.isNull else { return nil }
        let number: Int?
        switch value {
        case .int(let n): number = n
        case .double(let d) where d.rounded() == d && abs(d) < 1e15: number = Int(d)
        default: number = nil
        }
        guard let number else {
            throw ToolError("\(tool): `\(name)` must be a whole number, not \(Self.kind(of: value))")
        }
        guard range.contains(number) else {
            throw ToolError("\(tool): `\(name)` must be between \(range.lowerBound) and \(range.upperBound), not \(number)")
        }
        return number
    }

    /// One of `choices`, or nil when absent or null.
    func choice(_ name: String, from choices: [String]) throws(ToolError) -> String? {
        guard let text = try string(name) else { return nil }
        let normalised = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard choices.contains(normalised) else {
            throw ToolError("\(tool): `\(name)` must be one of \(choices.joined(separator: ", ")), not \"\(text)\"")
        }
        return normalised
    }

    static func kind(of value: Value) -> String {
        switch value {
        case .null: "null"
        case .bool(let b): "the boolean \(b)"
        case .int(let n): "the number \(n)"
        case .double(let d): "the number \(d)"
        case .string(let s): "the string \"\(s.count > 40 ? String(s.prefix(40)) + "…" : s)\""
        case .data: "binary data"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
