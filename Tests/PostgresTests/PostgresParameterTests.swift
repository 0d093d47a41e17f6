import Foundation
import Postgres
import TestSupport
import Testing

/// Parameters travel apart from the SQL and arrive as sent, or the statement is refused.
@Suite struct PostgresParameterTests {
    @Test func textWithANULIsRefusedNotCutShort() async throws {
        let schema = try await TestSchema.create()
        let pool = schema.pool(maxConnections: 1)
        try await pool.query("CREATE TABLE names (name text PRIMARY KEY)")
        try await pool.query("INSERT INTO names (name) VALUES ($1)", ["alice"])
        // libpq reads parameters as C strings: sent as is, `alice\0x` would arrive as `alice` and match her.
        do {
            _ = try await pool.query("SELECT name FROM names WHERE name = $1", ["alice\u{0}x"])
            Issue.record("a NUL in a parameter was sent")
        } catch let error as PostgresError {
            #expect(error.code == .invalidParameter)
            #expect(error.sqlState == "22021")
            #expect(error.description.contains("$1"))
            #expect(!error.description.contains("alice"))
        }
        await #expect(throws: PostgresError.self) {
            try await pool.query("INSERT INTO names (name) VALUES ($1)", ["bob\u{0}"])
        }
        // The connection is still good, and nothing was written.
        let names = try await pool.query("SELECT name FROM names ORDER BY name").map { try $0.decode(String.self, "name") }
        #expect(names == ["alice"])
        await pool.close()
        await schema.drop()
    }

    @Test func metacharactersAndLongTextRoundTrip() async throws {
        let schema = try await TestSchema.create()
        let pool = schema.pool(maxConnections: 1)
        try await pool.query("CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)")
        let values = [
            "'; DROP TABLE notes; --", #"\ \\ \' $1 $$ % _ "#, "E'\\x41'", String(repeating: "é'%_$\\", count: 2000),
            "emoji 🙂 and \u{7F} and \t\r\n",
        ]
        for value in values {
            let id = try await pool.query("INSERT INTO notes (body) VALUES ($1) RETURNING id", [value])[0]
                .decode(Int.self, "id")
            let stored = try await pool.query("SELECT body FROM notes WHERE id = $1", [id])[0].decode(
                String.self, "body")
            #expect(stored == value)
            let matched = try await pool.query("SELECT count(*) AS n FROM notes WHERE body = $1", [value])
            #expect(try matched[0].decode(Int.self, "n") == 1)
        }
        let tables = try await pool.query("SELECT count(*) AS n FROM notes")
        #expect(try tables[0].decode(Int.self, "n") == values.count)
        await pool.close()
        await schema.drop()
    }
}
