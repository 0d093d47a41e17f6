import Foundation
import Postgres
import TestSupport
import Testing

@Suite struct PostgresRestartTests {
    /// A real restart of a server of the test's own: the pool notices the dead connections, fails while the
    /// server is down, and recovers without being recreated when it comes back.
    @Test func poolRecoversAfterTheServerRestarts() async throws {
        let server = try PrivatePostgresServer()
        defer { server.destroy() }
        try server.start()
        let pool = PostgresConnectionPool(
            configuration: PostgresConfiguration(
                url: server.url, maxConnections: 2, checkoutTimeout: .seconds(2), connectTimeout: .seconds(2)),
            logger: TestEnvironment.logger)
        try await pool.query("CREATE TABLE survived (n integer)")
        try await pool.query("INSERT INTO survived VALUES (1)")
        // Open both connections so both go stale.
        async let a: PostgresRows = pool.query("SELECT pg_sleep(0.1)")
        async let b: PostgresRows = pool.query("SELECT pg_sleep(0.1)")
        _ = try await (a, b)

        try server.stop()
        let down = try await #require(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(down.isConnectionProblem)

        try server.start()
        for _ in 0..<4 {
            let rows = try await pool.query("SELECT count(*) AS n FROM survived")
            #expect(try rows[0].decode(Int.self, "n") == 1)
        }
        await pool.close()
    }
}
