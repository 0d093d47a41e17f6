import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Postgres
import SMS
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

    static func stored(_ dependencies: GatewayDependencies) async throws -> [(String, String)] {
        let rows = try await dependencies.postgres.query("SELECT source, external_id FROM inbound_events ORDER BY id")
        return try rows.map { (try $0.decode(String.self, "source"), try $0.decode(String.self, "external_id")) }
    }

    @Test func signedSMSIsStoredAndAnsweredWithEmptyTwiML() async throws {
        try await Self.withGateway { client, dependencies in
            let form = try WebhookSamples.data(provider: "twilio", name: "sms_inbound.form")
            let answer = try await Self.post(client, "/twilio/sms", form, expect: .ok)
            #expect(answer == #"<?xml version="1.0" encoding="UTF-8"?><Response/>"#)
            // Twilio retries (or replays) the same MessageSid: answered, stored once.
            _ = try await Self.post(client, "/twilio/sms", form, expect: .ok)
            let rows = try await Self.stored(dependencies)
            #expect(rows.count == 1)
            #expect(rows.first?.0 == "twilio_sms")
            #expect(rows.first?.1 == "SM1f0e2d3c4b5a69788796a5b4c3d2e1f0")
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
