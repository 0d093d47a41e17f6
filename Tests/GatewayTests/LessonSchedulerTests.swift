import Foundation
import Gateway
import Learning
import Postgres
import Redis
import Scheduling
import TestSupport
import Testing

/// The daily-lesson scheduler against the real servers: planning in Postgres, the Redis due set, claims with a
/// lease, the outbox, and the Slack and Twilio stand-ins at the far end.
@Suite(.serialized) struct LessonSchedulerTests {
    /// One test's world: the gateway's dependencies, both provider stand-ins, and the logs.
    struct World: Sendable {
        let dependencies: GatewayDependencies
        let slack: SlackAPIStandIn
        let twilio: TwilioAPIStandIn
        let sink: MemoryLogSink
        let schema: TestSchema
        let settings: [String: String]

        var postgres: PostgresConnectionPool { dependencies.postgres }

        /// A learner reachable on `channel` at `externalID`, enrolled two days ago.
        @discardableResult
        func learner(
            _ channel: Learning.Channel, _ externalID: String, zone: String = "UTC", time: String = "00:00",
            status: String = "active"
        ) async throws -> UUID {
            let id = try await PostgresLearningStore(pool: postgres).resolve(channel: channel, externalID: externalID)
            try await postgres.query(
                """
                UPDATE learners SET time_zone = $2, delivery_time = $3::time, status = $4,
                       created_at = now() - interval '2 days'
                WHERE id = $1
                """, [id, zone, time, status])
            return id
        }

        /// Planner, reconciler, one delivery pass, and one pass of each dispatcher.
        func cycle() async throws {
            try await dependencies.lessonScheduler.plan()
            try await dependencies.lessonScheduler.reconcileOnce()
            while try await dependencies.lessonDeliveryWorker.deliverOnce() > 0 {}
            try await dispatch()
        }

        func dispatch() async throws {
            while try await dependencies.slackDispatcher.dispatchOnce() > 0 {}
            while try await dependencies.smsDispatcher.dispatchOnce() > 0 {}
        }

        func count(_ sql: String, _ binds: [any PostgresEncodable] = []) async throws -> Int {
            try await postgres.query(sql, binds)[0].decode(Int.self, at: 0)
        }

        /// `(status, reason)` of each of the learner's deliveries, by local date.
        func deliveries(_ learnerID: UUID) async throws -> [(status: String, reason: String?)] {
            try await postgres.query(
                "SELECT status, reason FROM lesson_deliveries WHERE learner_id = $1 ORDER BY local_date", [learnerID]
            ).map { (try $0.decode(String.self, "status"), try $0.decode(String?.self, "reason")) }
        }

        /// Today's delivery of the learner (the one due first).
        func today(_ learnerID: UUID) async throws -> (id: UUID, status: String, dueAt: Date) {
            let row = try await postgres.query(
                "SELECT id, status, due_at FROM lesson_deliveries WHERE learner_id = $1 ORDER BY local_date LIMIT 1",
                [learnerID])[0]
            return (
                try row.decode(UUID.self, "id"), try row.decode(String.self, "status"),
                try row.decode(Date.self, "due_at")
            )
        }

        /// A second replica: its own pools and clients over the same schema and Redis keys.
        func replica() throws -> GatewayDependencies {
            try GatewayTestHarness.dependencies(schema: schema, settings)
        }

        var metrics: String { String(decoding: dependencies.metrics.exposition(), as: UTF8.self) }
    }

    static func withWorld(_ body: @Sendable (World) async throws -> Void) async throws {
        let slack = SlackAPIStandIn()
        let twilio = TwilioAPIStandIn()
        try await slack.run { slackBase, _ in
            try await twilio.run { twilioBase in
                let schema = try await TestSchema.create()
                let settings = [
                    "SLACK_API_BASE_URL": slackBase, "SLACK_BOT_TOKEN": "xoxb-test",
                    "TWILIO_ACCOUNT_SID": twilio.accountSID, "TWILIO_AUTH_TOKEN": twilio.authToken,
                    "TWILIO_FROM_NUMBER": "+13125550100", "TWILIO_API_BASE_URL": twilioBase,
                    "TWILIO_MESSAGES_PER_SECOND": "1000",
                    "REDIS_KEY_PREFIX": TestEnvironment.uniqueName("sched") + ":",
                ]
                let sink = MemoryLogSink()
                let dependencies = try GatewayTestHarness.dependencies(schema: schema, settings, sink: sink)
                try await dependencies.migrator.migrate()
                _ = try await CurriculumSync(pool: dependencies.postgres).sync(dependencies.curriculum)
                let world = World(
                    dependencies: dependencies, slack: slack, twilio: twilio, sink: sink, schema: schema,
                    settings: settings)
                do {
                    try await body(world)
                } catch {
                    await GatewayTestHarness.close(dependencies)
                    await schema.drop()
                    throw error
                }
                await GatewayTestHarness.close(dependencies)
                await schema.drop()
            }
        }
    }

    // MARK: - Local time

    @Test func springForwardMovesByTheGapAndFallBackUsesTheFirstOccurrence() async throws {
        try await Self.withWorld { world in
            func due(_ date: String, _ time: String, _ zone: String) async throws -> String {
                try await world.postgres.query(
                    """
                    SELECT to_char(lesson_due_at($1::date, $2::time, $3) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')
                    """, [date, time, zone])[0].decode(String.self, at: 0)
            }
            // New York, 8 March 2026: 02:00 EST jumps to 03:00 EDT; 02:30 does not exist → 03:30 EDT.
            #expect(try await due("2026-03-08", "02:30", "America/New_York") == "2026-03-08 07:30")
            // 1 November 2026: 02:00 EDT falls back to 01:00 EST; 01:30 happens twice → the first, EDT.
            #expect(try await due("2026-11-01", "01:30", "America/New_York") == "2026-11-01 05:30")
            // Ordinary days either side.
            #expect(try await due("2026-03-07", "02:30", "America/New_York") == "2026-03-07 07:30")
            #expect(try await due("2026-11-02", "01:30", "America/New_York") == "2026-11-02 06:30")
            // Lord Howe Island moves by half an hour: 01:45 on 5 April 2026 happens twice; the first is +11.
            #expect(try await due("2026-04-05", "01:45", "Australia/Lord_Howe") == "2026-04-04 14:45")

            // The planner uses the same rules: plan a New York learner across both changes.
            let spring = try await world.learner(.slack, "U0SPRING1", zone: "America/New_York", time: "02:30")
            let fall = try await world.learner(.slack, "U0FALL001", zone: "America/New_York", time: "01:30")
            try await world.postgres.query(
                "UPDATE learners SET created_at = '2026-01-01' WHERE id = ANY($1::uuid[])",
                [PostgresArray.text([spring.uuidString, fall.uuidString])])
            let planner = LessonPlanner(pool: world.postgres)
            try await planner.plan(days: 1, asOf: ISO8601DateFormatter().date(from: "2026-03-08T12:00:00Z")!)
            try await planner.plan(days: 1, asOf: ISO8601DateFormatter().date(from: "2026-11-01T12:00:00Z")!)
            let rows = try await world.postgres.query(
                """
                SELECT local_date::text AS day, to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS due,
                       to_char(day_ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS ends
                FROM lesson_deliveries WHERE learner_id = $1 ORDER BY local_date
                """, [spring])
            // 02:30 on the day clocks fall back happens once, in EST.
            #expect(try rows.map { try $0.decode(String.self, "due") } == ["2026-03-08 07:30", "2026-11-01 07:30"])
            // The day of the spring change is 23 hours long: it ends at midnight EDT.
            #expect(try rows.first?.decode(String.self, "ends") == "2026-03-09 04:00")
            let fallRows = try await world.postgres.query(
                """
                SELECT to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS due
                FROM lesson_deliveries WHERE learner_id = $1 ORDER BY local_date
                """, [fall])
            #expect(try fallRows.map { try $0.decode(String.self, "due") } == ["2026-03-08 06:30", "2026-11-01 05:30"])
        }
    }

    // MARK: - Planning

    @Test func planningIsIdempotentAndOnlyForActiveReachableLearnersEnrolledInTime() async throws {
        try await Self.withWorld { world in
            let regular = try await world.learner(.slack, "U0REGULAR")
            try await world.learner(.slack, "U0PAUSED1", status: "paused")
            try await world.learner(.api, "api-only-learner")
            let newcomer = try await PostgresLearningStore(pool: world.postgres).resolve(
                channel: .sms, externalID: "+15557654321")
            try await world.postgres.query("UPDATE learners SET delivery_time = '00:00' WHERE id = $1", [newcomer])

            let planner = LessonPlanner(pool: world.postgres)
            #expect(try await planner.plan(days: 2) == 3)
            #expect(try await planner.plan(days: 2) == 0)
            // Two days for the regular learner; the newcomer joined after today's 00:00, so tomorrow only.
            #expect(try await world.deliveries(regular).count == 2)
            #expect(try await world.deliveries(newcomer).count == 1)
            #expect(try await world.count("SELECT count(*) FROM lesson_deliveries") == 3)
        }
    }

    // MARK: - Sending

    @Test func dueLessonsGoOutOnceOnSlackAndSMSAndTheirLatenessIsMeasured() async throws {
        try await Self.withWorld { world in
            let slackLearner = try await world.learner(.slack, "U0DAILY01")
            let smsLearner = try await world.learner(.sms, "+15551230001")
            try await world.cycle()

            let posts = world.slack.calls("chat.postMessage")
            #expect(posts.count == 1)
            #expect(posts.first?.json?["channel"] as? String == "DU0DAILY01")
            #expect(
                (posts.first?.json?["blocks"] as? [[String: Any]])?.contains { $0["type"] as? String == "actions" }
                    == true)
            let texts = world.twilio.calls.filter { $0.field("To") == "+15551230001" }
            #expect(!texts.isEmpty)
            #expect(
                texts.contains { $0.field("Body")?.contains("A)") == true || $0.field("Body")?.contains("1)") == true })

            #expect(try await world.today(slackLearner).status == "sent")
            #expect(try await world.today(smsLearner).status == "sent")
            // The lesson is the learner's open quiz, recorded once.
            #expect(
                try await world.count("SELECT count(*) FROM lesson_attempts WHERE learner_id = $1", [slackLearner]) == 1
            )

            // Nothing more goes out however often the scheduler runs.
            try await world.cycle()
            try await world.dependencies.lessonScheduler.reconcileOnce()
            try await world.dispatch()
            #expect(world.slack.calls("chat.postMessage").count == 1)
            #expect(world.twilio.calls.count == texts.count)
            #expect(world.metrics.contains("scheduler_lessons_sent_total{channel=\"slack\"} 1"))
            #expect(world.metrics.contains("scheduler_lessons_sent_total{channel=\"sms\"} 1"))
            // Due at local midnight, sent now: late by however far into the UTC day we are.
            #expect(world.metrics.contains("scheduler_lateness_seconds_count 2"))
            #expect(world.metrics.contains("scheduler_lessons_due_total{channel=\"slack\"} 1"))

            // The once-a-minute snapshot line carries the backlogs and the worst lateness as JSON numbers.
            try await MetricsSnapshotLogger(
                postgres: world.postgres, lateness: world.dependencies.metrics.latenessWindow,
                logger: world.dependencies.logger
            ).logSnapshot()
            let snapshot = try #require(world.sink.captured.last { $0.contains("\"msg\":\"metrics snapshot\"") })
            let fields = try #require(
                try JSONSerialization.jsonObject(with: Data(snapshot.utf8)) as? [String: Any])
            #expect(fields["level"] as? String == "info")
            #expect(fields["outbox_backlog"] as? Int == 0)
            #expect(fields["inbox_backlog"] as? Int == 0)
            #expect(fields["scheduler_due_backlog"] as? Int == 0)
            #expect((fields["scheduler_lateness_seconds_max"] as? Double ?? -1) > 0)
        }
    }

    @Test func aSlackLessonIsSentByTheDeliveryPassAndAnSMSLessonWaitsForItsDispatcher() async throws {
        try await Self.withWorld { world in
            let slackLearner = try await world.learner(.slack, "U0DIRECT1")
            let smsLearner = try await world.learner(.sms, "+15551230002")
            try await world.dependencies.lessonScheduler.plan()
            try await world.dependencies.lessonScheduler.reconcileOnce()
            while try await world.dependencies.lessonDeliveryWorker.deliverOnce() > 0 {}

            // No dispatcher pass yet: the Slack lesson went out with the delivery, its message marked sent after
            // one attempt; the SMS lesson waits in the outbox, unclaimed.
            #expect(world.slack.calls("chat.postMessage").count == 1)
            #expect(try await world.today(slackLearner).status == "sent")
            let slackMessage = try await world.postgres.query(
                "SELECT status, attempts FROM outbound_messages WHERE channel = 'slack' AND kind = 'daily_lesson'")
            #expect(try slackMessage.map { try $0.decode(String.self, "status") } == ["sent"])
            #expect(try slackMessage.first?.decode(Int.self, "attempts") == 1)
            #expect(world.twilio.calls.isEmpty)
            #expect(try await world.today(smsLearner).status == "queued")

            try await world.dispatch()
            #expect(try await world.today(smsLearner).status == "sent")
            #expect(world.slack.calls("chat.postMessage").count == 1)
        }
    }

    @Test func aLessonWhoseSenderDiedMidSendIsTakenByTheDispatcherAfterTheLease() async throws {
        try await Self.withWorld { world in
            let learner = try await world.learner(.slack, "U0MIDSEND")
            // Slack takes longer than we wait: the pass is abandoned mid-send, as if its process died.
            world.slack.script("chat.postMessage", [.delay(.seconds(5))])
            try await world.dependencies.lessonScheduler.plan()
            try await world.dependencies.lessonScheduler.reconcileOnce()
            let pass = Task { try await world.dependencies.lessonDeliveryWorker.deliverOnce() }
            try await Task.sleep(for: .milliseconds(500))
            pass.cancel()
            #expect(try await world.today(learner).status == "queued")
            // While the message's lease holds, the dispatcher leaves it alone.
            try await world.dispatch()
            #expect(world.slack.calls("chat.postMessage").count == 1)

            // Once the lease has run out (skipped here), the dispatcher sends it.
            try await world.postgres.query("UPDATE outbound_messages SET next_attempt_at = now()")
            try await Task.sleep(for: .milliseconds(1050))  // Slack's one-a-second pace for the channel
            try await world.dispatch()
            #expect(try await world.today(learner).status == "sent")
            #expect(
                try await world.count("SELECT attempts FROM outbound_messages WHERE kind = 'daily_lesson'") == 2)
            _ = try? await pass.value
        }
    }

    @Test func aTimeZoneChangeMidDayMovesThePendingLesson() async throws {
        try await Self.withWorld { world in
            // In Kiritimati (UTC+14) today's 00:00 has passed everywhere west of it.
            let learner = try await world.learner(.slack, "U0TRAVEL1", zone: "Pacific/Kiritimati")
            try await world.dependencies.lessonScheduler.plan()
            let planned = try await world.today(learner)
            #expect(planned.dueAt <= Date())

            // The learner moves to Pago Pago (UTC-11) before it went out: the same local date starts 25 hours later.
            try await world.postgres.query(
                "UPDATE learners SET time_zone = 'Pacific/Pago_Pago' WHERE id = $1", [learner])
            let moved = try await world.today(learner)
            #expect(moved.id == planned.id)
            #expect(moved.dueAt.timeIntervalSince(planned.dueAt) == 25 * 3600)
            #expect(moved.status == "pending")
            try await world.dependencies.lessonScheduler.reconcileOnce()
            #expect(try await world.dependencies.lessonDeliveryWorker.deliverOnce() == 0)
            // Even a stale id in Redis is refused by Postgres: the lesson is not due any more.
            try await world.dependencies.dueSet.add([(planned.id, planned.dueAt)])
            #expect(try await world.dependencies.lessonDeliveryWorker.deliverOnce() == 1)
            try await world.dispatch()
            #expect(world.slack.calls("chat.postMessage").isEmpty)
            #expect(try await world.today(learner).status == "pending")

            // A new delivery time moves it too; back at 00:00 in Kiritimati it is due and goes out, once.
            try await world.postgres.query("UPDATE learners SET delivery_time = '00:30' WHERE id = $1", [learner])
            #expect(try await world.today(learner).dueAt.timeIntervalSince(moved.dueAt) == 1800)
            try await world.postgres.query("UPDATE learners SET delivery_time = '00:00' WHERE id = $1", [learner])
            try await world.postgres.query(
                "UPDATE learners SET time_zone = 'Pacific/Kiritimati' WHERE id = $1", [learner])
            try await world.cycle()
            try await world.cycle()
            #expect(world.slack.calls("chat.postMessage").count == 1)
            #expect(try await world.today(learner).status == "sent")
        }
    }

    @Test func twoSchedulersRacingOverTheSameDueSetSendEachLessonOnce() async throws {
        try await Self.withWorld { world in
            var learners: [UUID] = []
            for index in 0..<40 {
                learners.append(try await world.learner(.slack, String(format: "U0RACE%03d", index)))
            }
            let other = try world.replica()
            try await world.dependencies.lessonScheduler.plan()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for dependencies in [world.dependencies, other] {
                    group.addTask { try await dependencies.lessonScheduler.plan() }
                    group.addTask {
                        for _ in 0..<20 {
                            try await dependencies.lessonScheduler.reconcileOnce()
                            try await dependencies.lessonDeliveryWorker.deliverOnce()
                        }
                    }
                    group.addTask {
                        for _ in 0..<20 { try await dependencies.lessonDeliveryWorker.deliverOnce() }
                    }
                }
                try await group.waitForAll()
            }
            while try await other.slackDispatcher.dispatchOnce() > 0 {}
            try await world.dispatch()
            await GatewayTestHarness.close(other)

            let channels = world.slack.calls("chat.postMessage").compactMap { $0.json?["channel"] as? String }
            #expect(channels.count == 40)
            #expect(Set(channels).count == 40)
            #expect(try await world.count("SELECT count(*) FROM outbound_messages WHERE kind = 'daily_lesson'") == 40)
            #expect(
                try await world.count(
                    "SELECT count(*) FROM lesson_deliveries WHERE status = 'sent' AND learner_id = ANY($1::uuid[])",
                    [PostgresArray.text(learners.map(\.uuidString))]) == 40)
        }
    }

    @Test func redisFlushedBetweenPlanningAndSendingStillSendsExactlyOnce() async throws {
        try await Self.withWorld { world in
            let learner = try await world.learner(.slack, "U0FLUSH01")
            try await world.dependencies.lessonScheduler.plan()
            try await world.dependencies.lessonScheduler.reconcileOnce()
            #expect(try await world.dependencies.dueSet.count() == 1)

            _ = try await world.dependencies.redis.command(["FLUSHALL"])
            #expect(try await world.dependencies.lessonDeliveryWorker.deliverOnce() == 0)
            // The reconciler rebuilds Redis from Postgres (and the claim script is loaded again).
            try await world.cycle()
            #expect(world.slack.calls("chat.postMessage").count == 1)

            // Flushed again after sending: rebuilding finds nothing to send.
            _ = try await world.dependencies.redis.command(["FLUSHALL"])
            try await world.cycle()
            #expect(try await world.dependencies.dueSet.count() == 0)
            #expect(world.slack.calls("chat.postMessage").count == 1)
            #expect(try await world.today(learner).status == "sent")
        }
    }

    @Test func aCrashAfterTheClaimIsSentOnceAfterTheLease() async throws {
        try await Self.withWorld { world in
            let learner = try await world.learner(.slack, "U0CRASH01")
            try await world.dependencies.lessonScheduler.plan()
            try await world.dependencies.lessonScheduler.reconcileOnce()
            // A scheduler takes the delivery and dies before sending (its lease is one second).
            let ids = try await world.dependencies.dueSet.claim(dueBy: Date(), limit: 10)
            let claims = try await world.dependencies.deliveries.claim(ids, lease: .seconds(1), maxAttempts: 5)
            #expect(claims.claimed.count == 1)

            // While the lease holds, nobody else takes it, even when Redis offers it again.
            try await world.dependencies.dueSet.add(ids.map { ($0, Date()) })
            try await world.cycle()
            #expect(world.slack.calls("chat.postMessage").isEmpty)
            #expect(try await world.today(learner).status == "claimed")

            try await Task.sleep(for: .milliseconds(1200))
            try await world.cycle()
            try await world.cycle()
            #expect(world.slack.calls("chat.postMessage").count == 1)
            #expect(try await world.today(learner).status == "sent")
            #expect(
                try await world.count(
                    "SELECT attempts FROM lesson_deliveries WHERE learner_id = $1 AND status = 'sent'", [learner])
                    == 2)
        }
    }

    // MARK: - Failures

    @Test func aProviderServerErrorIsRetriedUntilItSucceeds() async throws {
        try await Self.withWorld { world in
            let learner = try await world.learner(.slack, "U0RETRY01")
            world.slack.script("chat.postMessage", [.status(503), .status(500)])
            try await world.cycle()
            #expect(try await world.today(learner).status == "queued")
            for _ in 0..<2 {
                // Wait out Slack's one-message-a-second pace for the channel, and skip the backoff's wait.
                try await Task.sleep(for: .milliseconds(1050))
                try await world.postgres.query("UPDATE outbound_messages SET next_attempt_at = now()")
                try await world.dispatch()
            }
            #expect(world.slack.calls("chat.postMessage").count == 3)
            #expect(try await world.today(learner).status == "sent")
            #expect(world.metrics.contains("scheduler_lessons_retried_total{channel=\"slack\"} 2"))
            #expect(world.metrics.contains("scheduler_lessons_sent_total{channel=\"slack\"} 1"))
        }
    }

    @Test func aPermanentFailureAndTheEndOfTheDayAreDeadLetters() async throws {
        try await Self.withWorld { world in
            let refused = try await world.learner(.slack, "U0GONE001")
            let late = try await world.learner(.slack, "U0LATE001")
            world.slack.script("chat.postMessage", [.slackError("account_inactive"), .status(503)])
            try await world.cycle()
            // One was refused for good; the other failed for now and is retried...
            let statuses = [try await world.today(refused).status, try await world.today(late).status].sorted()
            #expect(statuses == ["dead", "queued"])
            // ...until the learner's day ends first.
            try await world.postgres.query(
                "UPDATE outbound_messages SET expires_at = now() - interval '1 second', next_attempt_at = now()")
            try await world.dispatch()
            #expect(try await world.deliveries(refused).first?.status == "dead")
            #expect(try await world.deliveries(late).first?.status == "dead")
            let reasons = Set(
                try await world.postgres.query(
                    "SELECT reason FROM lesson_deliveries WHERE status = 'dead'"
                ).map { try $0.decode(String.self, "reason") })
            #expect(reasons == ["account_inactive", "day_ended"])
            #expect(world.slack.calls("chat.postMessage").count == 2)
            #expect(world.metrics.contains("scheduler_lessons_dead_total{channel=\"slack\"} 2"))
            let alerts = world.sink.captured.filter { $0.contains("daily lesson dead letter") }
            #expect(alerts.count == 2)
            #expect(alerts.allSatisfy { $0.contains("\"level\":\"error\"") })
        }
    }

    @Test func aLessonThatCannotBeBuiltIsRetriedThenADeadLetter() async throws {
        try await Self.withWorld { world in
            let learner = try await world.learner(.slack, "U0NOLESSON")
            // The lessons are missing from Postgres, so the agent cannot present one.
            try await world.postgres.query("DELETE FROM lessons")
            let dependencies = world.dependencies
            let worker = LessonDeliveryWorker(
                dueSet: dependencies.dueSet, deliveries: dependencies.deliveries, clock: dependencies.databaseClock,
                lessons: LessonBuilder(store: dependencies.learningStore, orchestrator: dependencies.orchestrator),
                postgres: world.postgres, slack: dependencies.slackDispatcher, metrics: dependencies.metrics,
                logger: dependencies.logger, maxAttempts: 2)
            try await dependencies.lessonScheduler.plan()
            for attempt in 1...3 {
                try await dependencies.lessonScheduler.reconcileOnce()
                #expect(try await worker.deliverOnce() == 1)
                if attempt < 3 {
                    // Released for a later pass with a backoff; skip the wait.
                    #expect(try await world.today(learner).status == "claimed")
                    try await world.postgres.query(
                        "UPDATE lesson_deliveries SET lease_until = now() WHERE status = 'claimed'")
                }
            }
            #expect(try await world.deliveries(learner).first?.status == "dead")
            #expect(try await world.deliveries(learner).first?.reason == "lesson_not_built")
            #expect(try await world.count("SELECT count(*) FROM outbound_messages") == 0)
            #expect(world.slack.calls.isEmpty)
            #expect(world.metrics.contains("scheduler_lessons_dead_total{channel=\"none\"} 1"))
            #expect(
                world.sink.captured.contains {
                    $0.contains("daily lesson dead letter") && $0.contains("\"level\":\"error\"")
                })
        }
    }

    @Test func oneLessonThatCannotBeBuiltDoesNotHoldBackTheRestOfItsBatch() async throws {
        try await Self.withWorld { world in
            let learners = [
                try await world.learner(.slack, "U0BATCH01"), try await world.learner(.slack, "U0BATCH02"),
                try await world.learner(.slack, "U0BATCH03"),
            ]
            let broken = try await world.learner(.slack, "U0BATCH04")
            // The broken learner studies a topic whose lessons are not in Postgres (as after a sync that lost them);
            // the others start on the first topic.
            try await world.postgres.query("UPDATE lessons SET curriculum_key = NULL WHERE topic = 'interest'")
            try await world.postgres.query(
                """
                INSERT INTO learning_paths (learner_id, current_topic, difficulty, upcoming_topics)
                VALUES ($1, 'interest', 'easy', '[]')
                """, [broken])
            try await world.dependencies.lessonScheduler.plan()
            try await world.dependencies.lessonScheduler.reconcileOnce()
            #expect(try await world.dependencies.lessonDeliveryWorker.deliverOnce() == 4)

            // The batch failed as a whole and was built again one lesson at a time: three went out, each once,
            // with one attempt recorded each; the broken one was released for a later pass, having written nothing.
            #expect(
                world.sink.captured.contains { $0.contains("daily lessons could not be built together") })
            #expect(world.slack.calls("chat.postMessage").count == 3)
            for learner in learners {
                #expect(try await world.today(learner).status == "sent")
                #expect(
                    try await world.count("SELECT count(*) FROM lesson_attempts WHERE learner_id = $1", [learner])
                        == 1)
            }
            #expect(try await world.today(broken).status == "claimed")
            #expect(try await world.count("SELECT count(*) FROM lesson_attempts WHERE learner_id = $1", [broken]) == 0)
            #expect(try await world.count("SELECT count(*) FROM memory_turns WHERE learner_id = $1", [broken]) == 0)
        }
    }

    @Test func manyLessonsBuiltTogetherEachGoOutOnceWithTheirOwnRecords() async throws {
        try await Self.withWorld { world in
            var learners: [UUID] = []
            for index in 0..<12 { learners.append(try await world.learner(.slack, "U0MANY\(index)")) }
            try await world.cycle()
            #expect(!world.sink.captured.contains { $0.contains("could not be built together") })
            let posts = world.slack.calls("chat.postMessage")
            #expect(posts.count == 12)
            #expect(Set(posts.compactMap { $0.json?["channel"] as? String }).count == 12)
            for learner in learners {
                #expect(try await world.today(learner).status == "sent")
                #expect(
                    try await world.count(
                        "SELECT count(*) FROM lesson_attempts WHERE learner_id = $1 AND answered_at IS NULL", [learner])
                        == 1)
                #expect(
                    try await world.count("SELECT count(*) FROM memory_turns WHERE learner_id = $1", [learner]) == 2)
                #expect(
                    try await world.count(
                        "SELECT count(*) FROM engagement_events WHERE learner_id = $1 AND interaction = 'next_lesson'",
                        [learner]) == 1)
            }
        }
    }

    @Test func optedOutPausedAndUnenrolledLearnersAreSentNothing() async throws {
        try await Self.withWorld { world in
            let optedOut = try await world.learner(.sms, "+15551230002")
            let paused = try await world.learner(.slack, "U0PAUSE01")
            let unenrolled = try await world.learner(.slack, "U0LEFT001")
            try await world.dependencies.lessonScheduler.plan()
            // After planning, the number texts STOP and the others are paused or leave.
            try await world.postgres.query(
                "INSERT INTO opt_outs (channel, address, keyword) VALUES ('sms', '+15551230002', 'STOP')")
            try await world.postgres.query("UPDATE learners SET status = 'paused' WHERE id = $1", [paused])
            try await world.postgres.query("UPDATE learners SET status = 'unenrolled' WHERE id = $1", [unenrolled])
            try await world.dependencies.lessonScheduler.reconcileOnce()
            while try await world.dependencies.lessonDeliveryWorker.deliverOnce() > 0 {}
            try await world.dispatch()
            #expect(world.slack.calls.isEmpty)
            #expect(world.twilio.calls.isEmpty)
            #expect(try await world.deliveries(optedOut).first?.reason == "opted_out")
            #expect(try await world.deliveries(paused).first?.reason == "learner_paused")
            #expect(try await world.deliveries(unenrolled).first?.reason == "learner_unenrolled")
            #expect(world.metrics.contains("scheduler_lessons_skipped_total{reason=\"opted_out\"} 1"))
        }
    }

    @Test func downtimeAcrossTheEndOfALocalDaySkipsThatDaysLesson() async throws {
        try await Self.withWorld { world in
            let learner = try await world.learner(.slack, "U0DOWN001")
            // Planned before the outage: yesterday's lesson, whose day ended an hour ago.
            try await world.postgres.query(
                """
                INSERT INTO lesson_deliveries (learner_id, local_date, due_at, day_ends_at)
                VALUES ($1, current_date - 1, now() - interval '20 hours', now() - interval '1 hour')
                """, [learner])
            try await world.cycle()
            let days = try await world.deliveries(learner)
            // Yesterday's is skipped; today's (due at 00:00, day not over) still goes out, late.
            #expect(days.first?.status == "skipped")
            #expect(days.first?.reason == "day_ended")
            #expect(days.dropFirst().first?.status == "sent")
            #expect(world.slack.calls("chat.postMessage").count == 1)
            #expect(world.metrics.contains("scheduler_lessons_skipped_total{reason=\"day_ended\"} 1"))
        }
    }
}
