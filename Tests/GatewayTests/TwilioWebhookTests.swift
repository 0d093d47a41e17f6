import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Postgres
import SMS
import Signing
import TestSupport
import Testing
import WebhookSamples

@Suite struct TwilioWebhookTests {
    static let token = "12345678901234567890123456789012"
    static let publicBase = "https://learn.example.com"

    static func withGateway(
        _ overrides: [String: String] = [:],
        _ body: @Sendable (any TestClientProtocol, GatewayDependencies) async throws -> Void
    ) async throws {
        let schema = try await TestSchema.create()
        var settings = ["TWILIO_AUTH_TOKEN": token, "PUBLIC_BASE_URL": publicBase]
        settings.merge(overrides) { _, new in new }
        let dependencies = try GatewayTestHarness.dependencies(schema: schema, settings)
        try await dependencies.migrator.migrate()
        try await buildApplication(dependencies: dependencies, roles: [.web]).test(.router) { client in
            try await body(client, dependencies)
        }
        await GatewayTestHarness.close(dependencies)
        await schema.drop()
    }

    /// Posts `form` to `path` signed as Twilio signs it: over the public URL, never the address we listen on.
    static func post(
        _ client: any TestClientProtocol, _ path: String, _ form: [UInt8], signature: String? = nil,
        token: String = token, expect status: HTTPResponse.Status
    ) async throws -> String {
        let parameters = try TwilioFormParser.parse(form)
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        headers[HTTPField.Name("X-Twilio-Signature")!] =
            signature
            ?? TwilioSignatureVerifier.signature(authToken: token, url: publicBase + path, parameters: parameters)
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: form)) {
            response in
            #expect(response.status == status)
            return String(buffer: response.body)
        }
    }

    /// What the `bodySHA256` query parameter of a test's JSON request holds.
    enum BodySHA256 {
        /// The SHA-256 of the body sent, as Twilio sends it.
        case ofBody
        /// The SHA-256 of other bytes (the body Twilio signed, when a test tampers with the one sent).
        case of([UInt8])
        /// No `bodySHA256` parameter at all.
        case absent
    }

    /// Posts `json` to `path` signed as Twilio signs a JSON body: the URL carries `bodySHA256` and the signature
    /// covers that public URL alone.
    static func postJSON(
        _ client: any TestClientProtocol, _ path: String, _ json: [UInt8], bodySHA256: BodySHA256 = .ofBody,
        signature: String? = nil, token: String = token, expect status: HTTPResponse.Status
    ) async throws -> String {
        let uri =
            switch bodySHA256 {
            case .ofBody: path + "?bodySHA256=" + Digest.sha256Hex(json)
            case .of(let signed): path + "?bodySHA256=" + Digest.sha256Hex(signed)
            case .absent: path
            }
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[HTTPField.Name("X-Twilio-Signature")!] =
            signature ?? TwilioSignatureVerifier.signature(authToken: token, url: publicBase + uri, parameters: [])
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(bytes: json)) {
            response in
            #expect(response.status == status)
            return String(buffer: response.body)
        }
    }

    static func stored(_ dependencies: GatewayDependencies) async throws -> [(String, String)] {
        let rows = try await dependencies.postgres.query("SELECT source, external_id FROM inbound_events ORDER BY id")
        return try rows.map { (try $0.decode(String.self, "source"), try $0.decode(String.self, "external_id")) }
    }

    @Test(arguments: [TwilioWebhookFormat.form, .json])
    func signedSMSIsStoredAsItCameAndAnsweredWithEmptyTwiML(_ format: TwilioWebhookFormat) async throws {
        try await Self.withGateway { client, dependencies in
            let (sample, sid) =
                format == .form
                ? ("sms_inbound.form", "SM1f0e2d3c4b5a69788796a5b4c3d2e1f0")
                : ("sms_inbound.json", "SM2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d")
            let body = try WebhookSamples.data(provider: "twilio", name: sample)
            func deliver() async throws -> String {
                switch format {
                case .form: try await Self.post(client, "/twilio/sms", body, expect: .ok)
                case .json: try await Self.postJSON(client, "/twilio/sms", body, expect: .ok)
                }
            }
            #expect(try await deliver() == #"<?xml version="1.0" encoding="UTF-8"?><Response/>"#)
            // Twilio retries (or replays) the same MessageSid: answered, stored once.
            _ = try await deliver()
            let rows = try await dependencies.postgres.query(
                "SELECT source, external_id, content_type, payload FROM inbound_events")
            #expect(rows.count == 1)
            let row = try #require(rows.first)
            #expect(try row.decode(String.self, "source") == "twilio_sms")
            #expect(try row.decode(String.self, "external_id") == sid)
            // The raw body, with the content type the worker reads it back by.
            #expect(try row.decode(String?.self, "content_type") == format.contentType)
            #expect(try row.decode([UInt8].self, "payload") == body)
        }
    }

    @Test(arguments: ["forged", "missing", "other token", "signed for another URL", "changed parameter"])
    func badSignatureIs403AndNothingHappens(_ kind: String) async throws {
        try await Self.withGateway { client, dependencies in
            var form = try WebhookSamples.data(provider: "twilio", name: "sms_inbound.form")
            let parameters = try TwilioFormParser.parse(form)
            var signature: String?
            switch kind {
            case "forged": signature = "bm90IGEgcmVhbCBzaWduYXR1cmU="
            case "missing": signature = ""
            case "other token":
                signature = TwilioSignatureVerifier.signature(
                    authToken: "another-token-000000000000000000", url: Self.publicBase + "/twilio/sms",
                    parameters: parameters)
            case "signed for another URL":
                signature = TwilioSignatureVerifier.signature(
                    authToken: Self.token, url: "http://127.0.0.1:8080/twilio/sms", parameters: parameters)
            default:
                signature = TwilioSignatureVerifier.signature(
                    authToken: Self.token, url: Self.publicBase + "/twilio/sms", parameters: parameters)
                form = Array(
                    String(decoding: form, as: UTF8.self).replacingOccurrences(of: "Body=START", with: "Body=STOP").utf8
                )
            }
            let answer = try await Self.post(client, "/twilio/sms", form, signature: signature, expect: .forbidden)
            #expect(answer.contains("invalid_signature"))
            #expect(try await Self.stored(dependencies).isEmpty)
        }
    }

    @Test func senderMustBeAnE164Number() async throws {
        try await Self.withGateway { client, dependencies in
            let form = try WebhookSamples.text(provider: "twilio", name: "sms_inbound.form")
                .replacingOccurrences(of: "From=%2B15551234567", with: "From=5551234567")
            let answer = try await Self.post(client, "/twilio/sms", Array(form.utf8), expect: .badRequest)
            #expect(answer.contains("E.164"))
            #expect(try await Self.stored(dependencies).isEmpty)
        }
    }

    @Test func everyStatusOfAMessageIsStoredOnce() async throws {
        try await Self.withGateway { client, dependencies in
            let delivered = try WebhookSamples.data(provider: "twilio", name: "status_delivered.form")
            let sent = Array(
                String(decoding: delivered, as: UTF8.self).replacingOccurrences(of: "delivered", with: "sent").utf8)
            _ = try await Self.post(client, "/twilio/status", delivered, expect: .ok)
            _ = try await Self.post(client, "/twilio/status", sent, expect: .ok)
            _ = try await Self.post(client, "/twilio/status", delivered, expect: .ok)
            let rows = try await Self.stored(dependencies)
            #expect(
                rows.map(\.1).sorted() == [
                    "SM8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d:delivered", "SM8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d:sent",
                ])
        }
    }

    @Test func signedJSONStatusCallbackIsStored() async throws {
        try await Self.withGateway { client, dependencies in
            let json = Array(
                #"{"MessageSid":"SMjsonstatus1","MessageStatus":"delivered","To":"+15551234567"}"#.utf8)
            _ = try await Self.postJSON(client, "/twilio/status", json, expect: .ok)
            #expect(try await Self.stored(dependencies).map(\.1) == ["SMjsonstatus1:delivered"])
        }
    }

    @Test(arguments: [
        "tampered body", "missing bodySHA256", "body rehashed without re-signing", "other token", "missing signature",
        "form signature over the JSON's members",
    ])
    func badJSONSignatureIs403AndNothingHappens(_ kind: String) async throws {
        try await Self.withGateway { client, dependencies in
            let json = try WebhookSamples.data(provider: "twilio", name: "sms_inbound.json")
            let stop = Array(
                String(decoding: json, as: UTF8.self).replacingOccurrences(of: #""START""#, with: #""STOP""#).utf8)
            #expect(stop != json)
            let signedURL = Self.publicBase + "/twilio/sms?bodySHA256=" + Digest.sha256Hex(json)
            let answer: String
            switch kind {
            case "tampered body":
                // Signed (and hashed) for the START body; STOP arrives instead.
                answer = try await Self.postJSON(client, "/twilio/sms", stop, bodySHA256: .of(json), expect: .forbidden)
            case "missing bodySHA256":
                answer = try await Self.postJSON(client, "/twilio/sms", json, bodySHA256: .absent, expect: .forbidden)
            case "body rehashed without re-signing":
                // The hash in the URL matches the new body, but the signature is still the one over the old URL.
                let old = TwilioSignatureVerifier.signature(authToken: Self.token, url: signedURL, parameters: [])
                answer = try await Self.postJSON(client, "/twilio/sms", stop, signature: old, expect: .forbidden)
            case "other token":
                answer = try await Self.postJSON(
                    client, "/twilio/sms", json, token: "another-token-000000000000000000", expect: .forbidden)
            case "missing signature":
                answer = try await Self.postJSON(client, "/twilio/sms", json, signature: "", expect: .forbidden)
            default:
                // Signed the way a form is (URL + sorted parameters): a JSON body is only ever checked by its hash.
                let members = try TwilioWebhookFormat.json.parameters(of: json)
                let signature = TwilioSignatureVerifier.signature(
                    authToken: Self.token, url: Self.publicBase + "/twilio/sms", parameters: members)
                answer = try await Self.postJSON(
                    client, "/twilio/sms", json, bodySHA256: .absent, signature: signature, expect: .forbidden)
            }
            #expect(answer.contains("invalid_signature"))
            #expect(try await Self.stored(dependencies).isEmpty)
        }
    }

    @Test(arguments: [
        ("[\"MessageSid\", \"SM1\"]", "not a JSON object"),
        ("{\"MessageSid\": \"SM1\", ", "not valid JSON"),
        ("MessageSid=SM1&From=%2B15551234567", "not valid JSON"),
        ("{\"MessageSid\": \"SM1\", \"From\": \"+15551234567\", \"NumMedia\": 0}", "must be a string"),
        ("{\"MessageSid\": \"SM1\", \"From\": \"5551234567\"}", "E.164"),
        ("{\"From\": \"+15551234567\", \"Body\": \"hi\"}", "MessageSid"),
    ])
    func signedJSONThatIsNotAnObjectOfStringsIs400(body: String, reason: String) async throws {
        try await Self.withGateway { client, dependencies in
            let answer = try await Self.postJSON(client, "/twilio/sms", Array(body.utf8), expect: .badRequest)
            #expect(answer.contains("malformed_request"))
            #expect(answer.contains(reason), "\(answer)")
            #expect(try await Self.stored(dependencies).isEmpty)
        }
    }

    @Test func withoutAnAuthTokenTwilioRequestsAreRefused() async throws {
        try await Self.withGateway(["TWILIO_AUTH_TOKEN": ""]) { client, dependencies in
            let form = try WebhookSamples.data(provider: "twilio", name: "sms_inbound.form")
            _ = try await Self.post(client, "/twilio/sms", form, expect: .forbidden)
            #expect(try await Self.stored(dependencies).isEmpty)
        }
    }

    @Test func postgresDownAnswers503SoTwilioRetries() async throws {
        let dependencies = try GatewayTestHarness.dependencies(
            schema: nil,
            [
                "TWILIO_AUTH_TOKEN": Self.token, "PUBLIC_BASE_URL": Self.publicBase,
                "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
            ])
        try await buildApplication(dependencies: dependencies, roles: [.web]).test(.router) { client in
            let form = try WebhookSamples.data(provider: "twilio", name: "sms_inbound.form")
            _ = try await Self.post(client, "/twilio/sms", form, expect: .serviceUnavailable)
        }
        await GatewayTestHarness.close(dependencies)
    }
}
