import Foundation

/// How to reach Postgres and how the pool behaves.
package struct PostgresConfiguration: Sendable {
    /// A libpq connection string or `postgres://` URL.
    package var url: String
    /// Most connections open at once.
    package var maxConnections: Int
    /// How long a caller waits for a free connection before `poolTimeout`.
    package var checkoutTimeout: Duration
    /// How long the server lets one statement run before cancelling it (`statement_timeout`).
    package var statementTimeout: Duration
    /// How long opening a connection may take.
    package var connectTimeout: Duration
    /// Schema search path for every connection (tests run each in their own schema); nil keeps the server's.
    package var searchPath: String?
    /// `application_name` reported to the server (visible in `pg_stat_activity`).
    package var applicationName: String

    package init(
        url: String,
        maxConnections: Int = 10,
        checkoutTimeout: Duration = .seconds(5),
        statementTimeout: Duration = .seconds(15),
        connectTimeout: Duration = .seconds(5),
        searchPath: String? = nil,
        applicationName: String = "learning-gateway"
    ) {
        self.url = url
        self.maxConnections = maxConnections
        self.checkoutTimeout = checkoutTimeout
        self.statementTimeout = statementTimeout
        self.connectTimeout = connectTimeout
        self.searchPath = searchPath
        self.applicationName = applicationName
    }

    /// Session settings sent at connect time through libpq's `options` keyword. They fix the text formats
    /// the decoders rely on (ISO dates in UTC) and the statement timeout.
    var sessionOptions: String {
        var options = [
            "-c DateStyle=ISO",
            "-c TimeZone=UTC",
            "-c IntervalStyle=iso_8601",
            "-c extra_float_digits=3",
            "-c statement_timeout=\(statementTimeout.milliseconds)",
        ]
        if let searchPath {
            // Spaces must be escaped with a backslash inside libpq's options value.
            options.append("-c search_path=\(searchPath.replacingOccurrences(of: " ", with: "\\ "))")
        }
        return options.joined(separator: " ")
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    package var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
