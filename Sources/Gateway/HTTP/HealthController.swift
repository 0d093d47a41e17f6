import Hummingbird
import Logging
import Postgres
import Redis
import Synchronization

/// `/health` (the process answers), `/ready` (Postgres and Redis answer and the schema is current) and
/// `/metrics` (Prometheus text).
package struct HealthController<Context: RequestContext>: Sendable {
    let postgres: PostgresConnectionPool
    let redis: RedisConnectionPool
    let migrator: PostgresMigrator
    let metrics: GatewayMetrics
    /// How long each readiness probe may take before it counts as failed.
    let probeTimeout: Duration
    /// Set once every migration this build knows is applied; migrations are never un-applied, so later
    /// probes skip the query.
    private let migrationsCurrent = MigrationsCurrent()

    private final class MigrationsCurrent: Sendable {
        let value = Atomic<Bool>(false)
    }

    package init(
        postgres: PostgresConnectionPool, redis: RedisConnectionPool, migrator: PostgresMigrator,
        metrics: GatewayMetrics, probeTimeout: Duration = .seconds(2)
    ) {
        self.postgres = postgres
        self.redis = redis
        self.migrator = migrator
        self.metrics = metrics
        self.probeTimeout = probeTimeout
    }

    package func register(on router: Router<Context>) {
        router.get("/health") { _, _ in
            JSONBody.response(["status": "ok"])
        }
        router.get("/ready") { _, context in
            await ready(logger: context.logger)
        }
        router.get("/metrics") { _, _ in
            let body = metrics.exposition()
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/plain; version=0.0.4; charset=utf-8", .contentLength: String(body.count),
                ],
                body: .init(byteBuffer: .init(bytes: body)))
        }
    }

    struct Readiness: Encodable {
        let status: String
        let checks: [String: String]
    }

    func ready(logger: Logger) async -> Response {
        async let postgresCheck = probe("postgres", logger: logger) { try await postgres.ping() }
        async let redisCheck = probe("redis", logger: logger) { try await redis.ping() }
        let migrationsCurrent = self.migrationsCurrent
        async let migrationCheck = probe("migrations", logger: logger) {
            if migrationsCurrent.value.load(ordering: .relaxed) { return }
            let pending = try await migrator.pending()
            guard pending.isEmpty else { throw PendingMigrations(count: pending.count) }
            migrationsCurrent.value.store(true, ordering: .relaxed)
        }
        let checks = await [postgresCheck, redisCheck, migrationCheck]
        let ok = checks.allSatisfy { $0.1 == "ok" }
        return JSONBody.response(
            Readiness(status: ok ? "ready" : "not_ready", checks: Dictionary(uniqueKeysWithValues: checks)),
            status: ok ? .ok : .serviceUnavailable)
    }

    struct PendingMigrations: Error {
        let count: Int
    }

    struct ProbeTimedOut: Error {}

    /// Runs one check with a timeout; returns its name and "ok" or a short reason fit for a public answer.
    private func probe(
        _ name: String, logger: Logger, _ check: @escaping @Sendable () async throws -> Void
    ) async -> (String, String) {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await check() }
                group.addTask {
                    try await Task.sleep(for: probeTimeout)
                    throw ProbeTimedOut()
                }
                try await group.next()
                group.cancelAll()
            }
            return (name, "ok")
        } catch let error as PendingMigrations {
            return (name, "\(error.count) pending; run `gateway migrate`")
        } catch is ProbeTimedOut {
            logger.warning("readiness probe timed out", metadata: ["check": "\(name)"])
            return (name, "timeout")
        } catch {
            logger.warning("readiness probe failed", metadata: ["check": "\(name)", "error": "\(error)"])
            return (name, "unreachable")
        }
    }
}
