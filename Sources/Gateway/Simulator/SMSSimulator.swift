import Foundation
import HTTPClient
import Postgres
import SMS

/// `gateway simulate sms`: builds an inbound SMS webhook like the `webhooks/twilio/` sample, signs it with
/// `TWILIO_AUTH_TOKEN` over `PUBLIC_BASE_URL`, posts it to a running gateway, and prints the SMS parts the
/// gateway queued in reply (read from Postgres, so it works in dev mode, where nothing is sent).
package struct SMSSimulator: Sendable {
    let configuration: GatewayConfiguration
    let gatewayURL: String
    let transport: any HTTPTransport
    let postgres: PostgresConnectionPool

    package init(
        configuration: GatewayConfiguration, gatewayURL: String, transport: any HTTPTransport,
        postgres: PostgresConnectionPool
    ) {
        self.configuration = configuration
        self.gatewayURL = gatewayURL.hasSuffix("/") ? String(gatewayURL.dropLast()) : gatewayURL
        self.transport = transport
        self.postgres = postgres
    }

    /// Texts `body` from `from` and returns the reply parts (empty when the gateway sends nothing, e.g. STOP).
    package func text(_ body: String, from: String, timeout: Duration) async throws -> [String] {
        guard let token = configuration.twilio.authToken else {
            throw SlackSimulator.Failure(description: "TWILIO_AUTH_TOKEN is not set: the simulator signs with it")
        }
        let number = try PhoneNumber(validating: from)
        let sid = "SM" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let fields = [
            ("MessageSid", sid), ("SmsSid", sid), ("AccountSid", configuration.twilio.accountSID ?? "AC-simulated"),
            ("From", number.e164), ("To", configuration.twilio.fromNumber ?? "+10000000000"), ("Body", body),
            ("NumMedia", "0"), ("NumSegments", "1"), ("ApiVersion", "2010-04-01"),
        ]
        let signature = TwilioSignatureVerifier.signature(
            authToken: token, url: configuration.publicBaseURL + "/twilio/sms", parameters: fields)
        let request = HTTPRequest(
            method: .post, url: gatewayURL + "/twilio/sms",
            headers: [
                (name: "Content-Type", value: "application/x-www-form-urlencoded"),
                (name: "X-Twilio-Signature", value: signature),
            ],
            body: Array(HTTPFormEncoding.encode(fields).utf8), timeout: .seconds(10))
        let response = try await transport.execute(request)
        guard response.status == 200 else {
            throw SlackSimulator.Failure(
                description: "the gateway answered \(response.status): \(response.bodyText.prefix(200))")
        }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let rows = try await postgres.query(
                """
                SELECT e.status AS inbound_status, o.body::text AS body
                FROM inbound_events e LEFT JOIN outbound_messages o ON o.inbound_event_id = e.id
                WHERE e.source = 'twilio_sms' AND e.external_id = $1
                """, [sid])
            let status = try rows.first?.decode(String.self, "inbound_status")
            if status == "done" || status == "ignored" {
                guard let json = try rows.first?.decode(String?.self, "body") else { return [] }
                return try JSONDecoder().decode(SMSOutboundBody.self, from: Data(json.utf8)).parts
            }
            if status == "failed" { throw SlackSimulator.Failure(description: "the gateway could not process it") }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw SlackSimulator.Failure(
            description:
                "no reply within \(timeout): is the gateway running with the worker role against this database?")
    }
}
