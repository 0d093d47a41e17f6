import Foundation
import Logging
import Postgres

/// Where the test servers are. `make test` starts local Postgres and Redis and exports their URLs; a test that
/// cannot reach them fails (it never skips).
package enum TestEnvironment {
    package static var databaseURL: String {
        ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:55432/gateway"
    }

    package static var redisURL: String {
        ProcessInfo.processInfo.environment["REDIS_URL"] ?? "redis://127.0.0.1:56379/0"
    }

    package static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel =
            ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        return logger
    }

    /// A name no other test uses, for schemas and key prefixes.
    package static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16))"
    }
}

/// A Postgres schema of a test's own, so tests run in parallel without seeing each other's rows.
package struct TestSchema: Sendable {
    package let name: String

    /// Creates a fresh schema on the test server.
    package static func create() async throws -> TestSchema {
        let name = TestEnvironment.uniqueName("test")
        let admin = PostgresConnectionPool(
            configuration: PostgresConfiguration(url: TestEnvironment.databaseURL, maxConnections: 1),
            logger: TestEnvironment.logger)
        defer { Task { await admin.close() } }
        try await admin.query(PostgresQuery(sql: "CREATE SCHEMA \(name)", binds: []))
        return TestSchema(name: name)
    }

    /// A pool whose connections use this schema.
    package func pool(
        maxConnections: Int = 4,
        checkoutTimeout: Duration = .seconds(5),
        statementTimeout: Duration = .seconds(15)
    ) -> PostgresConnectionPool {
        PostgresConnectionPool(
            configuration: configuration(
                maxConnections: maxConnections, checkoutTimeout: checkoutTimeout, statementTimeout: statementTimeout),
            logger: TestEnvironment.logger)
    }

    package func configuration(
        maxConnections: Int = 4,
        checkoutTimeout: Duration = .seconds(5),
        statementTimeout: Duration = .seconds(15)
    ) -> PostgresConfiguration {
        PostgresConfiguration(
            url: TestEnvironment.databaseURL, maxConnections: maxConnections, checkoutTimeout: checkoutTimeout,
            statementTimeout: statementTimeout, searchPath: name, applicationName: name)
    }

    /// Drops the schema and everything in it.
    package func drop() async {
        let admin = PostgresConnectionPool(
            configuration: PostgresConfiguration(url: TestEnvironment.databaseURL, maxConnections: 1),
            logger: TestEnvironment.logger)
        _ = try? await admin.query(PostgresQuery(sql: "DROP SCHEMA \(name) CASCADE", binds: []))
        await admin.close()
    }
}
