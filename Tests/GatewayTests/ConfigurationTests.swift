import Foundation
import Gateway
import Logging
import Testing

@Suite struct ConfigurationTests {
    let minimal = ["DATABASE_URL": "postgres://u@127.0.0.1:5432/db", "REDIS_URL": "redis://127.0.0.1:6379/0"]

    @Test func defaultsFollowTheInterfaceContract() throws {
        let configuration = try GatewayConfiguration(environment: minimal)
        #expect(configuration.port == 8080)
        #expect(configuration.bindHost == "127.0.0.1")
        #expect(configuration.publicBaseURL == "http://127.0.0.1:8080")
        #expect(configuration.slack.apiBaseURL == "https://slack.com/api")
        #expect(configuration.twilio.apiBaseURL == "https://api.twilio.com")
        #expect(configuration.anthropic.baseURL == "https://api.anthropic.com")
        #expect(configuration.anthropic.model == "claude-haiku-4-5")
        #expect(configuration.logFormat == .json)
        #expect(configuration.logLevel == .info)
        #expect(configuration.apiKeys.isEmpty)
        #expect(configuration.slack.botToken == nil)
        #expect(configuration.httpIdleTimeout == .seconds(75))
        #expect(configuration.httpBodyTimeout == .seconds(10))
        #expect(configuration.inboxWriters == 2)
        #expect(try GatewayConfiguration(environment: minimal.merging(["INBOX_WRITERS": "6"]) { $1 }).inboxWriters == 6)
    }

    @Test(arguments: ["DATABASE_URL", "REDIS_URL"])
    func missingRequiredVariableIsNamed(_ variable: String) {
        var environment = minimal
        environment[variable] = nil
        let error = #expect(throws: ConfigurationError.self) { try GatewayConfiguration(environment: environment) }
        #expect(error?.variable == variable)
        #expect(error?.missing == true)
        #expect(error?.description.contains(variable) == true)
    }

    @Test func emptyValueCountsAsMissing() {
        var environment = minimal
        environment["DATABASE_URL"] = "   "
        let error = #expect(throws: ConfigurationError.self) { try GatewayConfiguration(environment: environment) }
        #expect(error?.missing == true)
    }

    @Test(arguments: [
        ("PORT", "eighty"), ("PORT", "70000"), ("LOG_FORMAT", "xml"), ("LOG_LEVEL", "loud"),
        ("DATABASE_URL", "mysql://x"), ("REDIS_URL", "http://x"), ("SLACK_API_BASE_URL", "ftp://slack"),
        ("PUBLIC_BASE_URL", "not a url"), ("TWILIO_FROM_NUMBER", "555-0100"), ("MAX_BODY_BYTES", "12"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token-secret"), ("GATEWAY_API_KEYS", "short"),
        ("ADMIN_SLACK_USER_IDS", "U123,bad id"), ("TWILIO_MESSAGES_PER_SECOND", "fast"),
        ("HTTP_IDLE_TIMEOUT_MS", "999"), ("HTTP_BODY_TIMEOUT_MS", "forever"), ("HTTP_BODY_TIMEOUT_MS", "99"),
        ("INBOX_WRITERS", "0"), ("INBOX_WRITERS", "33"),
    ])
    func malformedValueIsNamedWithoutEchoingIt(variable: String, value: String) {
        var environment = minimal
        environment[variable] = value
        let error = #expect(throws: ConfigurationError.self) { try GatewayConfiguration(environment: environment) }
        #expect(error?.variable == variable)
        #expect(error?.missing == false)
        #expect(error?.description.contains(value) == false)
    }

    @Test func twilioAccountNeedsTokenAndSender() {
        var environment = minimal
        environment["TWILIO_ACCOUNT_SID"] = "AC" + String(repeating: "0", count: 32)
        let noToken = #expect(throws: ConfigurationError.self) { try GatewayConfiguration(environment: environment) }
        #expect(noToken?.variable == "TWILIO_AUTH_TOKEN")
        environment["TWILIO_AUTH_TOKEN"] = "secret-token"
        let noSender = #expect(throws: ConfigurationError.self) { try GatewayConfiguration(environment: environment) }
        #expect(noSender?.variable == "TWILIO_FROM_NUMBER")
        environment["TWILIO_MESSAGING_SERVICE_SID"] = "MG" + String(repeating: "1", count: 32)
        #expect(throws: Never.self) { try GatewayConfiguration(environment: environment) }
    }

    @Test func listsAreSplitAndTrimmed() throws {
        var environment = minimal
        environment["GATEWAY_API_KEYS"] = " key-aaaaaaaaaaaaaaaa , key-bbbbbbbbbbbbbbbb,"
        environment["ADMIN_SLACK_USER_IDS"] = "U01,U02"
        environment["PUBLIC_BASE_URL"] = "https://gw.example.com/"
        let configuration = try GatewayConfiguration(environment: environment)
        #expect(configuration.apiKeys == ["key-aaaaaaaaaaaaaaaa", "key-bbbbbbbbbbbbbbbb"])
        #expect(configuration.adminSlackUserIDs == ["U01", "U02"])
        #expect(configuration.publicBaseURL == "https://gw.example.com")
    }

    @Test func environmentWinsOverDotEnv() throws {
        let fallback = try DotEnv.parse(
            """
            # local settings
            export DATABASE_URL=postgres://from-file@127.0.0.1/db
            REDIS_URL='redis://127.0.0.1:6390/1'
            PORT=9090 # trailing comment
            SLACK_SIGNING_SECRET="a \\"quoted\\" secret"
            """)
        #expect(fallback["SLACK_SIGNING_SECRET"] == #"a "quoted" secret"#)
        let configuration = try GatewayConfiguration(
            environment: ["DATABASE_URL": "postgres://from-env@127.0.0.1/db"], fallback: fallback)
        #expect(configuration.databaseURL == "postgres://from-env@127.0.0.1/db")
        #expect(configuration.redisURL == "redis://127.0.0.1:6390/1")
        #expect(configuration.port == 9090)
    }

    @Test func malformedDotEnvLineIsReportedByNumber() {
        let error = #expect(throws: ConfigurationError.self) { try DotEnv.parse("A=1\nthis is not a setting\n") }
        #expect(error?.variable == ".env line 2")
    }

    @Test func rolesParseAndRejectUnknownNames() throws {
        #expect(try GatewayRole.parseList("web, scheduler") == [.web, .scheduler])
        #expect(throws: ConfigurationError.self) { try GatewayRole.parseList("web,cron") }
        #expect(throws: ConfigurationError.self) { try GatewayRole.parseList("") }
    }
}

@Suite struct CurriculumStartupTests {
    @Test func brokenCurriculumStopsStartNamingFileEntryAndFault() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("curriculum-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("topics"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = URL(fileURLWithPath: GatewayTestHarness.curriculumDirectory)
        try FileManager.default.copyItem(
            at: source.appendingPathComponent("pack.json"), to: folder.appendingPathComponent("pack.json"))
        for name in try FileManager.default.contentsOfDirectory(atPath: source.appendingPathComponent("topics").path) {
            var text = try String(contentsOf: source.appendingPathComponent("topics/\(name)"), encoding: .utf8)
            if name == "rewards.json" {
                // The first lesson loses its correct answer index.
                text = text.replacing(/"correct_index": \d/, with: "\"correct_index\": 9", maxReplacements: 1)
            }
            try text.write(to: folder.appendingPathComponent("topics/\(name)"), atomically: true, encoding: .utf8)
        }
        let error = #expect(throws: ConfigurationError.self) {
            try GatewayTestHarness.dependencies(schema: nil, ["CURRICULUM_DIR": folder.path])
        }
        #expect(error?.variable == "CURRICULUM_DIR")
        #expect(error?.description.contains("topics/rewards.json") == true)
        #expect(error?.description.contains("rewards-easy-1") == true)
    }
}
