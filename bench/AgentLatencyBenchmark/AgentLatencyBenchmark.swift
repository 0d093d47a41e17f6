import ArgumentParser
import Foundation
import Learning
import Logging
import Postgres

/// Measures the deterministic orchestrator's turn latency against real Postgres: a fresh schema, the gateway's
/// migrations, the real curriculum, many simulated learners sending a realistic mix of messages. Only
/// `AgentOrchestrator.handle(_:)` is timed; no provider is called. Prints Markdown for docs/benchmarks.md.
///
///     DATABASE_URL=postgres://... swift run -c release AgentLatencyBenchmark --turns 2000 --concurrency 8
@main
struct AgentLatencyBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn latency of the deterministic agent orchestrator over real Postgres.")

    @Option(help: "Measured turns per run (one sequential run, one concurrent run).")
    var turns = 2_000

    @Option(help: "Simulated learners.")
    var learners = 200

    @Option(help: "Learners talking at once in the concurrent run.")
    var concurrency = 8

    @Option(help: "Postgres pool size.")
    var poolSize = 8

    @Option(help: "Warm-up turns before measuring (every learner first says hello).")
    var warmup = 1_000

    @Option(help: "Folder of migration files, relative to the current directory.")
    var migrations = "Sources/Gateway/Migrations"

    @Option(help: "Curriculum pack folder, relative to the current directory.")
    var curriculum = "bots/curriculum"

    @Option(help: "Seed for the message mix.")
    var seed: UInt64 = 42

    func validate() throws {
        guard turns > 0, learners > 0, concurrency > 0, poolSize > 0, warmup >= 0 else {
            throw ValidationError("--turns, --learners, --concurrency and --pool-size must be positive")
        }
        guard learners >= concurrency else {
            throw ValidationError("--learners must be at least --concurrency (each worker owns its own learners)")
        }
    }

    func run() async throws {
        guard let databaseURL = ProcessInfo.processInfo.environment["DATABASE_URL"], !databaseURL.isEmpty else {
            throw BenchmarkError(
                "DATABASE_URL is not set. Start local services (make services) and source .data/services.env, "
                    + "or run bash bench/agent-latency.sh.")
        }
        var logger = Logger(label: "agent-latency")
        logger.logLevel = .error

        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let pack = try CurriculumLoader().load(from: URL(fileURLWithPath: curriculum, relativeTo: cwd))
        let migrationList = try Migration.load(from: URL(fileURLWithPath: migrations, relativeTo: cwd))
        guard !migrationList.isEmpty else { throw BenchmarkError("no migrations found in \(migrations)") }

        let suffix = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let schema = "bench_\(suffix)"
        let admin = PostgresConnectionPool(
            configuration: PostgresConfiguration(url: databaseURL, maxConnections: 1, applicationName: schema),
            logger: logger)
        do {
            try await admin.query(PostgresQuery(sql: "CREATE SCHEMA \(schema)", binds: []))
        } catch {
            await admin.close()
            throw error
        }

        let pool = PostgresConnectionPool(
            configuration: PostgresConfiguration(
                url: databaseURL, maxConnections: poolSize, searchPath: schema, applicationName: schema),
            logger: logger)
        var failure: (any Error)?
        do {
            try await measure(pack: pack, migrations: migrationList, pool: pool, schema: schema, logger: logger)
        } catch {
            failure = error
        }
        await pool.close()
        do {
            try await admin.query(PostgresQuery(sql: "DROP SCHEMA \(schema) CASCADE", binds: []))
        } catch {
            FileHandle.standardError.write(Data("warning: could not drop schema \(schema): \(error)\n".utf8))
        }
        await admin.close()
        if let failure { throw failure }
    }

    private func measure(
        pack: CurriculumPack, migrations: [Migration], pool: PostgresConnectionPool, schema: String, logger: Logger
    ) async throws {
        try await PostgresMigrator(pool: pool, migrations: migrations, logger: logger).migrate()
        try await CurriculumSync(pool: pool).sync(pack)
        let store = PostgresLearningStore(pool: pool)
        let orchestrator = AgentOrchestrator(
            curriculum: pack, store: store, clock: SystemWallClock(), logger: logger)
        let mix = MessageMix(topicTitles: pack.topics.map(\.title))
        let population = (0..<learners).map { SimulatedLearner(index: $0) }

        // Warm-up: every learner appears once (creating its rows), then more of the mix so that quizzes,
        // answers and history exist before anything is measured.
        status("warming up: \(learners) learners, \(warmup) turns")
        var warmLearners = population
        for index in warmLearners.indices {
            _ = try await orchestrator.handle(warmLearners[index].input(text: "hi"))
        }
        var warmRandom = SplitMix64(seed: seed ^ 0xA5A5)
        _ = try await Self.runTurns(
            warmup, learners: &warmLearners, orchestrator: orchestrator, mix: mix, random: &warmRandom)

        let roundTrip = try await selectOneLatency(pool: pool, count: 1_000)

        status("sequential: \(turns) turns, one learner at a time")
        let before = try await tableStats(pool: pool, schema: schema)
        var sequentialLearners = warmLearners
        var random = SplitMix64(seed: seed)
        let sequentialCPU = try await CPUTime.sample(pool: pool, schema: schema)
        let sequentialStart = ContinuousClock.now
        let sequential = try await Self.runTurns(
            turns, learners: &sequentialLearners, orchestrator: orchestrator, mix: mix, random: &random)
        let sequentialWall = ContinuousClock.now - sequentialStart
        let sequentialCPUUsed = try await CPUTime.sample(pool: pool, schema: schema) - sequentialCPU
        let after = try await tableStats(pool: pool, schema: schema)

        status("concurrent: \(turns) turns, \(concurrency) learners at a time")
        // Each worker owns a disjoint slice of the learners, so one learner's turns never overlap (as in the
        // gateway, where a learner's messages are handled in order).
        let slices = (0..<concurrency).map { worker in
            stride(from: worker, to: sequentialLearners.count, by: concurrency).map { sequentialLearners[$0] }
        }
        let perWorker = (0..<concurrency).map { turns / concurrency + ($0 < turns % concurrency ? 1 : 0) }
        let concurrentCPU = try await CPUTime.sample(pool: pool, schema: schema)
        let concurrentStart = ContinuousClock.now
        let concurrent = try await withThrowingTaskGroup(of: [TimedTurn].self) { group in
            for worker in 0..<concurrency {
                let slice = slices[worker]
                let count = perWorker[worker]
                let workerSeed = seed &+ UInt64(worker + 1) &* 0x9E37_79B9
                group.addTask {
                    var learners = slice
                    var random = SplitMix64(seed: workerSeed)
                    return try await Self.runTurns(
                        count, learners: &learners, orchestrator: orchestrator, mix: mix, random: &random)
                }
            }
            var all: [TimedTurn] = []
            for try await part in group { all += part }
            return all
        }
        let concurrentWall = ContinuousClock.now - concurrentStart
        let concurrentCPUUsed = try await CPUTime.sample(pool: pool, schema: schema) - concurrentCPU

        let report = Report(
            turns: turns, learners: learners, concurrency: concurrency, poolSize: poolSize,
            sequential: (sequential, sequentialWall), concurrent: (concurrent, concurrentWall),
            roundTrip: roundTrip, tableActivity: after - before, cpu: (sequentialCPUUsed, concurrentCPUUsed))
        print(report.markdown)
    }

    /// Runs `count` turns over `learners`, picking a learner and a message at random each time, and times each
    /// `handle` call alone.
    private static func runTurns(
        _ count: Int, learners: inout [SimulatedLearner], orchestrator: AgentOrchestrator, mix: MessageMix,
        random: inout SplitMix64
    ) async throws -> [TimedTurn] {
        let clock = ContinuousClock()
        var timed: [TimedTurn] = []
        timed.reserveCapacity(count)
        for _ in 0..<count {
            let index = Int(random.next() % UInt64(learners.count))
            let (kind, text) = mix.pick(openQuiz: learners[index].hasOpenQuiz, random: &random)
            let input = learners[index].input(text: text)
            let start = clock.now
            let reply = try await orchestrator.handle(input)
            let elapsed = clock.now - start
            learners[index].observe(reply)
            timed.append(TimedTurn(kind: kind, duration: elapsed))
        }
        return timed
    }

    /// Sequential `SELECT 1` through the same pool: the floor one store round trip costs here.
    private func selectOneLatency(pool: PostgresConnectionPool, count: Int) async throws -> Summary {
        let clock = ContinuousClock()
        var durations: [Duration] = []
        durations.reserveCapacity(count)
        for _ in 0..<count {
            let start = clock.now
            try await pool.query("SELECT 1")
            durations.append(clock.now - start)
        }
        return Summary(durations)
    }

    /// Table reads and row writes in the benchmark's schema so far. Backends publish their statistics at most
    /// once a second when they go idle, so wait past that, then run one statement on every pooled connection
    /// at once (each flushes when it goes idle again) before reading.
    private func tableStats(pool: PostgresConnectionPool, schema: String) async throws -> TableActivity {
        try await Task.sleep(for: .milliseconds(1_100))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<poolSize {
                group.addTask { try await pool.query("SELECT pg_sleep(0.05)") }
            }
            try await group.waitForAll()
        }
        try await Task.sleep(for: .milliseconds(300))
        // Transactions are counted for the whole database (a statement outside BEGIN/COMMIT is one; so each
        // store call is one), so they are only this benchmark's when nothing else uses the database meanwhile.
        let rows = try await pool.withConnection { connection in
            try connection.query(
                PostgresQuery(
                    """
                    SELECT coalesce(sum(seq_scan), 0)::bigint AS seq, coalesce(sum(idx_scan), 0)::bigint AS idx,
                           coalesce(sum(n_tup_ins), 0)::bigint AS ins, coalesce(sum(n_tup_upd), 0)::bigint AS upd,
                           coalesce(sum(n_tup_del), 0)::bigint AS del,
                           (SELECT xact_commit + xact_rollback FROM pg_stat_database
                            WHERE datname = current_database())::bigint AS xacts
                    FROM pg_stat_user_tables WHERE schemaname = $1
                    """, [schema]))
        }
        let row = rows[0]
        return TableActivity(
            scans: try row.decode(Int.self, "seq") + row.decode(Int.self, "idx"),
            inserted: try row.decode(Int.self, "ins"), updated: try row.decode(Int.self, "upd"),
            deleted: try row.decode(Int.self, "del"), transactions: try row.decode(Int.self, "xacts"))
    }

    private func status(_ message: String) {
        FileHandle.standardError.write(Data("\(message)\n".utf8))
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Learners and messages

/// One simulated learner: its id and whether its last reply left a quiz open.
struct SimulatedLearner: Sendable {
    let externalID: String
    let channel: Channel
    var hasOpenQuiz = false

    init(index: Int) {
        // Half Slack users, half SMS numbers, as the gateway would see them.
        if index.isMultiple(of: 2) {
            channel = .slack
            externalID = "UBENCH\(String(format: "%05d", index))"
        } else {
            channel = .sms
            externalID = "+1555\(String(format: "%07d", index))"
        }
    }

    func input(text: String) -> AgentInput {
        AgentInput(learnerID: externalID, channel: channel, text: text)
    }

    mutating func observe(_ reply: AgentReply) {
        if reply.lesson != nil {
            hasOpenQuiz = true
        } else if reply.verdict != nil {
            hasOpenQuiz = false
        }
    }
}

/// The kinds of message the mix sends (the intents the deterministic planner distinguishes).
enum MessageKind: String, CaseIterable, Sendable {
    case greeting, learnTopic = "learn topic", nextLesson = "next lesson", answer = "answer (letter)"
    case progress, mistakes = "what did I get wrong", whatNext = "what next", help, offTopic = "off-topic"
}

/// A realistic mix: learners with an open quiz mostly answer it; otherwise lessons dominate, with some
/// questions about progress, mistakes and the path, and a little help, small talk and off-topic chatter.
struct MessageMix: Sendable {
    let topicTitles: [String]

    private static let weights: [(MessageKind, Int)] = [
        (.greeting, 6), (.learnTopic, 16), (.nextLesson, 30), (.progress, 12), (.mistakes, 10), (.whatNext, 10),
        (.help, 7), (.offTopic, 9),
    ]
    private static let totalWeight = weights.reduce(0) { $0 + $1.1 }

    private static let texts: [MessageKind: [String]] = [
        .greeting: ["hi", "hello", "good morning", "hey there"],
        .nextLesson: ["next lesson", "next", "another one", "quiz me"],
        .answer: ["A", "b", " C ", "d", "B", "2"],
        .progress: ["progress", "how am I doing?", "my stats"],
        .mistakes: ["what did I get wrong?", "my mistakes", "which questions did I miss"],
        .whatNext: ["what should I learn next?", "what next", "recommend something"],
        .help: ["help", "what can you do?"],
        .offTopic: ["what's the weather like tomorrow", "tell me a joke about cats", "who won the game last night"],
    ]

    func pick(openQuiz: Bool, random: inout SplitMix64) -> (MessageKind, String) {
        let kind: MessageKind
        if openQuiz, random.next() % 100 < 70 {
            kind = .answer
        } else {
            var roll = Int(random.next() % UInt64(Self.totalWeight))
            var chosen = MessageKind.help
            for (candidate, weight) in Self.weights {
                if roll < weight {
                    chosen = candidate
                    break
                }
                roll -= weight
            }
            kind = chosen
        }
        if kind == .learnTopic {
            let title = topicTitles[Int(random.next() % UInt64(topicTitles.count))]
            return (kind, random.next().isMultiple(of: 2) ? "learn \(title)" : "teach me about \(title.lowercased())")
        }
        let options = Self.texts[kind] ?? ["help"]
        return (kind, options[Int(random.next() % UInt64(options.count))])
    }
}

/// A small, fast, seedable generator so every run sends the same messages.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: - Statistics and report

struct TimedTurn: Sendable {
    let kind: MessageKind
    let duration: Duration
}

struct TableActivity: Sendable {
    var scans: Int
    var inserted: Int
    var updated: Int
    var deleted: Int
    var transactions: Int

    static func - (lhs: TableActivity, rhs: TableActivity) -> TableActivity {
        TableActivity(
            scans: lhs.scans - rhs.scans, inserted: lhs.inserted - rhs.inserted, updated: lhs.updated - rhs.updated,
            deleted: lhs.deleted - rhs.deleted, transactions: lhs.transactions - rhs.transactions)
    }
}

/// Count, mean and nearest-rank percentiles of a set of durations, in milliseconds.
struct Summary: Sendable {
    let count: Int
    let mean: Double
    let p50: Double
    let p90: Double
    let p99: Double
    let max: Double

    init(_ durations: [Duration]) {
        let ms = durations.map { duration -> Double in
            let (seconds, attoseconds) = duration.components
            return Double(seconds) * 1_000 + Double(attoseconds) / 1e15
        }.sorted()
        count = ms.count
        mean = ms.isEmpty ? 0 : ms.reduce(0, +) / Double(ms.count)
        func rank(_ q: Double) -> Double {
            guard !ms.isEmpty else { return 0 }
            return ms[Swift.max(0, Swift.min(ms.count - 1, Int((q * Double(ms.count)).rounded(.up)) - 1))]
        }
        p50 = rank(0.50)
        p90 = rank(0.90)
        p99 = rank(0.99)
        max = ms.last ?? 0
    }
}

struct Report {
    let turns: Int
    let learners: Int
    let concurrency: Int
    let poolSize: Int
    let sequential: ([TimedTurn], Duration)
    let concurrent: ([TimedTurn], Duration)
    let roundTrip: Summary
    let tableActivity: TableActivity
    let cpu: (sequential: CPUTime, concurrent: CPUTime)

    var markdown: String {
        var lines: [String] = []
        lines.append("")
        lines.append(
            "\(turns) measured turns per run, \(learners) learners, pool of \(poolSize), "
                + "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(Self.today())")
        lines.append("")
        lines.append("| run | turns | mean | p50 | p90 | p99 | max | turns/s |")
        lines.append("|---|---|---|---|---|---|---|---|")
        lines.append(row("sequential (one learner at a time)", sequential.0, wall: sequential.1))
        lines.append(row("\(concurrency) concurrent learners", concurrent.0, wall: concurrent.1))
        lines.append("")
        lines.append("Sequential run by message kind:")
        lines.append("")
        lines.append("| message | turns | mean | p50 | p99 | max |")
        lines.append("|---|---|---|---|---|---|")
        for kind in MessageKind.allCases {
            let durations = sequential.0.filter { $0.kind == kind }.map(\.duration)
            guard !durations.isEmpty else { continue }
            let s = Summary(durations)
            lines.append(
                "| \(kind.rawValue) | \(s.count) | \(Self.ms(s.mean)) | \(Self.ms(s.p50)) | \(Self.ms(s.p99)) "
                    + "| \(Self.ms(s.max)) |")
        }
        lines.append("")
        let n = Double(sequential.0.count)
        lines.append(
            "Per sequential turn, in the benchmark schema: "
                + String(format: "%.1f", Double(tableActivity.scans) / n) + " table scans (seq + index), "
                + String(format: "%.1f", Double(tableActivity.inserted) / n) + " rows inserted, "
                + String(format: "%.1f", Double(tableActivity.updated) / n) + " rows updated, "
                + String(format: "%.1f", Double(tableActivity.deleted) / n) + " rows deleted; "
                + String(format: "%.1f", Double(tableActivity.transactions) / n)
                + " database transactions (one per store call; database-wide, so exact only when nothing else ran).")
        for (name, used, count) in [
            ("sequential", cpu.sequential, sequential.0.count), ("concurrent", cpu.concurrent, concurrent.0.count),
        ] {
            guard let client = used.client, let server = used.server else { continue }
            lines.append(
                "CPU per turn, \(name) run: benchmark process \(Self.ms(client * 1_000 / Double(count))), "
                    + "Postgres backends of its pool \(Self.ms(server * 1_000 / Double(count))).")
        }
        lines.append(
            "One pooled `SELECT 1` round trip on the same pool: p50 \(Self.ms(roundTrip.p50)), "
                + "p99 \(Self.ms(roundTrip.p99)) (\(roundTrip.count) sequential).")
        return lines.joined(separator: "\n")
    }

    private func row(_ name: String, _ timed: [TimedTurn], wall: Duration) -> String {
        let s = Summary(timed.map(\.duration))
        let (seconds, attoseconds) = wall.components
        let wallSeconds = Double(seconds) + Double(attoseconds) / 1e18
        let rate = wallSeconds > 0 ? Double(s.count) / wallSeconds : 0
        return "| \(name) | \(Self.grouped(s.count)) | \(Self.ms(s.mean)) | \(Self.ms(s.p50)) | \(Self.ms(s.p90)) "
            + "| \(Self.ms(s.p99)) | \(Self.ms(s.max)) | \(Self.grouped(Int(rate.rounded()))) |"
    }

    static func ms(_ value: Double) -> String { String(format: "%.2f ms", value) }

    static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var out = ""
        for (offset, character) in digits.enumerated() {
            if offset > 0, (digits.count - offset).isMultiple(of: 3) { out.append(",") }
            out.append(character)
        }
        return out
    }

    static func today() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date())
    }
}

/// CPU seconds used so far by this process and by the Postgres backends serving the benchmark's connections
/// (found by `application_name`), read from `/proc`; nil where `/proc` cannot tell (Postgres on another host).
struct CPUTime: Sendable {
    var client: Double?
    var server: Double?

    static func sample(pool: PostgresConnectionPool, schema: String) async throws -> CPUTime {
        let rows = try await pool.query(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1", [schema])
        let pids = try rows.map { try $0.decode(Int.self, "pid") }
        let server = pids.reduce(Double?.some(0)) { total, pid in
            guard let total, let used = seconds(ofProcess: pid) else { return nil }
            return total + used
        }
        return CPUTime(client: seconds(ofProcess: Int(ProcessInfo.processInfo.processIdentifier)), server: server)
    }

    /// User plus system time of a process: fields 14 and 15 of `/proc/<pid>/stat`, in clock ticks (USER_HZ,
    /// 100 on Linux).
    private static func seconds(ofProcess pid: Int) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / 100
    }

    static func - (lhs: CPUTime, rhs: CPUTime) -> CPUTime {
        CPUTime(
            client: lhs.client.flatMap { left in rhs.client.map { left - $0 } },
            server: lhs.server.flatMap { left in rhs.server.map { left - $0 } })
    }
}
