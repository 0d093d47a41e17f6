import Foundation
import Postgres

/// Postgres `lesson_deliveries`, the record of every daily lesson: claims with a lease, skips, admin pushes,
/// and what the reconciler needs. Every time comparison uses the database's `now()`.
package struct LessonDeliveryStore: Sendable {
    let pool: PostgresConnectionPool

    package init(pool: PostgresConnectionPool) {
        self.pool = pool
    }

    /// Claims those of `ids` that are due (or whose lease ran out) for `lease`, in one statement. Deliveries
    /// whose learner's day has ended, or whose learner is paused or unenrolled, are skipped instead; ones
    /// claimed `maxAttempts` times already are dead. Ids not due yet (moved later), already done, or held
    /// by another scheduler's live lease are left alone.
    package func claim(_ ids: [UUID], lease: Duration, maxAttempts: Int) async throws -> DeliveryClaims {
        guard !ids.isEmpty else { return DeliveryClaims() }
        let rows = try await pool.query(
            """
            WITH candidates AS (
                SELECT d.id, d.status, d.due_at, d.day_ends_at, d.lease_until, d.attempts, l.status AS learner_status
                FROM lesson_deliveries d JOIN learners l ON l.id = d.learner_id
                WHERE d.id = ANY($1::uuid[]) AND d.status IN ('pending', 'claimed')
                  AND (d.status = 'pending' OR d.lease_until <= now())
                FOR UPDATE OF d SKIP LOCKED),
            verdicts AS (
                SELECT id,
                       CASE WHEN learner_status <> 'active' THEN 'learner_' || learner_status
                            WHEN day_ends_at <= now() THEN 'day_ended'
                            WHEN attempts >= $3 THEN 'lesson_not_built'
                            WHEN due_at <= now() THEN 'claim'
                       END AS verdict
                FROM candidates),
            skipped AS (
                UPDATE lesson_deliveries d
                SET status = CASE WHEN v.verdict = 'lesson_not_built' THEN 'dead' ELSE 'skipped' END,
                    reason = v.verdict, lease_until = NULL, updated_at = now()
                FROM verdicts v
                WHERE d.id = v.id AND v.verdict IS NOT NULL AND v.verdict <> 'claim'
                RETURNING d.id, d.status, d.reason),
            claimed AS (
                UPDATE lesson_deliveries d
                SET status = 'claimed', lease_until = now() + make_interval(secs => $2), attempts = d.attempts + 1,
                    updated_at = now()
                FROM verdicts v
                WHERE d.id = v.id AND v.verdict = 'claim'
                RETURNING d.id, d.learner_id, d.attempts)
            SELECT 'claimed' AS outcome, c.id, c.learner_id, c.attempts, NULL::text AS reason, t.channel, t.external_id, t.dm_channel_id,
                   EXISTS (SELECT 1 FROM opt_outs o WHERE o.channel = t.channel AND o.address = t.external_id)
                       AS opted_out
            FROM claimed c
            LEFT JOIN LATERAL (
                SELECT i.channel, i.external_id, i.dm_channel_id FROM learner_identities i
                WHERE i.learner_id = c.learner_id AND i.channel IN ('slack', 'sms')
                ORDER BY (i.channel = 'slack') DESC, i.id LIMIT 1) t ON true
            UNION ALL
            SELECT s.status, s.id, NULL, NULL, s.reason, NULL, NULL, NULL, NULL
            FROM skipped s
            """, [PostgresArray.text(ids.map { $0.uuidString }), Double(lease.milliseconds) / 1000, maxAttempts])
        var claims = DeliveryClaims()
        for row in rows {
            let id = try row.decode(UUID.self, "id")
            switch try row.decode(String.self, "outcome") {
            case "claimed":
                var target: DeliveryTarget?
                if let channel = try row.decode(String?.self, "channel").flatMap(DeliveryTarget.Channel.init) {
                    target = DeliveryTarget(
                        channel: channel, externalID: try row.decode(String.self, "external_id"),
                        directChannelID: try row.decode(String?.self, "dm_channel_id"),
                        optedOut: try row.decode(Bool.self, "opted_out"))
                }
                claims.claimed.append(
                    ClaimedDelivery(
                        id: id, learnerID: try row.decode(UUID.self, "learner_id"),
                        attempts: try row.decode(Int.self, "attempts"), target: target))
            case "dead":
                claims.dead.append(id)
            default:
                claims.skipped.append((id, try row.decode(String?.self, "reason") ?? "skipped"))
            }
        }
        return claims
    }

    /// Gives up a claimed delivery without sending (no address, opted out).
    package func skip(_ id: UUID, reason: String) async throws {
        try await pool.query(
            """
            UPDATE lesson_deliveries SET status = 'skipped', reason = $2, lease_until = NULL, updated_at = now()
            WHERE id = $1 AND status = 'claimed'
            """, [id, reason])
    }

    /// Lets another pass take a claimed delivery after `delay` (building its lesson failed).
    package func release(_ id: UUID, after delay: Duration) async throws {
        try await pool.query(
            """
            UPDATE lesson_deliveries SET lease_until = now() + make_interval(secs => $2), updated_at = now()
            WHERE id = $1 AND status = 'claimed'
            """, [id, Double(delay.milliseconds) / 1000])
    }

    /// An admin push: today's delivery of each learner becomes due now (made if the planner has not yet),
    /// and counts as that day's lesson. A learner whose lesson for today is already out (or on its way) is
    /// left alone. Returns the deliveries now due, for the due set.
    package func pushNow(_ learnerIDs: [UUID], by actor: String) async throws -> [(id: UUID, due: Date)] {
        guard !learnerIDs.isEmpty else { return [] }
        let rows = try await pool.query(
            """
            WITH zones AS MATERIALIZED (SELECT name FROM pg_timezone_names),
            today AS (
                SELECT l.id, COALESCE(z.name, 'UTC') AS zone,
                       (now() AT TIME ZONE COALESCE(z.name, 'UTC'))::date AS local_date
                FROM learners l LEFT JOIN zones z ON z.name = l.time_zone
                WHERE l.id = ANY($1::uuid[]))
            INSERT INTO lesson_deliveries (learner_id, local_date, due_at, day_ends_at, pushed_by)
            SELECT id, local_date, now(), lesson_day_ends_at(local_date, zone), $2 FROM today
            ON CONFLICT (learner_id, local_date) DO UPDATE
                SET due_at = now(), pushed_by = EXCLUDED.pushed_by, updated_at = now()
                WHERE lesson_deliveries.status = 'pending'
            RETURNING id, due_at
            """, [PostgresArray.text(learnerIDs.map { $0.uuidString }), actor])
        return try rows.map { (try $0.decode(UUID.self, "id"), try $0.decode(Date.self, "due_at")) }
    }

    /// Skips the learner's lesson for their local today if it is still waiting; true when there was one.
    package func snoozeToday(_ learnerID: UUID) async throws -> Bool {
        let rows = try await pool.query(
            """
            UPDATE lesson_deliveries d SET status = 'skipped', reason = 'snoozed', updated_at = now()
            FROM learners l
            WHERE d.learner_id = $1 AND l.id = d.learner_id AND d.status = 'pending'
              AND d.local_date = (now() AT TIME ZONE (
                  CASE WHEN EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = l.time_zone) THEN l.time_zone
                       ELSE 'UTC' END))::date
            RETURNING d.id
            """, [learnerID])
        return !rows.isEmpty
    }

    /// What Redis should hold: pending deliveries due within `horizon`, and claimed ones whose lease ran out.
    package func dueWithin(_ horizon: Duration, limit: Int) async throws -> [(id: UUID, due: Date)] {
        let rows = try await pool.query(
            """
            (SELECT id, due_at AS due FROM lesson_deliveries
             WHERE status = 'pending' AND due_at <= now() + make_interval(secs => $1)
             ORDER BY due_at LIMIT $2)
            UNION ALL
            (SELECT id, lease_until AS due FROM lesson_deliveries
             WHERE status = 'claimed' AND lease_until <= now()
             ORDER BY lease_until LIMIT $2)
            """, [Double(horizon.milliseconds) / 1000, limit])
        return try rows.map { (try $0.decode(UUID.self, "id"), try $0.decode(Date.self, "due")) }
    }

    /// Marks skipped every delivery whose learner's day ended before anyone sent it (after downtime);
    /// returns how many.
    package func skipEndedDays() async throws -> Int {
        let rows = try await pool.query(
            """
            WITH ended AS (
                UPDATE lesson_deliveries SET status = 'skipped', reason = 'day_ended', lease_until = NULL,
                       updated_at = now()
                WHERE ((status = 'pending' AND due_at <= now()) OR (status = 'claimed' AND lease_until <= now()))
                  AND day_ends_at <= now()
                RETURNING 1)
            SELECT count(*)::int8 AS n FROM ended
            """)
        return Int(try rows.first?.decode(Int64.self, "n") ?? 0)
    }
}
