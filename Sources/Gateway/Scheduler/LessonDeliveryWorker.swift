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
    let postgres: PostgresConnectionPool
    /// Sends Slack lessons at once; without it they wait in the outbox for the Slack dispatcher.
    let slack: SlackDispatcher?
    /// Builds the lessons: a claimed batch together, or one at a time.
    let lessons: LessonBuilder
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
        dueSet: DueSet, deliveries: LessonDeliveryStore, clock: DatabaseClock, lessons: LessonBuilder,
        postgres: PostgresConnectionPool, slack: SlackDispatcher?,
        metrics: GatewayMetrics, logger: Logger,
        batchSize: Int = 200,
        concurrency: Int = 16, lease: Duration = .seconds(60), maxAttempts: Int = 5,
        idlePoll: Duration = .milliseconds(50), curriculumSync: @escaping @Sendable () async throws -> Void = {}
    ) {
        self.curriculumSync = curriculumSync
        self.dueSet = dueSet
        self.deliveries = deliveries
        self.clock = clock
        self.lessons = lessons
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
        var addressed: [AddressedDelivery] = []
        for delivery in claims.claimed {
            if delivery.attempts == 1 {
                metrics.counter(
                    "scheduler_lessons_due_total", [("channel", delivery.target?.channel.rawValue ?? "none")]
                ).increment()
            }
            guard let target = delivery.target else {
                await skip(delivery, "no_address")
                continue
            }
            if target.optedOut {
                await skip(delivery, "opted_out")
                continue
            }
            addressed.append(AddressedDelivery(delivery: delivery, target: target))
        }
        if addressed.count > 1 {
            do {
                try await deliverTogether(addressed)
                return ids.count
            } catch {
                // Nothing of the batch was written: build the lessons one at a time, so that one learner's
                // failure does not hold back the others.
                logger.warning(
                    "daily lessons could not be built together; building them one at a time",
                    metadata: ["lessons": "\(addressed.count)", "error": "\(error)"])
            }
        }
        await forEach(addressed) { await deliver($0) }
        return ids.count
    }

    /// A claimed delivery and the address it goes to.
    private struct AddressedDelivery {
        let delivery: ClaimedDelivery
        let target: DeliveryTarget

        var channel: Learning.Channel { target.channel == .slack ? .slack : .sms }
    }

    /// A lesson rendered for its channel, ready for the outbox.
    private struct RenderedLesson {
        let delivery: ClaimedDelivery
        let channel: String
        let destination: String
        let body: String
        /// The Slack post, when the worker sends it itself.
        let slackPost: SlackOutboundBody?
    }

    /// Runs `body` for every item, at most `concurrency` at a time.
    private func forEach<T: Sendable>(_ items: [T], _ body: @escaping @Sendable (T) async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for item in items {
                if running == concurrency {
                    await group.next()
                    running -= 1
                }
                group.addTask { await body(item) }
                running += 1
            }
        }
    }

    /// Builds every lesson of the batch in memory over turns opened with one query, then writes the agent's
    /// records and queues every lesson in one pipelined transaction, then sends the Slack ones. Throws only
    /// before that transaction commits, so nothing was written.
    private func deliverTogether(_ batch: [AddressedDelivery]) async throws {
        let turns = try await lessons.store.openTurns(learnerIDs: Array(Set(batch.map(\.delivery.learnerID))))
        var rendered: [RenderedLesson] = []
        for item in batch {
            guard let turn = turns[item.delivery.learnerID] else {
                throw LearningError(code: .storage, message: "learner \(item.delivery.learnerID) was not found")
            }
            let reply = try await lessons.orchestrator.handle(
                AgentInput(learnerID: item.target.externalID, channel: item.channel, action: .nextLesson), in: turn)
            rendered.append(try render(reply, for: item))
        }
        let results = try await PostgresLearningTurn.commit(
            Array(turns.values), with: [queueStatement(rendered)], pool: lessons.store.pool)
        // The transaction has committed: from here on nothing throws.
        let queued: [UUID: PostgresRow]
        do {
            queued = try results.first.map(queuedRows) ?? [:]
        } catch {
            // The lessons that went in claimed stay so, and the dispatcher sends them when the lease runs out.
            logger.error(
                "queued daily lessons could not be read back; the Slack dispatcher sends them after the lease",
                metadata: ["lessons": "\(rendered.count)", "error": "\(error)"])
            return
        }
        await forEach(rendered) { lesson in await send(lesson, queuedAs: queued[lesson.delivery.id]) }
    }

    /// Builds, queues and sends one lesson; on failure the delivery is released for a later pass.
    private func deliver(_ item: AddressedDelivery) async {
        let delivery = item.delivery
        do {
            let reply = try await lessons.orchestrator.handle(
                AgentInput(learnerID: item.target.externalID, channel: item.channel, action: .nextLesson))
            let lesson = try render(reply, for: item)
            let queued = try queuedRows(try await postgres.query(queueStatement([lesson])))
            await send(lesson, queuedAs: queued[delivery.id])
        } catch {
            // Building the lesson failed (the agent's store, most likely): try again after a pause, up to
            // `maxAttempts` claims.
            logger.error(
                "daily lesson could not be prepared; will retry",
                metadata: ["delivery": "\(delivery.id)", "attempt": "\(delivery.attempts)", "error": "\(error)"])
            try? await deliveries.release(delivery.id, after: SlackDispatcher.backoff(attempt: delivery.attempts))
        }
    }

    private func render(_ reply: AgentReply, for item: AddressedDelivery) throws -> RenderedLesson {
        let target = item.target
        switch target.channel {
        case .slack:
            let message = SlackReplyRenderer.message(for: reply)
            let post = SlackOutboundBody(
                operation: .post, channel: target.directChannelID, userID: target.externalID, text: message.text,
                blocks: message.blocks)
            return RenderedLesson(
                delivery: item.delivery, channel: "slack", destination: target.directChannelID ?? target.externalID,
                body: try post.encoded(), slackPost: slack == nil ? nil : post)
        case .sms:
            return RenderedLesson(
                delivery: item.delivery, channel: "sms", destination: target.externalID,
                body: try SMSDispatcher.encode(SMSOutboundBody(parts: SMSInboxHandler.parts(of: reply))),
                slackPost: nil)
        }
    }

    /// Sends a queued lesson that went in claimed by this worker; logs a lesson whose claim was lost.
    private func send(_ lesson: RenderedLesson, queuedAs row: PostgresRow?) async {
        guard let row else {
            logger.notice(
                "daily lesson was taken over by another scheduler", metadata: ["delivery": "\(lesson.delivery.id)"])
            return
        }
        guard let slack, let post = lesson.slackPost else { return }
        do {
            // `claimed_now`: this statement inserted the message claimed, so this worker sends it. The body is
            // the one just written: reading it back would make the server print the JSON again.
            guard try row.decode(Bool.self, "claimed_now") else { return }
            await slack.send(claimed: try OutboxStore.envelope(from: row, body: lesson.body), body: post)
        } catch {
            // Unreadable row: the message stays claimed, and the dispatcher takes it when the lease runs out.
            logger.error(
                "queued daily lesson could not be read back", metadata: ["delivery": "\(lesson.delivery.id)"])
        }
    }

    /// Skips the delivery, or releases it for a later pass when that fails.
    private func skip(_ delivery: ClaimedDelivery, _ reason: String) async {
        do {
            try await deliveries.skip(delivery.id, reason: reason)
            metrics.counter("scheduler_lessons_skipped_total", [("reason", reason)]).increment()
        } catch {
            logger.error(
                "daily lesson could not be skipped; will retry",
                metadata: ["delivery": "\(delivery.id)", "error": "\(error)"])
            try? await deliveries.release(delivery.id, after: SlackDispatcher.backoff(attempt: delivery.attempts))
        }
    }

    /// Puts the lessons in the outbox (each expiring at the end of its learner's day) and marks their deliveries
    /// queued, in one statement. A lesson the worker sends itself goes in claimed by it (`sending`, under the
    /// outbox's lease, first attempt), any other queued for its dispatcher. A row per lesson queued
    /// (`delivery_id`); none for a delivery whose claim was lost (another scheduler took it after our lease ran
    /// out). `claimed_now` is false when the message already existed (`xmax = 0`: the row was inserted by this
    /// statement). Each delivery is looked up by its key: a scan of the claimed ones would also read the index
    /// entries of every claim since the table was last vacuumed.
    private func queueStatement(_ lessons: [RenderedLesson]) -> PostgresQuery {
        PostgresQuery(
            """
            WITH input AS (
                SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[], $5::boolean[])
                     AS i(delivery_id, channel, destination, body, claim)),
            message AS (
                INSERT INTO outbound_messages (dedupe_key, learner_id, channel, destination, kind, body, expires_at,
                                               status, attempts, next_attempt_at)
                SELECT 'daily:' || d.id::text, d.learner_id, i.channel, i.destination, 'daily_lesson',
                       convert_from(i.body, 'UTF8')::jsonb, d.day_ends_at,
                       CASE WHEN i.claim THEN 'sending' ELSE 'queued' END, CASE WHEN i.claim THEN 1 ELSE 0 END,
                       now() + CASE WHEN i.claim THEN make_interval(secs => $6) ELSE interval '0' END
                FROM input i
                JOIN LATERAL (SELECT * FROM lesson_deliveries
                              WHERE id = i.delivery_id AND status = 'claimed' OFFSET 0) d ON true
                ON CONFLICT (dedupe_key) DO UPDATE SET updated_at = outbound_messages.updated_at
                RETURNING id, dedupe_key, channel, destination, kind, attempts,
                          extract(epoch FROM expires_at - now())::float8 AS seconds_left,
                          (xmax = 0 AND status = 'sending') AS claimed_now),
            queued AS (
                UPDATE lesson_deliveries d SET status = 'queued', outbound_message_id = m.id, lease_until = NULL,
                       updated_at = now()
                FROM message m WHERE d.id = substr(m.dedupe_key, length('daily:') + 1)::uuid AND d.status = 'claimed'
                RETURNING d.id AS delivery_id, m.id, m.channel, m.destination, m.kind, m.attempts, m.seconds_left,
                          m.claimed_now)
            SELECT * FROM queued
            """,
            [
                PostgresArray.elements(lessons.map { .uuid($0.delivery.id) }),
                PostgresArray.text(lessons.map(\.channel)),
                PostgresArray.text(lessons.map(\.destination)),
                PostgresArray.bytea(lessons.map { Array($0.body.utf8) }),
                PostgresArray.elements(lessons.map { .bool($0.slackPost != nil) }),
                Double(OutboxStore.sendLease.milliseconds) / 1000,
            ])
    }

    /// The rows of `queueStatement` by delivery.
    private func queuedRows(_ rows: PostgresRows) throws -> [UUID: PostgresRow] {
        var queued: [UUID: PostgresRow] = [:]
        for row in rows { queued[try row.decode(UUID.self, "delivery_id")] = row }
        return queued
    }
}

/// What building daily lessons needs: the deterministic planner (a daily lesson is an action, never an LLM turn)
/// and its learning store (with which one query opens every learner's turn of a batch).
package struct LessonBuilder: Sendable {
    let store: PostgresLearningStore
    let orchestrator: AgentOrchestrator

    package init(store: PostgresLearningStore, orchestrator: AgentOrchestrator) {
        self.store = store
        self.orchestrator = orchestrator
    }
}
