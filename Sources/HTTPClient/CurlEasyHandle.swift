import CCurl

/// Owns one curl easy handle. curl keeps its connection cache per easy handle, so reusing a handle reuses its
/// connections; options are reset before and after every transfer.
///
/// One thread at a time: a handle moves between ``CurlHandlePool`` and the worker running its transfer.
final class CurlEasyHandle {
    /// The `CURL *`; `nil` once closed.
    private var handle: UnsafeMutableRawPointer?
    /// `CURLOPT_ERRORBUFFER`: curl's detailed message for the last failure.
    private var errorBuffer: UnsafeMutablePointer<CChar>?

    init() throws(HTTPClientError) {
        CurlHTTPClient.globalInit()
        guard CurlHTTPClient.globalInitSucceeded, let handle = curl_easy_init() else {
            throw HTTPClientError(.transport, message: "libcurl could not be initialised", url: "")
        }
        self.handle = handle
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        self.errorBuffer = errorBuffer
    }

    deinit {
        self.close()
    }

    /// Frees the handle and its connections. Safe to call more than once.
    func close() {
        if let handle = self.handle {
            curl_easy_cleanup(handle)
            self.handle = nil
        }
        if let errorBuffer = self.errorBuffer {
            errorBuffer.deallocate()
            self.errorBuffer = nil
        }
    }

    struct Result: Sendable {
        var response: HTTPResponse
        /// New connections this transfer opened (0 when it reused a cached one).
        var connectionsOpened: Int
    }

    /// Runs one transfer, blocking the calling thread until it completes.
    ///
    /// - Throws: ``HTTPClientError`` for transport failures, `CancellationError` when `cancellation` fired.
    func perform(_ request: CurlRequest, cancellation: CurlCancellation) throws -> Result {
        guard let handle = self.handle, let errorBuffer = self.errorBuffer else {
            throw HTTPClientError(.shutdown, message: "curl handle is closed", url: request.url)
        }
        curl_easy_reset(handle)
        // Also drops curl's pointers into `transfer` and `headerList` before they are freed.
        defer { curl_easy_reset(handle) }
        errorBuffer[0] = 0

        let transfer = CurlTransfer(maxBytes: request.maxResponseBytes, cancellation: cancellation)
        let transferPointer = Unmanaged.passUnretained(transfer).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }

        let url = request.url
        func check(_ code: CURLcode, _ option: String) throws(HTTPClientError) {
            guard code == CURLE_OK else {
                let text = String(cString: curl_easy_strerror(code))
                throw HTTPClientError(.transport, message: "setting \(option): \(text)", url: url)
            }
        }

        try check(lg_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1), "NOSIGNAL")
        try check(lg_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), "ERRORBUFFER")
        try check(lg_curl_setopt_string(handle, CURLOPT_URL, request.url), "URL")
        try check(lg_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"), "PROTOCOLS_STR")
        // Security policy, not configuration: verify TLS peers and never follow redirects.
        try check(lg_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1), "SSL_VERIFYPEER")
        try check(lg_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2), "SSL_VERIFYHOST")
        try check(lg_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0), "FOLLOWLOCATION")
        try check(
            lg_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeoutMilliseconds),
            "CONNECTTIMEOUT_MS"
        )
        try check(lg_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, request.timeoutMilliseconds), "TIMEOUT_MS")
        try check(lg_curl_setopt_string(handle, CURLOPT_USERAGENT, request.userAgent), "USERAGENT")
        // Every encoding curl can decode; the size cap applies to the decoded body.
        try check(lg_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, ""), "ACCEPT_ENCODING")
        if request.maxResponseBytes > 0 {
            // Fails early when Content-Length already announces too much. (0 would mean "no limit" to curl.)
            try check(lg_curl_setopt_long(handle, CURLOPT_MAXFILESIZE, request.maxResponseBytes), "MAXFILESIZE")
        }

        try check(
            lg_curl_setopt_write_function(handle) { data, size, count, userdata in
                CurlTransfer.from(userdata)?.receiveBody(data, count: size * count) ?? 0
            },
            "WRITEFUNCTION"
        )
        try check(lg_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, transferPointer), "WRITEDATA")
        try check(
            lg_curl_setopt_header_function(handle) { data, size, count, userdata in
                CurlTransfer.from(userdata)?.receiveHeaderLine(data, count: size * count) ?? 0
            },
            "HEADERFUNCTION"
        )
        try check(lg_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, transferPointer), "HEADERDATA")
        try check(
            lg_curl_setopt_xferinfo_function(handle) { userdata, _, _, _, _ in
                CurlTransfer.from(userdata)?.progress() ?? 1
            },
            "XFERINFOFUNCTION"
        )
        try check(lg_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, transferPointer), "XFERINFODATA")
        try check(lg_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0), "NOPROGRESS")

        switch request.method {
        case .head:
            try check(lg_curl_setopt_long(handle, CURLOPT_NOBODY, 1), "NOBODY")
        case .get where request.body == nil:
            try check(lg_curl_setopt_long(handle, CURLOPT_HTTPGET, 1), "HTTPGET")
        default:
            if let body = request.body, !body.isEmpty {
                let code = body.withUnsafeBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) { chars in
                        lg_curl_setopt_postfields_copy(handle, chars.baseAddress, chars.count)
                    }
                }
                try check(code, "COPYPOSTFIELDS")
            } else if request.body != nil || request.method == .post {
                // An empty string, not NULL: curl then sends "Content-Length: 0".
                try check(lg_curl_setopt_postfields_copy(handle, "", 0), "COPYPOSTFIELDS")
            }
            if request.method != .post {
                let method = request.method.rawValue
                try check(lg_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method), "CUSTOMREQUEST")
            }
        }

        for line in request.headerLines {
            guard let appended = curl_slist_append(headerList, line) else {
                throw HTTPClientError(.transport, message: "out of memory building headers", url: url)
            }
            headerList = appended
        }
        try check(lg_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList), "HTTPHEADER")

        let code = withExtendedLifetime(transfer) { curl_easy_perform(handle) }
        guard code == CURLE_OK else {
            throw self.error(for: code, transfer: transfer, request: request)
        }

        var status = 0
        try check(lg_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status), "RESPONSE_CODE")
        var connects = 0
        try check(lg_curl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects), "NUM_CONNECTS")
        return Result(
            response: HTTPResponse(status: status, headers: transfer.headers, body: transfer.body),
            connectionsOpened: connects
        )
    }

    private func error(for code: CURLcode, transfer: CurlTransfer, request: CurlRequest) -> any Error {
        let detail = self.errorBuffer.flatMap { $0[0] == 0 ? nil : String(cString: $0) }
        let message = detail ?? String(cString: curl_easy_strerror(code))
        let errorCode: HTTPClientError.Code
        switch code {
        case CURLE_ABORTED_BY_CALLBACK where transfer.cancellation.isCancelled:
            return CancellationError()
        case CURLE_FILESIZE_EXCEEDED:
            return Self.tooLarge(request)
        case CURLE_WRITE_ERROR where transfer.exceededLimit:
            return Self.tooLarge(request)
        case CURLE_OPERATION_TIMEDOUT:
            errorCode = .timeout
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            errorCode = .connectFailed
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
            CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            errorCode = .tls
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            errorCode = .invalidURL
        default:
            errorCode = .transport
        }
        return HTTPClientError(errorCode, message: message, url: request.url)
    }

    private static func tooLarge(_ request: CurlRequest) -> HTTPClientError {
        let message = "response exceeds \(request.maxResponseBytes) bytes"
        return HTTPClientError(.responseTooLarge, message: message, url: request.url)
    }
}

@available(*, unavailable)
extension CurlEasyHandle: Sendable {}
