#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A system call that failed, with the errno it set: what the walk reports for a file or folder it could
/// not list or stat.
public struct SystemCallError: Error, Sendable, Equatable, CustomStringConvertible {
    public let call: String
    public let path: String
    public let code: Int32

    public init(call: String, path: String, code: Int32) {
        self.call = call
        self.path = path
        self.code = code
    }

    /// The C library's text for the errno, e.g. "Permission denied".
    public var message: String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }

    public var description: String { "\(call) \(path): \(message)" }

    public var isNotFound: Bool { code == ENOENT || code == ENOTDIR }
    public var isPermissionDenied: Bool { code == EACCES || code == EPERM }
    public var isSymlinkLoop: Bool { code == ELOOP }
}

/// What `stat` says about a file, reduced to what the walk and the indexer need.
struct FileStatus: Sendable {
    enum Kind: Sendable { case directory, regular, other }

    let kind: Kind
    let size: Int64
    let modificationTimeNanoseconds: Int64
    let device: UInt64
    let inode: UInt64

    init(_ st: stat) {
        switch st.st_mode & S_IFMT {
        case S_IFDIR: kind = .directory
        case S_IFREG: kind = .regular
        default: kind = .other
        }
        size = Int64(st.st_size)
        #if canImport(Darwin)
        modificationTimeNanoseconds = Int64(st.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(st.st_mtimespec.tv_nsec)
        #else
        modificationTimeNanoseconds = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        #endif
        device = UInt64(truncatingIfNeeded: st.st_dev)
        inode = UInt64(truncatingIfNeeded: st.st_ino)
    }
}

/// A folder opened for listing: its descriptor (for the `*at` calls on its entries) and its entry names.
struct OpenDirectory {
    let fd: Int32
    let status: FileStatus
    /// Entry names other than "." and "..", in the order the file system gave them.
    let names: [String]
    /// Entries whose names are not valid UTF-8, shown with U+FFFD: they cannot round-trip through a String
    /// path, so the walk reports them instead of listing them.
    let undecodableNames: [String]
}

/// The one place the walker calls into libc. Each wrapper retries on EINTR and turns errno into a
/// `SystemCallError`, so the walk itself reads as plain Swift.
enum SystemCall {
    /// Opens `path` as a folder, reads its entries, runs `body` while the descriptor is still open (for
    /// `status(of:in:)` on entries), then closes it.
    static func withDirectory<R>(
        atPath path: String, _ body: (OpenDirectory) -> R
    ) -> Result<R, SystemCallError> {
        let fd = retrying { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        if fd < 0 { return .failure(SystemCallError(call: "open", path: path, code: errno)) }
        // From here the stream owns the descriptor; closedir closes it.
        guard let stream = fdopendir(fd) else {
            let code = errno
            close(fd)
            return .failure(SystemCallError(call: "fdopendir", path: path, code: code))
        }
        defer { closedir(stream) }
        var st = stat()
        if fstat(fd, &st) != 0 { return .failure(SystemCallError(call: "fstat", path: path, code: errno)) }
        var names: [String] = []
        var undecodable: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { return .failure(SystemCallError(call: "readdir", path: path, code: errno)) }
                break
            }
            let decoded: String? = withUnsafePointer(to: &entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) {
                    if $0[0] == 0x2E && ($0[1] == 0 || ($0[1] == 0x2E && $0[2] == 0)) { return "." }
                    if let name = String(validatingCString: $0) { return name }
                    undecodable.append(String(cString: $0))
                    return nil
                }
            }
            if let name = decoded, name != "." { names.append(name) }
        }
        return .success(body(OpenDirectory(fd: fd, status: FileStatus(st), names: names,
                                           undecodableNames: undecodable)))
    }

    /// `fstatat` on an entry of an open folder, following symbolic links unless told not to.
    static func status(of name: String, in directory: Int32, followSymlinks: Bool = true,
                       displayPath: String) -> Result<FileStatus, SystemCallError> {
        var st = stat()
        let flags = followSymlinks ? Int32(0) : Int32(AT_SYMLINK_NOFOLLOW)
        let rc = retrying { fstatat(directory, name, &st, flags) }
        if rc != 0 { return .failure(SystemCallError(call: "stat", path: displayPath, code: errno)) }
        return .success(FileStatus(st))
    }

    /// `stat` on a whole path, following symbolic links.
    static func status(atPath path: String) -> Result<FileStatus, SystemCallError> {
        var st = stat()
        let rc = retrying { stat(path, &st) }
        if rc != 0 { return .failure(SystemCallError(call: "stat", path: path, code: errno)) }
        return .success(FileStatus(st))
    }

    /// Whether this process may read an entry. Asked up front so that permission problems are reported
    /// by the walk, in one list, rather than as a failure in the middle of indexing.
    static func checkReadable(_ name: String, in directory: Int32, displayPath: String) -> SystemCallError? {
        let rc = retrying { faccessat(directory, name, R_OK, 0) }
        return rc == 0 ? nil : SystemCallError(call: "access", path: displayPath, code: errno)
    }

    /// Reads a small file (an ignore file) in an open folder, up to `limit` bytes.
    static func readFile(_ name: String, in directory: Int32, limit: Int,
                         displayPath: String) -> Result<[UInt8], SystemCallError> {
        let fd = retrying { openat(directory, name, O_RDONLY | O_CLOEXEC) }
        if fd < 0 { return .failure(SystemCallError(call: "open", path: displayPath, code: errno)) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while bytes.count < limit {
            let n = buffer.withUnsafeMutableBytes { raw in
                retrying { read(fd, raw.baseAddress, min(raw.count, limit - bytes.count)) }
            }
            if n < 0 { return .failure(SystemCallError(call: "read", path: displayPath, code: errno)) }
            if n == 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return .success(bytes)
    }

    /// The process's working folder, for turning a relative root into an absolute one.
    static func currentDirectory() -> Result<String, SystemCallError> {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else {
            return .failure(SystemCallError(call: "getcwd", path: ".", code: errno))
        }
        return .success(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// Repeats a call that failed with EINTR (a signal arrived); any other result is returned as it is.
    private static func retrying<T: BinaryInteger>(_ call: () -> T) -> T {
        while true {
            let result = call()
            if result < 0 && errno == EINTR { continue }
            return result
        }
    }
}
