import Logging
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

extension ChannelPacer {
    /// Takes `destination`'s slot for `envelope`, or puts the message back in the outbox: until the slot is free,
    /// or for a second when Redis cannot be reached (pacing is never skipped, so a Redis outage delays sends
    /// rather than bursting them). `beforeDeferring` runs first (an SMS saves the parts still to send).
    /// Returns true when the message was put back.
    func deferIfBusy(
        _ destination: String, _ envelope: OutboundEnvelope, outbox: OutboxStore, logger: Logger,
        beforeDeferring: () async throws -> Void = {}
    ) async throws -> Bool {
        let wait: Duration
        do {
            guard let busy = try await acquire(destination) else { return false }
            wait = busy
        } catch {
            logger.warning(
                "pacing unavailable; message put back for a second",
                metadata: ["id": "\(envelope.id)", "error": "\(error)"])
            wait = .seconds(1)
        }
        try await beforeDeferring()
        try await outbox.retry(envelope.id, after: wait, error: nil, countAttempt: false)
        return true
    }
}
