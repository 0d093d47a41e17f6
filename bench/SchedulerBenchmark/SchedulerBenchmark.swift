import ArgumentParser
import Foundation
import Gateway
import HTTPClient
import Learning
import Logging
import Postgres
import Redis
import Scheduling
import TestSupport

/// Measures the daily-lesson scheduler over real Postgres and Redis, with a local stand-in of Slack's Web API:
/// planning a day for many learners, dispatch throughput (due → agent → outbox → Slack), and the lateness of
/// lessons due in the same minute. Prints Markdown for docs/benchmarks.md.
///
///     DATABASE_URL=postgres://... REDIS_URL=redis://... swift run -c release SchedulerBenchmark
@main
struct SchedulerBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Planning, dispatch throughput and lateness of the daily-lesson scheduler.")

    @Option(help: "Learners to plan for.")
    var learners = 100_000

    @Option(help: "Lessons sent in the throughput run.")
    var throughputLessons = 10_000

    @Option(help: "Lessons due within one minute in the lateness run.")
    var latenessLessons = 10_000

    @Option(help: "Scheduler replicas (each a delivery worker and a Slack dispatcher) run in this process.")
    var replicas = 4

    @Option(help: "Postgres pool size per replica.")
    var poolSize = 12

    @Option(help: "Curriculum pack folder, relative to the current directory.")
    var curriculum = "bots/curriculum"

    func validate() throws {
        guard learners >= throughputLessons + 2 * latenessLessons, replicas > 0, poolSize > 0 else {
            throw ValidationError(
                "--learners must cover the throughput run and both lateness runs; --replicas and --pool-size > 0")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let databaseURL = environment["DATABASE_URL"], let redisURL = environment["REDIS_URL"] else {
            throw ValidationError(
                "DATABASE_URL and REDIS_URL must be set: make services, then source .data/services.env "
                    + "(or run bash bench/scheduler.sh)")
        }
        let schema = "bench_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let admin = PostgresConnectionPool(
            configuration: PostgresConfiguration(url: databaseURL, maxConnections: 1), logger: Logger(label: "bench"))
        try await admin.query(PostgresQuery(sql: "CREATE SCHEMA \(schema)", binds: []))

        let standIn = SlackAPIStandIn()
        try await standIn.run { apiBase, _ in
            var replicaDependencies: [GatewayDependencies] = []
            let prefix = "bench:\(schema):"
            for _ in 0..<replicas {
                let settings = [
                    "DATABASE_URL": databaseURL, "REDIS_URL": redisURL, "DATABASE_SCHEMA": String(schema),
                    "DATABASE_POOL_SIZE": String(poolSize), "REDIS_POOL_SIZE": "8", "REDIS_KEY_PREFIX": prefix,
                    "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_API_BASE_URL": apiBase, "CURRICULUM_DIR": curriculum,
                    "LOG_LEVEL": "error", "PORT": "0",
                ]
                let configuration = try GatewayConfiguration(environment: settings)
                var logger = Logger(label: "scheduler-bench")
                logger.logLevel = .error
                replicaDependencies.append(try GatewayDependencies(configuration: configuration, logger: logger))
            }
            let main = replicaDependencies[0]
            try await main.migrator.migrate()
            _ = try await CurriculumSync(pool: main.postgres).sync(main.curriculum)
            try await seed(main.postgres)
            try await seedHistory(main.postgres)

            emit("## Scheduler benchmark\n")
            emit(
                "\(learners) learners in 8 time zones, \(replicas) scheduler replicas in one process, Slack stand-in.\n"
            )
            emit("| measure | result |\n|---|---|")
            try await measurePlanning(main)
            try await measureThroughput(replicaDependencies, standIn: standIn)
            try await measureLateness(replicaDependencies, standIn: standIn, spread: true)
            try await measureLateness(replicaDependencies, standIn: standIn, spread: false)
            for dependencies in replicaDependencies {
                await dependencies.postgres.close()
                await dependencies.redis.close()
                await dependencies.httpClient.shutdown()
            }
        }
        try await admin.query(PostgresQuery(sql: "DROP SCHEMA \(schema) CASCADE", binds: []))
        await admin.close()
    }

    /// Learners with Slack identities whose DM channel is known, spread over eight zones and three hours of
    /// delivery times, enrolled three days ago.
    func seed(_ postgres: PostgresConnectionPool) async throws {
        try await postgres.query(
            """
            INSERT INTO learners (id, display_name, time_zone, delivery_time, created_at)
            SELECT gen_random_uuid(), 'Learner ' || i,
                   (ARRAY['America/New_York', 'Europe/London', 'Asia/Tokyo', 'Australia/Sydney',
                          'America/Los_Angeles', 'UTC', 'Asia/Kolkata', 'America/Sao_Paulo'])[1 + i % 8],
                   time '07:00' + (i % 180) * interval '1 minute', now() - interval '3 days'
            FROM generate_series(1, $1) AS i
            """, [learners])
        try await postgres.query(
            """
            INSERT INTO learner_identities (learner_id, channel, external_id, team_id, dm_channel_id)
            SELECT id, 'slack', 'UB' || n, 'TBENCH', 'DB' || n
            FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM learners) AS numbered
            """)
        try await postgres.query("ANALYZE")
    }

    /// Three days of history per learner, as a programme that has been running has: three lessons shown and
    /// answered (one wrong, due for review), a path, a profile, the memory window and engagement rows. Then
    /// ANALYZE, so the planner sees tables of a realistic size rather than empty ones.
    func seedHistory(_ postgres: PostgresConnectionPool) async throws {
        try await postgres.query(
            """
            INSERT INTO lesson_attempts (learner_id, lesson_id, channel, presented_at, answered_at)
            SELECT l.id, ls.id, 'slack', now() - (4 - k) * interval '1 day', now() - (4 - k) * interval '1 day'
            FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM learners) AS l
            CROSS JOIN generate_series(1, 3) AS k
            JOIN LATERAL (SELECT id FROM lessons WHERE topic = 'apr' AND curriculum_key IS NOT NULL
                          ORDER BY curriculum_key OFFSET (k - 1) LIMIT 1) AS ls ON true
            """)
        try await postgres.query(
            """
            INSERT INTO quiz_responses (attempt_id, learner_id, lesson_id, topic, difficulty, response,
                                        selected_index, correct, answered_at)
            SELECT a.id, a.learner_id, a.lesson_id, ls.topic, ls.difficulty, 'B', 1,
                   a.presented_at < now() - interval '3 days', a.answered_at
            FROM lesson_attempts a JOIN lessons ls ON ls.id = a.lesson_id
            """)
        try await postgres.query(
            """
            INSERT INTO review_items (learner_id, lesson_id, step, due_at)
            SELECT learner_id, lesson_id, 0, answered_at + interval '1 day' FROM quiz_responses WHERE NOT correct
            """)
        try await postgres.query(
            """
            INSERT INTO learning_paths (learner_id, current_topic, difficulty, upcoming_topics)
            SELECT id, 'apr', 'easy', '["interest"]' FROM learners
            """)
        try await postgres.query(
            """
            INSERT INTO learner_profiles (learner_id, level, topics_covered, quiz_average, quiz_count, weak_areas)
            SELECT id, 'intermediate', '["apr"]', 0.67, 3, '[]' FROM learners
            """)
        try await postgres.query(
            """
            INSERT INTO memory_turns (learner_id, role, content, created_at)
            SELECT id, CASE WHEN k % 2 = 1 THEN 'learner' ELSE 'agent' END, 'turn ' || k,
                   now() - interval '3 days' + k * interval '1 minute'
            FROM learners CROSS JOIN generate_series(1, 10) AS k
            """)
        try await postgres.query(
            """
            INSERT INTO engagement_events (learner_id, interaction, channel, occurred_at)
            SELECT id, 'quiz_answer', 'slack', now() - k * interval '1 day'
            FROM learners CROSS JOIN generate_series(1, 3) AS k
            """)
        try await postgres.query("ANALYZE")
    }

    func measurePlanning(_ dependencies: GatewayDependencies) async throws {
        let planner = LessonPlanner(pool: dependencies.postgres)
        var started = ContinuousClock.now
        let added = try await planner.plan(days: 2)
        let first = ContinuousClock.now - started
        started = ContinuousClock.now
        let again = try await planner.plan(days: 2)
        let second = ContinuousClock.now - started
        emit(
            "| planning \(learners) learners, today and tomorrow (\(added) deliveries written) | \(Self.seconds(first)) |"
        )
        emit("| planning again, nothing to add (\(again) written) | \(Self.seconds(second)) |")
        // Park every planned delivery well in the future; each run below picks its own.
        try await dependencies.postgres.query(
            "UPDATE lesson_deliveries SET due_at = now() + interval '3 days', day_ends_at = now() + interval '4 days'")
    }

    /// `count` learners' first pending delivery, due at `due` (SQL over `now()`), by learner order after `skip`.
    func makeDue(_ postgres: PostgresConnectionPool, count: Int, skip: Int, due: String) async throws {
        try await postgres.query(
            """
            UPDATE lesson_deliveries d SET due_at = \(due), day_ends_at = now() + interval '1 day'
            FROM (SELECT DISTINCT ON (learner_id) id, learner_id FROM lesson_deliveries
                  WHERE learner_id IN (SELECT id FROM learners ORDER BY id OFFSET $2 LIMIT $1)
                  ORDER BY learner_id, local_date) AS chosen
            WHERE d.id = chosen.id
            """, [count, skip])
    }

    /// Runs every replica's scheduler (reconciler each second), delivery worker and Slack dispatcher until
    /// `target` lessons are sent; returns the time from `start` to the last one.
    func runUntilSent(_ replicas: [GatewayDependencies], standIn: SlackAPIStandIn, target: Int) async throws {
        let postgres = replicas[0].postgres
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, dependencies) in replicas.enumerated() {
                let worker = dependencies.lessonDeliveryWorker
                let dispatcher = dependencies.slackDispatcher
                if index == 0 {
                    group.addTask {
                        while !Task.isCancelled {
                            try? await dependencies.databaseClock.synchronize()
                            try? await dependencies.lessonScheduler.reconcileOnce()
                            try await Task.sleep(for: .seconds(1))
                        }
                    }
                }
                // As in the gateway's own loops, a failed pass is retried (and counted), never fatal.
                group.addTask {
                    while !Task.isCancelled {
                        let handled = (try? await worker.deliverOnce()) ?? 0
                        if handled == 0 { try await Task.sleep(for: .milliseconds(20)) }
                    }
                }
                group.addTask {
                    while !Task.isCancelled {
                        let handled = (try? await dispatcher.dispatchOnce()) ?? 0
                        if handled == 0 { try await Task.sleep(for: .milliseconds(20)) }
                    }
                }
            }
            group.addTask {
                // Every delivery in these runs is a Slack post, so the stand-in's count (cheap to read, so read
                // often: the run's time ends when this sees the last post) says when to start asking Postgres,
                // whose count of sent rows (a scan of the table) decides.
                while standIn.count(of: "chat.postMessage") < target {
                    try await Task.sleep(for: .milliseconds(10))
                }
                while try await postgres.query(
                    "SELECT count(*)::int8 FROM lesson_deliveries WHERE status = 'sent'")[0].decode(Int.self, at: 0)
                    < target
                {
                    try await Task.sleep(for: .milliseconds(20))
                }
                throw Finished()
            }
            // The first task to end is the watcher (Finished) or a loop that failed: either way, stop the rest.
            defer { group.cancelAll() }
            do {
                _ = try await group.next()
            } catch is Finished {}
        }
    }

    struct Finished: Error {}

    func measureThroughput(_ replicas: [GatewayDependencies], standIn: SlackAPIStandIn) async throws {
        let postgres = replicas[0].postgres
        try await makeDue(postgres, count: throughputLessons, skip: 0, due: "now()")
        let posts = standIn.count(of: "chat.postMessage")
        let started = ContinuousClock.now
        try await runUntilSent(replicas, standIn: standIn, target: throughputLessons)
        let elapsed = ContinuousClock.now - started
        let sent = standIn.count(of: "chat.postMessage") - posts
        let rate =
            Double(throughputLessons)
            / (Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))
        emit(
            "| dispatch: \(throughputLessons) lessons due at once → agent → outbox → Slack stand-in "
                + "(\(sent) posts received) | \(Self.seconds(elapsed)), **\(Int(rate)) lessons/s** |")
    }

    func measureLateness(_ replicas: [GatewayDependencies], standIn: SlackAPIStandIn, spread: Bool) async throws {
        let postgres = replicas[0].postgres
        let already = try await postgres.query(
            "SELECT count(*)::int8 FROM lesson_deliveries WHERE status = 'sent'")[0].decode(Int.self, at: 0)
        let skip = throughputLessons + (spread ? 0 : latenessLessons)
        let due =
            spread
            ? "now() + interval '10 seconds' + random() * interval '60 seconds'" : "now() + interval '10 seconds'"
        try await makeDue(postgres, count: latenessLessons, skip: skip, due: due)
        try await runUntilSent(replicas, standIn: standIn, target: already + latenessLessons)
        let row = try await postgres.query(
            """
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY lateness) AS p50,
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY lateness) AS p99,
                   max(lateness) AS worst
            FROM (SELECT extract(epoch FROM sent_at - due_at)::float8 AS lateness FROM lesson_deliveries
                  WHERE status = 'sent' AND learner_id IN (SELECT id FROM learners ORDER BY id OFFSET $2 LIMIT $1))
                AS sent
            """, [latenessLessons, skip])[0]
        let what = spread ? "spread over one minute" : "all due at the same instant"
        emit(
            "| lateness of \(latenessLessons) lessons \(what) (due → Slack accepted) | p50 "
                + "\(Self.format(try row.decode(Double.self, "p50"))) s, **p99 \(Self.format(try row.decode(Double.self, "p99"))) s**, "
                + "max \(Self.format(try row.decode(Double.self, "worst"))) s |")
    }

    static func seconds(_ duration: Duration) -> String {
        format(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18) + " s"
    }

    static func format(_ value: Double) -> String {
        String(format: "%.2f", value)
    }
}

/// Writes a line to standard output at once (output to a pipe is otherwise buffered until exit).
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
