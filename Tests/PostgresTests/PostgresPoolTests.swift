import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing

@Suite struct PostgresPoolTests {
    @Test func manyConcurrentQueriesShareASmallPool() async throws {
        let schema = try await TestSchema.create()
        let pool = schema.pool(maxConnections: 3)
        try await pool.query("CREATE TABLE hits (n integer NOT NULL)")
        try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 0..<200 {
                group.addTask {
                    let rows = try await pool.query("INSERT INTO hits (n) VALUES ($1) RETURNING n * 2 AS twice", [n])
                    return try rows[0].decode(Int.self, "twice")
                }
            }
            var results: [Int] = []
            for try await value in group { results.append(value) }
            #expect(results.sorted() == (0..<200).map { $0 * 2 })
        }
        let count = try await pool.query("SELECT count(*) AS c, count(DISTINCT n) AS d FROM hits")
        #expect(try count[0].decode(Int.self, "c") == 200)
        #expect(try count[0].decode(Int.self, "d") == 200)
        // The pool never opened more than its three connections (they stay open, idle, after use).
        let observer = PostgresConnectionPool(
            configuration: PostgresConfiguration(url: TestEnvironment.databaseURL, maxConnections: 1),
            logger: TestEnvironment.logger)
        let backends = try await observer.query(
            "SELECT count(*) AS c FROM pg_stat_activity WHERE application_name = $1", [schema.name])
        await observer.close()
        let opened = try backends[0].decode(Int.self, "c")
        #expect(opened >= 1 && opened <= 3)
        #expect(pool.connectionsInUse == 0)
        await pool.close()
        await schema.drop()
    }

    @Test func transactionRollsBackWhenTheBodyThrows() async throws {
        struct Abort: Error {}
        let schema = try await TestSchema.create()
        let pool = schema.pool()
        try await pool.query("CREATE TABLE notes (body text NOT NULL)")
        await #expect(throws: Abort.self) {
            try await pool.transaction { connection in
                try connection.query(PostgresQuery("INSERT INTO notes (body) VALUES ($1)", ["kept?"]))
                throw Abort()
            }
        }
        try await pool.transaction { connection in
            try connection.query(PostgresQuery("INSERT INTO notes (body) VALUES ($1)", ["committed"]))
        }
        let rows = try await pool.query("SELECT body FROM notes")
        #expect(try rows.map { try $0.decode(String.self, "body") } == ["committed"])
        await pool.close()
        await schema.drop()
    }

    @Test func uniqueViolationIsDistinguishableFromOtherErrors() async throws {
        let schema = try await TestSchema.create()
        let pool = schema.pool()
        try await pool.query(
            "CREATE TABLE events (source text, external_id text, CONSTRAINT events_once UNIQUE (source, external_id))")
        try await pool.query("INSERT INTO events VALUES ($1, $2)", ["slack", "Ev1"])
        let error = try await #require(throws: PostgresError.self) {
            try await pool.query("INSERT INTO events VALUES ($1, $2)", ["slack", "Ev1"])
        }
        #expect(error.isUniqueViolation)
        #expect(error.code == .server)
        #expect(error.sqlState == "23505")
        #expect(error.constraint == "events_once")
        #expect(!error.isConnectionProblem)
        // The duplicated values appear only in the server's DETAIL, which the error never carries.
        #expect(!error.description.contains("Ev1"))

        let syntax = try await #require(throws: PostgresError.self) { try await pool.query("SELEC 1") }
        #expect(syntax.sqlState == "42601")
        #expect(!syntax.isUniqueViolation)
        await pool.close()
        await schema.drop()
    }

    @Test func parametersAreNeverInterpretedAsSQL() async throws {
        let schema = try await TestSchema.create()
        let pool = schema.pool()
        try await pool.query("CREATE TABLE names (name text)")
        let hostile = "Robert'); DROP TABLE names; --"
        try await pool.query("INSERT INTO names VALUES ($1)", [hostile])
        let rows = try await pool.query("SELECT name FROM names WHERE name = $1", [hostile])
        #expect(try rows[0].decode(String.self, "name") == hostile)
        await pool.close()
        await schema.drop()
    }

    @Test func valuesRoundTripWithTheirTypes() async throws {
        let schema = try await TestSchema.create()
        let pool = schema.pool()
        let id = UUID()
        let when = Date(timeIntervalSince1970: 1_795_000_000.123456)
        let rows = try await pool.query(
            """
            SELECT $1::bigint AS big, $2::integer AS small, $3::text AS words, $4::boolean AS flag,
                   $5::timestamptz AS at, $6::uuid AS id, $7::jsonb AS doc, $8::bytea AS raw,
                   $9::text AS missing, $10::float8 AS ratio, now() AS server_now
            """,
            [
                Int64.max, Int32(-7), "héllo, 世界 \u{1F600}", true, when, id,
                PostgresValue.json(#"{"b": [1, 2], "a": "x"}"#), PostgresValue.bytes([0, 1, 254, 255, 13, 10]),
                PostgresValue.null, 0.125,
            ])
        let row = rows[0]
        #expect(try row.decode(Int64.self, "big") == Int64.max)
        #expect(try row.decode(Int32.self, "small") == -7)
        #expect(try row.decode(String.self, "words") == "héllo, 世界 \u{1F600}")
        #expect(try row.decode(Bool.self, "flag"))
        let decodedDate = try row.decode(Date.self, "at")
        #expect(abs(decodedDate.timeIntervalSince(when)) < 0.000_002)
        #expect(try row.decode(UUID.self, "id") == id)
        struct Doc: Decodable, Equatable { let a: String; let b: [Int] }
        #expect(try row.decodeJSON(Doc.self, "doc") == Doc(a: "x", b: [1, 2]))
        #expect(try row.decode([UInt8].self, "raw") == [0, 1, 254, 255, 13, 10])
        #expect(try row.decode(String?.self, "missing") == nil)
        #expect(try row.decode(Double.self, "ratio") == 0.125)
        #expect(abs(try row.decode(Date.self, "server_now").timeIntervalSinceNow) < 60)

        let nullError = try #require(throws: PostgresError.self) { try row.decode(String.self, "missing") }
        #expect(nullError.code == .decoding)
        #expect(throws: PostgresError.self) { try row.decode(Int.self, "words") }
        #expect(throws: PostgresError.self) { try row.decode(Int.self, "no_such_column") }
        await pool.close()
        await schema.drop()
    }

    @Test func insertReportsAffectedRows() async throws {
        let schema = try await TestSchema.create()
        let pool = schema.pool()
        try await pool.query("CREATE TABLE t (n integer)")
        try await pool.query("INSERT INTO t SELECT generate_series(1, 5)")
        let updated = try await pool.query("UPDATE t SET n = n + 1 WHERE n > $1", [2])
        #expect(updated.affectedRows == 3)
        await pool.close()
        await schema.drop()
    }

    @Test func slowStatementIsCancelledByTheStatementTimeout() async throws {
        let schema = try await TestSchema.create()
        let pool = schema.pool(maxConnections: 1, statementTimeout: .milliseconds(200))
        let started = ContinuousClock.now
        let error = try await #require(throws: PostgresError.self) { try await pool.query("SELECT pg_sleep(5)") }
        #expect(error.code == .statementTimeout)
        #expect(ContinuousClock.now - started < .seconds(3))
        // The connection is still good afterwards.
        #expect(try await pool.query("SELECT 41 + 1 AS n")[0].decode(Int.self, "n") == 42)
        await pool.close()
        await schema.drop()
    }

    @Test func checkoutTimesOutWhenEveryConnectionIsBusy() async throws {
        let schema = try await TestSchema.create()
        let pool = schema.pool(maxConnections: 1, checkoutTimeout: .milliseconds(150))
        async let busy: PostgresRows = pool.query("SELECT pg_sleep(1.5)")
        try await Task.sleep(for: .milliseconds(200))
        let started = ContinuousClock.now
        let error = try await #require(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error.code == .poolTimeout)
        #expect(ContinuousClock.now - started < .seconds(1))
        _ = try await busy
        #expect(try await pool.query("SELECT 1 AS one")[0].decode(Int.self, "one") == 1)
        await pool.close()
        await schema.drop()
    }

    @Test func connectionKilledByTheServerIsReplaced() async throws {
        let schema = try await TestSchema.create()
        let pool = schema.pool(maxConnections: 1)
        let pid = try await pool.withConnection { $0.backendPID }
        let admin = schema.pool(maxConnections: 1)
        try await admin.query("SELECT pg_terminate_backend($1::integer)", [Int(pid)])
        await admin.close()
        try await Task.sleep(for: .milliseconds(100))
        let newPID = try await pool.withConnection { $0.backendPID }
        #expect(newPID != pid)
        #expect(try await pool.query("SELECT 1 AS one")[0].decode(Int.self, "one") == 1)
        await pool.close()
        await schema.drop()
    }

    @Test func repeatedStatementsArePreparedOncePerConnection() async throws {
        let schema = try await TestSchema.create()
        let pool = schema.pool(maxConnections: 1)
        for n in 0..<5 {
            let rows = try await pool.query("SELECT $1::integer + 1 AS next", [n])
            #expect(try rows[0].decode(Int.self, "next") == n + 1)
        }
        // Another parameter type is another statement (NULL and text both leave the type to the server, so they
        // share one).
        try await pool.query("SELECT $1::integer + 1 AS next", [Optional<Int>.none])
        try await pool.query("SELECT $1::integer + 1 AS next", ["41"])
        let prepared = try await pool.query(
            "SELECT count(*) AS c FROM pg_prepared_statements WHERE statement = $1", ["SELECT $1::integer + 1 AS next"])
        #expect(try prepared[0].decode(Int.self, "c") == 2)
        // A statement that fails to prepare is not cached and does not break the connection.
        await #expect(throws: PostgresError.self) { try await pool.query("SELECT no_such_column FROM pg_class") }
        #expect(try await pool.query("SELECT 7 AS seven")[0].decode(Int.self, "seven") == 7)
        await pool.close()
        await schema.drop()
    }

    @Test func unreachableServerFailsWithConnectionFailed() async throws {
        let pool = PostgresConnectionPool(
            configuration: PostgresConfiguration(url: "postgres://postgres@127.0.0.1:1/none", maxConnections: 1),
            logger: TestEnvironment.logger)
        let error = try await #require(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error.code == .connectionFailed)
        #expect(error.isConnectionProblem)
        await pool.close()
        let closed = try await #require(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(closed.code == .poolClosed)
    }
}
