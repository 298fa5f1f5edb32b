import CLoreZlib
import Foundation
import LoreCore
import ZIPFoundation

/// The zip archive a DOCX, ODT or EPUB file is, opened for reading named parts into memory. Nothing is ever
/// unpacked onto the disk, and an archive is checked whole before any part is read.
///
/// Parts are inflated by one bounded call into zlib (CLoreZlib's `lore_inflate_raw`), not by ZIPFoundation's
/// streaming extract: on Linux that loop asks for more input after the end of the file and, given none,
/// asks again forever, so an entry whose deflate stream never ends would hang the indexer.
///
/// The limits, and why these numbers:
/// - An entry name that is absolute or climbs out with `..` refuses the whole file. Lore writes no entry
///   anywhere, but no office suite or e-book tool makes such names: they are made to attack unzip tools,
///   and saying so beats indexing the rest as if nothing were wrong.
/// - Unpacked bytes are capped at `min(100 MiB, max(8 MiB, 100 × the file's size))`, first as declared
///   (the sum of every entry's size in the central directory) and again as actually inflated, since a
///   declared size is only a claim. Real documents unpack to 2–20 times their size (XML compresses about
///   10:1 and images not at all); deflate reaches about 1000:1, so 100× lets every real document through
///   and stops bombs long before they cost anything. The 8 MiB floor is for small files, where even a
///   bomb's whole output is cheap; the 100 MiB ceiling bounds what one indexing worker holds, because the
///   parsed XML tree takes several times its text.
/// - At most 20,000 entries: the largest EPUBs hold a few thousand files, and each entry costs memory
///   before any limit on bytes applies.
final class ZipContainer {
    static let absoluteLimit = 100 << 20
    static let smallFileAllowance = 8 << 20
    static let ratioLimit = 100
    static let maxEntries = 20_000

    /// What reading a part needs: its central directory record, and whether ZIPFoundation takes it for a
    /// file rather than a folder or a link.
    private struct Part {
        var record: ZipRecord
        var isFile: Bool
    }

    /// The archive's bytes, which the loader's caller keeps alive for as long as this container is used.
    private let file: ZipBytes
    private let parts: [String: Part]
    /// Bytes that may still be inflated, shared by every part read from this archive.
    private var budget: Int

    /// Whether the archive holds a part of this name (as written in the archive: no leading slash).
    func contains(_ name: String) -> Bool { parts[name] != nil }

    /// Opens `bytes` in place: the loader's caller keeps them alive for the whole call.
    ///
    /// ZIPFoundation lists the entries and Lore's own directory walk goes one record ahead of it: the walk
    /// finds the local header offsets and compression methods that ZIPFoundation keeps internal, and checks
    /// each record before ZIPFoundation reads it (see `ZipDirectory`). An archive on which the two walks
    /// disagree is damaged.
    static func open(_ bytes: UnsafeRawBufferPointer) -> Result<ZipContainer, SkipReason> {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return .failure(.damaged) }
        let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count, deallocator: .none)
        guard let archive = try? Archive(data: data, accessMode: .read, pathEncoding: nil) else { return .failure(.damaged) }
        let file = ZipBytes(bytes)
        guard var directory = ZipDirectory(file) else { return .failure(.damaged) }
        let entries = archive.makeIterator()
        let limit = Self.limit(forArchiveOf: bytes.count)
        var declared: UInt64 = 0
        var seen = 0
        var parts: [String: Part] = [:]
        while let record = directory.nextRecord() {
            guard let entry = entries.next(), record.describes(entry) else { return .failure(.damaged) }
            guard seen < maxEntries, isContained(entry.path) else { return .failure(.unsafeArchive) }
            seen += 1
            let (sum, overflow) = declared.addingReportingOverflow(entry.uncompressedSize)
            guard !overflow, sum <= UInt64(limit) else { return .failure(.unsafeArchive) }
            declared = sum
            // The first of two entries with one name wins, as in ZIPFoundation's own lookup.
            if parts[entry.path] == nil { parts[entry.path] = Part(record: record, isFile: entry.type == .file) }
        }
        guard directory.isFinished, !parts.isEmpty else { return .failure(.damaged) }
        return .success(ZipContainer(file: file, parts: parts, budget: limit))
    }

    private init(file: ZipBytes, parts: [String: Part], budget: Int) {
        self.file = file
        self.parts = parts
        self.budget = budget
    }

    static func limit(forArchiveOf size: Int) -> Int {
        let (scaled, overflow) = size.multipliedReportingOverflow(by: ratioLimit)
        return min(absoluteLimit, max(smallFileAllowance, overflow ? .max : scaled))
    }

    /// Why reading a part failed, as the loaders report it.
    enum ReadFailure: Error { case missing, damaged, tooLarge }

    /// The unpacked bytes of the part `name`, exactly as many as the central directory declares, with the
    /// CRC-32 it records. Only stored and deflated entries are read; other methods, and entries with zip's
    /// encryption flag, are damaged: no office suite or e-book tool writes either (ODF and EPUB encrypt
    /// inside the entry, and such a part fails as not XML).
    ///
    /// A read succeeds only with the declared size, so a declared size past the remaining budget cannot
    /// succeed and is refused before anything is inflated; inflating stops at the declared size. What is
    /// inflated counts against the budget whether the part turns out good or not, so a file of many
    /// broken parts cannot cost more work than one bomb.
    func read(_ name: String) -> Result<[UInt8], ReadFailure> {
        guard let part = parts[name], part.isFile else { return .failure(.missing) }
        let record = part.record
        guard !record.isEncrypted, let data = record.data(in: file) else { return .failure(.damaged) }
        guard record.uncompressedSize <= UInt64(budget) else { return .failure(.tooLarge) }
        let size = Int(record.uncompressedSize)
        switch record.method {
        case ZipRecord.stored:
            guard data.count == size else { return .failure(.damaged) }
            budget -= size
            guard lore_crc32(data.baseAddress, size) == record.crc32 else { return .failure(.damaged) }
            return .success([UInt8](data))
        case ZipRecord.deflated:
            return inflate(data, size: size, crc32: record.crc32)
        default:
            return .failure(.damaged)
        }
    }

    /// Inflates `data` into exactly `size` bytes (at most the remaining budget). A stream that stops short
    /// of its end, or ends short of `size`, is damaged. Bytes after the stream's end are left alone: what
    /// it unpacked is whole, and the CRC-32 says whether it is right.
    private func inflate(_ data: UnsafeRawBufferPointer, size: Int, crc32: UInt32) -> Result<[UInt8], ReadFailure> {
        var status = LORE_INFLATE_OK
        var crc: UInt32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            status = lore_inflate_raw(data.baseAddress, data.count, buffer.baseAddress, size, &initialized, &crc)
        }
        switch status {
        case LORE_INFLATE_OK:
            budget -= bytes.count
            return bytes.count == size && crc == crc32 ? .success(bytes) : .failure(.damaged)
        case LORE_INFLATE_TOO_LARGE:
            // Longer than declared: a bomb when it would also run past the budget, else a damaged entry.
            // Telling the two apart means inflating on, with the output counted and dropped, up to the
            // budget; it spends what it inflates.
            var counted = 0
            let whole = lore_inflate_count(data.baseAddress, data.count, budget, &counted)
            guard whole != LORE_INFLATE_TOO_LARGE else {
                budget = 0
                return .failure(.tooLarge)
            }
            budget -= counted
            return .failure(.damaged)
        default:
            budget -= bytes.count
            return .failure(.damaged)
        }
    }

    /// Whether an entry name stays inside the archive: relative, and no `..` component. Backslashes count as
    /// separators and a drive letter as absolute, because that is how Windows unzip tools read them.
    static func isContained(_ name: String) -> Bool {
        guard !name.isEmpty, !name.hasPrefix("/"), !name.hasPrefix("\\") else { return false }
        let components = name.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "\\" }
        if let first = components.first, first.count == 2, first.last == ":" { return false }
        return !components.contains("..")
    }
}

extension ZipContainer.ReadFailure {
    /// The skip reason of a document whose required part could not be read.
    var skipReason: SkipReason {
        switch self {
        case .missing, .damaged: .damaged
        case .tooLarge: .unsafeArchive
        }
    }
}
