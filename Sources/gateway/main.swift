import ArgumentParser
import Foundation
import Gateway
import Logging

@main
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Learning Gateway: adaptive microlearning over Slack and SMS.",
        discussion: """
            Settings come from the environment and, for variables it does not set, from a .env file \
            (see .env.example and docs/configuration.md). DATABASE_URL and REDIS_URL are required.
            """,
        subcommands: [Serve.self, Migrate.self],
        defaultSubcommand: Serve.self)
}

struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "A .env file read for variables the environment does not set.")
    var envFile: String = ".env"
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway until SIGTERM or SIGINT, then shut down gracefully.",
        discussion: """
            Roles: web serves HTTP (webhooks, agent API, /health, /ready, /metrics); worker processes stored \
            webhooks and sends replies; scheduler plans and sends the daily lessons. All three by default.
            """)

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Comma-separated roles this process runs: web, worker, scheduler.")
    var roles: String = "web,worker,scheduler"

    @Flag(name: .long, help: "Apply pending database migrations before serving.")
    var migrate = false

    func run() async throws {
        let (configuration, logger) = try loadConfiguration(common)
        let roleSet: Set<GatewayRole>
        do {
            roleSet = try GatewayRole.parseList(roles)
        } catch {
            throw ValidationError(error.description)
        }
        try await exitOnConfigurationError {
            try await GatewayCommandRunner.serve(
                configuration: configuration, roles: roleSet, migrateFirst: migrate, logger: logger)
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending database migrations and exit. Idempotent; safe from several replicas at once.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let (configuration, logger) = try loadConfiguration(common)
        try await exitOnConfigurationError {
            try await GatewayCommandRunner.migrate(configuration: configuration, logger: logger)
        }
    }
}

/// Runs `body`; a setting found bad while starting (a broken curriculum pack, say) ends the process like a
/// missing variable: exit code 78 and a message naming it.
func exitOnConfigurationError(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ConfigurationError {
        FileHandle.standardError.write(Data("gateway: configuration error: \(error.description)\n".utf8))
        throw ExitCode(78)
    }
}

/// Reads the configuration; a missing or malformed variable ends the process with exit code 78 (EX_CONFIG)
/// and a message naming it.
func loadConfiguration(_ options: CommonOptions) throws -> (GatewayConfiguration, Logger) {
    do {
        let configuration = try GatewayConfiguration.load(envFile: options.envFile)
        return (configuration, Logger.gateway(configuration: configuration))
    } catch let error as ConfigurationError {
        FileHandle.standardError.write(Data("gateway: configuration error: \(error.description)\n".utf8))
        throw ExitCode(78)
    }
}
