import Foundation
import Slack
import Testing

@Suite struct SlackSignatureVerifierTests {
    // The worked example from Slack's "Verifying requests from Slack" documentation.
    static let secret = "8f742231b10e8888abcd99yyyzzz85a5"
    static let timestamp = "1531420618"
    static let body = Array(
        ("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
            + "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
            + "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
            + "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c").utf8)
    static let signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    static let then = Date(timeIntervalSince1970: 1_531_420_618)

    let verifier = SlackSignatureVerifier(signingSecret: secret)

    @Test func slacksDocumentedExampleVerifies() throws {
        #expect(verifier.signature(timestamp: Self.timestamp, body: Self.body) == Self.signature)
        try verifier.verify(timestamp: Self.timestamp, signature: Self.signature, body: Self.body, now: Self.then)
    }

    @Test func everyWayOfGettingItWrongIsNamed() {
        func failure(
            timestamp: String? = Self.timestamp, signature: String? = Self.signature, body: [UInt8] = Self.body,
            now: Date = Self.then
        ) -> SlackVerificationError? {
            do {
                try verifier.verify(timestamp: timestamp, signature: signature, body: body, now: now)
                return nil
            } catch {
                return error
            }
        }
        #expect(failure(timestamp: nil) == .missingHeaders)
        #expect(failure(signature: "") == .missingHeaders)
        #expect(failure(timestamp: "yesterday") == .malformedTimestamp)
        #expect(failure(now: Self.then.addingTimeInterval(301)) == .stale)
        #expect(failure(now: Self.then.addingTimeInterval(-301)) == .future)
        #expect(failure(now: Self.then.addingTimeInterval(300)) == nil)
        #expect(failure(body: Self.body + [UInt8(ascii: " ")]) == .badSignature)
        #expect(failure(signature: String(Self.signature.dropLast()) + "4") == .badSignature)
        #expect(failure(signature: Self.signature.uppercased()) == .badSignature)
        #expect(
            SlackSignatureVerifier(signingSecret: "other").signature(timestamp: Self.timestamp, body: Self.body)
                != Self.signature)
    }

    @Test func formBodiesDecodeLikeSlackEncodesThem() throws {
        let fields = try SlackFormDecoder.fields(Array("command=%2Flearn&text=time+7%3A30&empty=&flag".utf8))
        #expect(fields == ["command": "/learn", "text": "time 7:30", "empty": "", "flag": ""])
        #expect(throws: SlackFormDecoder.MalformedForm.self) { try SlackFormDecoder.fields(Array("a=%4".utf8)) }
        #expect(throws: SlackFormDecoder.MalformedForm.self) { try SlackFormDecoder.fields(Array("a=%G1".utf8)) }
        #expect(throws: SlackFormDecoder.MalformedForm.self) { try SlackFormDecoder.fields(Array("a=%FF".utf8)) }
    }

    @Test func slashCommandNeedsCommandAndUser() throws {
        let command = try SlackSlashCommand(form: ["command": "/learn", "user_id": "U1", "text": "help"])
        #expect(command.text == "help")
        #expect(throws: SlackPayloadError.missingField("command")) { try SlackSlashCommand(form: ["user_id": "U1"]) }
        #expect(throws: SlackPayloadError.missingField("user_id")) {
            try SlackSlashCommand(form: ["command": "/learn"])
        }
    }
}
