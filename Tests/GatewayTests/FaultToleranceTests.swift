import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Learning
import NIOCore
import Postgres
import Slack
import TestSupport
import Testing
import WebhookSamples

/// The gateway when what it stands on fails: Postgres or Redis stopped under it, providers failing in bursts.
/// Each test has servers of its own (never the shared ones) and asserts that nothing acknowledged is lost,
/// nothing is done twice, and everything recovers by itself.
@Suite(.serialized) struct FaultToleranceTests {
    static func settings(_ apiBase: String, _ extra: [String: String]) -> [String: String] {
        var settings = [
            "SLACK_SIGNING_SECRET": SlackWebhookTests.secret, "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_API_BASE_URL": apiBase, "DATABASE_POOL_SIZE": "4",
        ]
        settings.merge(extra) { _, new in new }
        return settings
    }

    static func post(
        _ client: any TestClientProtocol, _ body: [UInt8], retry: Int? = nil
    ) async throws -> (HTTPResponse.Status, String?) {
        var headers = SlackWebhookTests.signedHeaders(body)
        if let retry { headers[HTTPField.Name("X-Slack-Retry-Num")!] = String(retry) }
        return try await client.execute(
            uri: "/slack/events", method: .post, headers: headers, body: ByteBuffer(bytes: body)
        ) { response in (response.status, response.headers[.retryAfter]) }
    }

    static func ready(_ client: any TestClientProtocol) async throws -> HTTPResponse.Status {
        try await client.execute(uri: "/ready", method: .get) { $0.status }
    }

    @Test func withPostgresDownWebhooksAnswer503AndAllRecoversWhenItReturns() async throws {
        let server = try PrivatePostgresServer()
        defer { server.destroy() }
        try server.start()
        let standIn = SlackAPIStandIn()
        try await standIn.run { apiBase, _ in
            let dependencies = try GatewayTestHarness.dependencies(
                schema: nil, Self.settings(apiBase, ["DATABASE_URL": server.url]))
            try await dependencies.migrator.migrate()
            _ = try await CurriculumSync(pool: dependencies.postgres).sync(dependencies.curriculum)
            let body = try WebhookSamples.data(provider: "slack", name: "event_message_im.json")
            try await buildApplication(dependencies: dependencies, roles: [.web]).test(.router) { client in
                #expect(try await Self.ready(client) == .ok)
                try server.stop()
                // Nothing can be stored: Slack is told to come back, and /ready takes the replica out.
                let (status, retryAfter) = try await Self.post(client, body)
                #expect(status == .serviceUnavailable)
                #expect(retryAfter == "1")
                #expect(try await Self.ready(client) == .serviceUnavailable)

                try server.start()
                // Slack's retry arrives once Postgres is back (the pool reconnects by itself).
                var retried: HTTPResponse.Status = .serviceUnavailable
                for attempt in 1...20 where retried != .ok {
                    retried = try await Self.post(client, body, retry: attempt).0
                    if retried != .ok { try await Task.sleep(for: .milliseconds(250)) }
                }
                #expect(retried == .ok)
                #expect(try await Self.ready(client) == .ok)
                try await SlackConversationTests.work(dependencies)
                try await SlackConversationTests.work(dependencies)
                #expect(standIn.calls("chat.postMessage").count == 1)
                let stored = try await dependencies.postgres.query("SELECT count(*) AS n FROM inbound_events")
                #expect(try stored[0].decode(Int.self, "n") == 1)
            }
            await GatewayTestHarness.close(dependencies)
        }
    }

    @Test func withRedisDownWebhooksAreStillAcknowledgedAndRepliesResumeOnceWhenItReturns() async throws {
        let redis = try PrivateRedisServer()
        defer { redis.destroy() }
        try redis.start()
        let standIn = SlackAPIStandIn()
        try await standIn.run { apiBase, _ in
            let schema = try await TestSchema.create()
            let dependencies = try GatewayTestHarness.dependencies(
                schema: schema, Self.settings(apiBase, ["REDIS_URL": redis.url]))
            try await dependencies.migrator.migrate()
            _ = try await CurriculumSync(pool: dependencies.postgres).sync(dependencies.curriculum)
            let body = try WebhookSamples.data(provider: "slack", name: "event_message_im.json")
            try await buildApplication(dependencies: dependencies, roles: [.web]).test(.router) { client in
                try redis.stop()
                // Postgres is the record: the webhook is stored and acknowledged; /ready reports Redis.
                #expect(try await Self.post(client, body).0 == .ok)
                #expect(try await Self.ready(client) == .serviceUnavailable)
                // The reply is queued but cannot be paced, so it waits rather than going out unpaced.
                try await dependencies.inboxProcessor.processOnce()
                try await dependencies.slackDispatcher.dispatchOnce()
                #expect(standIn.calls("chat.postMessage").isEmpty)
                let queued = try await dependencies.postgres.query(
                    "SELECT status FROM outbound_messages WHERE kind = 'reply'")
                #expect(try queued.map { try $0.decode(String.self, "status") } == ["queued"])

                // Redis comes back empty (a failover): the reply goes out, once.
                try redis.start()
                try await Task.sleep(for: .milliseconds(1100))
                try await dependencies.slackDispatcher.dispatchOnce()
                try await Task.sleep(for: .milliseconds(1100))
                try await dependencies.slackDispatcher.dispatchOnce()
                #expect(standIn.calls("chat.postMessage").count == 1)
                #expect(try await Self.ready(client) == .ok)
            }
            await GatewayTestHarness.close(dependencies)
            await schema.drop()
        }
    }

    @Test func aBurstOfProviderErrorsIsRetriedWithBackoffWithoutExhaustingConnections() async throws {
        let standIn = SlackAPIStandIn()
        try await standIn.run { apiBase, _ in
            let schema = try await TestSchema.create()
            let dependencies = try GatewayTestHarness.dependencies(schema: schema, Self.settings(apiBase, [:]))
            try await dependencies.migrator.migrate()
            // 40 messages to 40 channels, and Slack failing the first 40 calls in a mix of ways.
            standIn.script(
                "chat.postMessage",
                (0..<40).map { $0 % 3 == 0 ? .status(500) : $0 % 3 == 1 ? .status(503) : .slackError("internal_error") })
            for index in 0..<40 {
                let body = try SlackOutboundBody(operation: .post, channel: "DBURST\(index)", text: "message \(index)")
                    .encoded()
                try await dependencies.outbox.enqueue(
                    dedupeKey: "burst:\(index)", channel: "slack", destination: "DBURST\(index)", kind: "reply",
                    body: body)
            }
            while try await dependencies.slackDispatcher.dispatchOnce() > 0 {}
            #expect(standIn.calls("chat.postMessage").count == 40)
            // Every failure was put back with a backoff, and nothing holds a connection.
            let waiting = try await dependencies.postgres.query(
                """
                SELECT count(*) FILTER (WHERE status = 'queued' AND next_attempt_at > now()) AS backed_off,
                       count(*) AS total FROM outbound_messages
                """)[0]
            #expect(try waiting.decode(Int.self, "backed_off") == 40)
            #expect(dependencies.postgres.connectionsInUse == 0)

            // The provider recovers: each message goes out exactly once.
            try await Task.sleep(for: .milliseconds(1050))
            try await dependencies.postgres.query("UPDATE outbound_messages SET next_attempt_at = now()")
            while try await dependencies.slackDispatcher.dispatchOnce() > 0 {}
            let posts = standIn.calls("chat.postMessage")
            #expect(posts.count == 80)
            let delivered = try await dependencies.postgres.query(
                "SELECT count(*) AS n FROM outbound_messages WHERE status = 'sent' AND attempts = 2")
            #expect(try delivered[0].decode(Int.self, "n") == 40)
            #expect(dependencies.postgres.connectionsInUse == 0)
            await GatewayTestHarness.close(dependencies)
            await schema.drop()
        }
    }

    @Test func aProviderThatHangsTimesOutAndIsRetriedWithoutHoldingConnections() async throws {
        let standIn = SlackAPIStandIn()
        try await standIn.run { apiBase, _ in
            let schema = try await TestSchema.create()
            let dependencies = try GatewayTestHarness.dependencies(schema: schema, Self.settings(apiBase, [:]))
            try await dependencies.migrator.migrate()
            // Slack hangs for 3 s on each of the first 8 posts; the client gives up after 300 ms.
            standIn.script("chat.postMessage", Array(repeating: .delay(.seconds(3)), count: 8))
            let dispatcher = SlackDispatcher(
                outbox: dependencies.outbox,
                slack: SlackWebAPIClient(
                    transport: dependencies.httpClient, baseURL: apiBase, botToken: "xoxb-test",
                    timeout: .milliseconds(300)),
                pacer: ChannelPacer(
                    redis: dependencies.redis, prefix: dependencies.configuration.redisKeyPrefix + "pace:slack:",
                    interval: .seconds(1)),
                metrics: dependencies.metrics, logger: dependencies.logger)
            for index in 0..<8 {
                let body = try SlackOutboundBody(operation: .post, channel: "DHANG\(index)", text: "message \(index)")
                    .encoded()
                try await dependencies.outbox.enqueue(
                    dedupeKey: "hang:\(index)", channel: "slack", destination: "DHANG\(index)", kind: "reply",
                    body: body)
            }
            let started = ContinuousClock.now
            #expect(try await dispatcher.dispatchOnce() == 8)
            // All eight timed out together, well before Slack would have answered, and were put back.
            #expect(ContinuousClock.now - started < .seconds(2))
            let backedOff = try await dependencies.postgres.query(
                "SELECT count(*) AS n FROM outbound_messages WHERE status = 'queued' AND next_attempt_at > now()")
            #expect(try backedOff[0].decode(Int.self, "n") == 8)
            #expect(dependencies.postgres.connectionsInUse == 0)

            // Slack answers again: each goes out once.
            try await Task.sleep(for: .milliseconds(1050))
            try await dependencies.postgres.query("UPDATE outbound_messages SET next_attempt_at = now()")
            #expect(try await dispatcher.dispatchOnce() == 8)
            let sent = try await dependencies.postgres.query(
                "SELECT count(*) AS n FROM outbound_messages WHERE status = 'sent' AND attempts = 2")
            #expect(try sent[0].decode(Int.self, "n") == 8)
            #expect(standIn.calls("chat.postMessage").count == 16)
            await GatewayTestHarness.close(dependencies)
            await schema.drop()
        }
    }
}
