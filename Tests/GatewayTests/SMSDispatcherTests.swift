import Foundation
import Gateway
import Postgres
import SMS
import TestSupport
import Testing

@Suite struct SMSDispatcherTests {
    static let number = "+15551234567"

    static func withDispatcher(
        configured: Bool = true, extra: [String: String] = [:], _ body: @Sendable (GatewayDependencies, TwilioAPIStandIn) async throws -> Void
    ) async throws {
        let standIn = TwilioAPIStandIn()
        try await standIn.run { baseURL in
            let schema = try await TestSchema.create()
            var settings = ["TWILIO_AUTH_TOKEN": standIn.authToken]
            if configured {
                settings["TWILIO_ACCOUNT_SID"] = standIn.accountSID
                settings["TWILIO_FROM_NUMBER"] = "+13125550100"
                settings["TWILIO_API_BASE_URL"] = baseURL
            }
            settings.merge(extra) { _, new in new }
            let dependencies = try GatewayTestHarness.dependencies(schema: schema, settings)
            try await dependencies.migrator.migrate()
            do {
                try await body(dependencies, standIn)
            } catch {
                await GatewayTestHarness.close(dependencies)
                await schema.drop()
                throw error
            }
            await GatewayTestHarness.close(dependencies)
            await schema.drop()
        }
    }

    static func enqueue(_ dependencies: GatewayDependencies, parts: [String]) async throws -> UUID {
        let body = String(decoding: try JSONEncoder().encode(SMSOutboundBody(parts: parts)), as: UTF8.self)
        return try #require(
            try await dependencies.outbox.enqueue(
                dedupeKey: UUID().uuidString, channel: "sms", destination: number, kind: "lesson", body: body))
    }

    static func status(_ dependencies: GatewayDependencies, _ id: UUID) async throws -> (String, String?) {
        let rows = try await dependencies.postgres.query(
            "SELECT status, provider_message_id FROM outbound_messages WHERE id = $1", [id])
        return (try rows[0].decode(String.self, "status"), try rows[0].decode(String?.self, "provider_message_id"))
    }

    @Test func partsGoOutInOrderPacedToOneASecondPerSender() async throws {
        try await Self.withDispatcher { dependencies, standIn in
            let id = try await Self.enqueue(dependencies, parts: ["part one", "part two"])
            try await dependencies.smsDispatcher.dispatchOnce()
            #expect(standIn.calls.map { $0.field("Body") } == ["part one"])
            #expect(try await Self.status(dependencies, id).0 == "queued")
            try await Task.sleep(for: .milliseconds(1100))
            try await dependencies.smsDispatcher.dispatchOnce()
            #expect(standIn.calls.map { $0.field("Body") } == ["part one", "part two"])
            #expect(standIn.calls.allSatisfy { $0.field("To") == Self.number && $0.field("From") == "+13125550100" })
            #expect(standIn.calls.first?.field("StatusCallback")?.hasSuffix("/twilio/status") == true)
            let (status, sid) = try await Self.status(dependencies, id)
            #expect(status == "sent")
            #expect(sid?.hasPrefix("SM") == true)
        }
    }

    @Test func theSendersPaceIsConfigurable() async throws {
        try await Self.withDispatcher(extra: ["TWILIO_MESSAGES_PER_SECOND": "10"]) { dependencies, standIn in
            let id = try await Self.enqueue(dependencies, parts: ["part one", "part two"])
            try await dependencies.smsDispatcher.dispatchOnce()
            try await Task.sleep(for: .milliseconds(150))
            try await dependencies.smsDispatcher.dispatchOnce()
            #expect(standIn.calls.map { $0.field("Body") } == ["part one", "part two"])
            #expect(try await Self.status(dependencies, id).0 == "sent")
        }
    }

    @Test func anOptedOutNumberIsSentNothing() async throws {
        try await Self.withDispatcher { dependencies, standIn in
            try await dependencies.postgres.query(
                "INSERT INTO opt_outs (channel, address, keyword) VALUES ('sms', $1, 'STOP')", [Self.number])
            // A lesson queued for the number anyway (scheduled or pushed by an admin).
            let id = try await Self.enqueue(dependencies, parts: ["lesson"])
            try await dependencies.smsDispatcher.dispatchOnce()
            #expect(standIn.calls.isEmpty)
            #expect(try await Self.status(dependencies, id).0 == "suppressed")
        }
    }

    @Test func twilioSaying21610OptsTheNumberOut() async throws {
        try await Self.withDispatcher { dependencies, standIn in
            standIn.script([.init(status: 400, code: 21610)])
            let id = try await Self.enqueue(dependencies, parts: ["hello"])
            try await dependencies.smsDispatcher.dispatchOnce()
            #expect(try await Self.status(dependencies, id).0 == "suppressed")
            let rows = try await dependencies.postgres.query(
                "SELECT source FROM opt_outs WHERE channel = 'sms' AND address = $1", [Self.number])
            #expect(try rows.first?.decode(String.self, "source") == "carrier")
        }
    }

    @Test func rateLimitedSMSWaitsAndPermanentErrorsStop() async throws {
        try await Self.withDispatcher { dependencies, standIn in
            standIn.script([.init(status: 429, retryAfter: 1), .init(status: 400, code: 21211)])
            let limited = try await Self.enqueue(dependencies, parts: ["one"])
            try await dependencies.smsDispatcher.dispatchOnce()
            #expect(try await Self.status(dependencies, limited).0 == "queued")
            try await Task.sleep(for: .milliseconds(1100))
            try await dependencies.smsDispatcher.dispatchOnce()
            #expect(try await Self.status(dependencies, limited).0 == "failed")
            #expect(standIn.calls.count == 2)
        }
    }

    @Test func withoutATwilioAccountSMSAreRecordedNotSent() async throws {
        try await Self.withDispatcher(configured: false) { dependencies, standIn in
            let id = try await Self.enqueue(dependencies, parts: ["hello"])
            try await dependencies.smsDispatcher.dispatchOnce()
            #expect(try await Self.status(dependencies, id).0 == "recorded")
            #expect(standIn.calls.isEmpty)
        }
    }
}
