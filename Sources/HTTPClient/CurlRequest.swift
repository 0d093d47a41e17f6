/// A validated request in the form ``CurlEasyHandle`` sends: header lines built, timeouts in milliseconds.
struct CurlRequest: Sendable {
    var method: HTTPRequest.Method
    var url: String
    /// `Name: value` lines for `CURLOPT_HTTPHEADER`.
    var headerLines: [String]
    var body: [UInt8]?
    var connectTimeoutMilliseconds: Int
    var timeoutMilliseconds: Int
    var maxResponseBytes: Int
    var userAgent: String

    init(_ request: HTTPRequest, configuration: HTTPClientConfiguration) throws(HTTPClientError) {
        try Self.validate(url: request.url)
        var lines: [String] = []
        lines.reserveCapacity(request.headers.count + 2)
        for header in request.headers {
            guard Self.isToken(header.name) else {
                throw HTTPClientError(.invalidRequest, message: "invalid header name", url: request.url)
            }
            guard !header.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
                throw HTTPClientError(
                    .invalidRequest,
                    message: "header \(header.name) contains a line break",
                    url: request.url
                )
            }
            // curl drops "Name:" (that syntax removes a header); "Name;" is how it sends an empty value.
            lines.append(header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)")
        }
        if request.body != nil {
            if request.header("Content-Type") == nil {
                // Otherwise curl would label an arbitrary body as a form.
                lines.append("Content-Type: application/octet-stream")
            }
            if request.header("Expect") == nil {
                // curl waits up to a second for "100 Continue" on larger bodies; few servers send it.
                lines.append("Expect:")
            }
        }
        self.method = request.method
        self.url = request.url
        self.headerLines = lines
        self.body = request.body
        self.connectTimeoutMilliseconds = Self.milliseconds(configuration.connectTimeout)
        self.timeoutMilliseconds = Self.milliseconds(request.timeout ?? configuration.timeout)
        self.maxResponseBytes = max(0, configuration.maxResponseBytes)
        self.userAgent = configuration.userAgent
    }

    /// Whole milliseconds, at least 1: curl reads 0 as "no timeout".
    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        let limit: Int64 = 1 << 40
        let milliseconds = min(max(seconds, -limit), limit) * 1000 + attoseconds / 1_000_000_000_000_000
        return Int(max(1, milliseconds))
    }

    private static func validate(url: String) throws(HTTPClientError) {
        let lowered = url.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
            throw HTTPClientError(.invalidURL, message: "URL must be absolute http or https", url: url)
        }
        guard !url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw HTTPClientError(.invalidURL, message: "URL contains spaces or control characters", url: url)
        }
    }

    /// RFC 9110 `token`: the characters allowed in a header name.
    private static func isToken(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"):
                    true
                default:
                    "!#$%&'*+-.^_`|~".utf8.contains(byte)
                }
            }
    }
}
