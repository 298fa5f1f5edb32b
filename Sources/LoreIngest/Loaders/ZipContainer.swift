import Foundation
import LoreCore
import ZIPFoundation

/// The zip archive a DOCX, ODT or EPUB file is, opened for reading named parts into memory. Nothing is ever
/// unpacked onto the disk, and an archive is checked whole before any part is read.
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

    private let archive: Archive
    private var entries: [String: Entry] = [:]
    /// Bytes that may still be inflated, shared by every part read from this archive.
    private var budget: Int

    /// Whether the archive holds a part of this name (as written in the archive: no leading slash).
    func contains(_ name: String) -> Bool { entries[name] != nil }

    /// Opens `bytes` in place: the loader's caller keeps them alive for the whole call.
    static func open(_ bytes: UnsafeRawBufferPointer) -> Result<ZipContainer, SkipReason> {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return .failure(.damaged) }
        let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count, deallocator: .none)
        guard let archive = try? Archive(data: data, accessMode: .read, pathEncoding: nil) else { return .failure(.damaged) }
        let limit = Self.limit(forArchiveOf: bytes.count)
        var declared: UInt64 = 0
        var entries: [String: Entry] = [:]
        for entry in archive {
            guard entries.count < maxEntries, isContained(entry.path) else { return .failure(.unsafeArchive) }
            let (sum, overflow) = declared.addingReportingOverflow(entry.uncompressedSize)
            guard !overflow, sum <= UInt64(limit) else { return .failure(.unsafeArchive) }
            declared = sum
            // The first of two entries with one name wins, as in ZIPFoundation's own lookup.
            if entries[entry.path] == nil { entries[entry.path] = entry }
        }
        guard !entries.isEmpty else { return .failure(.damaged) }
        return .success(ZipContainer(archive: archive, entries: entries, budget: limit))
    }

    private init(archive: Archive, entries: [String: Entry], budget: Int) {
        self.archive = archive
        self.entries = entries
        self.budget = budget
    }

    static func limit(forArchiveOf size: Int) -> Int {
        let (scaled, overflow) = size.multipliedReportingOverflow(by: ratioLimit)
        return min(absoluteLimit, max(smallFileAllowance, overflow ? .max : scaled))
    }

    /// Why reading a part failed, as the loaders report it.
    enum ReadFailure: Error { case missing, damaged, tooLarge }

    /// The unpacked bytes of the part `name`. Inflating stops as soon as the archive's budget is spent,
    /// whatever the entry declared.
    func read(_ name: String) -> Result<[UInt8], ReadFailure> {
        guard let entry = entries[name], entry.type == .file else { return .failure(.missing) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(min(entry.uncompressedSize, UInt64(budget))))
        var overBudget = false
        do {
            _ = try archive.extract(entry, skipCRC32: false) { chunk in
                guard chunk.count <= self.budget else {
                    overBudget = true
                    throw ReadFailure.tooLarge
                }
                self.budget -= chunk.count
                bytes.append(contentsOf: chunk)
            }
        } catch {
            return .failure(overBudget ? .tooLarge : .damaged)
        }
        return .success(bytes)
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
