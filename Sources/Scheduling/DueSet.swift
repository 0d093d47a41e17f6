import Foundation
import Redis

/// The Redis side of the scheduler: a sorted set of delivery ids scored by when they are due (milliseconds since
/// 1970, by the database's clock). It only decides when to wake; Postgres decides what is sent, so losing the set
/// loses nothing (the reconciler refills it) and a stale member costs one refused claim.
package struct DueSet: Sendable {
    let redis: RedisConnectionPool
    /// `{prefix}scheduler:due`.
    package let key: String

    /// Removes and returns at most `limit` members due at or before `now`, atomically: two schedulers never take
    /// the same id.
    static let claimScript = RedisScript(
        """
        local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
        if #ids > 0 then redis.call('ZREM', KEYS[1], unpack(ids)) end
        return ids
        """)

    /// Members added by one ZADD, to keep each command (and Lua's stack in the claim) small.
    static let chunk = 500

    package init(redis: RedisConnectionPool, keyPrefix: String) {
        self.redis = redis
        self.key = keyPrefix + "scheduler:due"
    }

    /// Adds or moves each id to its due time.
    package func add(_ entries: [(id: UUID, due: Date)]) async throws {
        guard !entries.isEmpty else { return }
        var commands: [[String]] = []
        var start = 0
        while start < entries.count {
            let slice = entries[start..<min(start + Self.chunk, entries.count)]
            var command = ["ZADD", key]
            command.reserveCapacity(2 + slice.count * 2)
            for entry in slice {
                command.append(String(Self.score(entry.due)))
                command.append(entry.id.uuidString.lowercased())
            }
            commands.append(command)
            start += Self.chunk
        }
        for reply in try await redis.pipeline(commands) {
            if case .error(let message) = reply {
                throw RedisError(code: .server, message: "ZADD to the due set failed: \(message)")
            }
        }
    }

    /// Takes up to `limit` ids due at or before `now` (at most 1,000).
    package func claim(dueBy now: Date, limit: Int) async throws -> [UUID] {
        let reply = try await redis.eval(
            Self.claimScript, keys: [key], arguments: [String(Self.score(now)), String(min(max(limit, 1), 1000))])
        guard let members = reply.array else {
            throw RedisError(code: .protocolError, message: "the due-set claim returned \(reply), not a list")
        }
        return members.compactMap { $0.string.flatMap(UUID.init(uuidString:)) }
    }

    /// How many ids wait in the set.
    package func count() async throws -> Int {
        Int(try await redis.command(["ZCARD", key]).int ?? 0)
    }

    static func score(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }
}
