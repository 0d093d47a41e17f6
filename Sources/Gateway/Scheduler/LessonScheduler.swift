import Foundation
import Logging
import Metrics
import Postgres
import Scheduling
import ServiceLifecycle

/// The scheduler's housekeeping, safe to run on every replica: plans the coming days' deliveries, keeps the
/// Redis due set in step with Postgres (the reconciler), skips what can no longer go out, keeps the database
/// clock in sync, and publishes the backlog gauges (`scheduler_due_backlog`, `inbox_backlog`, `outbox_backlog`).
package struct LessonScheduler: Service {
    let planner: LessonPlanner
    let reconciler: DeliveryReconciler
    let clock: DatabaseClock
    let postgres: PostgresConnectionPool
    let metrics: GatewayMetrics
    let logger: Logger
    let planEvery: Duration
    let reconcileEvery: Duration

    package init(
        planner: LessonPlanner, reconciler: DeliveryReconciler, clock: DatabaseClock,
        postgres: PostgresConnectionPool, metrics: GatewayMetrics, logger: Logger,
        planEvery: Duration = .seconds(600), reconcileEvery: Duration = .seconds(5)
    ) {
        self.planner = planner
        self.reconciler = reconciler
        self.clock = clock
        self.postgres = postgres
        self.metrics = metrics
        self.logger = logger
        self.planEvery = planEvery
        self.reconcileEvery = reconcileEvery
    }

    package func run() async throws {
        await cancelWhenGracefulShutdown {
            let clock = ContinuousClock()
            var nextPlan = clock.now
            while !Task.isCancelled {
                do {
                    if clock.now >= nextPlan {
                        try await self.plan()
                        nextPlan = clock.now.advanced(by: planEvery)
                    }
                    try await reconcileOnce()
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("scheduler pass failed; retrying", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: reconcileEvery)
            }
        }
    }

    /// Plans today and tomorrow for every learner, and syncs the database clock.
    package func plan() async throws {
        try await clock.synchronize()
        let started = ContinuousClock.now
        let added = try await planner.plan(days: 2)
        logger.info(
            "daily lessons planned",
            metadata: ["added": "\(added)", "ms": "\((ContinuousClock.now - started).milliseconds)"])
    }

    /// One reconciler pass and the backlog gauges.
    package func reconcileOnce() async throws {
        let pass = try await reconciler.reconcile()
        if pass.skipped > 0 {
            metrics.counter("scheduler_lessons_skipped_total", [("reason", "day_ended")]).increment(by: pass.skipped)
            logger.warning("daily lessons skipped: the learners' day ended first", metadata: ["count": "\(pass.skipped)"])
        }
        try await Backlogs.read(postgres).record(in: metrics)
    }
}
