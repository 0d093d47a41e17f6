import Foundation
import Logging

/// Every setting the gateway reads, validated once at start. Reading never prints a value, and neither does
/// `description`: the URLs may carry passwords and half the settings are secrets.
package struct GatewayConfiguration: Sendable, CustomStringConvertible {
    package enum LogFormat: String, Sendable { case json, text }

    package struct Slack: Sendable {
        /// Verifies inbound requests; without it the Slack routes refuse everything.
        package var signingSecret: String?
        /// Posts messages; without it outbound Slack messages are recorded and printed (dev mode).
        package var botToken: String?
        package var apiBaseURL: String
    }

    package struct Twilio: Sendable {
        package var accountSID: String?
        package var authToken: String?
        package var fromNumber: String?
        package var messagingServiceSID: String?
        package var apiBaseURL: String
        /// Messages a second per sender (Twilio's long-code pace is 1; toll-free and short codes allow more).
        package var messagesPerSecond: Int
    }

    package struct Anthropic: Sendable {
        /// With a key the agent uses Claude's tool use; without, the deterministic planner.
        package var apiKey: String?
        package var model: String
        package var baseURL: String
    }

    package var databaseURL: String
    package var redisURL: String
    package var port: Int
    package var bindHost: String
    /// The URL providers reach us at (Twilio signs it); defaults to http://BIND_HOST:PORT.
    package var publicBaseURL: String
    package var slack: Slack
    package var twilio: Twilio
    package var anthropic: Anthropic
    /// Keys accepted in `X-API-Key` by the agent API; empty refuses every API call.
    package var apiKeys: [String]
    /// Slack user ids that are admins from the start (more are added with `/learn-admin admins add`).
    package var adminSlackUserIDs: [String]
    package var logLevel: Logger.Level
    package var logFormat: LogFormat
    /// Largest request body accepted; larger ones get 413.
    package var maxBodyBytes: Int
    /// How long a connection may stay idle, between requests or before a request's headers are complete, before
    /// it is closed. Longer than the load balancer's idle timeout (60 s), so the balancer closes first.
    package var httpIdleTimeout: Duration
    /// How long a request's body may take to arrive once its headers are in; a slower client gets 408 and its
    /// connection is closed.
    package var httpBodyTimeout: Duration
    /// Inbox group-commit writers: commits in flight at once, each on a pooled connection.
    package var inboxWriters: Int
    package var databasePoolSize: Int
    package var redisPoolSize: Int
    /// Postgres `statement_timeout` for every statement.
    package var statementTimeout: Duration
    /// Postgres schema for every connection (tests use their own); nil keeps the server's default.
    package var databaseSchema: String?
    /// Prepended to every Redis key, so several deployments (or test runs) can share one Redis.
    package var redisKeyPrefix: String
    /// The curriculum pack folder (`pack.json` and `topics/`).
    package var curriculumDirectory: String

    /// Reads the configuration from `environment`, falling back to the `.env`-style `fallback` for variables
    /// the environment does not set. Throws the first `ConfigurationError` found.
    package init(environment: [String: String], fallback: [String: String] = [:]) throws(ConfigurationError) {
        let reader = Reader(environment: environment, fallback: fallback)
        databaseURL = try reader.required(
            "DATABASE_URL", expected: "a Postgres URL such as postgres://user@host:5432/db"
        ) {
            $0.hasPrefix("postgres://") || $0.hasPrefix("postgresql://")
        }
        redisURL = try reader.required("REDIS_URL", expected: "a Redis URL such as redis://127.0.0.1:6379/0") {
            $0.hasPrefix("redis://")
        }
        port = try reader.integer("PORT", default: 8080, range: 0...65535, expected: "a TCP port from 0 to 65535")
        bindHost =
            try reader.optional("BIND_HOST", expected: "an IP address or host name") { !$0.contains(" ") }
            ?? "127.0.0.1"
        publicBaseURL = try reader.url("PUBLIC_BASE_URL") ?? "http://\(bindHost):\(port)"
        while publicBaseURL.hasSuffix("/") { publicBaseURL.removeLast() }

        slack = Slack(
            signingSecret: try reader.optional("SLACK_SIGNING_SECRET", expected: "the app's signing secret"),
            botToken: try reader.optional("SLACK_BOT_TOKEN", expected: "a bot token starting with xoxb-") {
                $0.hasPrefix("xoxb-")
            },
            apiBaseURL: try reader.url("SLACK_API_BASE_URL") ?? "https://slack.com/api")

        twilio = Twilio(
            accountSID: try reader.optional("TWILIO_ACCOUNT_SID", expected: "an account SID starting with AC") {
                $0.hasPrefix("AC") && $0.count == 34
            },
            authToken: try reader.optional("TWILIO_AUTH_TOKEN", expected: "the account's auth token"),
            fromNumber: try reader.optional("TWILIO_FROM_NUMBER", expected: "an E.164 number such as +15551234567") {
                Self.isE164($0)
            },
            messagingServiceSID: try reader.optional(
                "TWILIO_MESSAGING_SERVICE_SID", expected: "a Messaging Service SID starting with MG"
            ) { $0.hasPrefix("MG") && $0.count == 34 },
            apiBaseURL: try reader.url("TWILIO_API_BASE_URL") ?? "https://api.twilio.com",
            messagesPerSecond: try reader.integer(
                "TWILIO_MESSAGES_PER_SECOND", default: 1, range: 1...1000, expected: "a whole number from 1 to 1000"))
        if twilio.accountSID != nil {
            guard twilio.authToken != nil else {
                throw .missing("TWILIO_AUTH_TOKEN", expected: "the auth token of TWILIO_ACCOUNT_SID")
            }
            guard twilio.fromNumber != nil || twilio.messagingServiceSID != nil else {
                throw .missing(
                    "TWILIO_FROM_NUMBER", expected: "the sending number (or set TWILIO_MESSAGING_SERVICE_SID)")
            }
        }

        anthropic = Anthropic(
            apiKey: try reader.optional("ANTHROPIC_API_KEY", expected: "an Anthropic API key"),
            model: try reader.optional("ANTHROPIC_MODEL", expected: "a model name") ?? "claude-haiku-4-5",
            baseURL: try reader.url("ANTHROPIC_BASE_URL") ?? "https://api.anthropic.com")

        apiKeys = reader.list("GATEWAY_API_KEYS")
        if let short = apiKeys.first(where: { $0.count < 16 }) {
            _ = short
            throw .malformed("GATEWAY_API_KEYS", expected: "a comma-separated list of keys of at least 16 characters")
        }
        adminSlackUserIDs = reader.list("ADMIN_SLACK_USER_IDS")
        if adminSlackUserIDs.contains(where: { !$0.allSatisfy({ $0.isUppercase || $0.isNumber }) }) {
            throw .malformed(
                "ADMIN_SLACK_USER_IDS", expected: "a comma-separated list of Slack user ids such as U0123ABCD")
        }

        let level = try reader.optional(
            "LOG_LEVEL", expected: "one of trace, debug, info, notice, warning, error, critical"
        ) {
            Logger.Level(rawValue: $0.lowercased()) != nil
        }
        logLevel = level.flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        let format = try reader.optional("LOG_FORMAT", expected: "json or text") { LogFormat(rawValue: $0) != nil }
        logFormat = format.flatMap(LogFormat.init(rawValue:)) ?? .json

        maxBodyBytes = try reader.integer(
            "MAX_BODY_BYTES", default: 1 << 20, range: 1024...(64 << 20), expected: "a byte count from 1024 to 67108864"
        )
        httpIdleTimeout = .milliseconds(
            try reader.integer(
                "HTTP_IDLE_TIMEOUT_MS", default: 75_000, range: 1000...3_600_000,
                expected: "milliseconds from 1000 to 3600000"))
        httpBodyTimeout = .milliseconds(
            try reader.integer(
                "HTTP_BODY_TIMEOUT_MS", default: 10_000, range: 100...600_000, expected: "milliseconds from 100 to 600000"
            ))
        databasePoolSize = try reader.integer(
            "DATABASE_POOL_SIZE", default: 10, range: 1...200, expected: "a connection count from 1 to 200")
        inboxWriters = try reader.integer(
            "INBOX_WRITERS", default: 2, range: 1...32, expected: "a writer count from 1 to 32")
        redisPoolSize = try reader.integer(
            "REDIS_POOL_SIZE", default: 8, range: 1...200, expected: "a connection count from 1 to 200")
        statementTimeout = .milliseconds(
            try reader.integer(
                "DATABASE_STATEMENT_TIMEOUT_MS", default: 15_000, range: 100...600_000,
                expected: "milliseconds from 100 to 600000"))
        databaseSchema = try reader.optional("DATABASE_SCHEMA", expected: "a schema name of letters, digits and _") {
            $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
        }
        curriculumDirectory = try reader.optional("CURRICULUM_DIR", expected: "a folder path") ?? "bots/curriculum"
        redisKeyPrefix =
            try reader.optional("REDIS_KEY_PREFIX", expected: "a key prefix without spaces") {
                !$0.contains(where: \.isWhitespace)
            } ?? ""
    }

    package var description: String {
        "GatewayConfiguration(bindHost: \(bindHost), port: \(port), publicBaseURL: \(publicBaseURL), "
            + "logLevel: \(logLevel), secrets and store URLs: <redacted>)"
    }

    /// Reads the process environment, with the `.env` file at `envFile` (if it exists) as fallback.
    package static func load(envFile: String = ".env") throws -> GatewayConfiguration {
        let fallback = try DotEnv.load(path: envFile)
        return try GatewayConfiguration(environment: ProcessInfo.processInfo.environment, fallback: fallback)
    }

    /// `+` then 8 to 15 digits, not starting with 0.
    package static func isE164(_ text: String) -> Bool {
        let digits = text.dropFirst()
        return text.hasPrefix("+") && (8...15).contains(digits.count) && digits.first != "0"
            && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }
}

/// Looks variables up (environment first, then `.env`), treating empty values as absent.
private struct Reader {
    let environment: [String: String]
    let fallback: [String: String]

    func raw(_ name: String) -> String? {
        let value = (environment[name] ?? fallback[name])?.trimmingCharacters(in: .whitespaces)
        return value?.isEmpty == false ? value : nil
    }

    func required(
        _ name: String, expected: String, valid: (String) -> Bool = { _ in true }
    ) throws(ConfigurationError) -> String {
        guard let value = raw(name) else { throw .missing(name, expected: expected) }
        guard valid(value) else { throw .malformed(name, expected: expected) }
        return value
    }

    func optional(
        _ name: String, expected: String, valid: (String) -> Bool = { _ in true }
    ) throws(ConfigurationError) -> String? {
        guard let value = raw(name) else { return nil }
        guard valid(value) else { throw .malformed(name, expected: expected) }
        return value
    }

    func integer(
        _ name: String, default defaultValue: Int, range: ClosedRange<Int>, expected: String
    ) throws(ConfigurationError) -> Int {
        guard let text = raw(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else { throw .malformed(name, expected: expected) }
        return value
    }

    func url(_ name: String) throws(ConfigurationError) -> String? {
        let value = try optional(name, expected: "an http:// or https:// URL") { text in
            guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
                scheme == "http" || scheme == "https", components.host?.isEmpty == false
            else { return false }
            return true
        }
        return value.map { text in
            var trimmed = text
            while trimmed.hasSuffix("/") { trimmed.removeLast() }
            return trimmed
        }
    }

    func list(_ name: String) -> [String] {
        (raw(name) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
