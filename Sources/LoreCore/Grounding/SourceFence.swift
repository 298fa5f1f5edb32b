import Foundation

/// The delimiters that fence each source in a grounded prompt.
///
/// Two defences keep a document from passing itself off as something other than a source's text:
/// 1. every marker carries a nonce made fresh for each prompt (`<<source 3 id=NONCE>>`), which the
///    document's author could not have known when writing it;
/// 2. document text is neutralised before it goes between the markers: a `<<` that opens something
///    reading like a marker (`<<source`, `<<end`, with any case or spacing) becomes `‹‹`, so not even a
///    lucky or leaked nonce lets a document close its own fence or open a fake one.
public struct SourceFence: Sendable, Equatable {
    public let nonce: String

    /// `nonce` keeps only ASCII letters and digits (so it cannot itself break a marker); if nothing is left, a
    /// random one is made.
    public init(nonce: String) {
        let clean = String(nonce.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
            .map(Character.init))
        self.nonce = clean.isEmpty ? SourceFence.randomNonce() : clean
    }

    /// 64 random bits as 16 hex digits.
    public static func randomNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    public func open(_ number: Int) -> String { "<<source \(number) id=\(nonce)>>" }
    public func close(_ number: Int) -> String { "<<end source \(number) id=\(nonce)>>" }

    /// Document text made safe to place between markers (see the type's documentation).
    public static func neutralise(_ text: String) -> String {
        guard text.contains("<<") else { return text }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        out.reserveCapacity(scalars.count)
        var i = 0
        while i < scalars.count {
            if scalars[i] == "<", i + 1 < scalars.count, scalars[i + 1] == "<", opensMarkerWord(scalars, at: i + 2) {
                out.append("\u{2039}")
                out.append("\u{2039}")
                i += 2
                continue
            }
            out.append(scalars[i])
            i += 1
        }
        return String(out)
    }

    /// Whether, after optional spaces and more `<`, the text goes on with "source" or "end".
    private static func opensMarkerWord(_ scalars: [Unicode.Scalar], at start: Int) -> Bool {
        var i = start
        while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" || scalars[i] == "<" { i += 1 }
        for word in ["source", "end"] {
            let letters = Array(word.unicodeScalars)
            guard i + letters.count <= scalars.count else { continue }
            if zip(scalars[i..<(i + letters.count)], letters).allSatisfy({ String($0.0).lowercased() == String($0.1) }) {
                return true
            }
        }
        return false
    }

    /// A title, heading or path squeezed onto one line and neutralised, for the header inside a fence.
    static func headerField(_ text: String) -> String {
        let oneLine = text.split(whereSeparator: { $0.isNewline }).joined(separator: " ")
        return neutralise(oneLine.trimmingCharacters(in: .whitespaces))
    }
}
