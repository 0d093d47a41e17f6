import Logging
import Metrics
import Postgres
import ServiceLifecycle
import Synchronization

/// The largest daily-lesson lateness seen since it was last read (shared by the dispatchers of one process).
package final class LatenessWindow: Sendable {
    private let worst = Mutex<Double?>(nil)

    package init() {}

    func record(_ seconds: Double) {
        worst.withLock { $0 = max($0 ?? seconds, seconds) }
    }

    /// The largest lateness since the last call, and starts a new window.
    func take() -> Double? {
        worst.withLock { value in
            defer { value = nil }
            return value
        }
    }
}

/// Once a minute, one `metrics snapshot` log line with the backlogs and the worst lesson lateness of the last
/// minute, as JSON numbers: where nothing scrapes `/metrics` (a worker on a container service), log-based metric
/// filters turn it into the numbers the alarms watch (docs/operations.md).
package struct MetricsSnapshotLogger: Service {
    let postgres: PostgresConnectionPool
    let lateness: LatenessWindow
    let logger: Logger
    let every: Duration

    package init(postgres: PostgresConnectionPool, lateness: LatenessWindow, logger: Logger, every: Duration = .seconds(60)) {
        self.postgres = postgres
        self.lateness = lateness
        self.logger = logger
        self.every = every
    }

    package func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: every)
                if Task.isCancelled { return }
                do {
                    try await logSnapshot()
                } catch {
                    logger.warning("metrics snapshot failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// Writes one snapshot line now.
    package func logSnapshot() async throws {
        let backlogs = try await Backlogs.read(postgres)
        logger.info(
            "metrics snapshot",
            metadata: [
                "inbox_backlog": .stringConvertible(backlogs.inbox), "outbox_backlog": .stringConvertible(backlogs.outbox),
                "scheduler_due_backlog": .stringConvertible(backlogs.due),
                "scheduler_lateness_seconds_max": .stringConvertible(lateness.take() ?? 0),
            ])
    }
}

/// What waits: inbound events not yet processed, outbound messages not yet sent, daily lessons due and unclaimed.
struct Backlogs {
    var inbox: Int64
    var outbox: Int64
    var due: Int64

    /// Reads all three in one statement (each count uses its table's partial work index).
    static func read(_ postgres: PostgresConnectionPool) async throws -> Backlogs {
        let row = try await postgres.query(
            """
            SELECT (SELECT count(*) FROM lesson_deliveries WHERE status = 'pending' AND due_at <= now())::int8 AS due,
                   (SELECT count(*) FROM inbound_events WHERE status IN ('pending', 'processing'))::int8 AS inbox,
                   (SELECT count(*) FROM outbound_messages WHERE status IN ('queued', 'sending'))::int8 AS outbox
            """)[0]
        return Backlogs(
            inbox: try row.decode(Int64.self, "inbox"), outbox: try row.decode(Int64.self, "outbox"),
            due: try row.decode(Int64.self, "due"))
    }

    /// Publishes them as the gauges `inbox_backlog`, `outbox_backlog` and `scheduler_due_backlog`.
    func record(in metrics: GatewayMetrics) {
        metrics.gauge("inbox_backlog").record(inbox)
        metrics.gauge("outbox_backlog").record(outbox)
        metrics.gauge("scheduler_due_backlog").record(due)
    }
}
