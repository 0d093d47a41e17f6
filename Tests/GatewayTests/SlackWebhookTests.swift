import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Postgres
import Slack
import TestSupport
import Testing
import WebhookSamples

@Suite struct SlackWebhookTests {
    static let secret = "8f742231b10e8888abcd99yyyzzz85a5"

    /// Headers Slack would send for `body` at `time`.
    static func signedHeaders(
        _ body: [UInt8], secret: String = secret, time: Date = Date(), contentType: String = "application/json"
    ) -> HTTPFields {
        let timestamp = String(Int64(time.timeIntervalSince1970))
        let signature = SlackSignatureVerifier(signingSecret: secret).signature(timestamp: timestamp, body: body)
        return [
            HTTPField.Name("X-Slack-Request-Timestamp")!: timestamp,
            HTTPField.Name("X-Slack-Signature")!: signature,
            .contentType: contentType,
        ]
    }

    /// A migrated schema, dependencies with Slack configured, and the app under test.
    static func withGateway(
        _ overrides: [String: String] = [:],
        _ body: @Sendable (any TestClientProtocol, GatewayDependencies) async throws -> Void
    ) async throws {
        let schema = try await TestSchema.create()
        var settings = ["SLACK_SIGNING_SECRET": secret]
        settings.merge(overrides) { _, new in new }
        let dependencies = try GatewayTestHarness.dependencies(schema: schema, settings)
        try await dependencies.migrator.migrate()
        try await buildApplication(dependencies: dependencies).test(.router) { client in
            try await body(client, dependencies)
        }
        await GatewayTestHarness.close(dependencies)
        await schema.drop()
    }

    static func storedEvents(_ schema: GatewayDependencies) async throws -> [(String, String, [UInt8])] {
        let rows = try await schema.postgres.query(
            "SELECT source, external_id, payload FROM inbound_events ORDER BY id")
        return try rows.map {
            (
                try $0.decode(String.self, "source"), try $0.decode(String.self, "external_id"),
                try $0.decode([UInt8].self, "payload")
            )
        }
    }

    @Test func urlVerificationAnswersTheChallenge() async throws {
        try await Self.withGateway { client, dependencies in
            let body = try WebhookSamples.data(provider: "slack", name: "url_verification.json")
            try await client.execute(
                uri: "/slack/events", method: .post, headers: Self.signedHeaders(body), body: ByteBuffer(bytes: body)
            ) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"))
            }
            #expect(try await Self.storedEvents(dependencies).isEmpty)
        }
    }

    @Test func signedEventIsStoredVerbatimBeforeTheAck() async throws {
        try await Self.withGateway { client, dependencies in
            let body = try WebhookSamples.data(provider: "slack", name: "event_message_im.json")
            try await client.execute(
                uri: "/slack/events", method: .post, headers: Self.signedHeaders(body), body: ByteBuffer(bytes: body)
            ) { response in
                #expect(response.status == .ok)
            }
            let stored = try await Self.storedEvents(dependencies)
            #expect(stored.count == 1)
            #expect(stored.first?.0 == "slack_event")
            #expect(stored.first?.1 == "Ev0MSGIM0001")
            #expect(stored.first?.2 == body)
        }
    }

    @Test func oneEventDeliveredThreeTimesIsStoredOnce() async throws {
        try await Self.withGateway { client, dependencies in
            let body = try WebhookSamples.data(provider: "slack", name: "event_app_mention.json")
            for retry in [nil, "1", "2"] {
                var headers = Self.signedHeaders(body)
                if let retry {
                    headers[HTTPField.Name("X-Slack-Retry-Num")!] = retry
                    headers[HTTPField.Name("X-Slack-Retry-Reason")!] = "http_timeout"
                }
                try await client.execute(
                    uri: "/slack/events", method: .post, headers: headers, body: ByteBuffer(bytes: body)
                ) { response in
                    #expect(response.status == .ok)
                }
            }
            #expect(try await Self.storedEvents(dependencies).count == 1)
        }
    }

    @Test func concurrentEventsAreAllStoredAndDuplicatesOnce() async throws {
        try await Self.withGateway { client, dependencies in
            let template = try WebhookSamples.text(provider: "slack", name: "event_message_im.json")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<300 {
                    // 200 distinct events, the last 100 repeating the first 100.
                    let id = "EvLOAD\(index % 200)"
                    let body = Array(template.replacingOccurrences(of: "Ev0MSGIM0001", with: id).utf8)
                    group.addTask {
                        try await client.execute(
                            uri: "/slack/events", method: .post, headers: Self.signedHeaders(body),
                            body: ByteBuffer(bytes: body)
                        ) { response in
                            #expect(response.status == .ok)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let stored = try await Self.storedEvents(dependencies)
            #expect(stored.count == 200)
            #expect(Set(stored.map(\.1)).count == 200)
        }
    }

    @Test(arguments: ["wrong secret", "stale", "future", "tampered body", "missing headers", "not v0"])
    func badSignatureIsRefusedWith401AndNothingStored(_ case: String) async throws {
        try await Self.withGateway { client, dependencies in
            let body = try WebhookSamples.data(provider: "slack", name: "event_message_im.json")
            var sent = body
            var headers: HTTPFields
            switch `case` {
            case "wrong secret": headers = Self.signedHeaders(body, secret: "another-secret")
            case "stale": headers = Self.signedHeaders(body, time: Date().addingTimeInterval(-330))
            case "future": headers = Self.signedHeaders(body, time: Date().addingTimeInterval(330))
            case "tampered body":
                headers = Self.signedHeaders(body)
                sent = Array(
                    String(decoding: body, as: UTF8.self).replacingOccurrences(of: "hello", with: "HELLO").utf8)
            case "missing headers": headers = [.contentType: "application/json"]
            default:
                headers = Self.signedHeaders(body)
                headers[HTTPField.Name("X-Slack-Signature")!] = headers[HTTPField.Name("X-Slack-Signature")!]!
                    .replacingOccurrences(of: "v0=", with: "v1=")
            }
            try await client.execute(
                uri: "/slack/events", method: .post, headers: headers, body: ByteBuffer(bytes: sent)
            ) { response in
                #expect(response.status == .unauthorized)
                let text = String(buffer: response.body)
                #expect(text.contains("invalid_signature"))
                #expect(!text.contains(Self.secret))
            }
            #expect(try await Self.storedEvents(dependencies).isEmpty)
        }
    }

    @Test func timestampWithinFiveMinutesIsAccepted() async throws {
        try await Self.withGateway { client, _ in
            let body = try WebhookSamples.data(provider: "slack", name: "event_app_home_opened.json")
            for offset in [-290.0, 290.0] {
                try await client.execute(
                    uri: "/slack/events", method: .post,
                    headers: Self.signedHeaders(body, time: Date().addingTimeInterval(offset)),
                    body: ByteBuffer(bytes: body)
                ) { response in
                    #expect(response.status == .ok)
                }
            }
        }
    }

    @Test func slashCommandAndInteractionAreStoredUnderTheirKeys() async throws {
        try await Self.withGateway { client, dependencies in
            let command = try WebhookSamples.data(provider: "slack", name: "command_learn.form")
            let form = "application/x-www-form-urlencoded"
            try await client.execute(
                uri: "/slack/commands", method: .post, headers: Self.signedHeaders(command, contentType: form),
                body: ByteBuffer(bytes: command)
            ) { response in
                #expect(response.status == .ok)
            }
            let interaction = try WebhookSamples.data(provider: "slack", name: "interaction_block_actions.form")
            for _ in 0..<2 {
                try await client.execute(
                    uri: "/slack/interactions", method: .post,
                    headers: Self.signedHeaders(interaction, contentType: form),
                    body: ByteBuffer(bytes: interaction)
                ) { response in
                    #expect(response.status == .ok)
                }
            }
            let stored = try await Self.storedEvents(dependencies)
            #expect(stored.map(\.0) == ["slack_command", "slack_interaction"])
            #expect(stored[0].1 == "13345224609.738474920.8088930838d88f008e0")
            #expect(stored[1].1 == "U0LEARNER1:quiz_answer:1763900310.123456")
        }
    }

    @Test func sslCheckIsAnsweredWithoutStoring() async throws {
        try await Self.withGateway { client, dependencies in
            try await client.execute(
                uri: "/slack/commands?ssl_check=1", method: .post, body: ByteBuffer(string: "ssl_check=1&token=x")
            ) { response in
                #expect(response.status == .ok)
            }
            #expect(try await Self.storedEvents(dependencies).isEmpty)
        }
    }

    @Test(arguments: [
        ("/slack/events", "{not json"), ("/slack/events", #"{"type":"event_callback"}"#),
        ("/slack/commands", "command=%2Flearn&text=%ZZ"), ("/slack/commands", "text=start"),
        ("/slack/interactions", "payload=%7B%22type%22%3A1%7D"), ("/slack/interactions", "nopayload=1"),
    ])
    func signedButMalformedBodyIs400(path: String, body: String) async throws {
        try await Self.withGateway { client, dependencies in
            let bytes = Array(body.utf8)
            try await client.execute(
                uri: path, method: .post, headers: Self.signedHeaders(bytes), body: ByteBuffer(bytes: bytes)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("malformed_request"))
            }
            #expect(try await Self.storedEvents(dependencies).isEmpty)
        }
    }

    @Test func withoutASigningSecretEverySlackRequestIsRefused() async throws {
        try await Self.withGateway(["SLACK_SIGNING_SECRET": ""]) { client, dependencies in
            let body = try WebhookSamples.data(provider: "slack", name: "event_message_im.json")
            try await client.execute(
                uri: "/slack/events", method: .post, headers: Self.signedHeaders(body), body: ByteBuffer(bytes: body)
            ) { response in
                #expect(response.status == .unauthorized)
            }
            #expect(try await Self.storedEvents(dependencies).isEmpty)
        }
    }

    @Test func postgresDownAnswers503SoSlackRetries() async throws {
        let dependencies = try GatewayTestHarness.dependencies(
            schema: nil, ["SLACK_SIGNING_SECRET": Self.secret, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"])
        try await buildApplication(dependencies: dependencies).test(.router) { client in
            let body = try WebhookSamples.data(provider: "slack", name: "event_message_im.json")
            try await client.execute(
                uri: "/slack/events", method: .post, headers: Self.signedHeaders(body), body: ByteBuffer(bytes: body)
            ) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "1")
                #expect(!String(buffer: response.body).contains("127.0.0.1"))
            }
        }
        await GatewayTestHarness.close(dependencies)
    }
}
