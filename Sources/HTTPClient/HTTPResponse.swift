import Foundation

/// A complete HTTP response: any status, including 3xx (redirects are not followed) and 4xx/5xx.
package struct HTTPResponse: Sendable {
    package var status: Int
    /// Header fields in the order received; a repeated header appears once per line.
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]

    package init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name`, compared case-insensitively.
    package func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return self.headers.first { $0.name.lowercased() == lowered }?.value
    }

    /// Every value of the header `name`, compared case-insensitively, in the order received.
    package func headers(named name: String) -> [String] {
        let lowered = name.lowercased()
        return self.headers.filter { $0.name.lowercased() == lowered }.map(\.value)
    }

    /// `Retry-After` as a wait measured from now: delta-seconds, or an HTTP-date (a date already past gives zero).
    /// `nil` when the header is absent or cannot be parsed.
    package var retryAfter: Duration? {
        self.retryAfter(now: Date())
    }

    /// `Retry-After` as a wait measured from `now`; see ``retryAfter``.
    package func retryAfter(now: Date) -> Duration? {
        self.header("Retry-After").flatMap { HTTPRetryAfter.parse($0, now: now) }
    }

    /// The body decoded as UTF-8, invalid sequences replaced.
    package var bodyText: String {
        String(decoding: self.body, as: UTF8.self)
    }

    /// `true` for 200–299.
    package var isSuccess: Bool {
        (200..<300).contains(self.status)
    }

    /// The body decoded as JSON.
    package func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(self.body))
    }
}
