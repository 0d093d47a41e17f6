import Foundation
import Gateway
import HTTPClient
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Learning
import NIOCore
import Postgres
import SMS
import TestSupport
import Testing
import WebhookSamples

/// Inbound SMS through the real app and inbox worker: keywords, opt-out compliance, commands, the agent, and
/// status callbacks; replies are checked in the outbox.
@Suite struct SMSConversationTests {
    static let learner = "+15551234567"

    static func withGateway(
        _ body: @Sendable (any TestClientProtocol, GatewayDependencies) async throws -> Void
    ) async throws {
        let schema = try await TestSchema.create()
        let dependencies = try GatewayTestHarness.dependencies(
            schema: schema,
            ["TWILIO_AUTH_TOKEN": TwilioWebhookTests.token, "PUBLIC_BASE_URL": TwilioWebhookTests.publicBase])
        try await dependencies.migrator.migrate()
        try await CurriculumSync(pool: dependencies.postgres).sync(dependencies.curriculum)
        try await buildApplication(dependencies: dependencies, roles: [.web]).test(.router) { client in
            try await body(client, dependencies)
        }
        await GatewayTestHarness.close(dependencies)
        await schema.drop()
    }

    /// Texts `body` from `from`, lets the worker handle it, and returns the SMS parts queued in reply.
    static func text(
        _ body: String, from: String = learner, client: any TestClientProtocol, dependencies: GatewayDependencies
    ) async throws -> [String] {
        let sid = "SM" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let form = HTTPFormEncoding.encode([
            ("MessageSid", sid), ("AccountSid", "AC" + String(repeating: "0", count: 32)), ("From", from),
            ("To", "+13125550100"), ("Body", body), ("NumMedia", "0"),
        ])
        _ = try await TwilioWebhookTests.post(client, "/twilio/sms", Array(form.utf8), expect: .ok)
        try await dependencies.inboxProcessor.processOnce()
        return try await replies(to: sid, dependencies)
    }

    /// The SMS parts queued in reply to the inbound message `sid`.
    static func replies(to sid: String, _ dependencies: GatewayDependencies) async throws -> [String] {
        let rows = try await dependencies.postgres.query(
            """
            SELECT o.body::text AS body FROM outbound_messages o JOIN inbound_events e ON e.id = o.inbound_event_id
            WHERE e.external_id = $1
            """, [sid])
        guard let json = try rows.first?.decode(String.self, "body") else { return [] }
        return try JSONDecoder().decode(SMSOutboundBody.self, from: Data(json.utf8)).parts
    }

    static func optedOut(_ dependencies: GatewayDependencies, _ number: String = learner) async throws -> Bool {
        !(try await dependencies.postgres.query(
            "SELECT 1 FROM opt_outs WHERE channel = 'sms' AND address = $1", [number])).isEmpty
    }

    @Test func stopSilencesEverythingUntilStartAndHelpIsAlwaysAnswered() async throws {
        try await Self.withGateway { client, dependencies in
            func text(_ body: String) async throws -> [String] {
                try await Self.text(body, client: client, dependencies: dependencies)
            }
            #expect(try await text("hello").isEmpty == false)
            #expect(try await text("  stop ").isEmpty)
            #expect(try await Self.optedOut(dependencies))
            #expect(try await text("NEXT").isEmpty)
            #expect(try await text("what is APR?").isEmpty)
            let help = try await text("HELP")
            #expect(help.first?.contains("STOP") == true)
            let back = try await text("START")
            #expect(back.first?.contains("subscribed again") == true)
            #expect(try await !Self.optedOut(dependencies))
            #expect(try await text("NEXT").isEmpty == false)
        }
    }

    @Test(arguments: ["STOP", "stopall", "Unsubscribe", "CANCEL", "end", "QUIT", "REVOKE", "OPTOUT"])
    func everyOptOutKeywordOptsOut(_ keyword: String) async throws {
        try await Self.withGateway { client, dependencies in
            let replies = try await Self.text(keyword, client: client, dependencies: dependencies)
            #expect(replies.isEmpty)
            let optedOut = try await Self.optedOut(dependencies)
            #expect(optedOut)
        }
    }

    @Test func lessonComesWithLetteredOptionsAndALetterAnswersIt() async throws {
        try await Self.withGateway { client, dependencies in
            let lesson = try await Self.text("NEXT", client: client, dependencies: dependencies)
            let joined = lesson.joined(separator: "\n")
            #expect(joined.contains("A) ") && joined.contains("D) "))
            #expect(lesson.allSatisfy { $0.count <= 1600 })
            let verdict = try await Self.text("b", client: client, dependencies: dependencies)
            #expect(
                verdict.first.map { $0.contains("Correct") || $0.contains("Not quite") || $0.contains("answer") }
                    == true)
            let graded = try await dependencies.postgres.query("SELECT count(*) AS n FROM quiz_responses")
            #expect(try graded[0].decode(Int.self, "n") == 1)
        }
    }

    @Test func aSignedJSONMessageIsHandledLikeTheFormOne() async throws {
        try await Self.withGateway { client, dependencies in
            // The same START (opt in, or join), once as JSON from the sample's number and once as a form from another.
            let json = try WebhookSamples.data(provider: "twilio", name: "sms_inbound.json")
            let jsonSID = "SM2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d"
            let other = "+15557654321"
            let form = try WebhookSamples.text(provider: "twilio", name: "sms_inbound.form")
                .replacingOccurrences(of: "From=%2B15551234567", with: "From=%2B15557654321")
            let formSID = "SM1f0e2d3c4b5a69788796a5b4c3d2e1f0"
            _ = try await TwilioWebhookTests.postJSON(client, "/twilio/sms", json, expect: .ok)
            _ = try await TwilioWebhookTests.post(client, "/twilio/sms", Array(form.utf8), expect: .ok)
            try await dependencies.inboxProcessor.processOnce()

            let events = try await dependencies.postgres.query(
                "SELECT external_id, status FROM inbound_events ORDER BY external_id")
            #expect(
                try events.map { [try $0.decode(String.self, "external_id"), try $0.decode(String.self, "status")] }
                    == [[formSID, "done"], [jsonSID, "done"]])
            let viaJSON = try await Self.replies(to: jsonSID, dependencies)
            let viaForm = try await Self.replies(to: formSID, dependencies)
            #expect(viaJSON.first?.contains("subscribed") == true, "\(viaJSON)")
            #expect(viaJSON == viaForm)
            let learners = try await dependencies.postgres.query(
                """
                SELECT i.external_id, l.status FROM learner_identities i JOIN learners l ON l.id = i.learner_id
                WHERE i.channel = 'sms' ORDER BY i.external_id
                """)
            #expect(
                try learners.map { [try $0.decode(String.self, "external_id"), try $0.decode(String.self, "status")] }
                    == [[Self.learner, "active"], [other, "active"]])
            let destinations = try await dependencies.postgres.query(
                "SELECT destination FROM outbound_messages ORDER BY destination")
            #expect(try destinations.map { try $0.decode(String.self, "destination") } == [Self.learner, other])

            // A JSON status callback moves the reply forward like a form one.
            let reply = try await dependencies.postgres.query(
                "SELECT id FROM outbound_messages WHERE destination = $1", [Self.learner])
            let replyID = try #require(try reply.first?.decode(UUID.self, "id"))
            try await dependencies.outbox.markSent(replyID, providerMessageID: "SMjson1")
            let status = Array(
                #"{"MessageSid":"SMjson1","MessageStatus":"delivered","To":"+15551234567","From":"+13125550100"}"#
                    .utf8)
            _ = try await TwilioWebhookTests.postJSON(client, "/twilio/status", status, expect: .ok)
            try await dependencies.inboxProcessor.processOnce()
            let delivered = try await dependencies.postgres.query(
                "SELECT status, provider_status FROM outbound_messages WHERE provider_message_id = 'SMjson1'")
            #expect(try delivered.first?.decode(String.self, "status") == "delivered")
            #expect(try delivered.first?.decode(String?.self, "provider_status") == "delivered")
        }
    }

    @Test func timeAndTimeZoneCommandsUpdateTheLearner() async throws {
        try await Self.withGateway { client, dependencies in
            let time = try await Self.text("TIME 7:30", client: client, dependencies: dependencies)
            #expect(time.first?.contains("07:30") == true)
            let zone = try await Self.text("TZ America/Chicago", client: client, dependencies: dependencies)
            #expect(zone.first?.contains("America/Chicago") == true)
            let bad = try await Self.text("TIME 25:00", client: client, dependencies: dependencies)
            #expect(bad.isEmpty == false)
            let rows = try await dependencies.postgres.query(
                "SELECT to_char(delivery_time, 'HH24:MI') AS at, time_zone FROM learners")
            #expect(try rows[0].decode(String.self, "at") == "07:30")
            #expect(try rows[0].decode(String.self, "time_zone") == "America/Chicago")
        }
    }

    @Test func statusCallbacksOnlyMoveForwardAnd21610OptsTheNumberOut() async throws {
        try await Self.withGateway { client, dependencies in
            let id = try #require(
                try await dependencies.outbox.enqueue(
                    dedupeKey: "t:1", channel: "sms", destination: Self.learner, kind: "reply",
                    body: #"{"parts":["hi"]}"#))
            try await dependencies.outbox.markSent(id, providerMessageID: "SMstatus1")
            func callback(_ status: String, error: String? = nil) async throws {
                var fields = [
                    ("MessageSid", "SMstatus1"), ("MessageStatus", status), ("To", Self.learner),
                    ("From", "+13125550100"),
                ]
                if let error { fields.append(("ErrorCode", error)) }
                let form = HTTPFormEncoding.encode(fields)
                _ = try await TwilioWebhookTests.post(client, "/twilio/status", Array(form.utf8), expect: .ok)
                try await dependencies.inboxProcessor.processOnce()
            }
            func state() async throws -> (String, String?) {
                let rows = try await dependencies.postgres.query(
                    "SELECT status, provider_status FROM outbound_messages WHERE id = $1", [id])
                return (try rows[0].decode(String.self, "status"), try rows[0].decode(String?.self, "provider_status"))
            }
            try await callback("delivered")
            #expect(try await state() == ("delivered", "delivered"))
            try await callback("sent")  // late, out of order
            #expect(try await state() == ("delivered", "delivered"))
            try await callback("undelivered", error: "21610")
            #expect(try await state() == ("delivered", "delivered"))
            #expect(try await Self.optedOut(dependencies))
        }
    }
}
