import Foundation
import Gateway
import Postgres
import Redis

/// What a security test compares before and after hostile traffic: every row of every table, and every Redis key.
enum StoreSnapshot {
    /// Each table of the schema with its row count and an MD5 of all its rows, except `excluding`.
    static func tables(_ postgres: PostgresConnectionPool, excluding: Set<String> = []) async throws -> [String: String]
    {
        let names = try await postgres.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1"
        ).map { try $0.decode(String.self, "table_name") }
        var snapshot: [String: String] = [:]
        for name in names where !excluding.contains(name) {
            // Table names come from the catalog, not from input; quote_ident keeps them literal all the same.
            let row = try await postgres.query(
                "SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') AS f "
                    + "FROM \(name) t")[0]
            snapshot[name] = try row.decode(String.self, "f")
        }
        return snapshot
    }

    /// Every key under `prefix` with its type and a dump of its value, except keys under `prefix + ignoring`.
    static func redis(_ redis: RedisConnectionPool, prefix: String, ignoring: [String] = []) async throws
        -> [String: [UInt8]]
    {
        var keys: [String] = []
        var cursor = "0"
        repeat {
            let reply = try await redis.command(["SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000"])
            let parts = reply.array ?? []
            cursor = parts.first?.string ?? "0"
            keys += (parts.dropFirst().first?.array ?? []).compactMap(\.string)
        } while cursor != "0"
        var snapshot: [String: [UInt8]] = [:]
        for key in keys where !ignoring.contains(where: { key.hasPrefix(prefix + $0) }) {
            snapshot[key] = try await redis.command(["DUMP", key]).bytes ?? []
        }
        return snapshot
    }
}
