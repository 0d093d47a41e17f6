import Postgres
import Redis

/// Paces sends per destination across every replica: a Redis key per destination lives for the interval
/// after a send, and a send is allowed only when it can create the key (`SET NX PX`).
package struct ChannelPacer: Sendable {
    let redis: RedisConnectionPool
    let prefix: String
    let interval: Duration

    /// - Parameters:
    ///   - prefix: key prefix, e.g. `pace:slack:`.
    ///   - interval: least time between two sends to one destination (Slack: 1 s per channel).
    package init(redis: RedisConnectionPool, prefix: String, interval: Duration) {
        self.redis = redis
        self.prefix = prefix
        self.interval = interval
    }

    /// Takes the destination's slot now, or returns how long until it is free.
    package func acquire(_ destination: String) async throws -> Duration? {
        let key = prefix + destination
        let set = try await redis.command(["SET", key, "1", "PX", String(interval.milliseconds), "NX"])
        if set != .null { return nil }
        let remaining = try await redis.command(["PTTL", key]).int ?? 0
        return .milliseconds(max(remaining, 1))
    }
}
