/// A request that produced no HTTP response. (A response with any status, 4xx and 5xx included, is not an error.)
///
/// `url` keeps only scheme, host, port and path: query strings and user-info often carry tokens, so they are
/// dropped before the error is built, and nothing here ever holds header values.
package struct HTTPClientError: Error, CustomStringConvertible, Sendable {
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case connectFailed, timeout, tls, invalidURL, invalidRequest, responseTooLarge, transport, shutdown
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The host could not be resolved or refused the connection.
        package static let connectFailed = Code(.connectFailed)
        /// The connect timeout or the request's total timeout expired.
        package static let timeout = Code(.timeout)
        /// TLS handshake or certificate verification failed.
        package static let tls = Code(.tls)
        /// The URL is malformed or not `http`/`https`.
        package static let invalidURL = Code(.invalidURL)
        /// The request cannot be sent as given, e.g. a header containing a line break.
        package static let invalidRequest = Code(.invalidRequest)
        /// The response body exceeded the configured maximum.
        package static let responseTooLarge = Code(.responseTooLarge)
        /// Any other failure while sending or receiving.
        package static let transport = Code(.transport)
        /// The client was shut down.
        package static let shutdown = Code(.shutdown)

        package var description: String { self.base.rawValue }
    }

    package var code: Code
    /// What went wrong, from the transport's own diagnostics.
    package var message: String
    /// The request URL without user-info, query or fragment.
    package var url: String

    /// `url` is redacted here, so callers may pass the request URL as it is.
    package init(_ code: Code, message: String, url: String) {
        self.code = code
        self.message = message
        self.url = Self.redactedURL(url)
    }

    package var description: String {
        "HTTPClientError.\(self.code): \(self.message) (\(self.url))"
    }

    /// `url` without user-info, query string or fragment: `https://user:pw@host/p?token=x` → `https://host/p`.
    package static func redactedURL(_ url: String) -> String {
        var rest = Substring(url)
        if let end = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            rest = rest[..<end]
        }
        guard let schemeEnd = rest.firstRange(of: "://") else { return String(rest) }
        let authorityStart = schemeEnd.upperBound
        let authorityEnd = rest[authorityStart...].firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[authorityStart..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            authority = authority[authority.index(after: at)...]
        }
        return String(rest[..<authorityStart]) + authority + rest[authorityEnd...]
    }
}
