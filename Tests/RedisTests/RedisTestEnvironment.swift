import Foundation
import Logging
import Redis

/// The Redis server the tests talk to: `REDIS_URL`, or a local default. Tests fail (not skip) when it is down.
enum RedisTestEnvironment {
    static var url: String {
        ProcessInfo.processInfo.environment["REDIS_URL"] ?? "redis://127.0.0.1:6379/0"
    }

    static func configuration() throws -> RedisConfiguration {
        try RedisConfiguration(url: self.url)
    }

    static let logger = Logger(label: "RedisTests")

    /// A key prefix no other test uses, so tests can run in parallel on one server.
    static func uniquePrefix(_ name: String = #function) -> String {
        let test = name.prefix { $0 != "(" }
        return "redis-tests:\(test):\(String(UInt64.random(in: .min ... .max), radix: 16))"
    }
}

/// Runs `body` with a fresh pool and a unique key prefix, then deletes the prefix's keys and closes the pool,
/// whether `body` succeeded or not.
func withRedisPool<Result>(
    configuration: RedisConfiguration? = nil,
    maxConnections: Int = 4,
    checkoutTimeout: Duration = .seconds(5),
    prefix: String = RedisTestEnvironment.uniquePrefix(),
    _ body: (RedisConnectionPool, String) async throws -> Result
) async throws -> Result {
    let pool = RedisConnectionPool(
        configuration: try configuration ?? RedisTestEnvironment.configuration(),
        maxConnections: maxConnections,
        checkoutTimeout: checkoutTimeout,
        logger: RedisTestEnvironment.logger
    )
    let result: Result
    do {
        result = try await body(pool, prefix)
    } catch {
        await deleteKeys(matching: prefix, in: pool)
        await pool.close()
        throw error
    }
    await deleteKeys(matching: prefix, in: pool)
    await pool.close()
    return result
}

private func deleteKeys(matching prefix: String, in pool: RedisConnectionPool) async {
    // Best effort: a test that broke the server connection on purpose must not fail here.
    guard let keys = try? await pool.command(["KEYS", "\(prefix)*"]).array, !keys.isEmpty else { return }
    let names = keys.compactMap(\.bytes)
    _ = try? await pool.command(bytes: [Array("UNLINK".utf8)] + names)
}

/// Time taken by `body`.
func measure(_ body: () async throws -> Void) async rethrows -> Duration {
    let start = ContinuousClock.now
    try await body()
    return ContinuousClock.now - start
}
