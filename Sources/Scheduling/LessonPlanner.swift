import Foundation
import Postgres

/// Writes the coming days' lesson deliveries: one row per active, reachable learner and local date, due at the
/// learner's delivery time in their zone. Idempotent (the row is unique per learner and local date), so every
/// replica may run it at any time.
package struct LessonPlanner: Sendable {
    let pool: PostgresConnectionPool

    package init(pool: PostgresConnectionPool) {
        self.pool = pool
    }

    /// Plans today and the next `days - 1` local dates of every learner; returns how many deliveries it added.
    /// `asOf` replaces the database's clock for "today" (tests plan around a DST change with it).
    ///
    /// Today's lesson is planned only for a learner enrolled before its time came (someone who joins at 15:00
    /// starts tomorrow), but a lesson whose time passed while nobody planned it (downtime) is planned and goes
    /// out late, within the learner's day. A zone Postgres does not know is treated as UTC.
    @discardableResult
    package func plan(days: Int = 2, asOf: Date? = nil) async throws -> Int {
        let rows = try await pool.query(
            """
            WITH zones AS MATERIALIZED (SELECT name FROM pg_timezone_names),
            learner_zones AS (
                SELECT l.id, l.delivery_time, l.created_at, COALESCE(z.name, 'UTC') AS zone
                FROM learners l LEFT JOIN zones z ON z.name = l.time_zone
                WHERE l.status = 'active'
                  AND EXISTS (SELECT 1 FROM learner_identities i
                              WHERE i.learner_id = l.id AND i.channel IN ('slack', 'sms'))),
            days AS (
                SELECT lz.id, lz.zone, lz.created_at, day.local_date,
                       lesson_due_at(day.local_date, lz.delivery_time, lz.zone) AS due_at
                FROM learner_zones lz
                CROSS JOIN LATERAL (
                    SELECT (COALESCE($2, now()) AT TIME ZONE lz.zone)::date + offs AS local_date
                    FROM generate_series(0, $1::int4 - 1) AS offs) AS day),
            added AS (
                INSERT INTO lesson_deliveries (learner_id, local_date, due_at, day_ends_at)
                SELECT id, local_date, due_at, lesson_day_ends_at(local_date, zone)
                FROM days
                WHERE due_at > created_at
                ON CONFLICT (learner_id, local_date) DO NOTHING
                RETURNING 1)
            SELECT count(*)::int8 AS added FROM added
            """, [max(days, 1), asOf])
        return Int(try rows.first?.decode(Int64.self, "added") ?? 0)
    }
}
