import Foundation
import Postgres
import Synchronization

/// The database's clock, read from this process. Every scheduling comparison uses Postgres's `now()`; the Redis
/// due set is scored in the same time, so replicas whose own clocks drift still agree on what is due.
package final class DatabaseClock: Sendable {
    private let offset = Mutex<Double>(0)
    private let pool: PostgresConnectionPool

    package init(pool: PostgresConnectionPool) {
        self.pool = pool
    }

    /// Measures how far the database's clock is from ours (half the round trip is the uncertainty).
    package func synchronize() async throws {
        let before = Date().timeIntervalSince1970
        let rows = try await pool.query("SELECT extract(epoch FROM clock_timestamp())::float8 AS now")
        let after = Date().timeIntervalSince1970
        guard let databaseNow = try rows.first?.decode(Double.self, "now") else { return }
        offset.withLock { $0 = databaseNow - (before + after) / 2 }
    }

    /// Now, by the database's clock.
    package var now: Date {
        Date(timeIntervalSince1970: Date().timeIntervalSince1970 + offset.withLock { $0 })
    }
}
