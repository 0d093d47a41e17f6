import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Learning
import NIOCore
import Postgres
import TestSupport
import Testing
import WebhookSamples

/// Webhook in, agent, outbox, Slack stand-in out: the whole Slack path through the real app and Postgres.
@Suite struct SlackConversationTests {
    static func withGateway(
        _ body:
            @Sendable (any TestClientProtocol, GatewayDependencies, SlackAPIStandIn, _ responseBase: String)
            async throws -> Void
    ) async throws {
        let standIn = SlackAPIStandIn()
        try await standIn.run { apiBase, responseBase in
            let schema = try await TestSchema.create()
            let dependencies = try GatewayTestHarness.dependencies(
                schema: schema,
                [
                    "SLACK_SIGNING_SECRET": SlackWebhookTests.secret, "SLACK_BOT_TOKEN": "xoxb-test",
                    "SLACK_API_BASE_URL": apiBase, "ADMIN_SLACK_USER_IDS": "U0ADMIN001",
                ])
            try await dependencies.migrator.migrate()
            try await CurriculumSync(pool: dependencies.postgres).sync(dependencies.curriculum)
            try await buildApplication(dependencies: dependencies, roles: [.web]).test(.router) { client in
                try await body(client, dependencies, standIn, responseBase)
            }
            await GatewayTestHarness.close(dependencies)
            await schema.drop()
        }
    }

    static func send(
        _ client: any TestClientProtocol, _ path: String, _ body: [UInt8], form: Bool = false
    ) async throws {
        let headers = SlackWebhookTests.signedHeaders(
            body, contentType: form ? "application/x-www-form-urlencoded" : "application/json")
        try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: body)) {
            response in
            #expect(response.status == .ok)
        }
    }

    /// A slash command sample whose `response_url` points at the stand-in instead of Slack.
    static func command(_ name: String, responseBase: String, replacing: [(String, String)] = []) throws -> [UInt8] {
        var text = try WebhookSamples.text(provider: "slack", name: name)
        let local = (responseBase + "/T0LEARN01/1/x").addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        text = text.replacing(/response_url=[^&]*/, with: "response_url=" + local)
        for (old, new) in replacing { text = text.replacingOccurrences(of: old, with: new) }
        return Array(text.utf8)
    }

    /// Processes the inbox and sends what it queued.
    static func work(_ dependencies: GatewayDependencies) async throws {
        try await dependencies.inboxProcessor.processOnce()
        // Admin pushes go through the scheduler.
        try await dependencies.lessonDeliveryWorker.deliverOnce()
        try await dependencies.slackDispatcher.dispatchOnce()
    }

    @Test func directMessageIsAnsweredOnceInTheSameConversation() async throws {
        try await Self.withGateway { client, dependencies, standIn, responseBase in
            let body = try WebhookSamples.data(provider: "slack", name: "event_message_im.json")
            try await Self.send(client, "/slack/events", body)
            try await Self.work(dependencies)
            // Slack retries the same event: acknowledged, never answered again.
            try await Self.send(client, "/slack/events", body)
            try await Self.work(dependencies)
            let posts = standIn.calls("chat.postMessage")
            #expect(posts.count == 1)
            #expect(posts.first?.json?["channel"] as? String == "D0DMCHAN01")
            let postText = posts.first?.json?["text"] as? String ?? ""
            #expect(!postText.isEmpty)
            let status = try await dependencies.postgres.query("SELECT status FROM inbound_events")
            #expect(try status.map { try $0.decode(String.self, "status") } == ["done"])
            // The learner's name and time zone came from users.info, once.
            let learner = try await dependencies.postgres.query("SELECT display_name, time_zone FROM learners")
            #expect(try learner[0].decode(String.self, "display_name") == "Sam")
            #expect(try learner[0].decode(String.self, "time_zone") == "America/Chicago")
            #expect(standIn.calls("users.info").count == 1)
        }
    }

    @Test func botMessagesAreIgnored() async throws {
        try await Self.withGateway { client, dependencies, standIn, responseBase in
            try await Self.send(
                client, "/slack/events", try WebhookSamples.data(provider: "slack", name: "event_message_bot.json"))
            try await Self.work(dependencies)
            #expect(standIn.calls.isEmpty)
            let status = try await dependencies.postgres.query("SELECT status FROM inbound_events")
            #expect(try status.map { try $0.decode(String.self, "status") } == ["ignored"])
        }
    }

    @Test func mentionIsAnsweredInItsThread() async throws {
        try await Self.withGateway { client, dependencies, standIn, responseBase in
            try await Self.send(
                client, "/slack/events", try WebhookSamples.data(provider: "slack", name: "event_app_mention.json"))
            try await Self.work(dependencies)
            let post = try #require(standIn.calls("chat.postMessage").first)
            #expect(post.json?["channel"] as? String == "C0TRAINING1")
            #expect(post.json?["thread_ts"] as? String == "1763900100.000300")
        }
    }

    @Test func learnStartSendsALessonWhoseButtonIsGradedOnceAndUpdatesTheMessage() async throws {
        try await Self.withGateway { client, dependencies, standIn, responseBase in
            try await Self.send(
                client, "/slack/commands", try Self.command("command_learn.form", responseBase: responseBase),
                form: true)
            try await Self.work(dependencies)
            // An ephemeral note through response_url, and the lesson in the learner's DM.
            #expect(standIn.calls("response_url").count == 1)
            let lesson = try #require(standIn.calls("chat.postMessage").first)
            #expect(lesson.json?["channel"] as? String == "DU0LEARNER1")
            let blocks = try #require(lesson.json?["blocks"] as? [[String: Any]])
            let buttons = try #require(
                blocks.first { $0["type"] as? String == "actions" }?["elements"] as? [[String: Any]])
            #expect(buttons.count == 4)
            let value = try #require(buttons[1]["value"] as? String)

            // The learner presses B twice.
            let payload: [String: Any] = [
                "type": "block_actions", "user": ["id": "U0LEARNER1"], "channel": ["id": "DU0LEARNER1"],
                "container": ["message_ts": "1763900000.000001"], "trigger_id": "t1",
                "actions": [["action_id": "quiz_answer_1", "value": value, "action_ts": "1763900500.1"]],
            ]
            let json = String(decoding: try JSONSerialization.data(withJSONObject: payload), as: UTF8.self)
            let form = Array(("payload=" + json.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!).utf8)
            try await Self.send(client, "/slack/interactions", form, form: true)
            var again = payload
            again["actions"] = [["action_id": "quiz_answer_1", "value": value, "action_ts": "1763900501.2"]]
            let json2 = String(decoding: try JSONSerialization.data(withJSONObject: again), as: UTF8.self)
            try await Self.send(
                client, "/slack/interactions",
                Array(("payload=" + json2.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!).utf8),
                form: true)
            try await Self.work(dependencies)
            try await Task.sleep(for: .milliseconds(1100))  // the DM channel's pace
            try await dependencies.slackDispatcher.dispatchOnce()

            let update = try #require(standIn.calls("chat.update").first)
            #expect(update.json?["ts"] as? String == "1763900000.000001")
            let updateText = update.json?["text"] as? String ?? ""
            #expect(updateText.contains("Correct") || updateText.contains("Not quite"))
            let graded = try await dependencies.postgres.query("SELECT count(*) AS n FROM quiz_responses")
            #expect(try graded[0].decode(Int.self, "n") == 1)
        }
    }

    @Test func snoozeSkipsTodaysScheduledLessonAndLeavesTomorrows() async throws {
        try await Self.withGateway { client, dependencies, standIn, _ in
            let learner = try await PostgresLearningStore(pool: dependencies.postgres).resolve(
                channel: .slack, externalID: "U0LEARNER1")
            // Today's lesson is due later today (23:59 UTC), tomorrow's is planned too.
            try await dependencies.postgres.query(
                """
                UPDATE learners SET delivery_time = '23:59', display_name = 'Ada', created_at = now() - interval '2 days'
                WHERE id = $1
                """, [learner])
            try await dependencies.lessonScheduler.plan()
            let payload: [String: Any] = [
                "type": "block_actions", "user": ["id": "U0LEARNER1"], "channel": ["id": "DU0LEARNER1"],
                "container": ["message_ts": "1763900000.000001"], "trigger_id": "t-snooze",
                "actions": [["action_id": "snooze", "value": "snooze", "action_ts": "1763900600.1"]],
            ]
            let json = String(decoding: try JSONSerialization.data(withJSONObject: payload), as: UTF8.self)
            let form = Array(("payload=" + json.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!).utf8)
            try await Self.send(client, "/slack/interactions", form, form: true)
            try await Self.work(dependencies)

            let reply = try #require(standIn.calls("chat.postMessage").first)
            #expect((reply.json?["text"] as? String)?.contains("see you tomorrow") == true)
            let days = try await dependencies.postgres.query(
                "SELECT status, reason FROM lesson_deliveries WHERE learner_id = $1 ORDER BY local_date", [learner])
            #expect(try days.map { try $0.decode(String.self, "status") } == ["skipped", "pending"])
            #expect(try days.first?.decode(String?.self, "reason") == "snoozed")
        }
    }

    @Test func nonAdminIsRefusedPolitelyAndNothingElse() async throws {
        try await Self.withGateway { client, dependencies, standIn, responseBase in
            let body = try Self.command(
                "command_learn_admin.form", responseBase: responseBase,
                replacing: [("user_id=U0ADMIN001", "user_id=U0LEARNER1")])
            try await Self.send(client, "/slack/commands", body, form: true)
            try await Self.work(dependencies)
            let answer = try #require(standIn.calls("response_url").first)
            let answerText = answer.json?["text"] as? String ?? ""
            #expect(answerText.contains("only for the programme's admins"))
            let audited = try await dependencies.postgres.query("SELECT count(*) AS n FROM audit_log")
            #expect(try audited[0].decode(Int.self, "n") == 0)
        }
    }
}
