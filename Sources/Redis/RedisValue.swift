/// A decoded Redis (RESP2) reply.
package enum RedisValue: Sendable, Equatable {
    /// A nil bulk string or nil array, e.g. `GET` of a missing key.
    case null
    /// An integer reply, e.g. from `INCR`.
    case integer(Int64)
    /// A status reply such as `OK` or `PONG`.
    case status(String)
    /// A bulk string: arbitrary bytes, not necessarily UTF-8.
    case bulk([UInt8])
    /// An array reply; elements may themselves be arrays.
    case array([RedisValue])
    /// An error reply. `RedisConnectionPool.command` throws these instead of returning them; they appear only
    /// inside pipelines and nested arrays.
    case error(String)

    /// A bulk or status reply as UTF-8 text; `nil` for other replies or bytes that are not valid UTF-8.
    package var string: String? {
        switch self {
        case .bulk(let bytes): String(validating: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    /// An integer reply, or a bulk string that parses as a decimal integer.
    package var int: Int64? {
        switch self {
        case .integer(let value): value
        case .bulk(let bytes): String(validating: bytes, as: UTF8.self).flatMap { Int64($0) }
        default: nil
        }
    }

    /// The elements of an array reply.
    package var array: [RedisValue]? {
        if case .array(let elements) = self { elements } else { nil }
    }

    /// The raw bytes of a bulk reply (or the UTF-8 bytes of a status reply).
    package var bytes: [UInt8]? {
        switch self {
        case .bulk(let bytes): bytes
        case .status(let text): Array(text.utf8)
        default: nil
        }
    }

    /// Whether this is the nil reply.
    package var isNull: Bool {
        self == .null
    }
}

extension RedisValue {
    /// Returns `self`, or throws a `.error` reply as a `RedisError` (`.server`, or `.noScript`).
    package func throwingServerError() throws(RedisError) -> RedisValue {
        if case .error(let text) = self {
            throw RedisError.server(text)
        }
        return self
    }
}
