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

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Text a learner, an admin, a Slack profile or the language model controls never escapes its place: in what
/// reaches Slack it stays text (no live `<!channel>`, mention or link), and in TwiML it stays one message's text.
/// End to end: signed webhooks in through the routes, replies out to the Slack stand-in or the SMS outbox.
@Suite struct MarkupInjectionTests {
    /// Mrkdwn control sequences, HTML and a TwiML break-out, all in one string.
    static let hostile =
        "Hi <b>bold</b> & <!channel> <!here> <@U123> <#C0GENERAL> <https://evil.example|click> "
        + "</Message><Redirect>https://evil.example/twiml</Redirect><Message>"
    /// What must never reach Slack unescaped.
    static let liveMarkup = ["<!channel>", "<!here>", "<@U123>", "<#C0GENERAL>", "<https://evil", "<b>", "</Message>"]

    static func withGateway(
        _ body: @Sendable (any TestClientProtocol, GatewayDependencies, SlackAPIStandIn, AnthropicStandIn, String)
            async throws -> Void
    ) async throws {
        let slack = SlackAPIStandIn()
        let anthropic = AnthropicStandIn(defaultAnswer: .text(Self.hostile))
        try await slack.run { apiBase, responseBase in
            try await anthropic.run { anthropicBase in
                let schema = try await TestSchema.create()
                let dependencies = try GatewayTestHarness.dependencies(
                    schema: schema,
                    [
                        "SLACK_SIGNING_SECRET": SlackWebhookTests.secret, "SLACK_BOT_TOKEN": "xoxb-test",
                        "SLACK_API_BASE_URL": apiBase, "ADMIN_SLACK_USER_IDS": "U0ADMIN001",
                        "ANTHROPIC_API_KEY": "sk-ant-test", "ANTHROPIC_BASE_URL": anthropicBase,
                        "TWILIO_AUTH_TOKEN": TwilioWebhookTests.token, "PUBLIC_BASE_URL": TwilioWebhookTests.publicBase,
                    ])
                try await dependencies.migrator.migrate()
                try await CurriculumSync(pool: dependencies.postgres).sync(dependencies.curriculum)
                try await buildApplication(dependencies: dependencies, roles: [.web]).test(.router) { client in
                    try await body(client, dependencies, slack, anthropic, responseBase)
                }
                await GatewayTestHarness.close(dependencies)
                await schema.drop()
            }
        }
    }

    /// Every string Slack would render as mrkdwn in a call: the top-level `text` and every `text` in the blocks
    /// whose type is `mrkdwn`; plain_text (headers, buttons) is never parsed for mentions or links.
    static func mrkdwnTexts(_ call: SlackAPIStandIn.Call) -> [String] {
        guard let json = call.json else { return [] }
        var found: [String] = []
        if let text = json["text"] as? String { found.append(text) }
        func walk(_ value: Any) {
            if let object = value as? [String: Any] {
                if object["type"] as? String == "mrkdwn", let text = object["text"] as? String { found.append(text) }
                object.values.forEach(walk)
            } else if let array = value as? [Any] {
                array.forEach(walk)
            }
        }
        walk(json["blocks"] ?? [])
        return found
    }

    @Test func hostileTextReachesSlackAsTextOnly() async throws {
        try await Self.withGateway { client, dependencies, slack, anthropic, responseBase in
            func send(_ path: String, _ body: [UInt8], form: Bool = false) async throws {
                #expect(try await HostileInputTests.post(client, path, body, form: form).0 == .ok)
            }
            // A learner whose Slack profile name is hostile DMs the bot; the model answers with hostile text.
            slack.setDisplayName(Self.hostile, for: "U0LEARNER7")
            try await send("/slack/events", try HostileInputTests.dmEvent(id: "Ev0MARK1", user: "U0LEARNER7", text: "hi"))
            // The same text as a mention, a /learn subcommand, admin arguments, and a broadcast.
            try await send(
                "/slack/events",
                Array(
                    try JSONSerialization.data(withJSONObject: [
                        "type": "event_callback", "event_id": "Ev0MARK2",
                        "event": [
                            "type": "app_mention", "user": "U0LEARNER8", "channel": "C0TRAINING1",
                            "text": "<@U0BOTUSER1> " + Self.hostile, "ts": "1763900000.000200",
                        ],
                    ])))
            let commands = [
                ("/learn", "U0LEARNER7", "<!channel> now"),
                ("/learn-admin", "U0ADMIN001", "enroll <!channel>"),
                ("/learn-admin", "U0ADMIN001", "enroll <@U0LEARNER7> <https://evil.example|click> <!here>"),
                ("/learn-admin", "U0ADMIN001", "broadcast " + Self.hostile),
            ]
            for (index, (command, user, text)) in commands.enumerated() {
                try await send(
                    "/slack/commands",
                    HostileInputTests.command(
                        text, user: user, command: command, trigger: "tr.mark.\(index)", responseBase: responseBase),
                    form: true)
            }
            try await SlackConversationTests.work(dependencies)
            // The profile name comes back in the admin's learner list.
            try await send(
                "/slack/commands",
                HostileInputTests.command("learners", trigger: "tr.mark.learners", responseBase: responseBase),
                form: true)
            try await SlackConversationTests.work(dependencies)
            try await Task.sleep(for: .milliseconds(1100))  // each DM channel's pace
            try await dependencies.slackDispatcher.dispatchOnce()

            #expect(anthropic.calls.count >= 1)
            let calls = slack.calls.filter { $0.method != "users.info" && $0.method != "conversations.open" }
            let texts = calls.flatMap(Self.mrkdwnTexts)
            #expect(calls.count >= 7)
            for text in texts {
                for markup in Self.liveMarkup {
                    #expect(!text.contains(markup), "\(markup) is live in: \(text.prefix(200))")
                }
            }
            // The text is all there, escaped: it reads the same to the person.
            let escaped = SlackReplyRenderer.escape(Self.hostile)
            #expect(texts.contains { $0.contains(escaped) })
            let posts = slack.calls("chat.postMessage")
            // The model's reply, as the section and as the notification text.
            let reply = try #require(
                posts.first { $0.json?["channel"] as? String == "DU0LEARNER7" && $0.json?["blocks"] != nil })
            #expect(reply.json?["text"] as? String == escaped)
            #expect(Self.mrkdwnTexts(reply).filter { $0.contains(escaped) }.count == 2)
            #expect(texts.contains { $0.contains("&lt;!channel&gt;") && $0.contains("I don't know") })
            #expect(texts.contains { $0.contains("&lt;https://evil.example|click&gt;") })
            #expect(texts.contains { $0.contains(SlackReplyRenderer.escape(Self.hostile)) && $0.contains("·") })
        }
    }

    // MARK: - TwiML

    /// The elements of an XML document and the text of each `Message`, or nil when it is not well-formed.
    final class TwiMLReader: NSObject, XMLParserDelegate {
        var elements: [String] = []
        var messages: [String] = []
        private var current: String?

        static func read(_ xml: String) -> TwiMLReader? {
            let reader = TwiMLReader()
            let parser = XMLParser(data: Data(xml.utf8))
            parser.delegate = reader
            return parser.parse() ? reader : nil
        }

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            elements.append(name)
            if name == "Message" { current = "" }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            current? += string
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "Message", let current { messages.append(current) }
            if name == "Message" { current = nil }
        }
    }

    @Test func hostileSMSTextStaysInsideOneTwiMLMessage() async throws {
        try await Self.withGateway { client, dependencies, _, anthropic, _ in
            var replies: [String] = []
            for (index, body) in [Self.hostile, "TZ </Message><Redirect>", "TIME <Redirect/>"].enumerated() {
                let sid = "SMmarkup\(index)"
                let form = HostileInputTests.sms(HostileInputTests.smsFields(sid: sid, body: body, extra: Self.hostile))
                let answer = try await TwilioWebhookTests.post(client, "/twilio/sms", form, expect: .ok)
                // The webhook's own answer: well-formed, one empty Response, nothing injected.
                let document = try #require(TwiMLReader.read(answer), "\(answer)")
                #expect(document.elements == ["Response"])
                try await dependencies.inboxProcessor.processOnce()
                replies += try await SMSConversationTests.replies(to: sid, dependencies)
            }
            #expect(anthropic.calls.count >= 1)
            // The model's answer is sent as plain text (an SMS is not markup), as written.
            #expect(replies.contains { $0.contains("</Message><Redirect>https://evil.example/twiml</Redirect>") })
            #expect(replies.contains { $0.contains("</Message><Redirect>") && $0.contains("time zone") })
            // Any reply put in TwiML is one Message holding exactly that text.
            for reply in replies {
                let twiml = TwiML.message(reply).xml
                let document = try #require(TwiMLReader.read(twiml), "\(twiml)")
                #expect(document.elements == ["Response", "Message"])
                #expect(document.messages == [reply])
            }
            let several = TwiML.messages([Self.hostile, "second & <last>"])
            let read = try #require(TwiMLReader.read(several.xml))
            #expect(read.elements == ["Response", "Message", "Message"])
            #expect(read.messages == [Self.hostile, "second & <last>"])
            // Characters XML 1.0 cannot carry are dropped; the rest is kept.
            let control = try #require(TwiMLReader.read(TwiML.message("a\u{1}b\u{FFFE}c\td").xml))
            #expect(control.messages == ["abc\td"])
        }
    }
}
