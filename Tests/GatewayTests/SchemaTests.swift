import Foundation
import Gateway
import Postgres
import TestSupport
import Testing

@Suite struct SchemaTests {
    @Test func bundledMigrationsApplyAndEnforceTheProductRules() async throws {
        let schema = try await TestSchema.create()
        let pool = schema.pool()
        let migrator = PostgresMigrator(
            pool: pool, migrations: try GatewayMigrations.all(), logger: TestEnvironment.logger)
        #expect(try await migrator.migrate().first == 1)
        #expect(try await migrator.migrate().isEmpty)

        let tables = try await pool.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1", [schema.name])
        let names = Set(try tables.map { try $0.decode(String.self, "table_name") })
        for table in [
            "learners", "learner_identities", "opt_outs", "lessons", "learning_paths", "lesson_attempts",
            "quiz_responses", "review_items", "engagement_events", "memory_turns", "learner_profiles",
            "inbound_events", "outbound_messages", "lesson_deliveries", "admins", "audit_log", "schema_migrations",
        ] {
            #expect(names.contains(table), "missing table \(table)")
        }

        // An inbound event is stored once per source and external id.
        let insertEvent = "INSERT INTO inbound_events (source, external_id, payload) VALUES ($1, $2, $3)"
        try await pool.query(insertEvent, ["slack_event", "Ev01", PostgresValue.bytes(Array("{}".utf8))])
        let duplicate = try await #require(throws: PostgresError.self) {
            try await pool.query(insertEvent, ["slack_event", "Ev01", PostgresValue.bytes(Array("{}".utf8))])
        }
        #expect(duplicate.isUniqueViolation)
        try await pool.query(insertEvent, ["twilio_sms", "Ev01", PostgresValue.bytes(Array("x".utf8))])

        // One lesson delivery per learner per local date.
        let learner = try await pool.query(
            "INSERT INTO learners (time_zone) VALUES ($1) RETURNING id", ["America/Chicago"])
        let learnerID = try learner[0].decode(UUID.self, "id")
        let insertDelivery = """
            INSERT INTO lesson_deliveries (learner_id, local_date, due_at, day_ends_at)
            VALUES ($1, $2::date, now(), now() + interval '1 day')
            """
        try await pool.query(insertDelivery, [learnerID, "2026-11-23"])
        let twice = try await #require(throws: PostgresError.self) {
            try await pool.query(insertDelivery, [learnerID, "2026-11-23"])
        }
        #expect(twice.isUniqueViolation)

        // A learner's status is one of the known values.
        let badStatus = try await #require(throws: PostgresError.self) {
            try await pool.query("UPDATE learners SET status = $1 WHERE id = $2", ["deleted", learnerID])
        }
        #expect(badStatus.sqlState == "23514")
        await pool.close()
        await schema.drop()
    }
}
