import Foundation
import Gateway
import HTTPClient
import Logging
import Postgres
import Redis
import TestSupport

/// Builds gateway configurations and dependencies against the test servers, each test in its own schema.
enum GatewayTestHarness {
    /// The repository's curriculum pack (`bots/curriculum`), found from this file's path.
    static let curriculumDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("bots/curriculum").path

    static func environment(schema: TestSchema?, _ overrides: [String: String] = [:]) -> [String: String] {
        var environment = [
            "DATABASE_URL": TestEnvironment.databaseURL,
            "REDIS_URL": TestEnvironment.redisURL,
            "PORT": "0",
            "LOG_LEVEL": "debug",
            "DATABASE_POOL_SIZE": "4",
            "REDIS_POOL_SIZE": "2",
            "CURRICULUM_DIR": curriculumDirectory,
            "REDIS_KEY_PREFIX": TestEnvironment.uniqueName("t") + ":",
        ]
        if let schema { environment["DATABASE_SCHEMA"] = schema.name }
        environment.merge(overrides) { _, new in new }
        return environment
    }

    static func configuration(schema: TestSchema?, _ overrides: [String: String] = [:]) throws -> GatewayConfiguration {
        try GatewayConfiguration(environment: environment(schema: schema, overrides))
    }

    /// Dependencies whose logs go to `sink`.
    static func dependencies(
        schema: TestSchema?, _ overrides: [String: String] = [:], sink: MemoryLogSink = MemoryLogSink()
    ) throws -> GatewayDependencies {
        let configuration = try configuration(schema: schema, overrides)
        return try GatewayDependencies(
            configuration: configuration, logger: .gateway(configuration: configuration, sink: sink))
    }

    /// Runs `body` with dependencies over a fresh, migrated schema, then closes them and drops the schema, also
    /// when `body` throws.
    static func withDependencies(
        _ overrides: [String: String], _ body: (GatewayDependencies) async throws -> Void
    ) async throws {
        let schema = try await TestSchema.create()
        let dependencies = try dependencies(schema: schema, overrides)
        do {
            try await dependencies.migrator.migrate()
            try await body(dependencies)
        } catch {
            await close(dependencies)
            await schema.drop()
            throw error
        }
        await close(dependencies)
        await schema.drop()
    }

    /// Closes every pool and client of `dependencies`.
    static func close(_ dependencies: GatewayDependencies) async {
        await dependencies.postgres.close()
        await dependencies.redis.close()
        await dependencies.httpClient.shutdown()
    }
}
