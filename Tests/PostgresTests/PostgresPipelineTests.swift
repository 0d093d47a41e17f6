import Foundation
import Postgres
import TestSupport
import Testing

/// Transactions sent as one pipeline: results in order, all or nothing, and a connection that stays usable.
@Suite struct PostgresPipelineTests {
    @Test func statementsRunInOrderInOneTransactionAndReturnTheirRows() async throws {
        let schema = try await TestSchema.create()
        let pool = schema.pool(maxConnections: 1)
        try await pool.query("CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)")
        let results = try await pool.transaction(
            pipelining: [
                PostgresQuery("INSERT INTO notes (body) VALUES ($1)", ["first"]),
                PostgresQuery("INSERT INTO notes (body) VALUES ($1), ($2)", ["second", "third"]),
                PostgresQuery("UPDATE notes SET body = upper(body) WHERE body <> $1", ["first"]),
                PostgresQuery("SELECT body FROM notes ORDER BY id"),
                PostgresQuery("SELECT txid_current() = txid_current() AS same, now() = statement_timestamp() AS x"),
            ]
        ) { $0 }
        #expect(results.map(\.affectedRows).prefix(3) == [1, 2, 2])
        #expect(try results[3].map { try $0.decode(String.self, "body") } == ["first", "SECOND", "THIRD"])
        // The same statements again run from the connection's prepared statements.
        let again = try await pool.transaction(
            pipelining: [PostgresQuery("INSERT INTO notes (body) VALUES ($1)", ["fourth"])]
        ) { $0.map(\.affectedRows) }
        #expect(again == [1])
        #expect(try await pool.query("SELECT count(*) AS n FROM notes")[0].decode(Int.self, "n") == 4)
        await pool.close()
        await schema.drop()
    }

    @Test func aFailingStatementRollsBackTheOthersAndThrowsItsError() async throws {
        let schema = try await TestSchema.create()
        let pool = schema.pool(maxConnections: 1)
        try await pool.query("CREATE TABLE notes (body text PRIMARY KEY)")
        try await pool.query("INSERT INTO notes (body) VALUES ('taken')")
        let error = await #expect(throws: PostgresError.self) {
            try await pool.transaction(
                pipelining: [
                    PostgresQuery("INSERT INTO notes (body) VALUES ($1)", ["before"]),
                    PostgresQuery("INSERT INTO notes (body) VALUES ($1)", ["taken"]),
                    PostgresQuery("INSERT INTO notes (body) VALUES ($1)", ["after"]),
                ]
            ) { _ in }
        }
        #expect(error?.isUniqueViolation == true)
        let rows = try await pool.query("SELECT body FROM notes ORDER BY body")
        #expect(try rows.map { try $0.decode(String.self, "body") } == ["taken"])
        // The one connection is back in a clean state for the next caller.
        #expect(try await pool.query("SELECT 1 AS one")[0].decode(Int.self, "one") == 1)
        await pool.close()
        await schema.drop()
    }

    @Test func aConnectionLostMidPipelineIsReplacedAndNothingIsCommitted() async throws {
        let schema = try await TestSchema.create()
        let pool = schema.pool(maxConnections: 1)
        try await pool.query("CREATE TABLE notes (body text NOT NULL)")
        // The second statement ends its own server process, as a crash or a failover would.
        let error = await #expect(throws: PostgresError.self) {
            try await pool.transaction(
                pipelining: [
                    PostgresQuery("INSERT INTO notes (body) VALUES ($1)", ["lost"]),
                    PostgresQuery("SELECT pg_terminate_backend(pg_backend_pid())"),
                    PostgresQuery("INSERT INTO notes (body) VALUES ($1)", ["never"]),
                ]
            ) { _ in }
        }
        #expect(error?.code == .connectionLost)
        // The pool's only connection was replaced; the lost transaction left nothing behind.
        #expect(try await pool.query("SELECT count(*) AS n FROM notes")[0].decode(Int.self, "n") == 0)
        #expect(pool.connectionsInUse == 0)
        await pool.close()
        await schema.drop()
    }

    @Test func aBodyThatThrowsRollsBackEveryStatement() async throws {
        struct Refused: Error {}
        let schema = try await TestSchema.create()
        let pool = schema.pool(maxConnections: 1)
        try await pool.query("CREATE TABLE notes (body text NOT NULL)")
        await #expect(throws: Refused.self) {
            try await pool.transaction(
                pipelining: [
                    PostgresQuery("INSERT INTO notes (body) VALUES ($1)", ["one"]),
                    PostgresQuery("DELETE FROM notes WHERE body = $1", ["missing"]),
                ]
            ) { results in
                if results[1].affectedRows == 0 { throw Refused() }
            }
        }
        #expect(try await pool.query("SELECT count(*) AS n FROM notes")[0].decode(Int.self, "n") == 0)
        await pool.close()
        await schema.drop()
    }
}
