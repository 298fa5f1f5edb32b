#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How a watch is added: `inotify_add_watch` itself, or a stand-in a test passes to reach the watch limit
/// (ENOSPC) without changing the machine's settings. Returns the watch descriptor or the failure.
public typealias AddWatchCall = @Sendable (_ inotify: Int32, _ path: String, _ mask: UInt32)
    -> Result<Int32, SystemCallError>

/// The one place the watcher calls inotify, poll and the wake-up pipe. Each wrapper retries on EINTR and
/// turns errno into a `SystemCallError`, as `SystemCall` does for the walker. The descriptors are
/// non-blocking and close-on-exec: an editor the UI starts inherits none of them.
final class Inotify: Sendable {
    private let fd: Int32
    /// Writing a byte to `wakeWrite` ends a `wait` at once, from any thread: how `stop` reaches a watcher
    /// that is blocked in poll with no timeout.
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let addWatchCall: AddWatchCall

    /// What ended a `wait`.
    enum Wake: Equatable { case events, woken, timedOut }

    static let addWatchSystemCall: AddWatchCall = { fd, path, mask in
        let wd = inotify_add_watch(fd, path, mask)
        return wd >= 0 ? .success(wd) : .failure(SystemCallError(call: "inotify_add_watch", path: path, code: errno))
    }

    init(addWatch: AddWatchCall? = nil) throws {
        let fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard fd >= 0 else { throw SystemCallError(call: "inotify_init1", path: "", code: errno) }
        var pipeEnds: [Int32] = [0, 0]
        // pipe2 is not visible to Swift (it needs _GNU_SOURCE); pipe and fcntl do the same in three steps.
        guard pipe(&pipeEnds) == 0 else {
            let code = errno
            close(fd)
            throw SystemCallError(call: "pipe", path: "", code: code)
        }
        for end in pipeEnds {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        self.fd = fd
        wakeRead = pipeEnds[0]
        wakeWrite = pipeEnds[1]
        addWatchCall = addWatch ?? Inotify.addWatchSystemCall
    }

    deinit {
        close(fd)
        close(wakeRead)
        close(wakeWrite)
    }

    func addWatch(_ path: String, mask: InotifyMask) -> Result<Int32, SystemCallError> {
        while true {
            let result = addWatchCall(fd, path, mask.rawValue)
            if case .failure(let error) = result, error.code == EINTR { continue }
            return result
        }
    }

    /// Removing a watch the kernel already dropped (its folder deleted) fails with EINVAL, which is fine.
    func removeWatch(_ wd: Int32) {
        _ = inotify_rm_watch(fd, wd)
    }

    /// Blocks until events are ready, `wake` is called, or `timeout` seconds pass; nil waits for ever,
    /// which is what keeps an idle watcher at zero CPU.
    func wait(timeout: Double?) -> Result<Wake, SystemCallError> {
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        let millis = timeout.map { Int32(min(max(0, ($0 * 1000).rounded(.up)), Double(Int32.max))) } ?? -1
        while true {
            let rc = poll(&fds, nfds_t(fds.count), millis)
            if rc < 0 {
                if errno == EINTR { continue }
                return .failure(SystemCallError(call: "poll", path: "", code: errno))
            }
            if fds[1].revents != 0 {
                var byte: UInt8 = 0
                while read(wakeRead, &byte, 1) > 0 {}
                return .success(.woken)
            }
            return .success(rc == 0 ? .timedOut : .events)
        }
    }

    /// Ends the current or next `wait`.
    func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// Reads every event queued now, in as many reads as it takes.
    func readEvents() -> Result<[InotifyEvent], SystemCallError> {
        // Room for at least one event with the longest name (NAME_MAX), as inotify(7) asks.
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var events: [InotifyEvent] = []
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return .success(events) }
                return .failure(SystemCallError(call: "read", path: "inotify", code: errno))
            }
            if n == 0 { return .success(events) }
            buffer.withUnsafeBytes { events += InotifyEvent.decode(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }

    /// The per-user watch limit, for the message that says it was reached.
    static func maximumUserWatches() -> Int? {
        let path = "/proc/sys/fs/inotify/max_user_watches"
        guard case .success(let bytes) = SystemCall.readFile(path, in: AT_FDCWD, limit: 64, displayPath: path) else {
            return nil
        }
        return Int(String(decoding: bytes.filter { $0 >= 0x30 && $0 <= 0x39 }, as: UTF8.self))
    }
}
