import Foundation
import Gateway
import Learning
import Testing

/// The outbox body's writer keeps what `Codable` reads back.
@Suite struct SlackOutboundBodyTests {
    @Test func everyFieldSurvivesTheOutbox() throws {
        var full = SlackOutboundBody(
            operation: .respond, channel: "D1", userID: "U1", ts: "1700000000.000100",
            responseURL: "https://hooks.slack.com/commands/T1/1/x", text: "Hi \"there\" \\ <b>&</b>\n",
            blocks: [["type": "section", "text": ["type": "mrkdwn", "text": "*é* 👩🏽‍💻"]]], ephemeral: false,
            replaceOriginal: true, view: ["type": "home", "blocks": []])
        full.threadTS = "1700000000.000200"
        let minimal = SlackOutboundBody(operation: .post, text: "")
        for body in [full, minimal] {
            let stored = try body.encoded()
            #expect(try JSONDecoder().decode(SlackOutboundBody.self, from: Data(stored.utf8)) == body)
            // The same members as Foundation's encoder writes, absent fields left out.
            let viaCodable = try JSONEncoder().encode(body)
            #expect(
                try JSONDecoder().decode(JSONValue.self, from: Data(stored.utf8))
                    == JSONDecoder().decode(JSONValue.self, from: viaCodable))
        }
        #expect(try minimal.encoded() == #"{"operation":"post","text":""}"#)
    }
}
