import Foundation
import Learning
import Logging
import Metrics
import Postgres
import Scheduling
import ServiceLifecycle
import Slack

/// Sends the daily lessons that are due: takes due ids from the Redis due set (atomically, so replicas never
/// share one), claims them in Postgres with a lease, runs the agent's next lesson for each learner, and puts
/// the rendered lesson in the outbox. A Slack lesson goes in already claimed and is sent at once through the
/// Slack dispatcher's own send path (pacing, outcome, retries), which saves the outbox a claim per lesson;
/// retries, and SMS lessons (which share their sender's pace with the SMS dispatcher), are left to the
/// dispatchers, which send until the end of the learner's day. A claim whose worker dies is taken again when
/// its lease runs out, and so is a message whose sender dies mid-send.
package struct LessonDeliveryWorker: Service {
    let dueSet: DueSet
    let deliveries: LessonDeliveryStore
    let clock: DatabaseClock
    let agent: any AgentTurnHandler
    let postgres: PostgresConnectionPool
    /// Sends Slack lessons at once; without it they wait in the outbox for the Slack dispatcher.
    let slack: SlackDispatcher?
    let metrics: GatewayMetrics
    let logger: Logger
    let batchSize: Int
    let concurrency: Int
    let lease: Duration
    /// Claims after which a lesson that cannot be built is given up (dead).
    let maxAttempts: Int
    let idlePoll: Duration
    /// Puts the curriculum's lessons in Postgres (the agent presents lessons from there); run before the first pass.
    let curriculumSync: @Sendable () async throws -> Void

    package init(
        dueSet: DueSet, deliveries: LessonDeliveryStore, clock: DatabaseClock, agent: any AgentTurnHandler,
        postgres: PostgresConnectionPool, slack: SlackDispatcher?, metrics: GatewayMetrics, logger: Logger,
        batchSize: Int = 200,
        concurrency: Int = 16, lease: Duration = .seconds(60), maxAttempts: Int = 5,
        idlePoll: Duration = .milliseconds(50), curriculumSync: @escaping @Sendable () async throws -> Void = {}
    ) {
        self.curriculumSync = curriculumSync
        self.dueSet = dueSet
        self.deliveries = deliveries
        self.clock = clock
        self.agent = agent
        self.postgres = postgres
        self.slack = slack
        self.metrics = metrics
        self.logger = logger
        self.batchSize = batchSize
        self.concurrency = concurrency
        self.lease = lease
        self.maxAttempts = maxAttempts
        self.idlePoll = idlePoll
    }

    package func run() async throws {
        await retryUntilDone("curriculum sync", logger: logger, step: curriculumSync)
        await pollUntilShutdown("lesson delivery", idle: idlePoll, logger: logger) { try await deliverOnce() }
    }

    /// Takes one batch of due ids and delivers what it could claim; returns how many ids it took.
    @discardableResult
    package func deliverOnce() async throws -> Int {
        let ids = try await dueSet.claim(dueBy: clock.now, limit: batchSize)
        guard !ids.isEmpty else { return 0 }
        // Ids popped from Redis but not claimed (the store failed) are still pending in Postgres: the
        // reconciler puts them back.
        let claims = try await deliveries.claim(ids, lease: lease, maxAttempts: maxAttempts)
        for (id, reason) in claims.skipped {
            metrics.counter("scheduler_lessons_skipped_total", [("reason", reason)]).increment()
            logger.info("daily lesson skipped", metadata: ["delivery": "\(id)", "reason": "\(reason)"])
        }
        for id in claims.dead {
            metrics.counter("scheduler_lessons_dead_total", [("channel", "none")]).increment()
            logger.error(
                "daily lesson dead letter", metadata: ["delivery": "\(id)", "error": "lesson_not_built"])
        }
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for delivery in claims.claimed {
                if running == concurrency {
                    await group.next()
                    running -= 1
                }
                group.addTask { await deliver(delivery) }
                running += 1
            }
        }
        return ids.count
    }

    private func deliver(_ delivery: ClaimedDelivery) async {
        if delivery.attempts == 1 {
            metrics.counter("scheduler_lessons_due_total", [("channel", delivery.target?.channel.rawValue ?? "none")])
                .increment()
        }
        do {
            guard let target = delivery.target else { return try await skip(delivery, "no_address") }
            if target.optedOut { return try await skip(delivery, "opted_out") }
            let channel: Learning.Channel = target.channel == .slack ? .slack : .sms
            let reply = try await agent.handle(
                AgentInput(learnerID: target.externalID, channel: channel, action: .nextLesson))
            let body: String
            var slackBody: SlackOutboundBody?
            var destination = target.externalID
            switch target.channel {
            case .slack:
                let message = SlackReplyRenderer.message(for: reply)
                destination = target.directChannelID ?? target.externalID
                let post = SlackOutboundBody(
                    operation: .post, channel: target.directChannelID, userID: target.externalID, text: message.text,
                    blocks: message.blocks)
                slackBody = post
                body = try post.encoded()
            case .sms:
                body = try SMSDispatcher.encode(SMSOutboundBody(parts: SMSInboxHandler.parts(of: reply)))
            }
            let sender = target.channel == .slack ? slack : nil
            guard
                let queued = try await queue(
                    delivery, channel: target.channel.rawValue, destination: destination, body: body,
                    claimed: sender != nil)
            else {
                logger.notice(
                    "daily lesson was taken over by another scheduler", metadata: ["delivery": "\(delivery.id)"])
                return
            }
            if let sender, queued.claimedNow { await sender.send(claimed: queued.envelope, body: slackBody) }
        } catch {
            // Building the lesson failed (the agent's store, most likely): try again after a pause, up to
            // `maxAttempts` claims.
            logger.error(
                "daily lesson could not be prepared; will retry",
                metadata: ["delivery": "\(delivery.id)", "attempt": "\(delivery.attempts)", "error": "\(error)"])
            try? await deliveries.release(delivery.id, after: SlackDispatcher.backoff(attempt: delivery.attempts))
        }
    }

    private func skip(_ delivery: ClaimedDelivery, _ reason: String) async throws {
        try await deliveries.skip(delivery.id, reason: reason)
        metrics.counter("scheduler_lessons_skipped_total", [("reason", reason)]).increment()
    }

    /// The lesson's outbox message, and whether this call created it claimed (so the caller must send it).
    private struct QueuedLesson {
        let envelope: OutboundEnvelope
        let claimedNow: Bool
    }

    /// Puts the lesson in the outbox (expiring at the end of the learner's day) and marks the delivery queued,
    /// in one statement. With `claimed`, the message goes in as claimed by this worker (`sending`, under the
    /// outbox's lease, first attempt), otherwise queued for its dispatcher. Nil when the claim was lost (another
    /// scheduler took the delivery after our lease ran out).
    private func queue(
        _ delivery: ClaimedDelivery, channel: String, destination: String, body: String, claimed: Bool
    ) async throws -> QueuedLesson? {
        let rows = try await postgres.query(
            """
            WITH message AS (
                INSERT INTO outbound_messages (dedupe_key, learner_id, channel, destination, kind, body, expires_at,
                                               status, attempts, next_attempt_at)
                SELECT $2, d.learner_id, $3, $4, 'daily_lesson', $5, d.day_ends_at,
                       CASE WHEN $6 THEN 'sending' ELSE 'queued' END, CASE WHEN $6 THEN 1 ELSE 0 END,
                       now() + CASE WHEN $6 THEN make_interval(secs => $7) ELSE interval '0' END
                FROM lesson_deliveries d WHERE d.id = $1 AND d.status = 'claimed'
                ON CONFLICT (dedupe_key) DO UPDATE SET updated_at = outbound_messages.updated_at
                RETURNING id, channel, destination, kind, attempts,
                          extract(epoch FROM expires_at - now())::float8 AS seconds_left,
                          (xmax = 0 AND status = 'sending') AS claimed_now),
            queued AS (
                UPDATE lesson_deliveries SET status = 'queued', outbound_message_id = (SELECT id FROM message),
                       lease_until = NULL, updated_at = now()
                WHERE id = $1 AND status = 'claimed' AND EXISTS (SELECT 1 FROM message)
                RETURNING id)
            SELECT m.* FROM message m WHERE EXISTS (SELECT 1 FROM queued)
            """,
            [
                delivery.id, "daily:\(delivery.id.uuidString.lowercased())", channel, destination,
                PostgresValue.json(body),
                claimed, Double(OutboxStore.sendLease.milliseconds) / 1000,
            ])
        // `xmax = 0`: the row was inserted by this statement, not an older message found by its key.
        guard let row = rows.first else { return nil }
        // The body is the one just written: reading it back would make the server print the JSON again.
        return QueuedLesson(
            envelope: try OutboxStore.envelope(from: row, body: body),
            claimedNow: try row.decode(Bool.self, "claimed_now"))
    }
}
