/// Scripts written without spaces between words: Chinese, Japanese and Korean (whose particles attach to
/// the word before them), and Thai, Lao, Myanmar and Khmer. unicode61 leaves a whole run of such text as
/// one token, so these are the passages and query words that need the trigram index.
public enum UnsegmentedScript {
    public static func contains(_ scalar: Unicode.Scalar) -> Bool { contains(value: scalar.value) }

    static func contains(value: UInt32) -> Bool {
        switch value {
        case 0x3040...0x30FF, 0x31F0...0x31FF, 0xFF66...0xFF9F: return true // kana
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x3134F: return true // Han
        case 0xAC00...0xD7AF, 0x1100...0x11FF, 0x3130...0x318F: return true // Hangul
        case 0x0E00...0x0EFF, 0x1000...0x109F, 0x1780...0x17FF: return true // Thai, Lao, Myanmar, Khmer
        default: return false
        }
    }

    /// Whether any scalar of `text` is in one of these scripts. The indexer asks this of every passage, so
    /// it reads UTF-8 bytes: all of these scalars take three or four bytes, and everything shorter is
    /// stepped over without decoding (on English text, a third of the time walking the scalars takes in a
    /// release build, a twentieth in a debug one).
    public static func appears(in text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var i = 0
            while i < bytes.count {
                let lead = bytes[i]
                if lead < 0xE0 {
                    i += 1
                    continue
                }
                // A Swift string is valid UTF-8, so a lead byte is always followed by its continuation bytes.
                let value: UInt32
                if lead < 0xF0 {
                    value = UInt32(lead & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F)
                    i += 3
                } else {
                    value = UInt32(lead & 0x07) << 18 | UInt32(bytes[i + 1] & 0x3F) << 12
                        | UInt32(bytes[i + 2] & 0x3F) << 6 | UInt32(bytes[i + 3] & 0x3F)
                    i += 4
                }
                if contains(value: value) { return true }
            }
            return false
        }
    }
}
