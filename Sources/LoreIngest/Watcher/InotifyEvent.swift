/// The bits of an inotify event mask that the watcher asks for or reads, with the values of Linux's ABI
/// (<sys/inotify.h>). Spelled out here rather than taken from Glibc so that decoding and mapping events
/// are plain Swift, tested without a kernel.
public struct InotifyMask: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let modify = InotifyMask(rawValue: 0x0000_0002)
    public static let attrib = InotifyMask(rawValue: 0x0000_0004)
    public static let closeWrite = InotifyMask(rawValue: 0x0000_0008)
    public static let movedFrom = InotifyMask(rawValue: 0x0000_0040)
    public static let movedTo = InotifyMask(rawValue: 0x0000_0080)
    public static let create = InotifyMask(rawValue: 0x0000_0100)
    public static let delete = InotifyMask(rawValue: 0x0000_0200)
    public static let deleteSelf = InotifyMask(rawValue: 0x0000_0400)
    public static let moveSelf = InotifyMask(rawValue: 0x0000_0800)
    public static let unmount = InotifyMask(rawValue: 0x0000_2000)
    public static let queueOverflow = InotifyMask(rawValue: 0x0000_4000)
    /// The watch is gone (removed, or its folder deleted); no more events will carry its descriptor.
    public static let ignored = InotifyMask(rawValue: 0x0000_8000)
    public static let onlyDirectory = InotifyMask(rawValue: 0x0100_0000)
    public static let doNotFollow = InotifyMask(rawValue: 0x0200_0000)
    public static let excludeUnlinked = InotifyMask(rawValue: 0x0400_0000)
    public static let isDirectory = InotifyMask(rawValue: 0x4000_0000)

    /// What a watched folder reports: anything that can change which files it holds or what they contain.
    /// `modify` as well as `closeWrite`, for writers that never close (a log, an mmap); the debounce folds
    /// the two into one refresh.
    public static let folderEvents: InotifyMask = [.modify, .attrib, .closeWrite, .movedFrom, .movedTo, .create,
                                                   .delete, .deleteSelf, .moveSelf, .onlyDirectory,
                                                   .excludeUnlinked]

    /// What the folder above a missing root reports: a folder appearing in it, or it going away itself.
    public static let ancestorEvents: InotifyMask = [.create, .movedTo, .deleteSelf, .moveSelf, .onlyDirectory]
}

/// One `struct inotify_event` read from the descriptor.
public struct InotifyEvent: Sendable, Equatable {
    /// The watch descriptor, -1 for a queue overflow.
    public var watch: Int32
    public var mask: InotifyMask
    /// Pairs the `movedFrom` and `movedTo` halves of one rename.
    public var cookie: UInt32
    /// The entry's name inside the watched folder; empty for events about the folder itself.
    public var name: String

    public init(watch: Int32, mask: InotifyMask, cookie: UInt32 = 0, name: String = "") {
        self.watch = watch
        self.mask = mask
        self.cookie = cookie
        self.name = name
    }

    /// The fixed part of `struct inotify_event`: wd, mask, cookie and len, four 32-bit fields.
    public static let headerSize = 16

    /// Decodes every whole event in `bytes`, as one `read` returned them: a header, then `len` bytes of
    /// name padded with NULs to an alignment the kernel chooses. The kernel never splits an event across
    /// reads, but a truncated tail is dropped rather than read past. Names that are not valid UTF-8 are
    /// repaired with U+FFFD; the walker skips such files, so they match nothing in the index either.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> [InotifyEvent] {
        var events: [InotifyEvent] = []
        var offset = 0
        while offset + headerSize <= bytes.count {
            let watch = Int32(bitPattern: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            let mask = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let cookie = bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
            let length = Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let nameStart = offset + headerSize
            guard nameStart + length <= bytes.count else { break }
            var nameEnd = nameStart
            while nameEnd < nameStart + length && bytes[nameEnd] != 0 { nameEnd += 1 }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[nameStart..<nameEnd]), as: UTF8.self)
            events.append(InotifyEvent(watch: watch, mask: InotifyMask(rawValue: mask), cookie: cookie, name: name))
            offset = nameStart + length
        }
        return events
    }
}
