/// An error from the Postgres client. `description` carries the error's kind, SQLSTATE and the server's primary
/// message, never parameters, row data or the server's DETAIL (which may quote row values).
package struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        package var description: String { name }

        /// Could not open a connection (server down, wrong host, authentication failed).
        package static let connectionFailed = Code("connectionFailed")
        /// The connection broke during a call; whether a write committed is unknown.
        package static let connectionLost = Code("connectionLost")
        /// The server rejected the statement; `sqlState` says why.
        package static let server = Code("server")
        /// The statement ran longer than its timeout and was cancelled.
        package static let statementTimeout = Code("statementTimeout")
        /// No connection became free within the pool's checkout timeout.
        package static let poolTimeout = Code("poolTimeout")
        /// The pool has been closed.
        package static let poolClosed = Code("poolClosed")
        /// A parameter cannot be sent as given (a NUL character in text); nothing reached the server.
        package static let invalidParameter = Code("invalidParameter")
        /// A column could not be decoded as the requested type.
        package static let decoding = Code("decoding")
        /// A migration file is malformed or a migration failed.
        package static let migration = Code("migration")
        /// The connection URL is malformed.
        package static let invalidConfiguration = Code("invalidConfiguration")
    }

    package var code: Code
    /// Five-character SQLSTATE from the server, when it sent one.
    package var sqlState: String?
    /// A short explanation safe to log.
    package var message: String
    /// The constraint the server named, for integrity violations.
    package var constraint: String?

    package init(code: Code, sqlState: String? = nil, message: String, constraint: String? = nil) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
        self.constraint = constraint
    }

    package var description: String {
        var text = "Postgres \(code)"
        if let sqlState { text += " [\(sqlState)]" }
        if let constraint { text += " (constraint \(constraint))" }
        return text + ": \(message)"
    }

    /// SQLSTATE 23505: an insert or update collided with a unique index.
    package var isUniqueViolation: Bool { sqlState == "23505" }
    /// SQLSTATE 23503: a foreign key points nowhere.
    package var isForeignKeyViolation: Bool { sqlState == "23503" }
    /// SQLSTATE 40001/40P01: the transaction lost a serialization race or a deadlock and may be retried.
    package var isRetryableTransactionFailure: Bool { sqlState == "40001" || sqlState == "40P01" }
    /// True when the failure is about reaching the server rather than about the statement.
    package var isConnectionProblem: Bool {
        code == .connectionFailed || code == .connectionLost || code == .poolTimeout
            || (sqlState.map { $0.hasPrefix("08") || $0 == "57P01" || $0 == "57P02" || $0 == "57P03" } ?? false)
    }
}
