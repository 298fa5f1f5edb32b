import Foundation
import Logging
import MCP

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// MCP's stdio framing (one JSON-RPC message a line) over two file descriptors, with a thread that
/// blocks in read(2) instead of polling. The SDK's `StdioTransport` makes standard input non-blocking and
/// retries every 10 ms, which kept an idle `lore mcp` at about 2 % of a core; this one costs nothing
/// until a message comes. The only place the server calls read(2) and write(2).
public actor LineTransport: Transport {
    public nonisolated let logger = Logger(label: "lore.mcp.transport", factory: { _ in SwiftLogNoOpLogHandler() })
    private let input: Int32
    private let output: Int32
    private let messages: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    private var connected = false

    public init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO) {
        self.input = input
        self.output = output
        (messages, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
    }

    public func connect() async throws {
        guard !connected else { return }
        connected = true
        let fd = input
        let continuation = self.continuation
        let reader = Thread { Self.readLines(from: fd, into: continuation) }
        reader.name = "lore-mcp-stdin"
        reader.start()
    }

    /// Yields each non-empty line without its newline until end of file or a read error.
    static func readLines(from fd: Int32, into continuation: AsyncThrowingStream<Data, any Error>.Continuation) {
        var pending = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            pending.append(contentsOf: buffer[0..<count])
            while let newline = pending.firstIndex(of: 0x0A) {
                let line = pending.subdata(in: pending.startIndex..<newline)
                pending.removeSubrange(pending.startIndex...newline)
                if !line.isEmpty { continuation.yield(line) }
            }
        }
        continuation.finish()
    }

    public func disconnect() async {
        connected = false
        continuation.finish()
    }

    /// Writes the message and its newline whole, however many writes the pipe takes.
    public func send(_ data: Data) async throws {
        var message = data
        message.append(0x0A)
        let fd = output
        try message.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let written = write(fd, base + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw MCPError.transportError(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
                }
                offset += written
            }
        }
    }

    public nonisolated func receive() -> AsyncThrowingStream<Data, any Error> { messages }
}
