/// Where and how to connect to Redis.
package struct RedisConfiguration: Sendable, Equatable {
    /// Host name or IP address.
    package var host: String
    /// TCP port.
    package var port: Int
    /// ACL user name sent with `AUTH user password`; `nil` sends `AUTH password`.
    package var username: String?
    /// Password; when set, every new connection sends `AUTH` before anything else.
    package var password: String?
    /// Database index; when not 0, every new connection sends `SELECT` after `AUTH`.
    package var database: Int
    /// How long opening a TCP connection may take.
    package var connectTimeout: Duration
    /// How long a single command (or a whole pipeline) may wait for its replies. Blocking commands such as
    /// `BLPOP` must use a server-side timeout shorter than this.
    package var commandTimeout: Duration

    package init(
        host: String = "127.0.0.1",
        port: Int = 6379,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        connectTimeout: Duration = .seconds(2),
        commandTimeout: Duration = .seconds(2)
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
    }

    /// Parses `redis://[[user]:password@]host[:port][/db]`.
    ///
    /// The port defaults to 6379 and the database to 0. User name and password may be percent-encoded.
    /// `rediss://` (TLS) is not supported. Errors say what is expected and never echo the URL, which may hold
    /// the password.
    package init(url: String) throws(RedisError) {
        self.init()
        let expected = "expected redis://[[user]:password@]host[:port][/db]"
        func invalid(_ problem: String) -> RedisError {
            RedisError(code: .invalidURL, message: "Invalid Redis URL: \(problem); \(expected)")
        }

        guard let schemeEnd = url.firstRange(of: "://") else {
            throw invalid("missing scheme")
        }
        guard url[..<schemeEnd.lowerBound].lowercased() == "redis" else {
            throw invalid("unsupported scheme")
        }
        var rest = url[schemeEnd.upperBound...]
        if rest.contains("?") || rest.contains("#") {
            throw invalid("query strings and fragments are not supported")
        }

        // Userinfo ends at the last "@" so that an unencoded "@" in a password still parses.
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            guard let colon = userInfo.firstIndex(of: ":") else {
                throw invalid("credentials must be ':password@' or 'user:password@'")
            }
            guard
                let user = Self.percentDecoded(userInfo[..<colon]),
                let password = Self.percentDecoded(userInfo[userInfo.index(after: colon)...])
            else {
                throw invalid("credentials contain a malformed percent-escape")
            }
            self.username = user.isEmpty ? nil : user
            self.password = password.isEmpty ? nil : password
            if self.username != nil && self.password == nil {
                throw invalid("a user name needs a password")
            }
        }

        let authority: Substring
        let path: Substring
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        } else {
            authority = rest
            path = ""
        }

        let portText: Substring?
        if authority.hasPrefix("[") {
            // IPv6 literal: [::1]:6379
            guard let close = authority.firstIndex(of: "]") else {
                throw invalid("unterminated IPv6 address")
            }
            self.host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                portText = nil
            } else if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else {
                throw invalid("unexpected text after the IPv6 address")
            }
        } else if let colon = authority.firstIndex(of: ":") {
            self.host = String(authority[..<colon])
            portText = authority[authority.index(after: colon)...]
        } else {
            self.host = String(authority)
            portText = nil
        }
        guard !self.host.isEmpty else {
            throw invalid("missing host")
        }
        if let portText {
            guard
                !portText.isEmpty, portText.allSatisfy(\.isASCIIDigit), portText.count <= 5,
                let port = Int(portText), (1...65535).contains(port)
            else {
                throw invalid("port must be a number from 1 to 65535")
            }
            self.port = port
        }

        if !path.isEmpty {
            guard path.allSatisfy(\.isASCIIDigit), path.count <= 9, let database = Int(path) else {
                throw invalid("database must be a non-negative integer")
            }
            self.database = database
        }
    }

    /// Decodes `%XX` escapes as UTF-8; `nil` when an escape is malformed or the result is not UTF-8.
    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard
                let high = iterator.next().flatMap(Self.hexValue),
                let low = iterator.next().flatMap(Self.hexValue)
            else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool {
        ("0"..."9").contains(self)
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so that a tiny positive timeout does not become "no timeout".
    var redisMilliseconds: Int {
        let (seconds, attoseconds) = self.components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let perMillisecond: Int64 = 1_000_000_000_000_000
        let (clamped, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow || clamped > Int64(Int32.max) { return Int(Int32.max) }
        return Int(clamped + (attoseconds + perMillisecond - 1) / perMillisecond)
    }
}
