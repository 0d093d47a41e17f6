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
