import SMS
import Testing

@Suite struct TwilioWebhookFormatTests {
    @Test(arguments: [
        ("application/json", TwilioWebhookFormat.json),
        ("Application/JSON; charset=utf-8", .json),
        (" application/json ;charset=UTF-8", .json),
        ("application/x-www-form-urlencoded", .form),
        ("application/x-www-form-urlencoded; charset=utf-8", .form),
        ("text/plain", .form),
        ("application/jsonp", .form),
    ])
    func contentTypeChoosesTheFormat(contentType: String, format: TwilioWebhookFormat) {
        #expect(TwilioWebhookFormat(contentType: contentType) == format)
    }

    @Test func noContentTypeIsAForm() {
        #expect(TwilioWebhookFormat(contentType: nil) == .form)
    }

    @Test func aJSONObjectsStringMembersAreTheParameters() throws {
        let body = #"{"To":"+13125550100","Body":"caf\u00e9 😀 b","From":"+15551234567","NumMedia":"0"}"#
        let parameters = try TwilioWebhookFormat.json.parameters(of: Array(body.utf8))
        #expect(
            parameters.map { [$0.0, $0.1] } == [
                ["Body", "café 😀 b"], ["From", "+15551234567"], ["NumMedia", "0"], ["To", "+13125550100"],
            ])
    }

    @Test func aFormBodyIsParsedAsAForm() throws {
        let parameters = try TwilioWebhookFormat.form.parameters(of: Array("Body=Hello+World&From=%2B1555".utf8))
        #expect(parameters.map { [$0.0, $0.1] } == [["Body", "Hello World"], ["From", "+1555"]])
    }

    @Test(arguments: [
        ("", "not valid JSON"),
        ("{\"Body\":", "not valid JSON"),
        ("Body=START", "not valid JSON"),
        ("[\"Body\",\"START\"]", "not a JSON object"),
        ("\"START\"", "not a JSON object"),
        ("null", "not a JSON object"),
        ("{\"Body\":\"START\",\"NumMedia\":0}", "must be a string"),
        ("{\"Body\":null}", "must be a string"),
        ("{\"Body\":{\"text\":\"START\"}}", "must be a string"),
        ("{\"Body\":[\"START\"]}", "must be a string"),
        ("{\"Body\":true}", "must be a string"),
    ])
    func anythingButAnObjectOfStringsIsMalformed(body: String, reason: String) {
        do {
            let parameters = try TwilioWebhookFormat.json.parameters(of: Array(body.utf8))
            Issue.record("decoded \(parameters.count) parameters from a malformed body")
        } catch {
            #expect(error.code == .malformedJSON)
            #expect(error.message.contains(reason), "\(error.message)")
        }
    }

    @Test func invalidUTF8IsMalformed() {
        #expect(throws: SMSError.self) {
            try TwilioWebhookFormat.json.parameters(of: Array("{\"Body\":\"".utf8) + [0xC3, 0x28] + Array("\"}".utf8))
        }
    }

    @Test func errorDescriptionDoesNotEchoInput() {
        do {
            _ = try TwilioWebhookFormat.json.parameters(of: Array(#"{"From":"+15551234567","Body":42}"#.utf8))
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("1555"))
            #expect(!error.description.contains("42"))
        }
    }
}
