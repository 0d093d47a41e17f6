import Foundation
import HTTPClient
import Postgres
import Slack
import WebhookSamples

/// `gateway simulate slack`: builds a webhook from the `webhooks/slack/` samples, signs it with the configured
/// signing secret, posts it to a running gateway, and prints the replies the gateway queued for it (read from
/// Postgres, so it works in dev mode, where nothing is sent to Slack).
package struct SlackSimulator: Sendable {
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

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

    /// Sends a direct message from `user` and returns the texts of the replies, waiting up to `timeout`.
    package func message(_ text: String, user: String, channel: String, timeout: Duration) async throws -> [String] {
        let id = "EvSIM" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20)
        let now = Int(Date().timeIntervalSince1970)
        guard
            var envelope = try JSONSerialization.jsonObject(
                with: Data(try WebhookSamples.data(provider: "slack", name: "event_message_im.json")))
                as? [String: Any],
            var event = envelope["event"] as? [String: Any]
        else { throw Failure(description: "the bundled Slack message sample is unreadable") }
        event["text"] = text
        event["user"] = user
        event["channel"] = channel
        event["ts"] = "\(now).000100"
        event["event_ts"] = "\(now).000100"
        event["blocks"] = nil
        event["client_msg_id"] = UUID().uuidString.lowercased()
        envelope["event"] = event
        envelope["event_id"] = String(id)
        envelope["event_time"] = now
        let body = Array(try JSONSerialization.data(withJSONObject: envelope))
        try await post("/slack/events", body: body, contentType: "application/json")
        return try await replies(source: "slack_event", externalID: String(id), timeout: timeout)
    }

    /// Runs a slash command (`/learn start`) as `user` and returns the texts of the replies.
    package func command(_ line: String, user: String, channel: String, timeout: Duration) async throws -> [String] {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        guard let command = parts.first, command.hasPrefix("/") else {
            throw Failure(description: "a command starts with / (for example \"/learn start\")")
        }
        let trigger = "sim.\(UUID().uuidString)"
        let fields = [
            ("token", "simulated"), ("team_id", "T0LEARN01"), ("channel_id", channel), ("user_id", user),
            ("user_name", "simulated"), ("command", command), ("text", parts.count > 1 ? parts[1] : ""),
            ("response_url", configuration.publicBaseURL + "/simulated-response"), ("trigger_id", trigger),
        ]
        let body = HTTPFormEncoding.encode(fields)
        try await post("/slack/commands", body: Array(body.utf8), contentType: "application/x-www-form-urlencoded")
        return try await replies(source: "slack_command", externalID: trigger, timeout: timeout)
    }

    private func post(_ path: String, body: [UInt8], contentType: String) async throws {
        guard let secret = configuration.slack.signingSecret else {
            throw Failure(description: "SLACK_SIGNING_SECRET is not set: the simulator signs with the gateway's secret")
        }
        let timestamp = String(Int(Date().timeIntervalSince1970))
        let signature = SlackSignatureVerifier(signingSecret: secret).signature(timestamp: timestamp, body: body)
        let request = HTTPRequest(
            method: .post, url: gatewayURL + path,
            headers: [
                (name: "Content-Type", value: contentType), (name: "X-Slack-Request-Timestamp", value: timestamp),
                (name: "X-Slack-Signature", value: signature),
            ],
            body: body, timeout: .seconds(10))
        let response = try await transport.execute(request)
        guard response.status == 200 else {
            throw Failure(description: "the gateway answered \(response.status): \(response.bodyText.prefix(200))")
        }
    }

    /// Waits for the worker to queue replies to the inbound event, then returns their texts.
    private func replies(source: String, externalID: String, timeout: Duration) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let rows = try await postgres.query(
                """
                SELECT e.status AS inbound_status, o.body->>'text' AS text
                FROM inbound_events e LEFT JOIN outbound_messages o ON o.inbound_event_id = e.id
                WHERE e.source = $1 AND e.external_id = $2 ORDER BY o.created_at
                """, [source, externalID])
            let texts = try rows.compactMap { try $0.decode(String?.self, "text") }
            let status = try rows.first?.decode(String.self, "inbound_status")
            if !texts.isEmpty, status == "done" { return texts }
            if status == "ignored" { return [] }
            if status == "failed" { throw Failure(description: "the gateway could not process the message") }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw Failure(
            description:
                "no reply within \(timeout): is the gateway running with the worker role against this database?")
    }
}
