import Foundation
import Logging
import Metrics
import Postgres
import ServiceLifecycle

/// What became of one stored webhook.
package enum InboxOutcome: String, Sendable {
    /// Handled: replies (if any) are in the outbox.
    case done
    /// Nothing to do (a bot's own message, an edit, an unknown event type).
    case ignored
}

/// Handles stored webhooks of some sources.
package protocol InboxHandler: Sendable {
    /// The `inbound_events.source` values this handler takes.
    var sources: [InboundSource] { get }
    /// Handles one stored webhook, whose raw body came with `contentType`. Throwing means "try again later"; it
    /// must be safe to run twice for the same event (replies are deduplicated by outbox key).
    func handle(id: Int64, source: InboundSource, payload: [UInt8], contentType: String?) async throws
        -> InboxOutcome
}

/// The worker loop over the durable inbox: claims pending webhooks with a lock that expires (a crashed worker's
/// events are taken again), hands each to its handler, and records the outcome. Failures retry with backoff
/// and end as `failed` after `maxAttempts`, with a metric and an error log.
package struct InboxProcessor: Service {
    let pool: PostgresConnectionPool
    let handlers: [InboundSource: any InboxHandler]
    let curriculumSync: @Sendable () async throws -> Void
    let metrics: GatewayMetrics
    let logger: Logger
    let batchSize: Int
    let lock: Duration
    let maxAttempts: Int
    let idlePoll: Duration

    package init(
        pool: PostgresConnectionPool, slack: any InboxHandler, sms: (any InboxHandler)? = nil,
        curriculumSync: @escaping @Sendable () async throws -> Void, metrics: GatewayMetrics, logger: Logger,
        batchSize: Int = 16, lock: Duration = .seconds(60), maxAttempts: Int = 5,
        idlePoll: Duration = .milliseconds(100)
    ) {
        self.pool = pool
        var handlers: [InboundSource: any InboxHandler] = [:]
        for source in slack.sources { handlers[source] = slack }
        if let sms {
            for source in sms.sources { handlers[source] = sms }
        }
        self.handlers = handlers
        self.curriculumSync = curriculumSync
        self.metrics = metrics
        self.logger = logger
        self.batchSize = batchSize
        self.lock = lock
        self.maxAttempts = maxAttempts
        self.idlePoll = idlePoll
    }

    package func run() async throws {
        // Lessons must be in Postgres before the agent can present them; retry until the database is there.
        await retryUntilDone("curriculum sync", logger: logger, step: curriculumSync)
        await pollUntilShutdown("inbox", idle: idlePoll, logger: logger) { try await processOnce() }
    }

    /// Claims and handles one batch; returns how many events it took.
    @discardableResult
    package func processOnce() async throws -> Int {
        let sources = PostgresArray.text(handlers.keys.map(\.rawValue))
        let rows = try await pool.query(
            """
            UPDATE inbound_events SET status = 'processing', attempts = attempts + 1,
                   locked_until = now() + make_interval(secs => $3)
            WHERE id IN (
                SELECT id FROM inbound_events
                WHERE status IN ('pending', 'processing') AND source = ANY($1::text[])
                  AND (locked_until IS NULL OR locked_until <= now())
                ORDER BY id
                LIMIT $2
                FOR UPDATE SKIP LOCKED)
            RETURNING id, source, payload, content_type, attempts
            """, [sources, batchSize, Double(lock.milliseconds) / 1000])
        var claimed: [(id: Int64, source: InboundSource, payload: [UInt8], contentType: String?, attempts: Int)] = []
        for row in rows {
            guard let source = InboundSource(rawValue: try row.decode(String.self, "source")) else { continue }
            claimed.append(
                (
                    try row.decode(Int64.self, "id"), source, try row.decode([UInt8].self, "payload"),
                    try row.decode(String?.self, "content_type"), try row.decode(Int.self, "attempts")
                ))
        }
        await withTaskGroup(of: Void.self) { group in
            for event in claimed.sorted(by: { $0.id < $1.id }) {
                group.addTask {
                    await process(
                        id: event.id, source: event.source, payload: event.payload, contentType: event.contentType,
                        attempts: event.attempts)
                }
            }
        }
        return claimed.count
    }

    private func process(id: Int64, source: InboundSource, payload: [UInt8], contentType: String?, attempts: Int)
        async
    {
        guard let handler = handlers[source] else { return }
        let started = ContinuousClock.now
        do {
            let outcome = try await handler.handle(id: id, source: source, payload: payload, contentType: contentType)
            try await pool.query(
                "UPDATE inbound_events SET status = $2, processed_at = now(), locked_until = NULL WHERE id = $1",
                [id, outcome.rawValue])
            metrics.counter("inbox_processed_total", [("source", source.rawValue), ("outcome", outcome.rawValue)])
                .increment()
            metrics.timer("inbox_processing_seconds", [("source", source.rawValue)]).recordInterval(since: started)
        } catch {
            let final = attempts >= maxAttempts
            let delay = min(300, 1 << min(attempts, 8))
            logger.error(
                final ? "inbound event failed for good" : "inbound event failed; will retry",
                metadata: [
                    "id": "\(id)", "source": "\(source.rawValue)", "attempts": "\(attempts)", "error": "\(error)",
                ])
            metrics.counter(
                "inbox_processed_total", [("source", source.rawValue), ("outcome", final ? "failed" : "retry")]
            )
            .increment()
            _ = try? await pool.query(
                """
                UPDATE inbound_events SET status = $2, last_error = $3,
                       locked_until = now() + make_interval(secs => $4)
                WHERE id = $1
                """, [id, final ? "failed" : "pending", String(describing: type(of: error)), Double(delay)])
        }
    }
}
