import Foundation
import Gateway
import HTTPClient
import Hummingbird
import HummingbirdTesting
import Learning
import Postgres
import TestSupport
import Testing

/// `gateway simulate slack` against a live gateway in dev mode (no bot token): the replies come back from the
/// outbox, nothing is sent to Slack.
@Suite struct SlackSimulatorTests {
    @Test func simulatedMessageAndCommandPrintTheBotsReplies() async throws {
        let schema = try await TestSchema.create()
        let dependencies = try GatewayTestHarness.dependencies(schema: schema, ["SLACK_SIGNING_SECRET": "sim-secret"])
        try await dependencies.migrator.migrate()
        try await buildApplication(dependencies: dependencies).test(.live) { client in
            let port = try #require(client.port)
            let transport = CurlHTTPClient()
            let simulator = SlackSimulator(
                configuration: dependencies.configuration, gatewayURL: "http://127.0.0.1:\(port)", transport: transport,
                postgres: dependencies.postgres)
            let greeting = try await simulator.message(
                "hello", user: "U0SIM1", channel: "DU0SIM1", timeout: .seconds(15))
            #expect(greeting.count == 1)
            #expect(greeting.first?.contains("tutor") == true)
            let lesson = try await simulator.command(
                "/learn next", user: "U0SIM1", channel: "DU0SIM1", timeout: .seconds(15))
            #expect(lesson.contains { $0.contains("DMs") })
            #expect(lesson.count == 2)
            let statuses = try await dependencies.postgres.query("SELECT DISTINCT status FROM outbound_messages")
            let all = try statuses.map { try $0.decode(String.self, "status") }
            #expect(all.allSatisfy { $0 == "recorded" || $0 == "queued" || $0 == "sending" })
            await transport.shutdown()
        }
        await GatewayTestHarness.close(dependencies)
        await schema.drop()
    }

    @Test func aWrongSecretIsReportedNotIgnored() async throws {
        let schema = try await TestSchema.create()
        let dependencies = try GatewayTestHarness.dependencies(schema: schema, ["SLACK_SIGNING_SECRET": "right"])
        try await dependencies.migrator.migrate()
        try await buildApplication(dependencies: dependencies, roles: [.web]).test(.live) { client in
            let port = try #require(client.port)
            let transport = CurlHTTPClient()
            let wrong = try GatewayTestHarness.configuration(schema: schema, ["SLACK_SIGNING_SECRET": "wrong"])
            let simulator = SlackSimulator(
                configuration: wrong, gatewayURL: "http://127.0.0.1:\(port)", transport: transport,
                postgres: dependencies.postgres)
            let error = await #expect(throws: SlackSimulator.Failure.self) {
                try await simulator.message("hi", user: "U1", channel: "D1", timeout: .seconds(2))
            }
            #expect(error?.description.contains("401") == true)
            await transport.shutdown()
        }
        await GatewayTestHarness.close(dependencies)
        await schema.drop()
    }
}

/// `gateway simulate sms` against a live gateway in dev mode (no Twilio account).
@Suite struct SMSSimulatorTests {
    @Test func simulatedTextsShowKeywordsAndReplies() async throws {
        let schema = try await TestSchema.create()
        let dependencies = try GatewayTestHarness.dependencies(
            schema: schema, ["TWILIO_AUTH_TOKEN": "sim-token-0000000000", "PUBLIC_BASE_URL": "https://sms.example.com"])
        try await dependencies.migrator.migrate()
        try await buildApplication(dependencies: dependencies).test(.live) { client in
            let port = try #require(client.port)
            let transport = CurlHTTPClient()
            let simulator = SMSSimulator(
                configuration: dependencies.configuration, gatewayURL: "http://127.0.0.1:\(port)",
                transport: transport, postgres: dependencies.postgres)
            let help = try await simulator.text("HELP", from: "+15557654321", timeout: .seconds(15))
            #expect(help.first?.contains("Reply STOP") == true)
            let stop = try await simulator.text("STOP", from: "+15557654321", timeout: .seconds(15))
            #expect(stop.isEmpty)
            let silenced = try await simulator.text("NEXT", from: "+15557654321", timeout: .seconds(15))
            #expect(silenced.isEmpty)
            await transport.shutdown()
        }
        await GatewayTestHarness.close(dependencies)
        await schema.drop()
    }
}
