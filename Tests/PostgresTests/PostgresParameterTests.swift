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

    @Test func arrayParametersArriveElementByElement() async throws {
        let schema = try await TestSchema.create()
        let pool = schema.pool(maxConnections: 1)
        try await pool.query("CREATE TABLE blobs (n int PRIMARY KEY, name text, body bytea NOT NULL)")
        // bytea[] travels in binary: any byte (NUL included), empty elements, large ones.
        let bodies: [[UInt8]] = [
            Array(0...255), [], [0], Array("{\"a\",NULL}\\x00".utf8), [UInt8](repeating: 0xFF, count: 70_000),
        ]
        let names: [String?] = [#"a "quoted", \back\slashed"#, nil, "NULL", "e\u{301}\\\u{301}", "{}"]
        try await pool.query(
            """
            INSERT INTO blobs (n, name, body)
            SELECT n, name, body FROM unnest($1::text[], $2::bytea[]) WITH ORDINALITY AS t(name, body, n)
            """, [PostgresArray.text(names), PostgresArray.bytea(bodies)])
        let rows = try await pool.query("SELECT name, encode(body, 'hex') AS hex FROM blobs ORDER BY n")
        #expect(try rows.map { try $0.decode(String?.self, "name") } == names)
        #expect(
            try rows.map { try $0.decode(String.self, "hex") }
                == bodies.map { $0.map { String(format: "%02x", $0) }.joined() })
        // An empty batch is an empty array, not an error.
        let empty = try await pool.query(
            "SELECT cardinality($1::bytea[]) AS n, cardinality($2::text[]) AS m",
            [PostgresArray.bytea([]), PostgresArray.text([String]())])
        #expect(try empty[0].decode(Int.self, "n") == 0)
        #expect(try empty[0].decode(Int.self, "m") == 0)
        await pool.close()
        await schema.drop()
    }
}
