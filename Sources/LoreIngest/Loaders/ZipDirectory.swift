import Foundation
import ZIPFoundation

/// An entry as the zip's central directory records it, with what reading it needs and ZIPFoundation keeps
/// internal: where its local header is, its compression method and its flags.
struct ZipRecord {
    /// The name's bytes, one ISO Latin-1 character per byte, so that it compares byte for byte.
    var rawName: String
    var flags: UInt16
    var method: UInt16
    var crc32: UInt32
    var compressedSize: UInt64
    var uncompressedSize: UInt64
    var localHeaderOffset: UInt64

    static let stored: UInt16 = 0
    static let deflated: UInt16 = 8

    /// General purpose flag bit 0.
    var isEncrypted: Bool { flags & 1 != 0 }
    /// General purpose flag bit 3: the CRC and sizes follow the data, and the local header may hold zeros.
    var hasDataDescriptor: Bool { flags & 8 != 0 }

    /// Whether this is the record ZIPFoundation read as `entry`. Both walk the same directory, so a
    /// difference means they found different ones, and neither reading of the file can be trusted. For an
    /// entry with a data descriptor ZIPFoundation takes the CRC and sizes from the descriptor, so only the
    /// name is compared; reading uses the central directory's values, which the specification makes final.
    func describes(_ entry: Entry) -> Bool {
        guard entry.path(using: .isoLatin1) == rawName else { return false }
        if hasDataDescriptor { return true }
        return entry.checksum == crc32 && entry.compressedSize == compressedSize
            && entry.uncompressedSize == uncompressedSize
    }

    /// The entry's data as stored: after the local header at the recorded offset, as many bytes as the
    /// central directory says. Nil when there is no local header there, when it disagrees with the central
    /// directory on the method or on encryption, or when the data would run past the end of the file: a
    /// size that claims more than the file holds is a lie, and clipping it would read the next entries and
    /// the directory as if they were this one's data.
    func data(in file: ZipBytes) -> UnsafeRawBufferPointer? {
        guard let at = file.position(localHeaderOffset), file.u32(at) == 0x0403_4B50,
              let localFlags = file.u16(at + 6), let localMethod = file.u16(at + 8),
              let nameLength = file.u16(at + 26), let extraLength = file.u16(at + 28),
              localMethod == method, localFlags & 1 == flags & 1,
              let start = file.position(UInt64(at) + 30 + UInt64(nameLength) + UInt64(extraLength)),
              compressedSize <= UInt64(file.raw.count - start) else { return nil }
        return file.slice(start, Int(compressedSize))
    }
}

/// Lore's own walk over a zip's central directory, one record at a time, ahead of ZIPFoundation's.
///
/// It also keeps ZIPFoundation from crashing: ZIPFoundation 0.9.20 reads an in-memory archive through a
/// `FILE` whose read traps (a Swift range check) once it has been sought past the end of the data, and
/// its entry walk seeks to the directory, to each local header, and to each data descriptor wherever the
/// fields say. So the directory and every record are checked here before ZIPFoundation is let near them:
/// each position it will seek to, under its reading of the fields as well as the specification's, must
/// be inside the file. What that refuses, no document writer makes: ZIP64 end records that disagree with
/// the plain one, and data descriptors on entries with ZIP64 sizes (both only matter past 4 GiB).
struct ZipDirectory {
    /// How many records the end of central directory announces.
    let count: UInt64
    private let file: ZipBytes
    private var next: Int
    private var index: UInt64 = 0

    /// Whether every announced record has been walked.
    var isFinished: Bool { index == count }

    /// The directory the end of central directory record points to: the last such record in the final
    /// 64 KiB and 22 bytes (its comment is at most 65,535 bytes), where ZIPFoundation finds it too. Nil
    /// when there is none or it points outside the file, and when a ZIP64 end record sits where
    /// ZIPFoundation looks for one (56 bytes before a locator right before the end record) and says
    /// something else: ZIPFoundation would go by that one, and nothing checked here would hold.
    init?(_ file: ZipBytes) {
        let last = file.raw.count - 22
        guard last >= 0, let end = stride(from: last, through: max(0, last - 0xFFFF), by: -1)
            .first(where: { file.u32($0) == 0x0605_4B50 }),
            let count = file.u16(end + 10).map(UInt64.init), let offset = file.u32(end + 16).map(UInt64.init),
            let start = file.position(offset) else { return nil }
        if end >= 20 + 56, file.u32(end - 20) == 0x0706_4B50, file.u32(end - 76) == 0x0606_4B50 {
            guard file.u64(end - 76 + 32) == count, file.u64(end - 76 + 48) == offset else { return nil }
        }
        self.count = count
        self.file = file
        self.next = start
    }

    /// The next record; nil after the last one, and at one that is not whole, whose ZIP64 sizes are
    /// missing, or that would send ZIPFoundation outside the file. `isFinished` tells the two apart.
    mutating func nextRecord() -> ZipRecord? {
        guard index < count else { return nil }
        let at = next
        guard file.u32(at) == 0x0201_4B50,
              let flags = file.u16(at + 8), let method = file.u16(at + 10), let crc32 = file.u32(at + 16),
              let compressed32 = file.u32(at + 20), let uncompressed32 = file.u32(at + 24),
              let nameLength = file.u16(at + 28).map(Int.init), let extraLength = file.u16(at + 30).map(Int.init),
              let commentLength = file.u16(at + 32).map(Int.init), let offset32 = file.u32(at + 42),
              let name = file.slice(at + 46, nameLength), let extra = file.slice(at + 46 + nameLength, extraLength),
              file.slice(at + 46 + nameLength + extraLength, commentLength) != nil else { return nil }
        var uncompressed = UInt64(uncompressed32)
        var compressed = UInt64(compressed32)
        var offset = UInt64(offset32)
        let hasZIP64 = uncompressed32 == .max || compressed32 == .max || offset32 == .max
        if hasZIP64 {
            // The ZIP64 extended information field holds, in this order, the 64-bit value of each field
            // saturated above, and only those.
            guard let field = Self.zip64Field(in: ZipBytes(extra)) else { return nil }
            let zip64 = ZipBytes(field)
            var cursor = 0
            func take(_ value: inout UInt64) -> Bool {
                guard let wide = zip64.u64(cursor) else { return false }
                value = wide
                cursor += 8
                return true
            }
            guard uncompressed32 != .max || take(&uncompressed), compressed32 != .max || take(&compressed),
                  offset32 != .max || take(&offset) else { return nil }
        }
        let record = ZipRecord(rawName: String(data: Data(name), encoding: .isoLatin1) ?? "", flags: flags,
                               method: method, crc32: crc32, compressedSize: compressed,
                               uncompressedSize: uncompressed, localHeaderOffset: offset)
        // ZIPFoundation seeks to the local header by the 32-bit field unless its own ZIP64 parse works,
        // and for a data descriptor to just past the data, by the 32-bit sizes when there are no others.
        guard file.position(UInt64(offset32)) != nil, file.position(offset) != nil else { return nil }
        if record.hasDataDescriptor {
            guard !hasZIP64, let nameLength = file.u16(Int(offset32) + 26), let extraLength = file.u16(Int(offset32) + 28),
                  file.position(UInt64(offset32) + 30 + UInt64(nameLength) + UInt64(extraLength)
                                + (method == ZipRecord.stored ? uncompressed : compressed)) != nil
            else { return nil }
        }
        next = at + 46 + nameLength + extraLength + commentLength
        index += 1
        return record
    }

    /// The data of the extra field with header ID 1, ZIP64 extended information.
    private static func zip64Field(in extra: ZipBytes) -> UnsafeRawBufferPointer? {
        var at = 0
        while let id = extra.u16(at), let size = extra.u16(at + 2).map(Int.init) {
            if id == 1 { return extra.slice(at + 4, size) }
            at += 4 + size
        }
        return nil
    }
}

/// Little-endian fields of a zip held in memory. Every read is bounds-checked and nil past the end, so a
/// hostile offset or length can only make a lookup fail.
struct ZipBytes {
    let raw: UnsafeRawBufferPointer

    init(_ raw: UnsafeRawBufferPointer) { self.raw = raw }

    func u16(_ at: Int) -> UInt16? { field(at) }
    func u32(_ at: Int) -> UInt32? { field(at) }
    func u64(_ at: Int) -> UInt64? { field(at) }

    /// `length` bytes from `at`, if they are all inside.
    func slice(_ at: Int, _ length: Int) -> UnsafeRawBufferPointer? {
        guard at >= 0, length >= 0, at <= raw.count, length <= raw.count - at else { return nil }
        return UnsafeRawBufferPointer(rebasing: raw[at..<(at + length)])
    }

    /// An offset read from the file, as a position in it: nil unless it is at most the file's size.
    func position(_ offset: UInt64) -> Int? {
        offset <= UInt64(raw.count) ? Int(offset) : nil
    }

    private func field<T: FixedWidthInteger>(_ at: Int) -> T? {
        guard at >= 0, at <= raw.count - MemoryLayout<T>.size else { return nil }
        return T(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: T.self))
    }
}
