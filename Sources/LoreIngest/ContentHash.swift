/// A fingerprint of a file's bytes, to recognise unchanged and renamed files without re-reading their
/// passages. Two independent 64-bit FNV-1a lanes make an accidental collision between two files of one
/// knowledge base vanishingly unlikely, at a fraction of a cryptographic hash's cost; nothing here needs
/// resistance to an adversary, since a collision only means one file is not re-chunked.
enum ContentHash {
    static func of(_ bytes: UnsafeRawBufferPointer) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x8422_2325_cbf2_9ce4
        let prime: UInt64 = 0x0000_0100_0000_01B3
        for byte in bytes {
            a = (a ^ UInt64(byte)) &* prime
            b = (b &+ UInt64(byte) &+ 0x9E) &* prime ^ (b >> 29)
        }
        return hex(a) + hex(b) + "-" + String(bytes.count)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
