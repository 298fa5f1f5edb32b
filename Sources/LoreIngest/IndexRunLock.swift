#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One index run at a time per knowledge-base file, across processes: an advisory `flock` on a file beside
/// the store. A second `lore index` (or a UI opening the same knowledge base) waits for the first and then
/// finds only what is left to do, instead of chunking every file a second time beside it. The kernel
/// releases the lock when its holder exits, even by `kill -9`, so a crashed run never blocks the next.
final class IndexRunLock {
    private let fd: Int32

    /// Takes the lock for `storePath`, calling `waiting` once first if another run holds it.
    init(storePath: String, waiting: () -> Void) throws {
        let path = storePath + ".index-lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemCallError(call: "open", path: path, code: errno) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK else {
                let code = errno
                close(fd)
                throw SystemCallError(call: "flock", path: path, code: code)
            }
            waiting()
            while flock(fd, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    let code = errno
                    close(fd)
                    throw SystemCallError(call: "flock", path: path, code: code)
                }
            }
        }
        self.fd = fd
    }

    deinit {
        // Closing the descriptor releases the lock.
        close(fd)
    }
}
