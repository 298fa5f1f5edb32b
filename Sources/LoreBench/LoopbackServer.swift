#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LoreLLM

/// A small HTTP/1.1 server on 127.0.0.1 that answers each request with a scripted response: a status,
/// headers, and body steps that are written at once, held until the test opens a gate, stalled, or cut
/// off; no step waits on a clock. It exists to replay recorded model streams to the real libcurl client,
/// for `StreamBenchmark` and for the tests, with no network and no model. One thread accepts; each connection gets its own thread. Not meant to face anything but
/// loopback test traffic. The accept thread keeps the server alive until `stop()` is called.
public final class LoopbackServer: @unchecked Sendable {
    /// A request as the server read it.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var headers: [HTTPHeader]
        public var body: Data
    }

    /// What to answer.
    public struct Response: Sendable {
        /// How the body's end is signalled.
        public enum Framing: Sendable {
            /// No length; the body ends when the server closes the connection.
            case close
            /// `Content-Length` of all `send` steps, so a `close` step before the end is a truncated body.
            case contentLength
            /// `Transfer-Encoding: chunked`, one chunk per write, so a `close` step leaves a chunk unfinished.
            case chunked
        }

        public enum Step: Sendable {
            case send(Data)
            /// `count` pieces made on demand and written as fast as the client reads them: a long stream
            /// without holding it in memory.
            case generate(count: Int, piece: @Sendable (Int) -> Data)
            /// Waits until the test opens `gate` once more (or the server stops): the test, not a clock,
            /// decides when the rest of the response goes out.
            case wait(StepGate)
            /// Sends nothing more until the client goes away or the server stops.
            case stall
            /// Closes the connection here, as a server that died.
            case close
        }

        public var status: Int
        public var headers: [HTTPHeader]
        public var framing: Framing
        public var steps: [Step]
        /// Reads the request, then sends nothing at all, not even a status line: a server that accepted
        /// and hung.
        public var silent = false

        public static var silent: Response {
            var response = Response()
            response.silent = true
            return response
        }

        public init(status: Int = 200, headers: [HTTPHeader] = [], framing: Framing = .close, steps: [Step] = []) {
            self.status = status
            self.headers = headers
            self.framing = framing
            self.steps = steps
        }

        /// A whole body in one write.
        public init(status: Int = 200, contentType: String, body: Data, headers: [HTTPHeader] = []) {
            self.init(status: status, headers: [HTTPHeader("Content-Type", contentType)] + headers,
                      framing: .contentLength, steps: [.send(body)])
        }
    }

    public typealias Handler = @Sendable (_ request: Request, _ index: Int) -> Response

    public let port: Int
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private let listener: Int32
    private let handler: Handler
    private let lock = NSLock()
    private var received: [Request] = []
    private var stopped = false
    private var connections = 0

    /// Starts listening on an ephemeral port of 127.0.0.1. `handler` is called with each request and its
    /// 0-based number.
    public init(handler: @escaping Handler) throws {
        self.handler = handler
        let fd = try Socket.check(socket(AF_INET, Socket.streamType, 0), "socket")
        var yes: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        do {
            try Socket.bindLoopback(fd)
            _ = try Socket.check(listen(fd, 64), "listen")
            self.port = try Socket.localPort(fd)
        } catch {
            close(fd)
            throw error
        }
        self.listener = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "lore.loopback.accept"
        thread.start()
    }

    /// The requests received so far, in order.
    public var requests: [Request] { lock.withLock { received } }

    /// Connections accepted and not yet closed.
    public var openConnections: Int { lock.withLock { connections } }

    /// Stops accepting, ends stalls, and closes the listening socket.
    public func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        if first { shutdown(listener, Int32(SHUT_RDWR)) }
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    /// A port on 127.0.0.1 that nothing listens on: bound, read, released.
    public static func closedPort() throws -> Int {
        let fd = try Socket.check(socket(AF_INET, Socket.streamType, 0), "socket")
        defer { close(fd) }
        try Socket.bindLoopback(fd)
        return try Socket.localPort(fd)
    }

    /// A port on 127.0.0.1 that takes no more connections and never refuses one: a listener whose accept
    /// queue is already full (and which never accepts), so a client's connect waits until its own timeout,
    /// as towards a host that drops packets. Loopback only; the port stays like this until `release()`.
    public final class Blackhole: @unchecked Sendable {
        public let port: Int
        private var sockets: [Int32]

        public init() throws {
            let fd = try Socket.check(socket(AF_INET, Socket.streamType, 0), "socket")
            var opened = [fd]
            do {
                try Socket.bindLoopback(fd)
                // Backlog 0 still queues one connection (Linux keeps backlog + 1); fill it with our own
                // connections, which complete at once, so the listener drops every later handshake.
                _ = try Socket.check(listen(fd, 0), "listen")
                port = try Socket.localPort(fd)
                var target = Socket.loopback(port: UInt16(port))
                for _ in 0..<2 {
                    let client = try Socket.check(socket(AF_INET, Socket.streamType | Socket.nonBlocking, 0), "socket")
                    opened.append(client)
                    _ = withUnsafePointer(to: &target) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                        }
                    }
                }
            } catch {
                opened.forEach { _ = close($0) }
                throw error
            }
            sockets = opened
        }

        public func release() {
            sockets.forEach { _ = close($0) }
            sockets = []
        }

        deinit { release() }
    }

    private func acceptLoop() {
        defer { close(listener) }
        var index = 0
        while !isStopped {
            guard Socket.waitReadable(listener, milliseconds: 100) else { continue }
            let connection = accept(listener, nil, nil)
            if connection < 0 { continue }
            let number = index
            index += 1
            lock.withLock { connections += 1 }
            let thread = Thread { [self] in serve(connection, number: number) }
            thread.name = "lore.loopback.connection"
            thread.start()
        }
    }

    private func serve(_ fd: Int32, number: Int) {
        defer {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
            lock.withLock { connections -= 1 }
        }
        guard let request = readRequest(fd) else { return }
        lock.withLock { received.append(request) }
        let response = handler(request, number)
        if response.silent {
            stallUntilClientLeaves(fd)
            return
        }
        var connection = Connection(fd: fd, framing: response.framing, server: self)
        guard connection.write(Data(head(response).utf8)) else { return }
        for step in response.steps {
            switch step {
            case .send(let data):
                guard connection.writeBody(data) else { return }
            case .generate(let count, let piece):
                var batch = Data()
                for i in 0..<count {
                    batch.append(piece(i))
                    if batch.count >= 64 * 1024 {
                        guard connection.writeBody(batch) else { return }
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                guard batch.isEmpty || connection.writeBody(batch) else { return }
            case .wait(let gate):
                // A readable socket while waiting means the client hung up, as in `stallUntilClientLeaves`.
                guard gate.pass(while: { !isStopped && !Socket.waitReadable(fd, milliseconds: 0) }) else { return }
            case .stall:
                stallUntilClientLeaves(fd)
                return
            case .close:
                return
            }
        }
        if response.framing == .chunked { _ = connection.write(Data("0\r\n\r\n".utf8)) }
    }

    private func stallUntilClientLeaves(_ fd: Int32) {
        while !isStopped {
            // A readable socket here means the client closed (or reset) its end: it sent its whole request.
            if Socket.waitReadable(fd, milliseconds: 100) { return }
        }
    }

    private func head(_ response: Response) -> String {
        var lines = ["HTTP/1.1 \(response.status) \(LLMError.reasonPhrase(response.status))"]
        lines += response.headers.map { "\($0.name): \($0.value)" }
        switch response.framing {
        case .close: break
        case .contentLength:
            let length = response.steps.reduce(0) { sum, step in
                if case .send(let data) = step { return sum + data.count }
                return sum
            }
            lines.append("Content-Length: \(length)")
        case .chunked:
            lines.append("Transfer-Encoding: chunked")
        }
        lines.append("Connection: close")
        return lines.joined(separator: "\r\n") + "\r\n\r\n"
    }

    private func readRequest(_ fd: Int32) -> Request? {
        var buffer = Data()
        let separator = Data("\r\n\r\n".utf8)
        var headEnd: Range<Data.Index>?
        while headEnd == nil {
            guard let piece = readSome(fd) else { return nil }
            buffer.append(piece)
            headEnd = buffer.range(of: separator)
            if buffer.count > 1 << 20 { return nil }
        }
        guard let headEnd else { return nil }
        let headText = String(decoding: buffer[..<headEnd.lowerBound], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        let headers = lines.compactMap { line -> HTTPHeader? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return HTTPHeader(String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                              String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        var body = Data(buffer[headEnd.upperBound...])
        let length = headers.value(for: "Content-Length").flatMap { Int($0) } ?? 0
        while body.count < length {
            guard let piece = readSome(fd) else { return nil }
            body.append(piece)
        }
        return Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body)
    }

    /// The next bytes from the client, or nil once it closed or the server stopped.
    private func readSome(_ fd: Int32) -> Data? {
        while !isStopped {
            guard Socket.waitReadable(fd, milliseconds: 100) else { continue }
            var bytes = [UInt8](repeating: 0, count: 16 * 1024)
            let n = recv(fd, &bytes, bytes.count, 0)
            if n <= 0 { return nil }
            return Data(bytes[0..<n])
        }
        return nil
    }

    private struct Connection {
        let fd: Int32
        let framing: Response.Framing
        unowned let server: LoopbackServer

        mutating func writeBody(_ data: Data) -> Bool {
            guard !data.isEmpty else { return true }
            if framing == .chunked {
                return write(Data((String(data.count, radix: 16) + "\r\n").utf8)) && write(data)
                    && write(Data("\r\n".utf8))
            }
            return write(data)
        }

        /// False once the client is gone.
        func write(_ data: Data) -> Bool {
            data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    if server.isStopped { return false }
                    // MSG_NOSIGNAL: a client that hung up must not kill the process with SIGPIPE.
                    let n = send(fd, raw.baseAddress! + offset, raw.count - offset, Socket.noSignal)
                    if n < 0 {
                        if errno == EINTR || errno == EAGAIN { continue }
                        return false
                    }
                    offset += n
                }
                return true
            }
        }
    }
}

/// Opened by a test to let a scripted response go on: each `.wait(gate)` step a connection reaches takes
/// one opening, in order, and blocks until there is one.
public final class StepGate: Sendable {
    private let openings = DispatchSemaphore(value: 0)

    public init() {}

    /// Lets `count` more waiting steps pass.
    public func open(_ count: Int = 1) {
        for _ in 0..<max(0, count) { openings.signal() }
    }

    /// Blocks until an opening is there; false if `carryOn` turned false first (the server stopped or the
    /// client left).
    func pass(while carryOn: () -> Bool) -> Bool {
        while carryOn() {
            if openings.wait(timeout: .now() + .milliseconds(100)) == .success { return true }
        }
        return false
    }
}

/// Every socket call of the loopback server funnels through here, so that errno becomes a typed error.
public struct SocketError: Error, CustomStringConvertible {
    public var call: String
    public var code: Int32
    public var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
}

enum Socket {
    #if canImport(Glibc)
    static let streamType = Int32(SOCK_STREAM.rawValue)
    static let nonBlocking = Int32(SOCK_NONBLOCK.rawValue)
    static let noSignal = Int32(MSG_NOSIGNAL)
    #else
    static let streamType = SOCK_STREAM
    static let nonBlocking: Int32 = 0
    static let noSignal: Int32 = 0
    #endif

    static func check(_ result: Int32, _ call: String) throws -> Int32 {
        if result < 0 { throw SocketError(call: call, code: errno) }
        return result
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    /// Binds `fd` to an ephemeral port of 127.0.0.1.
    static func bindLoopback(_ fd: Int32) throws {
        var address = loopback(port: 0)
        _ = try check(withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }, "bind")
    }

    static func localPort(_ fd: Int32) throws -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = try check(withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }, "getsockname")
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Waits up to `milliseconds` for the socket to have something to read (or to be closed).
    static func waitReadable(_ fd: Int32, milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, milliseconds) > 0
    }
}
