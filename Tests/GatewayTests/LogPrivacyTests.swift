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
import Signing
import Slack
import TestSupport
import Testing

/// A full run of realistic traffic with known secrets configured and personal data in the messages, every log line
/// captured at trace level: no line holds a secret, and none holds raw personal data. Phone numbers of SMS learners
/// appear only masked (`+*******6543`, as `PhoneNumber` prints them); message text never appears, also in dev mode.
@Suite struct LogPrivacyTests {
    static func random(_ count: Int) -> String {
        String((0..<count).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
    }

    /// The configured secrets, fresh for the run.
    struct Secrets {
        let signingSecret = "sss-" + LogPrivacyTests.random(28)
        let botToken = "xoxb-" + LogPrivacyTests.random(30)
        let twilioToken = LogPrivacyTests.random(32)
        let apiKeys = ["key-a-" + LogPrivacyTests.random(24), "key-b-" + LogPrivacyTests.random(24)]
        let anthropicKey = "sk-ant-" + LogPrivacyTests.random(40)

        var all: [String] { [signingSecret, botToken, twilioToken, anthropicKey] + apiKeys }
    }

    static let learnerNumber = "+15559876543"
    static let email = "jane.doe@example.com"
    static let apiLearner = "ann.lee@example.org"
    /// Personal data the traffic carries, as written and in the forms a leak would take.
    static let personalData = [
        learnerNumber, "15559876543", "+15557654321", "(555) 765-4321", "555-765-4321", email, apiLearner,
        "ann.lee%40example.org", "123-45-6789", "4111 1111 1111 1111", "4111111111111111", "5500-0000-0000-0004",
        "5500000000000004", "Jane Doe",
    ]
    static let pii =
        "I'm Jane Doe, email jane.doe@example.com, call +15557654321 or (555) 765-4321, SSN 123-45-6789, "
        + "card 4111 1111 1111 1111 and 5500-0000-0000-0004. What is APR?"

    /// Every line must be free of every secret (and of any 16-character piece of one) and of the personal data.
    static func expectClean(_ lines: [String], secrets: [String], _ comment: Comment) {
        #expect(lines.count > 50, "too few log lines to mean anything")
        var needles = Set(personalData)
        for secret in secrets {
            needles.insert(secret)
            let characters = Array(secret)
            for start in stride(from: 0, through: characters.count - 16, by: 4) {
                needles.insert(String(characters[start..<start + 16]))
            }
        }
        let needleBytes = needles.map { Array($0.utf8) }
        for line in lines {
            let bytes = Array(line.utf8)
            for needle in needleBytes {
                guard let offset = firstOffset(of: needle, in: bytes) else { continue }
                // Say where, never what: the message and the field names before the value, cut at the last colon.
                let before = String(decoding: bytes[max(0, offset - 120)..<offset], as: UTF8.self)
                let field = before.lastIndex(of: ":").map { String(before[..<$0]) } ?? ""
                let message = line.firstMatch(of: /"msg":"[^"]*"/).map { String($0.output) } ?? ""
                Issue.record("\(comment): \(message) holds a secret or personal data after: \(field.suffix(80))")
            }
        }
    }

    /// Where `needle` starts in `haystack`, found with memchr and memcmp: a debug build's String search over
    /// thousands of long lines takes minutes.
    static func firstOffset(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        return haystack.withUnsafeBytes { h -> Int? in
            needle.withUnsafeBytes { n -> Int? in
                let base = h.baseAddress!
                let last = h.count - n.count
                var start = 0
                while start <= last {
                    guard let hit = memchr(base + start, Int32(n[0]), last - start + 1) else { return nil }
                    let index = UnsafeRawPointer(hit) - base
                    if memcmp(base + index, n.baseAddress!, n.count) == 0 { return index }
                    start = index + 1
                }
                return nil
            }
        }
    }

    // MARK: - Traffic

    /// Slack: DMs with personal data, a mention, slash commands and admin commands naming a number, quiz buttons,
    /// refused requests, and Slack failing for a while.
    static func slackTraffic(
        _ client: any TestClientProtocol, _ dependencies: GatewayDependencies, responseBase: String, secret: String,
        slack: SlackAPIStandIn?
    ) async throws {
        func send(_ path: String, _ body: [UInt8], form: Bool = false) async throws {
            let headers = SlackWebhookTests.signedHeaders(
                body, secret: secret, contentType: form ? "application/x-www-form-urlencoded" : "application/json")
            try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: body)) {
                #expect($0.status == .ok, "\(path)")
            }
        }
        try await send("/slack/events", try HostileInputTests.dmEvent(id: "Ev0LOG1", user: "U0LOG1", text: pii))
        try await send("/slack/events", try HostileInputTests.dmEvent(id: "Ev0LOG2", user: "U0LOG1", text: "next lesson"))
        try await send(
            "/slack/events",
            try HostileInputTests.dmEvent(id: "Ev0LOG3", user: "U0LOG2", text: "my email is \(email), help"))
        for (index, (command, user, text)) in [
            ("/learn", "U0LOG1", "time 07:30"), ("/learn", "U0LOG1", "progress"),
            ("/learn-admin", "U0ADMIN001", "enroll \(learnerNumber) apr"),
            ("/learn-admin", "U0ADMIN001", "broadcast Reach Jane Doe at \(email) or +15557654321"),
            ("/learn-admin", "U0ADMIN001", "push \(learnerNumber)"), ("/learn-admin", "U0ADMIN001", "learners"),
            ("/learn-admin", "U0LOG2", "stats"),
        ].enumerated() {
            try await send(
                "/slack/commands",
                HostileInputTests.command(
                    text, user: user, command: command, trigger: "tr.log.\(index)", responseBase: responseBase),
                form: true)
        }
        try await send(
            "/slack/interactions",
            try HostileInputTests.interaction([
                "type": "block_actions", "user": ["id": "U0LOG1"], "channel": ["id": "DU0LOG1"],
                "trigger_id": "tr.log.press",
                "actions": [["action_id": "quiz_answer_1", "value": UUID().uuidString + ":1", "action_ts": "1.1"]],
            ]), form: true)
        // Refused: a forged signature, a stale one.
        let forged = try HostileInputTests.dmEvent(id: "Ev0FORGED", user: "U0LOG1", text: pii)
        var headers = SlackWebhookTests.signedHeaders(forged, secret: "not-the-secret")
        try await client.execute(uri: "/slack/events", method: .post, headers: headers, body: ByteBuffer(bytes: forged)) {
            #expect($0.status == .unauthorized)
        }
        headers = SlackWebhookTests.signedHeaders(forged, secret: secret, time: Date().addingTimeInterval(-900))
        try await client.execute(uri: "/slack/events", method: .post, headers: headers, body: ByteBuffer(bytes: forged)) {
            #expect($0.status == .unauthorized)
        }
        slack?.script("chat.postMessage", [.status(500), .slackError("invalid_auth")])
        try await SlackConversationTests.work(dependencies)
        try await dependencies.lessonDeliveryWorker.deliverOnce()
        try await Task.sleep(for: .milliseconds(1100))
        _ = try await dependencies.slackDispatcher.dispatchOnce()
    }

    /// SMS: keywords, free text with personal data, answers, status callbacks (one a carrier opt-out), a forged
    /// request, and Twilio failing for a while.
    static func smsTraffic(
        _ client: any TestClientProtocol, _ dependencies: GatewayDependencies, token: String, twilio: TwilioAPIStandIn?
    ) async throws {
        for (index, body) in ["START", pii, "A", "TIME 7:30", "TZ America/Chicago", "PROGRESS", "HELP"].enumerated() {
            let form = HostileInputTests.sms(HostileInputTests.smsFields(sid: "SMlog\(index)", from: learnerNumber, body: body))
            _ = try await TwilioWebhookTests.post(client, "/twilio/sms", form, token: token, expect: .ok)
        }
        let json = try JSONSerialization.data(
            withJSONObject: Dictionary(
                HostileInputTests.smsFields(sid: "SMlogjson", from: learnerNumber, body: "email me at \(email)"),
                uniquingKeysWith: { first, _ in first }))
        _ = try await TwilioWebhookTests.postJSON(client, "/twilio/sms", Array(json), token: token, expect: .ok)
        let forged = HostileInputTests.sms(HostileInputTests.smsFields(sid: "SMforged", from: learnerNumber, body: pii))
        _ = try await TwilioWebhookTests.post(
            client, "/twilio/sms", forged, signature: "bm90LWEtc2lnbmF0dXJl", token: token, expect: .forbidden)
        twilio?.script([.init(status: 500), .init(status: 429, code: 20429, retryAfter: 1)])
        try await dependencies.inboxProcessor.processOnce()
        for _ in 0..<3 {
            _ = try await dependencies.smsDispatcher.dispatchOnce()
            try await Task.sleep(for: .milliseconds(1100))
        }
        for (index, fields) in [
            [("MessageSid", "SMx1"), ("MessageStatus", "delivered"), ("To", learnerNumber)],
            [("MessageSid", "SMx2"), ("MessageStatus", "undelivered"), ("ErrorCode", "30005"), ("To", learnerNumber)],
            [("MessageSid", "SMx3"), ("MessageStatus", "undelivered"), ("ErrorCode", "21610"), ("To", learnerNumber)],
        ].enumerated() {
            _ = index
            _ = try await TwilioWebhookTests.post(
                client, "/twilio/status", HostileInputTests.sms(fields), token: token, expect: .ok)
        }
        let stop = HostileInputTests.sms(HostileInputTests.smsFields(sid: "SMlogstop", from: learnerNumber, body: "STOP"))
        _ = try await TwilioWebhookTests.post(client, "/twilio/sms", stop, token: token, expect: .ok)
        try await dependencies.inboxProcessor.processOnce()
        _ = try await dependencies.smsDispatcher.dispatchOnce()
    }

    /// The agent API: chat, lesson, answer and reads for a learner whose id is an email address, and refused keys.
    static func apiTraffic(_ client: any TestClientProtocol, keys: [String]) async throws {
        func call(_ method: HTTPRequest.Method, _ uri: String, _ object: [String: Any]? = nil, key: String)
            async throws -> (HTTPResponse.Status, [String: Any])
        {
            let json = try object.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
            return try await AgentAPITests.call(client, method, uri, json: json, key: key)
        }
        let key = keys[1]
        #expect(try await call(.post, "/api/v1/agent/chat", ["learner_id": apiLearner, "message": pii], key: key).0 == .ok)
        let (_, lesson) = try await call(
            .post, "/api/v1/agent/start-lesson", ["learner_id": apiLearner, "topic": "apr"], key: key)
        let attempt = ((lesson["reply"] as? [String: Any])?["lesson"] as? [String: Any])?["attempt_id"] as? String
        _ = try await call(
            .post, "/api/v1/agent/submit-answer", ["learner_id": apiLearner, "attempt_id": attempt ?? "", "answer": "B"],
            key: key)
        #expect(try await call(.get, "/api/v1/agent/learning-path/ann.lee%40example.org", key: key).0 == .ok)
        #expect(try await call(.get, "/api/v1/learners/ann.lee%40example.org/progress", key: key).0 == .ok)
        #expect(try await call(.get, "/api/v1/learners/\(learnerNumber)/progress", key: key).0 == .notFound)
        #expect(try await call(.get, "/api/v1/learners/x/progress?email=\(email)", key: key).0 == .notFound)
        #expect(try await call(.get, "/api/v1/learners/x/progress", key: keys[0] + "x").0 == .unauthorized)
    }

    // MARK: - Runs

    @Test func configuredGatewayLogsNoSecretAndNoPersonalData() async throws {
        let secrets = Secrets()
        let sink = MemoryLogSink()
        let slack = SlackAPIStandIn()
        let twilio = TwilioAPIStandIn(authToken: secrets.twilioToken)
        let anthropic = AnthropicStandIn(defaultAnswer: .text("APR is the yearly cost of borrowing."))
        anthropic.script([.status(529, errorType: "overloaded_error"), .malformed("{not json")])
        try await slack.run { slackBase, responseBase in
            try await twilio.run { twilioBase in
                try await anthropic.run { anthropicBase in
                    let schema = try await TestSchema.create()
                    let dependencies = try GatewayTestHarness.dependencies(
                        schema: schema,
                        [
                            "LOG_LEVEL": "trace", "SLACK_SIGNING_SECRET": secrets.signingSecret,
                            "SLACK_BOT_TOKEN": secrets.botToken, "SLACK_API_BASE_URL": slackBase,
                            "TWILIO_ACCOUNT_SID": twilio.accountSID, "TWILIO_AUTH_TOKEN": secrets.twilioToken,
                            "TWILIO_FROM_NUMBER": "+13125550100", "TWILIO_API_BASE_URL": twilioBase,
                            "PUBLIC_BASE_URL": TwilioWebhookTests.publicBase,
                            "GATEWAY_API_KEYS": secrets.apiKeys.joined(separator: ","),
                            "ANTHROPIC_API_KEY": secrets.anthropicKey, "ANTHROPIC_BASE_URL": anthropicBase,
                            "ADMIN_SLACK_USER_IDS": "U0ADMIN001",
                        ], sink: sink)
                    try await dependencies.migrator.migrate()
                    try await CurriculumSync(pool: dependencies.postgres).sync(dependencies.curriculum)
                    try await buildApplication(dependencies: dependencies).test(.router) { client in
                        try await Self.slackTraffic(
                            client, dependencies, responseBase: responseBase, secret: secrets.signingSecret,
                            slack: slack)
                        try await Self.smsTraffic(client, dependencies, token: secrets.twilioToken, twilio: twilio)
                        try await Self.apiTraffic(client, keys: secrets.apiKeys)
                    }
                    await GatewayTestHarness.close(dependencies)
                    await schema.drop()
                }
            }
        }
        // The traffic really happened: the providers were called with the secrets and the model saw the turns.
        #expect(slack.calls("chat.postMessage").contains { $0.authorization == "Bearer \(secrets.botToken)" })
        #expect(!twilio.calls.isEmpty)
        #expect(anthropic.calls.contains { $0.headers["x-api-key"] == secrets.anthropicKey })
        // Personal data is redacted before it reaches the model too.
        for call in anthropic.calls {
            for data in Self.personalData where data != "Jane Doe" && call.bodyText.contains(data) {
                Issue.record("the model was sent \(data)")
            }
        }
        let lines = sink.captured
        Self.expectClean(lines, secrets: secrets.all, "configured")
        // The number of an SMS learner appears masked, if at all.
        #expect(lines.contains { $0.contains("SMS sent") })
    }

    @Test func devModeLogsNoMessageTextAndMasksNumbers() async throws {
        let secrets = Secrets()
        let sink = MemoryLogSink()
        let schema = try await TestSchema.create()
        let dependencies = try GatewayTestHarness.dependencies(
            schema: schema,
            [
                "LOG_LEVEL": "trace", "SLACK_SIGNING_SECRET": secrets.signingSecret,
                "TWILIO_AUTH_TOKEN": secrets.twilioToken, "PUBLIC_BASE_URL": TwilioWebhookTests.publicBase,
                "GATEWAY_API_KEYS": secrets.apiKeys.joined(separator: ","), "ADMIN_SLACK_USER_IDS": "U0ADMIN001",
            ], sink: sink)
        try await dependencies.migrator.migrate()
        try await CurriculumSync(pool: dependencies.postgres).sync(dependencies.curriculum)
        let recorded = try await buildApplication(dependencies: dependencies).test(.router) { client in
            try await Self.slackTraffic(
                client, dependencies, responseBase: "https://hooks.slack.invalid/commands", secret: secrets.signingSecret,
                slack: nil)
            try await Self.smsTraffic(client, dependencies, token: secrets.twilioToken, twilio: nil)
            try await Self.apiTraffic(client, keys: secrets.apiKeys)
            return try await dependencies.postgres.query(
                "SELECT count(*) AS n FROM outbound_messages WHERE status = 'recorded'")[0].decode(Int.self, "n")
        }
        await GatewayTestHarness.close(dependencies)
        await schema.drop()
        #expect(recorded > 3)
        let lines = sink.captured
        Self.expectClean(lines, secrets: secrets.all, "dev mode")
        let devLines = lines.filter { $0.contains("dev mode:") }
        #expect(devLines.contains { $0.contains("SMS not sent") && $0.contains("+*******6543") })
        // Nothing the bot said is in the logs: not the lesson, not the help text.
        #expect(!lines.contains { $0.contains("Msg and data rates may apply") })
        #expect(!lines.contains { $0.contains("business credit card tutor") })
    }
}
