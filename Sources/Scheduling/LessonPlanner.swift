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
            learner_zones AS MATERIALIZED (
                SELECT l.id, l.delivery_time, l.created_at, COALESCE(z.name, 'UTC') AS zone
                FROM learners l LEFT JOIN zones z ON z.name = l.time_zone
                WHERE l.status = 'active'
                  AND EXISTS (SELECT 1 FROM learner_identities i
                              WHERE i.learner_id = l.id AND i.channel IN ('slack', 'sms'))),
            days AS MATERIALIZED (
                SELECT lz.id, lz.zone, lz.delivery_time, lz.created_at, day.local_date
                FROM learner_zones lz
                CROSS JOIN LATERAL (
                    SELECT (COALESCE($2, now()) AT TIME ZONE lz.zone)::date + offs AS local_date
                    FROM generate_series(0, $1::int4 - 1) AS offs) AS day
                WHERE NOT EXISTS (SELECT 1 FROM lesson_deliveries d
                                  WHERE d.learner_id = lz.id AND d.local_date = day.local_date)),
            -- Many learners share a zone, a time and a date: work each instant out once.
            instants AS (
                SELECT zone, delivery_time, local_date,
                       lesson_due_at(local_date, delivery_time, zone) AS due_at,
                       lesson_day_ends_at(local_date, zone) AS day_ends_at
                FROM (SELECT DISTINCT zone, delivery_time, local_date FROM days) AS distinct_days),
            added AS (
                INSERT INTO lesson_deliveries (learner_id, local_date, due_at, day_ends_at)
                SELECT days.id, days.local_date, instants.due_at, instants.day_ends_at
                FROM days JOIN instants USING (zone, delivery_time, local_date)
                WHERE instants.due_at > days.created_at
                ON CONFLICT (learner_id, local_date) DO NOTHING
                RETURNING 1)
            SELECT count(*)::int8 AS added FROM added
            """, [max(days, 1), asOf])
        return Int(try rows.first?.decode(Int64.self, "added") ?? 0)
    }
}
