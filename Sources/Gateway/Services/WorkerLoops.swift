import Logging
import ServiceLifecycle

/// The loop every worker runs: one pass after another until graceful shutdown, pausing `idle` when a pass found
/// nothing to do, and logging (then carrying on) when a pass fails, so a database blip never stops a worker.
func pollUntilShutdown(
    _ name: String, idle: Duration, logger: Logger, pass: @escaping @Sendable () async throws -> Int
) async {
    await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            let handled: Int
            do {
                handled = try await pass()
            } catch is CancellationError {
                return
            } catch {
                logger.error("\(name) pass failed; retrying", metadata: ["error": "\(error)"])
                handled = 0
            }
            if handled == 0 { try? await Task.sleep(for: idle) }
        }
    }
}

/// Runs `step` until it succeeds or shutdown begins, pausing `every` after a failure (a worker's start-up
/// step, such as putting the curriculum in Postgres, waits for the database rather than giving up).
func retryUntilDone(
    _ name: String, every: Duration = .seconds(2), logger: Logger, step: @escaping @Sendable () async throws -> Void
) async {
    await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            do {
                return try await step()
            } catch {
                logger.warning("\(name) failed; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: every)
            }
        }
    }
}
