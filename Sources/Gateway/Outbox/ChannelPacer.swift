import Logging
import Postgres
import Redis

/// Paces sends per destination across every replica: a Redis key per destination lives for the interval
/// after a send, and a send is allowed only when it can create the key (`SET NX PX`). Acquisitions that arrive
/// while one is in flight go to Redis together, in one pipeline (a round trip and a thread hop for a batch of
/// sends rather than for each).
package struct ChannelPacer: Sendable {
    private let slots: GroupCommit<String, Duration?>

    /// - Parameters:
    ///   - prefix: key prefix, e.g. `pace:slack:`.
    ///   - interval: least time between two sends to one destination (Slack: 1 s per channel).
    package init(redis: RedisConnectionPool, prefix: String, interval: Duration) {
        let milliseconds = String(interval.milliseconds)
        self.slots = GroupCommit(maxBatch: 256) { destinations in
            // Per destination: take the slot, and read how long it is still held (used only when taking failed).
            // Two sends to one destination in a batch: the second finds the first's key.
            var commands: [[String]] = []
            commands.reserveCapacity(destinations.count * 2)
            for destination in destinations {
                let key = prefix + destination
                commands.append(["SET", key, "1", "PX", milliseconds, "NX"])
                commands.append(["PTTL", key])
            }
            let replies = try await redis.pipeline(commands)
            return try stride(from: 0, to: replies.count, by: 2).map { index -> Duration? in
                let set = try replies[index].throwingServerError()
                if set != .null { return nil }
                let remaining = try replies[index + 1].throwingServerError().int ?? 0
                return .milliseconds(max(remaining, 1))
            }
        }
    }

    /// Takes the destination's slot now, or returns how long until it is free.
    package func acquire(_ destination: String) async throws -> Duration? {
        try await slots.submit(destination)
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
