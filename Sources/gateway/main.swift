import ArgumentParser
import Foundation
import Gateway
import HTTPClient
import Logging
import Postgres

@main
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Learning Gateway: adaptive microlearning over Slack and SMS.",
        discussion: """
            Settings come from the environment and, for variables it does not set, from a .env file \
            (see .env.example and docs/configuration.md). DATABASE_URL and REDIS_URL are required.
            """,
        subcommands: [Serve.self, Migrate.self, Simulate.self],
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

struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a correctly signed webhook to a running gateway and print what the bot answered.",
        subcommands: [SimulateSlack.self, SimulateSMS.self])
}

struct SimulateSlack: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slack",
        abstract: "Simulate a Slack direct message (or, with --command, a slash command).",
        discussion: """
            Signs with SLACK_SIGNING_SECRET, posts to the gateway at --url, then waits for the replies the gateway \
            queued (read from DATABASE_URL, so it works in dev mode without a bot token). Examples:
              gateway simulate slack --user U123 "hello"
              gateway simulate slack --user U123 --command "/learn start"
            """)

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "The Slack user id the message comes from.")
    var user: String = "U0SIMULATED"

    @Option(name: .long, help: "The DM channel id (default: D + the user id).")
    var channel: String?

    @Option(name: .long, help: "A slash command line to run instead of a message, e.g. \"/learn start\".")
    var command: String?

    @Option(name: .long, help: "The running gateway's base URL (default: http://BIND_HOST:PORT).")
    var url: String?

    @Option(name: .long, help: "Seconds to wait for the replies.")
    var timeout: Int = 15

    @Argument(help: "The message text.")
    var text: String?

    func run() async throws {
        let (configuration, _) = try loadConfiguration(common)
        guard command != nil || text != nil else { throw ValidationError("give a message text or --command") }
        try await runSimulation(configuration: configuration, url: url, silence: "(the gateway chose not to answer)") {
            resources in
            let simulator = SlackSimulator(
                configuration: configuration, gatewayURL: resources.gatewayURL,
                transport: resources.transport, postgres: resources.postgres)
            let channel = self.channel ?? "D" + user
            if let command {
                return try await simulator.command(command, user: user, channel: channel, timeout: .seconds(timeout))
            }
            return try await simulator.message(text ?? "", user: user, channel: channel, timeout: .seconds(timeout))
        }
    }
}

struct SimulateSMS: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sms",
        abstract: "Simulate an inbound SMS and print the SMS the gateway queued in reply.",
        discussion: """
            Signs with TWILIO_AUTH_TOKEN over PUBLIC_BASE_URL, posts to the gateway at --url, then waits for the \
            reply (read from DATABASE_URL, so it works in dev mode without a Twilio account). Examples:
              gateway simulate sms --from +15551234567 "START"
              gateway simulate sms --from +15551234567 "NEXT"
            """)

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "The E.164 number the SMS comes from.")
    var from: String = "+15550000001"

    @Option(name: .long, help: "The running gateway's base URL (default: http://BIND_HOST:PORT).")
    var url: String?

    @Option(name: .long, help: "Seconds to wait for the reply.")
    var timeout: Int = 15

    @Argument(help: "The message text.")
    var text: String

    func run() async throws {
        let (configuration, _) = try loadConfiguration(common)
        try await runSimulation(configuration: configuration, url: url, silence: "(no reply)") { resources in
            try await SMSSimulator(
                configuration: configuration, gatewayURL: resources.gatewayURL, transport: resources.transport,
                postgres: resources.postgres
            ).text(text, from: from, timeout: .seconds(timeout))
        }
    }
}

/// What a simulation needs: the gateway's URL, an HTTP client and a connection to its database.
struct SimulationResources {
    let gatewayURL: String
    let transport: CurlHTTPClient
    let postgres: PostgresConnectionPool
}

/// Opens the simulation's client and pool, runs `body`, closes both, and prints the replies (or `silence` when
/// there are none); a failure goes to standard error with exit code 1.
func runSimulation(
    configuration: GatewayConfiguration, url: String?, silence: String,
    _ body: (SimulationResources) async throws -> [String]
) async throws {
    // A gateway bound to every interface is reached on loopback.
    let host = configuration.bindHost == "0.0.0.0" ? "127.0.0.1" : configuration.bindHost
    let resources = SimulationResources(
        gatewayURL: url ?? "http://\(host):\(configuration.port)", transport: CurlHTTPClient(),
        postgres: PostgresConnectionPool(
            configuration: PostgresConfiguration(
                url: configuration.databaseURL, maxConnections: 1, searchPath: configuration.databaseSchema),
            logger: Logger(label: "simulate")))
    let outcome: Result<[String], any Error>
    do {
        outcome = .success(try await body(resources))
    } catch {
        outcome = .failure(error)
    }
    await resources.postgres.close()
    await resources.transport.shutdown()
    switch outcome {
    case .success(let replies):
        if replies.isEmpty { print(silence) }
        for reply in replies { print(reply) }
    case .failure(let error):
        FileHandle.standardError.write(Data("gateway simulate: \(error)\n".utf8))
        throw ExitCode(1)
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
