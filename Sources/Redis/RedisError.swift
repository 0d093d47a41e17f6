/// An error from the Redis client: a failed connection, a broken or timed-out socket, an error reply from the
/// server, a malformed `REDIS_URL`, or a pool that is closed or exhausted.
///
/// `description` never contains the password from the configuration; `.server` errors carry Redis's own error
/// text (for example `WRONGTYPE Operation against a key holding the wrong kind of value`).
package struct RedisError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is; compare against the static members.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case connectionFailed
            case io
            case timeout
            case protocolError
            case server
            case noScript
            case invalidURL
            case invalidArgument
            case poolClosed
            case poolTimeout
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The TCP connection, AUTH or SELECT failed while opening a connection.
        package static let connectionFailed = Code(.connectionFailed)
        /// Reading from or writing to the socket failed, or the server closed the connection.
        package static let io = Code(.io)
        /// The server did not answer within the command timeout.
        package static let timeout = Code(.timeout)
        /// The server sent something hiredis could not parse, or an unexpected reply.
        package static let protocolError = Code(.protocolError)
        /// Redis answered with an error reply; `message` is Redis's text.
        package static let server = Code(.server)
        /// Redis answered `NOSCRIPT` to an `EVALSHA` that was sent directly.
        package static let noScript = Code(.noScript)
        /// A `redis://` URL could not be parsed.
        package static let invalidURL = Code(.invalidURL)
        /// A command was empty or otherwise could not be sent.
        package static let invalidArgument = Code(.invalidArgument)
        /// The pool was closed before or while the command waited.
        package static let poolClosed = Code(.poolClosed)
        /// No connection became free within the pool's checkout timeout.
        package static let poolTimeout = Code(.poolTimeout)

        package var description: String {
            self.base.rawValue
        }
    }

    /// The kind of failure.
    package var code: Code
    /// Human-readable detail; never contains the password.
    package var message: String

    package init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    package var description: String {
        "RedisError(\(self.code)): \(self.message)"
    }
}

extension RedisError {
    /// Builds the error for an error reply, recognising `NOSCRIPT`.
    static func server(_ text: String) -> RedisError {
        RedisError(code: text.hasPrefix("NOSCRIPT") ? .noScript : .server, message: text)
    }
}
