import Foundation
import Postgres

/// A message waiting in (or leaving) the outbox.
package struct OutboundEnvelope: Sendable, Equatable {
    package let id: UUID
    package let channel: String
    package let destination: String
    package let kind: String
    /// Channel-specific instructions (JSON text), e.g. a Slack post or update.
    package let body: String
    /// Attempts made so far, this one included.
    package let attempts: Int
    /// Seconds left before the message must not go out any more (a daily lesson: the end of the learner's
    /// day), by the database's clock; nil for messages with no deadline.
    package var secondsLeft: Double? = nil

    /// Past its deadline: it must not be sent.
    package var isExpired: Bool { (secondsLeft ?? 1) <= 0 }

    /// Whether a transient failure may be tried again after `delay`: a message with a deadline until the
    /// deadline, any other up to `maxAttempts` attempts.
    package func mayRetry(after delay: Duration, maxAttempts: Int) -> Bool {
        if let secondsLeft { return Double(delay.milliseconds) / 1000 < secondsLeft }
        return attempts < maxAttempts
    }
}

/// The segments (billable SMS parts) sent in one pass over a message, and the alphabet they went in.
package struct OutboundSegments: Sendable, Equatable {
    /// Segments sent.
    package var count: Int
    /// `gsm7`, `ucs2`, or `mixed` when some parts went in each.
    package var encoding: String

    package init(count: Int, encoding: String) {
        self.count = count
        self.encoding = encoding
    }
}

/// A message the provider accepted.
package struct SentNotice: Sendable, Equatable {
    package var id: UUID
    /// The provider's id for it (Slack: the message's `ts`), when it gave one.
    package var providerMessageID: String?

    package init(id: UUID, providerMessageID: String?) {
        self.id = id
        self.providerMessageID = providerMessageID
    }
}

/// What `markSent` learned about a message that went out.
package struct SentMessage: Sendable, Equatable {
    /// Its SMS segments over all passes; nil for messages that have none (Slack).
    package var segments: OutboundSegments?
    /// For a daily lesson: seconds between its due time and now, by the database's clock.
    package var lateness: Double?
}

/// Postgres `outbound_messages`: every message we send and what became of it. `dedupe_key` makes "at most
/// once" a constraint: enqueueing the same key twice leaves one message.
package struct OutboxStore: Sendable {
    let pool: PostgresConnectionPool

    /// How long a sender holds a claimed message; a sender that dies mid-send leaves it to be taken again after.
    package static let sendLease: Duration = .seconds(60)

    package init(pool: PostgresConnectionPool) {
        self.pool = pool
    }

    /// Queues a message; returns its id, or nil when a message with this key already exists.
    @discardableResult
    package func enqueue(
        dedupeKey: String, channel: String, destination: String, kind: String, body: String,
        learnerID: UUID? = nil, inboundEventID: Int64? = nil
    ) async throws -> UUID? {
        let rows = try await pool.query(
            """
            INSERT INTO outbound_messages (dedupe_key, channel, destination, kind, body, learner_id, inbound_event_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (dedupe_key) DO NOTHING
            RETURNING id
            """,
            [dedupeKey, channel, destination, kind, PostgresValue.json(body), learnerID, inboundEventID])
        return try rows.first?.decode(UUID.self, "id")
    }

    /// Claims up to `limit` due messages of `channel` for `lease`: queued ones whose time has come, and ones
    /// whose sender's lease ran out (it crashed mid-send). Other dispatchers skip claimed rows.
    package func claim(channel: String, limit: Int, lease: Duration) async throws -> [OutboundEnvelope] {
        let rows = try await pool.query(
            """
            UPDATE outbound_messages SET status = 'sending', attempts = attempts + 1,
                   next_attempt_at = now() + make_interval(secs => $3), updated_at = now()
            WHERE id IN (
                SELECT id FROM outbound_messages
                WHERE channel = $1 AND status IN ('queued', 'sending') AND next_attempt_at <= now()
                ORDER BY next_attempt_at
                LIMIT $2
                FOR UPDATE SKIP LOCKED)
            RETURNING id, channel, destination, kind, body::text AS body, attempts,
                      extract(epoch FROM expires_at - now())::float8 AS seconds_left
            """, [channel, limit, Double(lease.milliseconds) / 1000])
        return try rows.map { try Self.envelope(from: $0) }
    }

    /// The envelope in a row with `id, channel, destination, kind, body, attempts, seconds_left`; `body`, when
    /// given, stands in for a row without one.
    static func envelope(from row: PostgresRow, body: String? = nil) throws -> OutboundEnvelope {
        OutboundEnvelope(
            id: try row.decode(UUID.self, "id"), channel: try row.decode(String.self, "channel"),
            destination: try row.decode(String.self, "destination"), kind: try row.decode(String.self, "kind"),
            body: try body ?? row.decode(String.self, "body"), attempts: try row.decode(Int.self, "attempts"),
            secondsLeft: try row.decode(Double?.self, "seconds_left"))
    }

    /// The provider accepted the message; `segments` (SMS) adds what this pass sent to what earlier passes did.
    /// Returns the message's segments over all passes (nil when none were recorded: a Slack message) and, for
    /// a daily lesson, how late it went out (seconds after its due time, by the database's clock).
    @discardableResult
    package func markSent(
        _ id: UUID, providerMessageID: String?, status: String = "sent", segments: OutboundSegments? = nil
    ) async throws -> SentMessage {
        let rows = try await pool.query(
            """
            WITH message AS (
                UPDATE outbound_messages SET status = $2, provider_message_id = $3, sent_at = now(),
                       updated_at = now(), last_error = NULL, \(Self.addingSegments(count: 4, encoding: 5))
                WHERE id = $1
                RETURNING id, kind, segments, encoding)
            SELECT m.segments, m.encoding,
                   (SELECT extract(epoch FROM now() - d.due_at)::float8 FROM lesson_deliveries d
                    WHERE m.kind = 'daily_lesson' AND d.outbound_message_id = m.id) AS lateness
            FROM message m
            """, [id, status, providerMessageID, segments?.count, segments?.encoding])
        guard let row = rows.first else { return SentMessage(segments: nil, lateness: nil) }
        var total: OutboundSegments?
        if let count = try row.decode(Int?.self, "segments"), let encoding = try row.decode(String?.self, "encoding") {
            total = OutboundSegments(count: count, encoding: encoding)
        }
        return SentMessage(segments: total, lateness: try row.decode(Double?.self, "lateness"))
    }

    /// Records many messages the provider accepted (no segments: Slack), in one statement; returns, in the
    /// order given, what `markSent` would for each (nil lateness for a message that is not a daily lesson or
    /// was not found).
    package func markSent(_ messages: [SentNotice], status: String = "sent") async throws -> [SentMessage] {
        guard !messages.isEmpty else { return [] }
        let rows = try await pool.query(
            """
            WITH sent AS (
                SELECT * FROM unnest($1::uuid[], $2::text[]) AS s(id, provider_message_id)),
            message AS (
                UPDATE outbound_messages m SET status = $3, provider_message_id = s.provider_message_id,
                       sent_at = now(), updated_at = now(), last_error = NULL
                FROM sent s WHERE m.id = s.id
                RETURNING m.id, m.kind)
            SELECT m.id,
                   (SELECT extract(epoch FROM now() - d.due_at)::float8 FROM lesson_deliveries d
                    WHERE m.kind = 'daily_lesson' AND d.outbound_message_id = m.id) AS lateness
            FROM message m
            """,
            [
                PostgresArray.text(messages.map { $0.id.uuidString }),
                PostgresArray.text(messages.map(\.providerMessageID)), status,
            ])
        var lateness: [UUID: Double] = [:]
        for row in rows {
            if let late = try row.decode(Double?.self, "lateness") { lateness[try row.decode(UUID.self, "id")] = late }
        }
        return messages.map { SentMessage(segments: nil, lateness: lateness[$0.id]) }
    }

    /// Try again after `delay`. `countAttempt: false` when the message was not actually tried (paced).
    package func retry(_ id: UUID, after delay: Duration, error: String?, countAttempt: Bool = true) async throws {
        try await pool.query(
            """
            UPDATE outbound_messages SET status = 'queued', next_attempt_at = now() + make_interval(secs => $2),
                   attempts = attempts - $3, last_error = COALESCE($4, last_error), updated_at = now()
            WHERE id = $1
            """, [id, Double(delay.milliseconds) / 1000, countAttempt ? 0 : 1, error])
    }

    /// Replaces what is left to send (a multi-part SMS after some parts went out), recording the `segments` those
    /// parts took.
    package func replaceBody(_ id: UUID, with body: String, segments: OutboundSegments? = nil) async throws {
        try await pool.query(
            """
            UPDATE outbound_messages SET body = $2, updated_at = now(), \(Self.addingSegments(count: 3, encoding: 4))
            WHERE id = $1
            """, [id, PostgresValue.json(body), segments?.count, segments?.encoding])
    }

    /// SET clauses that add parameter `$count` to `segments` and fold parameter `$encoding` into `encoding`
    /// (`mixed` once two passes disagree); both leave the columns alone when the parameters are NULL.
    private static func addingSegments(count: Int, encoding: Int) -> String {
        """
        segments = CASE WHEN $\(count)::integer IS NULL THEN segments ELSE COALESCE(segments, 0) + $\(count) END,
               encoding = CASE WHEN $\(encoding)::text IS NULL THEN encoding
                               WHEN encoding IS NULL OR encoding = $\(encoding) THEN $\(encoding) ELSE 'mixed' END
        """
    }

    /// No more attempts: `failed` (the provider refused for good) or `dead` (retries exhausted).
    package func markFinal(_ id: UUID, status: String, errorCode: String) async throws {
        try await pool.query(
            """
            UPDATE outbound_messages SET status = $2, error_code = $3, last_error = $3, updated_at = now()
            WHERE id = $1
            """, [id, status, errorCode])
    }
}
