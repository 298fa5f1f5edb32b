/// Why a file was not indexed. The status line counts files per reason, so each case is something a person
/// can recognise and act on.
public enum SkipReason: String, Error, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// A NUL byte: the file is binary whatever its name says.
    case binary
    /// Not valid UTF-8 (most likely Latin-1, UTF-16 or another legacy encoding).
    case invalidUTF8
    /// Larger than the configured size limit.
    case tooLarge
    /// Nothing but whitespace (or nothing at all).
    case empty
    /// The file exists but could not be read (permissions, I/O error).
    case unreadable
    /// Listed by the walk but gone (or replaced by something else) when it was read.
    case vanished
    /// A kind of file Lore has no loader for.
    case unsupported
    /// A symbolic link that leads back into a folder already being walked.
    case symlinkLoop
    /// A document protected by a password Lore does not have.
    case encrypted
    /// A document with no text to read, such as a PDF of scanned pages without a text layer.
    case noText
    /// A file of a known format that its loader cannot make sense of (truncated, corrupt).
    case damaged
    /// An archive-based document (DOCX, ODT, EPUB) refused for safety: an entry name leading outside it,
    /// or contents far larger unpacked than packed.
    case unsafeArchive

    public var description: String {
        switch self {
        case .binary: "binary file (contains NUL bytes)"
        case .invalidUTF8: "not valid UTF-8 text"
        case .tooLarge: "larger than the size limit"
        case .empty: "empty file"
        case .unreadable: "cannot be read (permission or I/O error)"
        case .vanished: "deleted or replaced while indexing"
        case .unsupported: "unsupported file type"
        case .symlinkLoop: "symbolic link loop"
        case .encrypted: "encrypted (password protected)"
        case .noText: "no text to index (scanned pages without a text layer?)"
        case .damaged: "damaged or truncated file"
        case .unsafeArchive: "refused: unsafe archive (entry outside it, or too large unpacked)"
        }
    }
}

/// Turns the bytes of a file into the text every loader works on.
///
/// Invalid UTF-8 is skipped rather than repaired: such a file is nearly always in a legacy encoding
/// (Latin-1, Windows-1252, UTF-16), and replacing its bytes with U+FFFD would index mojibake that no query
/// can match while hiding from the person that the file was not really read. Counting it under
/// `invalidUTF8` tells them which files to convert.
public enum TextDecoding {
    /// Decodes `bytes` as UTF-8 text: strips one leading BOM, turns CR LF and lone CR into LF (so a CR LF
    /// is one line break and line numbers match what an editor shows), and refuses NUL bytes, invalid
    /// UTF-8, whitespace-only content and anything larger than `maxBytes`.
    public static func decode(_ bytes: [UInt8], maxBytes: Int = .max) -> Result<String, SkipReason> {
        bytes.withUnsafeBufferPointer { decode(UnsafeRawBufferPointer($0), maxBytes: maxBytes) }
    }

    /// The same on borrowed memory, so a caller holding a mapped file need not copy it first.
    public static func decode(_ raw: UnsafeRawBufferPointer, maxBytes: Int = .max) -> Result<String, SkipReason> {
        if raw.count > maxBytes { return .failure(.tooLarge) }
        var body = UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: UInt8.self), count: raw.count)
        if body.count >= 3, body[0] == 0xEF, body[1] == 0xBB, body[2] == 0xBF {
            body = UnsafeBufferPointer(rebasing: body[3...])
        }
        // One pass over the bytes answers three questions, so large files are read once before validation.
        var sawNonSpace = false
        var sawCR = false
        for b in body {
            if b == 0 { return .failure(.binary) }
            if b == 0x0D { sawCR = true } else if !isASCIISpace(b) { sawNonSpace = true }
        }
        if !sawNonSpace { return .failure(.empty) }
        guard let text = String(validating: body, as: UTF8.self) else { return .failure(.invalidUTF8) }
        return .success(sawCR ? normalizingLineEndings(body) : text)
    }

    /// The number of lines in `text` as Lore counts them: line breaks plus one, a final line break not
    /// opening a new line. Empty text has no lines.
    public static func lineCount(_ text: String) -> Int {
        var count = 0
        var last: UInt8 = 0x0A
        for b in text.utf8 {
            if b == 0x0A { count += 1 }
            last = b
        }
        return last == 0x0A ? count : count + 1
    }

    private static func isASCIISpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D || b == 0x0C || b == 0x0B
    }

    /// CR LF becomes LF and a lone CR becomes LF; the input is already known to be valid UTF-8, and CR
    /// never occurs inside a multi-byte sequence, so the result is valid too.
    private static func normalizingLineEndings(_ body: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: body.count) { out in
            var n = 0
            var i = 0
            let count = body.count
            while i < count {
                let b = body[i]
                if b == 0x0D {
                    out[n] = 0x0A
                    if i + 1 < count && body[i + 1] == 0x0A { i += 1 }
                } else {
                    out[n] = b
                }
                n += 1
                i += 1
            }
            return n
        }
    }
}
