import Foundation
import HTTPClient
import Hummingbird
import Logging
import Postgres
import Redis
import ServiceLifecycle
import UnixSignals

/// What the CLI's commands do, kept out of the executable so tests can run it in process.
package enum GatewayCommandRunner {
    /// Runs the gateway with `roles` until SIGTERM or SIGINT, then shuts down gracefully: the server stops
    /// accepting, in-flight requests finish, workers stop, and the pools close last.
    package static func serve(
        configuration: GatewayConfiguration, roles: Set<GatewayRole>, migrateFirst: Bool, logger: Logger
    ) async throws {
        let dependencies = try GatewayDependencies(configuration: configuration, logger: logger)
        logger.notice(
            "starting gateway", metadata: ["roles": "\(roles.sorted().map(\.rawValue).joined(separator: ","))"])
        if migrateFirst {
            try await migrate(dependencies: dependencies)
        }
        if roles.contains(.web) {
            let app = buildApplication(dependencies: dependencies, roles: roles)
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } else {
            let group = ServiceGroup(
                configuration: .init(
                    services: dependencies.services(for: roles), gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger))
            try await group.run()
        }
        logger.notice("gateway stopped")
    }

    /// Applies pending migrations and returns the versions applied.
    @discardableResult
    package static func migrate(configuration: GatewayConfiguration, logger: Logger) async throws -> [Int] {
        let dependencies = try GatewayDependencies(configuration: configuration, logger: logger)
        let outcome: Result<[Int], any Error>
        do {
            outcome = .success(try await migrate(dependencies: dependencies))
        } catch {
            outcome = .failure(error)
        }
        await dependencies.postgres.close()
        await dependencies.redis.close()
        await dependencies.httpClient.shutdown()
        return try outcome.get()
    }

    @discardableResult
    static func migrate(dependencies: GatewayDependencies) async throws -> [Int] {
        let applied = try await dependencies.migrator.migrate()
        dependencies.logger.notice(
            applied.isEmpty ? "schema is up to date" : "migrations applied",
            metadata: ["applied": "\(applied.map(String.init).joined(separator: ","))"])
        return applied
    }
}
