import Foundation

/// One HTTP request, independent of the transport that sends it.
///
/// `description` and `debugDescription` leave out the query string and redact credential-bearing headers, so a
/// request can be logged or shown in a test failure without leaking tokens.
package struct HTTPRequest: Sendable {
    package enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
        case put = "PUT"
        case delete = "DELETE"
        case patch = "PATCH"
        case head = "HEAD"
    }

    package var method: Method
    /// Absolute `http` or `https` URL.
    package var url: String
    /// Header fields in the order they are sent. Names are compared case-insensitively.
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]?
    /// Total time allowed for the request, connection included; `nil` uses the client's default.
    package var timeout: Duration?

    package init(
        method: Method = .get,
        url: String,
        headers: [(name: String, value: String)] = [],
        body: [UInt8]? = nil,
        timeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// A request whose body is `body` encoded as JSON, with `Content-Type: application/json; charset=utf-8`
    /// unless `headers` already names a content type.
    package static func json<T: Encodable>(
        _ method: Method = .post,
        url: String,
        body: T,
        headers: [(name: String, value: String)] = []
    ) throws -> HTTPRequest {
        let encoded = try JSONEncoder().encode(body)
        var request = HTTPRequest(method: method, url: url, headers: headers, body: Array(encoded))
        request.setHeaderIfAbsent("Content-Type", "application/json; charset=utf-8")
        return request
    }

    /// A request whose body is `fields` encoded as `application/x-www-form-urlencoded`, in the given order.
    package static func form(
        _ method: Method = .post,
        url: String,
        fields: [(String, String)],
        headers: [(name: String, value: String)] = []
    ) -> HTTPRequest {
        let encoded = HTTPFormEncoding.encode(fields)
        var request = HTTPRequest(method: method, url: url, headers: headers, body: Array(encoded.utf8))
        request.setHeaderIfAbsent("Content-Type", HTTPFormEncoding.contentType)
        return request
    }

    /// Sets `Authorization: Bearer <token>`, replacing any earlier `Authorization` header.
    package mutating func bearer(_ token: String) {
        self.setHeader("Authorization", "Bearer \(token)")
    }

    /// Sets `Authorization: Basic <base64(user:password)>`, replacing any earlier `Authorization` header.
    package mutating func basicAuth(user: String, password: String) {
        let credentials = Data("\(user):\(password)".utf8).base64EncodedString()
        self.setHeader("Authorization", "Basic \(credentials)")
    }

    /// The first value of the header `name` (case-insensitive).
    package func header(_ name: String) -> String? {
        self.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Replaces every header called `name` (case-insensitive) with one `name: value`.
    package mutating func setHeader(_ name: String, _ value: String) {
        let lowered = name.lowercased()
        self.headers.removeAll { $0.name.lowercased() == lowered }
        self.headers.append((name: name, value: value))
    }

    private mutating func setHeaderIfAbsent(_ name: String, _ value: String) {
        if self.header(name) == nil {
            self.headers.append((name: name, value: value))
        }
    }
}

extension HTTPRequest: CustomStringConvertible, CustomDebugStringConvertible {
    /// Header names whose values are never printed.
    static let sensitiveHeaders: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
    ]

    package var description: String {
        let headers = self.headers.map { header in
            let value = Self.sensitiveHeaders.contains(header.name.lowercased()) ? "<redacted>" : header.value
            return "\(header.name): \(value)"
        }
        let body = self.body.map { "\($0.count) bytes" } ?? "none"
        return "\(self.method.rawValue) \(HTTPClientError.redactedURL(self.url)) headers: \(headers) body: \(body)"
    }

    package var debugDescription: String { self.description }
}
