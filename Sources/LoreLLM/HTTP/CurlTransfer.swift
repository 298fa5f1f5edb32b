import CCurl
import Foundation

/// The one place Lore calls libcurl.
///
/// Each transfer owns an easy handle and runs the blocking `curl_easy_perform` on a dedicated `Thread`, never
/// on Swift's cooperative pool, where a blocked thread would starve every other task. Bytes travel to async
/// code through an `AsyncThrowingStream`; a credit semaphore stops the curl thread when the consumer falls
/// behind, so a fast server cannot grow memory without bound.
final class CurlTransfer: @unchecked Sendable {
    /// libcurl's global setup must run once, before any handle, and is not thread-safe itself. A static
    /// let is initialised exactly once, lazily, under the runtime's once-lock.
    private static let globalInit: CURLcode = lore_curl_global_init_default()

    /// Body pieces that may wait in the stream before the curl thread is held; with curl's 64 KiB reads
    /// this bounds buffered data to a few MiB.
    static let window = 32

    private let request: HTTPRequest
    private let continuation: AsyncThrowingStream<HTTPStreamPart, any Error>.Continuation
    private let cancelled = LockedFlag()
    private let credits: DispatchSemaphore

    // Touched only on the transfer's own thread (curl calls the callbacks from inside perform).
    private var status = 0
    private var headers: [HTTPHeader] = []
    private var headDelivered = false
    private var receivedBody = false
    private var lastActivity = DispatchTime.now().uptimeNanoseconds
    private var lastUploaded: Int64 = 0
    private var abortReason: AbortReason?

    private enum AbortReason { case cancelled, stalled }

    private static let noProxyList: String? = {
        let environment = ProcessInfo.processInfo.environment
        let configured = (environment["no_proxy"] ?? environment["NO_PROXY"] ?? "").trimmingCharacters(in: .whitespaces)
        if configured == "*" { return nil }
        return [configured, "localhost,127.0.0.1,::1"].filter { !$0.isEmpty }.joined(separator: ",")
    }()

    private init(request: HTTPRequest, continuation: AsyncThrowingStream<HTTPStreamPart, any Error>.Continuation,
                 credits: DispatchSemaphore) {
        self.request = request
        self.continuation = continuation
        self.credits = credits
    }

    /// Starts the transfer at once on its own thread.
    static func start(_ request: HTTPRequest) -> HTTPByteStream {
        let credits = DispatchSemaphore(value: window)
        let (stream, continuation) = AsyncThrowingStream<HTTPStreamPart, any Error>.makeStream()
        let transfer = CurlTransfer(request: request, continuation: continuation, credits: credits)
        // Fires when the consumer stops listening: its task was cancelled, or it dropped the stream.
        continuation.onTermination = { [weak transfer] _ in transfer?.cancel() }
        let thread = Thread { transfer.run() }
        thread.name = "lore.curl"
        thread.start()
        return HTTPByteStream(base: stream, credits: credits)
    }

    private func cancel() {
        cancelled.set()
        credits.signal()
    }

    private func run() {
        guard Self.globalInit == CURLE_OK else {
            fail(LLMError(kind: .transport(reason: "libcurl failed to initialise"), url: request.displayURL))
            return
        }
        guard let handle = curl_easy_init() else {
            fail(LLMError(kind: .transport(reason: "libcurl could not create a handle"), url: request.displayURL))
            return
        }
        defer { curl_easy_cleanup(handle) }

        var headerList: UnsafeMutablePointer<curl_slist>?
        for header in request.headers {
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }
        // curl would otherwise send `Expect: 100-continue` for larger bodies and wait up to a second for a
        // 100 that many servers never send.
        headerList = curl_slist_append(headerList, "Expect:")
        defer { curl_slist_free_all(headerList) }

        let errorSize = lore_curl_error_size()
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: errorSize)
        errorBuffer.initialize(repeating: 0, count: errorSize)
        defer { errorBuffer.deallocate() }

        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = lore_curl_setopt_string(handle, CURLOPT_URL, request.url)
        // Signals are process-wide; a library must not install handlers or rely on SIGALRM.
        _ = lore_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = lore_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = lore_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(max(1, request.connectTimeout * 1000)))
        // A redirect would carry the API key header to whatever host the server names.
        _ = lore_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        _ = lore_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "")
        _ = lore_curl_setopt_long(handle, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)
        // libcurl takes http_proxy / https_proxy / no_proxy from the environment; setting NOPROXY replaces
        // no_proxy, so it is passed on with loopback added: a local model server must never be reached
        // through a corporate proxy that cannot see it.
        if let noProxy = Self.noProxyList { _ = lore_curl_setopt_string(handle, CURLOPT_NOPROXY, noProxy) }
        _ = lore_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        _ = lore_curl_setopt_long(handle, CURLOPT_BUFFERSIZE, 64 * 1024)
        _ = lore_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
        _ = lore_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = lore_curl_setopt_write(handle, curlWriteBody)
        _ = lore_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, me)
        _ = lore_curl_setopt_header(handle, curlWriteHeader)
        _ = lore_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, me)
        // The progress callback runs at least once a second even when nothing arrives, which is what lets a
        // cancel or a stall end a silent transfer; libcurl only calls it with NOPROGRESS off.
        _ = lore_curl_setopt_xferinfo(handle, curlProgress)
        _ = lore_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, me)
        _ = lore_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)

        switch request.method.uppercased() {
        case "GET": _ = lore_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "POST": _ = lore_curl_setopt_long(handle, CURLOPT_POST, 1)
        default: _ = lore_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        }
        if let body = request.body {
            _ = lore_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
            // COPYPOSTFIELDS makes curl keep its own copy, so the Data need not outlive this call.
            body.withUnsafeBytes { raw in
                var empty: UInt8 = 0
                let pointer = raw.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) }
                    ?? withUnsafeMutablePointer(to: &empty) { UnsafeMutableRawPointer($0) }
                _ = lore_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, pointer)
            }
        }

        let code = curl_easy_perform(handle)

        if cancelled.isSet || abortReason == .cancelled {
            continuation.finish()
            return
        }
        if code == CURLE_OK {
            deliverHead()
            continuation.finish()
            return
        }
        if abortReason == .stalled {
            fail(LLMError(kind: .stalled(seconds: request.stallTimeout), url: request.displayURL))
            return
        }
        var osErrno = 0
        _ = lore_curl_getinfo_long(handle, CURLINFO_OS_ERRNO, &osErrno)
        let detail = String(cString: errorBuffer)
        fail(classify(code, osErrno: Int32(osErrno), detail: detail))
    }

    private func fail(_ error: LLMError) {
        continuation.finish(throwing: error.redacting(request.secrets))
    }

    /// Turns a curl failure into words a person can act on.
    private func classify(_ code: CURLcode, osErrno: Int32, detail: String) -> LLMError {
        let url = request.displayURL
        let curlText = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        switch code {
        case CURLE_COULDNT_CONNECT:
            let reason = osErrno != 0 ? String(cString: strerror(osErrno)).lowercased() : curlText
            return LLMError(kind: .cannotConnect(reason: reason), url: url)
        case CURLE_COULDNT_RESOLVE_HOST:
            return LLMError(kind: .cannotConnect(reason: "could not resolve the host name"), url: url)
        case CURLE_COULDNT_RESOLVE_PROXY:
            return LLMError(kind: .cannotConnect(reason: "could not resolve the proxy named in the environment"),
                            url: url, hint: "check http_proxy / https_proxy / no_proxy")
        case CURLE_OPERATION_TIMEDOUT:
            // Lore sets no total timeout, so a curl timeout can only be the connect timeout.
            return LLMError(kind: .connectTimeout(seconds: request.connectTimeout), url: url)
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_HTTP2_STREAM,
             CURLE_HTTP2:
            if headDelivered || code == CURLE_PARTIAL_FILE || code == CURLE_RECV_ERROR {
                return LLMError(kind: .connectionLost, url: url)
            }
            return LLMError(kind: .transport(reason: "the server closed the connection without answering"),
                            url: url)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR:
            return LLMError(kind: .tls(reason: curlText), url: url)
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            return LLMError(kind: .transport(reason: "not an http:// or https:// URL"), url: url,
                            hint: "check [model] base_url in ~/.config/lore/config.toml")
        default:
            return LLMError(kind: .transport(reason: curlText), url: url)
        }
    }

    // MARK: Callbacks, on the transfer thread

    fileprivate func receiveHeader(_ line: String) {
        lastActivity = DispatchTime.now().uptimeNanoseconds
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            // Every response (a 100 Continue, the final one) starts afresh.
            let parts = trimmed.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = []
        } else if trimmed.isEmpty {
            if status >= 200 { deliverHead() }
        } else if let colon = trimmed.firstIndex(of: ":") {
            let name = trimmed[..<colon].trimmingCharacters(in: .whitespaces)
            let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.append(HTTPHeader(name, value))
        }
    }

    /// Returns false when the consumer has gone away, which aborts the transfer.
    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        deliverHead()
        receivedBody = true
        while credits.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            if cancelled.isSet { break }
        }
        if cancelled.isSet {
            abortReason = .cancelled
            return false
        }
        continuation.yield(.body(Data(bytes)))
        // Waiting for a slow consumer is not the server stalling.
        lastActivity = DispatchTime.now().uptimeNanoseconds
        return true
    }

    fileprivate func progress(uploaded: Int64) -> Bool {
        if cancelled.isSet {
            abortReason = .cancelled
            return false
        }
        let now = DispatchTime.now().uptimeNanoseconds
        if uploaded != lastUploaded {
            lastUploaded = uploaded
            lastActivity = now
        }
        if Double(now &- lastActivity) / 1e9 > request.stallTimeout {
            abortReason = .stalled
            return false
        }
        return true
    }

    private func deliverHead() {
        guard !headDelivered else { return }
        headDelivered = true
        continuation.yield(.head(HTTPResponseHead(status: status, headers: headers)))
    }
}

private let curlWriteBody: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, userdata in
    guard let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    guard length > 0, let data else { return length }
    return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

private let curlWriteHeader: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, userdata in
    guard let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    guard let data else { return length }
    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    transfer.receiveHeader(line)
    return length
}

private let curlProgress: @convention(c) (UnsafeMutableRawPointer?, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> Int32 = {
    userdata, _, _, _, uploaded in
    guard let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    return transfer.progress(uploaded: Int64(uploaded)) ? 0 : 1
}

/// A flag set from any thread (the consumer's cancellation) and read on the curl thread.
final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
