import Foundation
import Gateway
import Learning
import Postgres
import Slack
import TestSupport
import Testing

@Suite struct SlackDispatcherTests {
    struct Row {
        let status: String
        let attempts: Int
        let providerID: String?
        let errorCode: String?
        let secondsUntilNext: Double
    }

    /// A migrated schema, dependencies whose Slack client talks to a stand-in, and the stand-in.
    static func withDispatcher(
        token: String? = "xoxb-test-token",
        _ body: @Sendable (GatewayDependencies, SlackAPIStandIn) async throws -> Void
    ) async throws {
        let standIn = SlackAPIStandIn()
        try await standIn.run { apiBase, _ in
            var settings = ["SLACK_API_BASE_URL": apiBase]
            if let token { settings["SLACK_BOT_TOKEN"] = token }
            try await GatewayTestHarness.withDependencies(settings) { dependencies in
                try await body(dependencies, standIn)
            }
        }
    }

    static func enqueue(
        _ dependencies: GatewayDependencies, key: String = UUID().uuidString, channel: String, text: String = "hi"
    ) async throws -> UUID? {
        let body = try SlackOutboundBody(operation: .post, channel: channel, text: text).encoded()
        return try await dependencies.outbox.enqueue(
            dedupeKey: key, channel: "slack", destination: channel, kind: "reply", body: body)
    }

    static func row(_ dependencies: GatewayDependencies, _ id: UUID) async throws -> Row {
        let rows = try await dependencies.postgres.query(
            """
            SELECT status, attempts, provider_message_id, error_code,
                   extract(epoch FROM next_attempt_at - now())::float8 AS wait
            FROM outbound_messages WHERE id = $1
            """, [id])
        let row = try #require(rows.first)
        return Row(
            status: try row.decode(String.self, "status"), attempts: try row.decode(Int.self, "attempts"),
            providerID: try row.decode(String?.self, "provider_message_id"),
            errorCode: try row.decode(String?.self, "error_code"), secondsUntilNext: try row.decode(Double.self, "wait")
        )
    }

    static func channel() -> String { "C" + UUID().uuidString.prefix(8).uppercased() }

    @Test func queuedMessageIsSentOnceAndItsTimestampKept() async throws {
        try await Self.withDispatcher { dependencies, standIn in
            let channel = Self.channel()
            let id = try #require(try await Self.enqueue(dependencies, key: "reply:1:0", channel: channel))
            #expect(try await Self.enqueue(dependencies, key: "reply:1:0", channel: channel) == nil)
            #expect(try await dependencies.slackDispatcher.dispatchOnce() == 1)
            #expect(try await dependencies.slackDispatcher.dispatchOnce() == 0)
            let row = try await Self.row(dependencies, id)
            #expect(row.status == "sent")
            #expect(row.attempts == 1)
            let posts = standIn.calls("chat.postMessage")
            #expect(posts.count == 1)
            #expect(posts.first?.json?["channel"] as? String == channel)
            #expect(row.providerID != nil)
        }
    }

    @Test func rateLimitedMessageWaitsForRetryAfter() async throws {
        try await Self.withDispatcher { dependencies, standIn in
            standIn.script("chat.postMessage", [.status(429, retryAfter: 1)])
            let id = try #require(try await Self.enqueue(dependencies, channel: Self.channel()))
            try await dependencies.slackDispatcher.dispatchOnce()
            let waiting = try await Self.row(dependencies, id)
            #expect(waiting.status == "queued")
            #expect(waiting.secondsUntilNext > 0.5 && waiting.secondsUntilNext <= 1.0)
            #expect(try await dependencies.slackDispatcher.dispatchOnce() == 0)
            try await Task.sleep(for: .milliseconds(1100))
            #expect(try await dependencies.slackDispatcher.dispatchOnce() == 1)
            #expect(try await Self.row(dependencies, id).status == "sent")
            #expect(standIn.calls("chat.postMessage").count == 2)
        }
    }

    @Test func serverErrorIsRetriedWithBackoffThenSent() async throws {
        try await Self.withDispatcher { dependencies, standIn in
            standIn.script("chat.postMessage", [.status(503)])
            let id = try #require(try await Self.enqueue(dependencies, channel: Self.channel()))
            try await dependencies.slackDispatcher.dispatchOnce()
            let first = try await Self.row(dependencies, id)
            #expect(first.status == "queued")
            #expect(first.errorCode == nil)
            #expect(first.secondsUntilNext > 0.5)
            try await Task.sleep(for: .milliseconds(1100))
            try await dependencies.slackDispatcher.dispatchOnce()
            let second = try await Self.row(dependencies, id)
            #expect(second.status == "sent")
            #expect(second.attempts == 2)
        }
    }

    @Test func permanentErrorStopsAtOnce() async throws {
        try await Self.withDispatcher { dependencies, standIn in
            standIn.script("chat.postMessage", [.slackError("channel_not_found")])
            let id = try #require(try await Self.enqueue(dependencies, channel: Self.channel()))
            try await dependencies.slackDispatcher.dispatchOnce()
            let row = try await Self.row(dependencies, id)
            #expect(row.status == "failed")
            #expect(row.errorCode == "channel_not_found")
            try await Task.sleep(for: .milliseconds(50))
            #expect(try await dependencies.slackDispatcher.dispatchOnce() == 0)
            #expect(standIn.calls("chat.postMessage").count == 1)
        }
    }

    @Test func messagesToOneChannelArePacedToOneASecond() async throws {
        try await Self.withDispatcher { dependencies, standIn in
            let channel = Self.channel()
            var ids: [UUID] = []
            for index in 0..<3 {
                ids.append(try #require(try await Self.enqueue(dependencies, channel: channel, text: "m\(index)")))
            }
            let other = try #require(try await Self.enqueue(dependencies, channel: Self.channel()))
            try await dependencies.slackDispatcher.dispatchOnce()
            // One per channel went out; the other two wait their turn without spending an attempt.
            #expect(standIn.calls("chat.postMessage").count == 2)
            #expect(try await Self.row(dependencies, other).status == "sent")
            let waiting = try await ids.asyncMap { try await Self.row(dependencies, $0) }.filter {
                $0.status == "queued"
            }
            #expect(waiting.count == 2)
            #expect(waiting.allSatisfy { $0.attempts == 0 && $0.secondsUntilNext > 0.2 })
        }
    }

    @Test func messagesSentTogetherAreEachRecordedOnceAndPacedPerChannel() async throws {
        try await Self.withDispatcher { dependencies, standIn in
            // More than one claim's worth, to distinct channels but two to one: they go out concurrently, their
            // pacing and their records are written a batch at a time.
            let shared = Self.channel()
            var ids: [UUID] = []
            for index in 0..<40 {
                let channel = index < 2 ? shared : Self.channel()
                ids.append(try #require(try await Self.enqueue(dependencies, channel: channel, text: "m\(index)")))
            }
            #expect(try await dependencies.slackDispatcher.dispatchOnce() == 32)
            #expect(try await dependencies.slackDispatcher.dispatchOnce() == 8)
            let rows = try await ids.asyncMap { try await Self.row(dependencies, $0) }
            #expect(rows.filter { $0.status == "sent" }.count == 39)
            #expect(rows.filter { $0.status == "queued" && $0.attempts == 0 }.count == 1)  // the second to `shared`
            #expect(Set(rows.compactMap(\.providerID)).count == 39)
            #expect(standIn.calls("chat.postMessage").count == 39)
        }
    }

    @Test func slackTimestampsMayRepeatAcrossChannelsButSMSIdsMayNot() async throws {
        try await Self.withDispatcher { dependencies, _ in
            // Slack's `ts` is unique within a channel only: two DMs posted in the same microsecond share one.
            let first = try #require(try await Self.enqueue(dependencies, channel: Self.channel()))
            let second = try #require(try await Self.enqueue(dependencies, channel: Self.channel()))
            let sent = try await dependencies.outbox.markSent([
                SentNotice(id: first, providerMessageID: "1763900000.000100"),
                SentNotice(id: second, providerMessageID: "1763900000.000100"),
            ])
            #expect(sent.count == 2)
            #expect(try await Self.row(dependencies, first).status == "sent")
            #expect(try await Self.row(dependencies, second).status == "sent")
            // Twilio's SID names one message: status callbacks find it by that.
            var sms: [UUID] = []
            for number in ["+15550000001", "+15550000002"] {
                sms.append(
                    try #require(
                        try await dependencies.outbox.enqueue(
                            dedupeKey: UUID().uuidString, channel: "sms", destination: number, kind: "reply",
                            body: #"{"parts":["hi"]}"#)))
            }
            try await dependencies.outbox.markSent(sms[0], providerMessageID: "SM0001")
            await #expect(throws: PostgresError.self) {
                try await dependencies.outbox.markSent(sms[1], providerMessageID: "SM0001")
            }
        }
    }

    @Test func messageWhoseSenderDiedIsTakenAgainAfterTheLease() async throws {
        try await Self.withDispatcher { dependencies, standIn in
            let id = try #require(try await Self.enqueue(dependencies, channel: Self.channel()))
            // A dispatcher claims it and dies before sending.
            let claimed = try await dependencies.outbox.claim(channel: "slack", limit: 10, lease: .milliseconds(200))
            #expect(claimed.map(\.id) == [id])
            #expect(try await dependencies.slackDispatcher.dispatchOnce() == 0)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await dependencies.slackDispatcher.dispatchOnce() == 1)
            #expect(try await Self.row(dependencies, id).status == "sent")
            #expect(standIn.calls("chat.postMessage").count == 1)
        }
    }

    @Test func directMessageToAUserOpensTheConversationFirst() async throws {
        try await Self.withDispatcher { dependencies, standIn in
            let body = try SlackOutboundBody(operation: .post, userID: "U0LEARNER9", text: "Your lesson").encoded()
            let id = try #require(
                try await dependencies.outbox.enqueue(
                    dedupeKey: "lesson:1", channel: "slack", destination: "U0LEARNER9", kind: "lesson", body: body))
            try await dependencies.slackDispatcher.dispatchOnce()
            #expect(try await Self.row(dependencies, id).status == "sent")
            #expect(standIn.calls("conversations.open").count == 1)
            #expect(standIn.calls("chat.postMessage").first?.json?["channel"] as? String == "DU0LEARNER9")
        }
    }

    @Test func withoutABotTokenMessagesAreRecordedNotSent() async throws {
        try await Self.withDispatcher(token: nil) { dependencies, standIn in
            let id = try #require(try await Self.enqueue(dependencies, channel: Self.channel()))
            try await dependencies.slackDispatcher.dispatchOnce()
            #expect(try await Self.row(dependencies, id).status == "recorded")
            #expect(standIn.calls.isEmpty)
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
