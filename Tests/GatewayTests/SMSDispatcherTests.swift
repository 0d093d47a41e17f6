import Foundation
import Gateway
import Postgres
import SMS
import TestSupport
import Testing

@Suite struct SMSDispatcherTests {
    static let number = "+15551234567"

    static func withDispatcher(
        configured: Bool = true, extra: [String: String] = [:],
        _ body: @Sendable (GatewayDependencies, TwilioAPIStandIn) async throws -> Void
    ) async throws {
        let standIn = TwilioAPIStandIn()
        try await standIn.run { baseURL in
            var settings = ["TWILIO_AUTH_TOKEN": standIn.authToken]
            if configured {
                settings["TWILIO_ACCOUNT_SID"] = standIn.accountSID
                settings["TWILIO_FROM_NUMBER"] = "+13125550100"
                settings["TWILIO_API_BASE_URL"] = baseURL
            }
            settings.merge(extra) { _, new in new }
            try await GatewayTestHarness.withDependencies(settings) { dependencies in
                try await body(dependencies, standIn)
            }
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

    static func segments(_ dependencies: GatewayDependencies, _ id: UUID) async throws -> (Int?, String?) {
        let rows = try await dependencies.postgres.query(
            "SELECT segments, encoding FROM outbound_messages WHERE id = $1", [id])
        return (try rows[0].decode(Int?.self, "segments"), try rows[0].decode(String?.self, "encoding"))
    }

    /// Dispatches until no SMS is left to send (the pace may defer a part to a later pass).
    static func drain(_ dependencies: GatewayDependencies) async throws {
        for _ in 0..<500 {
            try await dependencies.smsDispatcher.dispatchOnce()
            let waiting = try await dependencies.postgres.query(
                "SELECT 1 FROM outbound_messages WHERE channel = 'sms' AND status IN ('queued', 'sending')")
            if waiting.isEmpty { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("SMS still waiting to be sent")
    }

    @Test func eachMessageRecordsItsSegmentsSummedOverItsParts() async throws {
        try await Self.withDispatcher(extra: ["TWILIO_MESSAGES_PER_SECOND": "1000"]) { dependencies, standIn in
            // GSM-7: 161 septets need two parts of a long message (153 + 8), and "Fees {APR} in €" is 18 septets
            // ("{", "}" and "€" take two each) in one: 3 segments.
            let gsm7 = try await Self.enqueue(
                dependencies, parts: [String(repeating: "a", count: 161), "Fees {APR} in €"])
            // UCS-2 for the emoji: 71 UTF-16 units (the emoji takes two) need two parts (67 + 4).
            let ucs2 = try await Self.enqueue(dependencies, parts: ["Well done 🎉" + String(repeating: "!", count: 59)])
            // One part in each alphabet: one segment each.
            let mixed = try await Self.enqueue(dependencies, parts: ["Plain text", "🎉"])
            try await Self.drain(dependencies)
            #expect(standIn.calls.count == 5)
            #expect(try await Self.segments(dependencies, gsm7) == (3, "gsm7"))
            #expect(try await Self.segments(dependencies, ucs2) == (2, "ucs2"))
            #expect(try await Self.segments(dependencies, mixed) == (2, "mixed"))
            let metrics = String(decoding: dependencies.metrics.exposition(), as: UTF8.self)
            #expect(metrics.contains(#"sms_segments_total{encoding="gsm7"} 4"#), "\(metrics)")
            #expect(metrics.contains(#"sms_segments_total{encoding="ucs2"} 3"#))
        }
    }

    @Test func aMessageSentOverSeveralPassesAddsUpItsSegments() async throws {
        try await Self.withDispatcher { dependencies, standIn in
            let id = try await Self.enqueue(
                dependencies, parts: [String(repeating: "a", count: 200), String(repeating: "b", count: 10)])
            try await dependencies.smsDispatcher.dispatchOnce()
            // The first part (2 segments) went out; the pace holds the second back.
            #expect(try await Self.status(dependencies, id).0 == "queued")
            #expect(try await Self.segments(dependencies, id) == (2, "gsm7"))
            try await Task.sleep(for: .milliseconds(1100))
            try await dependencies.smsDispatcher.dispatchOnce()
            #expect(try await Self.status(dependencies, id).0 == "sent")
            #expect(try await Self.segments(dependencies, id) == (3, "gsm7"))
            #expect(standIn.calls.count == 2)
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
            // Nothing went out, so no segments were counted.
            #expect(try await Self.segments(dependencies, id) == (nil, nil))
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
