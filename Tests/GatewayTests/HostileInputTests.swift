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
import Slack
import TestSupport
import Testing

/// Hostile text through every field the outside world can fill: SQL metacharacters, 10 KB strings and NUL, sent
/// signed through the real routes into real Postgres. Each value is stored exactly as sent or refused with a clear
/// 4xx before anything is stored; no request gets a 5xx, and every table is still there afterwards.
@Suite struct HostileInputTests {
    /// SQL metacharacters and the shapes of classic injections.
    static let metacharacters = [
        "'; DROP TABLE learners; --",
        "Robert'); DROP TABLE learner_identities; --",
        #"back\slash \\ \' \" and \n not a newline"#,
        "$1 $2 $$ dollar $$ quoted $tag$ x $tag$",
        "100% off _under_score_ %% LIKE '%'",
        "E'\\x00' ::text; SELECT pg_sleep(10); --",
        "\"double\" `tick` /* comment */ -- end",
    ]

    /// 10 KB of text that does not compress: keys this long would not fit a Postgres index entry (about 2.7 KB).
    static let tenKB: String = {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';%_$\\\"-/*() ")
        // Ends that are not white space, which the SMS and slash-command parsers trim.
        return "x" + String((0..<10_238).map { _ in alphabet.randomElement(using: &generator)! }) + "x"
    }()

    /// An identifier 10 KB long, in a provider's alphabet.
    static let tenKBIdentifier: String = {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return "U" + String((0..<10_240).map { _ in alphabet.randomElement(using: &generator)! })
    }()

    static var hostile: [String] { metacharacters + [tenKB] }

    static let admin = "U0ADMIN001"

    // MARK: - Requests

    static func post(
        _ client: any TestClientProtocol, _ path: String, _ body: [UInt8], form: Bool = false
    ) async throws -> (HTTPResponse.Status, String) {
        let headers = SlackWebhookTests.signedHeaders(
            body, contentType: form ? "application/x-www-form-urlencoded" : "application/json")
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: body)) {
            ($0.status, String(buffer: $0.body))
        }
    }

    static func dmEvent(id: String, user: String, text: String) throws -> [UInt8] {
        let event: [String: Any] = [
            "type": "event_callback", "event_id": id, "team_id": "T0LEARN01", "api_app_id": "A0GATEWAY1",
            "event": [
                "type": "message", "channel_type": "im", "user": user, "channel": "D" + user, "text": text,
                "ts": "1763900000.000100",
            ],
        ]
        return Array(try JSONSerialization.data(withJSONObject: event))
    }

    static func command(
        _ text: String, user: String = admin, command: String = "/learn-admin", trigger: String, responseBase: String
    ) -> [UInt8] {
        Array(
            HTTPFormEncoding.encode([
                ("team_id", "T0LEARN01"), ("channel_id", "C0TRAINING1"), ("user_id", user), ("user_name", "x"),
                ("command", command), ("text", text), ("response_url", responseBase + "/T0LEARN01/1/x"),
                ("trigger_id", trigger),
            ]).utf8)
    }

    static func interaction(_ payload: [String: Any]) throws -> [UInt8] {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: payload), as: UTF8.self)
        return Array(HTTPFormEncoding.encode([("payload", json)]).utf8)
    }

    static func storedPayload(_ dependencies: GatewayDependencies, _ source: String, _ id: String) async throws
        -> [UInt8]?
    {
        try await dependencies.postgres.query(
            "SELECT payload FROM inbound_events WHERE source = $1 AND external_id = $2", [source, id]
        ).first?.decode([UInt8].self, "payload")
    }

    static func tableNames(_ postgres: PostgresConnectionPool) async throws -> [String] {
        try await postgres.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1"
        ).map { try $0.decode(String.self, "table_name") }
    }

    /// What the agent's memory keeps of a learner's message: redacted and cut at 4,000 characters, by design.
    static func remembered(_ text: String) -> String {
        String(PIIRedactor().redact(text).prefix(4_000))
    }

    static func learnerTurns(_ postgres: PostgresConnectionPool, channel: String, externalID: String) async throws
        -> [String]
    {
        try await postgres.query(
            """
            SELECT m.content FROM memory_turns m JOIN learner_identities i ON i.learner_id = m.learner_id
            WHERE i.channel = $1 AND i.external_id = $2 AND m.role = 'learner' ORDER BY m.id
            """, [channel, externalID]
        ).map { try $0.decode(String.self, "content") }
    }

    // MARK: - Slack

    @Test func slackTextFieldsAreStoredExactlyAsSent() async throws {
        try await SlackConversationTests.withGateway { client, dependencies, standIn, responseBase in
            let tables = try await Self.tableNames(dependencies.postgres)
            for (index, text) in Self.hostile.enumerated() {
                let user = "U0HOSTILE\(index)"
                // users.info answers with the hostile text as the learner's display name.
                standIn.setDisplayName(text, for: user)

                // A DM: the raw body is stored as it came, the agent remembers the text.
                let event = try Self.dmEvent(id: "Ev0HOSTILE\(index)", user: user, text: text)
                #expect(try await Self.post(client, "/slack/events", event).0 == .ok)
                #expect(try await Self.storedPayload(dependencies, "slack_event", "Ev0HOSTILE\(index)") == event)

                // A slash command whose text is the hostile string, and a broadcast of it.
                let learn = Self.command(
                    "topic " + text, user: user, command: "/learn", trigger: "tr.learn.\(index)",
                    responseBase: responseBase)
                #expect(try await Self.post(client, "/slack/commands", learn, form: true).0 == .ok)
                #expect(try await Self.storedPayload(dependencies, "slack_command", "tr.learn.\(index)") == learn)
                let broadcast = Self.command(
                    "broadcast " + text, trigger: "tr.broadcast.\(index)", responseBase: responseBase)
                #expect(try await Self.post(client, "/slack/commands", broadcast, form: true).0 == .ok)

                // A button whose value is the hostile string: stored, then ignored (it names no quiz).
                let press = try Self.interaction([
                    "type": "block_actions", "user": ["id": user], "channel": ["id": "D" + user],
                    "trigger_id": "tr.press.\(index)",
                    "actions": [["action_id": "quiz_answer_0", "value": text, "action_ts": "1763900500.\(index)"]],
                ])
                #expect(try await Self.post(client, "/slack/interactions", press, form: true).0 == .ok)
                let pressKey = "\(user):quiz_answer_0:1763900500.\(index)"
                #expect(try await Self.storedPayload(dependencies, "slack_interaction", pressKey) == press)

                try await dependencies.inboxProcessor.processOnce()
                let failed = try await dependencies.postgres.query(
                    "SELECT count(*) AS n FROM inbound_events WHERE status NOT IN ('done', 'ignored')")
                #expect(try failed[0].decode(Int.self, "n") == 0, "\(index)")

                #expect(
                    try await Self.learnerTurns(dependencies.postgres, channel: "slack", externalID: user).first
                        == Self.remembered(text))
                let name = try await dependencies.postgres.query(
                    """
                    SELECT l.display_name FROM learners l JOIN learner_identities i ON i.learner_id = l.id
                    WHERE i.channel = 'slack' AND i.external_id = $1
                    """, [user])
                #expect(try name.first?.decode(String?.self, "display_name") == text)
                let audit = try await dependencies.postgres.query(
                    "SELECT details->>'text' AS text FROM audit_log WHERE action = 'admin.broadcast' ORDER BY id DESC")
                #expect(try audit.first?.decode(String.self, "text") == text)
            }
            // Every broadcast body holds the text escaped for mrkdwn, once per recipient.
            let bodies = try await dependencies.postgres.query(
                "SELECT body->>'text' AS text FROM outbound_messages WHERE kind = 'broadcast'"
            ).map { try $0.decode(String.self, "text") }
            #expect(!bodies.isEmpty)
            #expect(bodies.allSatisfy { !$0.contains("<") && !$0.contains(">") })
            #expect(try await Self.tableNames(dependencies.postgres) == tables)
            #expect(try await dependencies.postgres.query("SELECT count(*) AS n FROM learners")[0].decode(
                Int.self, "n") == Self.hostile.count)
        }
    }

    @Test func aUserInfoNameWithNULIsStoredWithoutIt() async throws {
        try await SlackConversationTests.withGateway { client, dependencies, standIn, _ in
            standIn.setDisplayName("Sam\u{0}'; DROP TABLE learners; --", for: "U0NULNAME")
            let event = try Self.dmEvent(id: "Ev0NULNAME", user: "U0NULNAME", text: "hello")
            #expect(try await Self.post(client, "/slack/events", event).0 == .ok)
            try await dependencies.inboxProcessor.processOnce()
            let name = try await dependencies.postgres.query("SELECT display_name FROM learners")
            #expect(try name.first?.decode(String?.self, "display_name") == "Sam'; DROP TABLE learners; --")
        }
    }

    @Test func slackIdentifiersTooLongToIndexAreRefusedWith400() async throws {
        try await SlackConversationTests.withGateway { client, dependencies, _, responseBase in
            let long = Self.tenKBIdentifier
            let cases: [(String, [UInt8], Bool)] = [
                ("/slack/events", try Self.dmEvent(id: long, user: "U0LEARNER1", text: "hi"), false),
                ("/slack/events", try Self.dmEvent(id: "Ev0LONGUSER", user: long, text: "hi"), false),
                ("/slack/events", try Self.dmEvent(id: "Ev0SPACEUSER", user: "U0 LEARNER", text: "hi"), false),
                ("/slack/commands", Self.command("stats", trigger: long, responseBase: responseBase), true),
                ("/slack/commands", Self.command("stats", user: long, trigger: "t1", responseBase: responseBase), true),
                (
                    "/slack/interactions",
                    try Self.interaction([
                        "type": "block_actions", "user": ["id": "U0LEARNER1"],
                        "actions": [["action_id": "next_lesson", "value": "next", "action_ts": long]],
                    ]), true
                ),
            ]
            for (path, body, form) in cases {
                let (status, answer) = try await Self.post(client, path, body, form: form)
                #expect(status == .badRequest, "\(path)")
                #expect(answer.contains("malformed_request"))
            }
            #expect(try await SlackWebhookTests.storedEvents(dependencies).isEmpty)
        }
    }

    @Test func anAdminCommandNamingAnOverlongUserIDChangesNothing() async throws {
        try await SlackAdminCommandTests.withAdmin { context in
            let answer = try await context.admin("enroll <@\(Self.tenKBIdentifier)> apr")
            #expect(answer.contains("can't tell who"))
            #expect(try await context.admin("admins add <@\(Self.tenKBIdentifier)>").contains("can't tell who"))
            #expect(try await context.count("SELECT count(*) FROM learners") == 0)
            #expect(try await context.count("SELECT count(*) FROM admins") == 0)
            #expect(try await context.count("SELECT count(*) FROM inbound_events WHERE status <> 'done'") == 0)
        }
    }

    // MARK: - SMS

    static func sms(_ fields: [(String, String)]) -> [UInt8] {
        Array(HTTPFormEncoding.encode(fields).utf8)
    }

    static func smsFields(sid: String, from: String = "+15551234567", body: String, extra: String = "")
        -> [(String, String)]
    {
        [
            ("MessageSid", sid), ("SmsSid", sid), ("AccountSid", "AC" + String(repeating: "0", count: 32)),
            ("From", from), ("To", "+13125550100"), ("Body", body), ("NumMedia", "0"), ("FromCity", extra),
            ("FromState", extra), ("FromZip", extra), ("FromCountry", extra), ("ToCity", extra),
        ]
    }

    @Test func smsFieldsAreStoredExactlyAsSent() async throws {
        try await SMSConversationTests.withGateway { client, dependencies in
            let tables = try await Self.tableNames(dependencies.postgres)
            for (index, text) in Self.hostile.enumerated() {
                let sid = "SMhostile\(index)"
                let from = "+1555123\(String(format: "%04d", index))"
                let form = Self.sms(Self.smsFields(sid: sid, from: from, body: text, extra: text))
                let twiml = try await TwilioWebhookTests.post(client, "/twilio/sms", form, expect: .ok)
                #expect(twiml.contains("<Response/>"))
                #expect(try await Self.storedPayload(dependencies, "twilio_sms", sid) == form)
                // The same through a JSON body.
                let json = try JSONSerialization.data(
                    withJSONObject: Dictionary(
                        Self.smsFields(sid: sid + "j", from: from, body: text, extra: text),
                        uniquingKeysWith: { first, _ in first }))
                _ = try await TwilioWebhookTests.postJSON(client, "/twilio/sms", Array(json), expect: .ok)
                #expect(try await Self.storedPayload(dependencies, "twilio_sms", sid + "j") == Array(json))
                // Status callbacks carrying the text as the error code, and as the number a carrier opted out.
                let status = Self.sms([
                    ("MessageSid", "SMout\(index)"), ("MessageStatus", "failed"), ("ErrorCode", text), ("To", text),
                ])
                _ = try await TwilioWebhookTests.post(client, "/twilio/status", status, expect: .ok)
                let optOut = Self.sms([
                    ("MessageSid", "SMoptout\(index)"), ("MessageStatus", "undelivered"), ("ErrorCode", "21610"),
                    ("To", text),
                ])
                _ = try await TwilioWebhookTests.post(client, "/twilio/status", optOut, expect: .ok)

                try await dependencies.inboxProcessor.processOnce()
                let failed = try await dependencies.postgres.query(
                    "SELECT count(*) AS n FROM inbound_events WHERE status NOT IN ('done', 'ignored')")
                #expect(try failed[0].decode(Int.self, "n") == 0, "\(index)")
                let turns = try await Self.learnerTurns(dependencies.postgres, channel: "sms", externalID: from)
                // Free text goes to the agent; what it remembers is the text (redacted, cut at 4,000).
                #expect(turns.contains(Self.remembered(text)), "\(index)")
            }
            // A carrier opt-out names a real number or nothing is written.
            #expect(try await dependencies.postgres.query("SELECT count(*) AS n FROM opt_outs")[0].decode(
                Int.self, "n") == 0)
            #expect(try await Self.tableNames(dependencies.postgres) == tables)
        }
    }

    @Test func smsIdentifiersTooLongToIndexAreRefusedWith400() async throws {
        try await TwilioWebhookTests.withGateway { client, dependencies in
            let long = Self.tenKBIdentifier
            _ = try await TwilioWebhookTests.post(
                client, "/twilio/sms", Self.sms(Self.smsFields(sid: long, body: "hi")), expect: .badRequest)
            _ = try await TwilioWebhookTests.post(
                client, "/twilio/status", Self.sms([("MessageSid", "SM1"), ("MessageStatus", long)]),
                expect: .badRequest)
            _ = try await TwilioWebhookTests.post(
                client, "/twilio/sms", Self.sms(Self.smsFields(sid: "SM2", from: "+1555" + long, body: "hi")),
                expect: .badRequest)
            #expect(try await TwilioWebhookTests.stored(dependencies).isEmpty)
        }
    }

    // MARK: - Agent API

    static func api(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ object: [String: Any]? = nil
    ) async throws -> (HTTPResponse.Status, [String: Any]) {
        let json = try object.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        return try await AgentAPITests.call(client, method, uri, json: json)
    }

    static func pathComponent(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    }

    @Test func agentAPIFieldsAreStoredExactlyAsSentOrRefusedWith422() async throws {
        let schema = try await TestSchema.create()
        let dependencies = try GatewayTestHarness.dependencies(
            schema: schema, ["GATEWAY_API_KEYS": AgentAPITests.key])
        try await dependencies.migrator.migrate()
        try await CurriculumSync(pool: dependencies.postgres).sync(dependencies.curriculum)
        try await buildApplication(dependencies: dependencies, roles: [.web]).test(.router) { client in
            for text in Self.metacharacters {
                // As a learner id: stored as the identity, found again through the path.
                let (chat, reply) = try await Self.api(
                    client, .post, "/api/v1/agent/chat", ["learner_id": text, "message": text])
                #expect(chat == .ok, "\(text)")
                #expect(reply["learner_id"] as? String == text)
                let identity = try await dependencies.postgres.query(
                    "SELECT count(*) AS n FROM learner_identities WHERE channel = 'api' AND external_id = $1", [text])
                #expect(try identity[0].decode(Int.self, "n") == 1)
                #expect(
                    try await Self.learnerTurns(dependencies.postgres, channel: "api", externalID: text).first
                        == Self.remembered(text))
                let (path, body) = try await Self.api(
                    client, .get, "/api/v1/agent/learning-path/" + Self.pathComponent(text))
                #expect(path == .ok)
                #expect(body["learner_id"] as? String == text)
                let (progress, _) = try await Self.api(
                    client, .get, "/api/v1/learners/" + Self.pathComponent(text) + "/progress")
                #expect(progress == .ok)
                let (lesson, _) = try await Self.api(
                    client, .post, "/api/v1/agent/start-lesson", ["learner_id": text, "topic": text])
                #expect(lesson == .unprocessableContent)
                let (answer, _) = try await Self.api(
                    client, .post, "/api/v1/agent/submit-answer",
                    ["learner_id": text, "attempt_id": text, "answer": text])
                #expect(answer == .unprocessableContent)
            }
            // A LIKE pattern never matches another learner: `%` is only a character.
            let (unknown, _) = try await Self.api(client, .get, "/api/v1/learners/%25/progress")
            #expect(unknown == .notFound)

            let long = Self.tenKB
            #expect(
                try await Self.api(client, .post, "/api/v1/agent/chat", ["learner_id": "emp-1", "message": "hi"]).0
                    == .ok)
            for (path, object) in [
                ("/api/v1/agent/chat", ["learner_id": long, "message": "hi"]),
                ("/api/v1/agent/chat", ["learner_id": "emp-1", "message": long]),
                ("/api/v1/agent/start-lesson", ["learner_id": long]),
                ("/api/v1/agent/start-lesson", ["learner_id": "emp-1", "topic": long]),
                ("/api/v1/agent/submit-answer", ["learner_id": "emp-1", "answer": long]),
                ("/api/v1/agent/submit-answer", ["learner_id": "emp-1", "attempt_id": long, "answer": "A"]),
            ] {
                let (status, body) = try await Self.api(client, .post, path, object)
                #expect(status == .unprocessableContent, "\(path)")
                #expect(body["error"] as? String == "invalid_request")
            }
            let (longPath, _) = try await Self.api(
                client, .get, "/api/v1/agent/learning-path/" + Self.pathComponent(long))
            #expect(longPath == .unprocessableContent)
            #expect(try await Self.tableNames(dependencies.postgres).contains("learners"))
        }
        await GatewayTestHarness.close(dependencies)
        await schema.drop()
    }

    // MARK: - NUL

    @Test func nulIsRefusedWithA4xxOnEveryRouteAndNothingIsStored() async throws {
        try await SlackConversationTests.withGateway { client, dependencies, _, responseBase in
            let nul = "before\u{0}after'; DROP TABLE learners; --"
            #expect(
                try await Self.post(client, "/slack/events", try Self.dmEvent(id: "Ev0NUL1", user: "U0A", text: nul))
                    .0 == .badRequest)
            #expect(
                try await Self.post(
                    client, "/slack/commands", Self.command("broadcast " + nul, trigger: "t.nul", responseBase: responseBase),
                    form: true
                ).0 == .badRequest)
            let press = try Self.interaction([
                "type": "block_actions", "user": ["id": "U0A"], "trigger_id": "t.nul.2",
                "actions": [["action_id": "next_lesson", "value": nul, "action_ts": "1.2"]],
            ])
            #expect(try await Self.post(client, "/slack/interactions", press, form: true).0 == .badRequest)
            // A raw NUL byte where a form value goes.
            let raw = Self.command("stats", trigger: "t.raw", responseBase: responseBase) + [0]
            #expect(try await Self.post(client, "/slack/commands", raw, form: true).0 == .badRequest)
            #expect(try await SlackWebhookTests.storedEvents(dependencies).isEmpty)

            // A backslash before `u0000` is text, not a NUL: stored and answered like any message.
            let escaped = try Self.dmEvent(id: "Ev0NOTNUL", user: "U0B", text: #"C:\u0000 is a path"#)
            #expect(try await Self.post(client, "/slack/events", escaped).0 == .ok)
            #expect(try await Self.storedPayload(dependencies, "slack_event", "Ev0NOTNUL") == escaped)
        }
        try await TwilioWebhookTests.withGateway { client, dependencies in
            let nul = "A\u{0}B"
            _ = try await TwilioWebhookTests.post(
                client, "/twilio/sms", Self.sms(Self.smsFields(sid: "SMnul1", body: nul)), expect: .badRequest)
            _ = try await TwilioWebhookTests.post(
                client, "/twilio/sms", Self.sms(Self.smsFields(sid: "SMnul2", body: "hi", extra: nul)),
                expect: .badRequest)
            let json = try JSONSerialization.data(
                withJSONObject: Dictionary(Self.smsFields(sid: "SMnul3", body: nul), uniquingKeysWith: { a, _ in a }))
            _ = try await TwilioWebhookTests.postJSON(client, "/twilio/sms", Array(json), expect: .badRequest)
            _ = try await TwilioWebhookTests.post(
                client, "/twilio/status", Self.sms([("MessageSid", "SMnul4"), ("MessageStatus", "sent\u{0}")]),
                expect: .badRequest)
            #expect(try await TwilioWebhookTests.stored(dependencies).isEmpty)
        }
        try await AgentAPITests.withAPI { client in
            for object in [
                ["learner_id": "emp-1\u{0}", "message": "hi"], ["learner_id": "emp-1", "message": "a\u{0}b"],
                ["learner_id": "emp-1", "topic": "apr\u{0}"],
            ] {
                let path = object["message"] == nil ? "/api/v1/agent/start-lesson" : "/api/v1/agent/chat"
                let (status, body) = try await Self.api(client, .post, path, object)
                #expect(status == .unprocessableContent)
                #expect(body["error"] as? String == "invalid_request")
            }
            let (submit, _) = try await Self.api(
                client, .post, "/api/v1/agent/submit-answer", ["learner_id": "emp-1", "answer": "B\u{0}"])
            #expect(submit == .unprocessableContent)
            // `alice\0x` must not be taken for `alice`.
            let (made, _) = try await Self.api(
                client, .post, "/api/v1/agent/chat", ["learner_id": "alice", "message": "hi"])
            #expect(made == .ok)
            let (confused, _) = try await Self.api(client, .get, "/api/v1/learners/alice%00x/progress")
            #expect(confused == .unprocessableContent)
        }
    }
}
