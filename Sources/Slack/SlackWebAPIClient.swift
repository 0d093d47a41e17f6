import Foundation
import HTTPClient
import Learning

/// `SlackAPI` over the libcurl HTTP client: JSON bodies with the bot token as bearer, Slack's `ok`/`error`
/// envelope decoded, failures sorted into rate-limited, transient and permanent. `description` leaves the token
/// out (swift-service-lifecycle logs every service it runs, and the client is inside one).
package struct SlackWebAPIClient: SlackAPI, CustomStringConvertible {
    private let transport: any HTTPTransport
    private let baseURL: String
    private let botToken: String
    private let timeout: Duration

    /// - Parameter baseURL: `https://slack.com/api` in production (`SLACK_API_BASE_URL`).
    package init(transport: any HTTPTransport, baseURL: String, botToken: String, timeout: Duration = .seconds(10)) {
        self.transport = transport
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.botToken = botToken
        self.timeout = timeout
    }

    package var description: String { "SlackWebAPIClient(baseURL: \(baseURL), botToken: <redacted>)" }

    package func postMessage(channel: String, message: SlackMessage) async throws(SlackAPIError) -> String {
        var body = Self.messageFields(message)
        body["channel"] = .string(channel)
        let reply = try await call("chat.postMessage", body: .object(body))
        guard let ts = reply["ts"]?.stringValue else {
            throw SlackAPIError(kind: .transient, code: "missing_ts", method: "chat.postMessage")
        }
        return ts
    }

    package func updateMessage(channel: String, ts: String, message: SlackMessage) async throws(SlackAPIError) {
        var body = Self.messageFields(message)
        body["channel"] = .string(channel)
        body["ts"] = .string(ts)
        _ = try await call("chat.update", body: .object(body))
    }

    package func openDirectMessage(userID: String) async throws(SlackAPIError) -> String {
        let reply = try await call("conversations.open", body: ["users": .string(userID)])
        guard let id = reply["channel"]?["id"]?.stringValue else {
            throw SlackAPIError(kind: .transient, code: "missing_channel", method: "conversations.open")
        }
        return id
    }

    package func userInfo(userID: String) async throws(SlackAPIError) -> SlackUserProfile {
        let reply = try await call("users.info", body: ["user": .string(userID)])
        guard let user = reply["user"] else {
            throw SlackAPIError(kind: .transient, code: "missing_user", method: "users.info")
        }
        let displayName = user["profile"]?["display_name"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        return SlackUserProfile(
            id: user["id"]?.stringValue ?? userID,
            name: displayName ?? user["real_name"]?.stringValue ?? user["name"]?.stringValue,
            timeZone: user["tz"]?.stringValue,
            isBot: user["is_bot"] == .bool(true),
            deleted: user["deleted"] == .bool(true))
    }

    package func publishHome(userID: String, view: JSONValue) async throws(SlackAPIError) {
        _ = try await call("views.publish", body: ["user_id": .string(userID), "view": view])
    }

    package func respond(to responseURL: String, message: SlackMessage, ephemeral: Bool, replaceOriginal: Bool)
        async throws(SlackAPIError)
    {
        var body = Self.messageFields(message)
        body["response_type"] = .string(ephemeral ? "ephemeral" : "in_channel")
        body["replace_original"] = .bool(replaceOriginal)
        // response_url is Slack's own URL; it carries its own authorisation and takes no token.
        _ = try await send(method: "response_url", url: responseURL, body: .object(body), authorised: false)
    }

    // MARK: - Plumbing

    private static func messageFields(_ message: SlackMessage) -> [String: JSONValue] {
        var fields: [String: JSONValue] = ["text": .string(message.text)]
        if let blocks = message.blocks { fields["blocks"] = .array(blocks) }
        if let threadTS = message.threadTS { fields["thread_ts"] = .string(threadTS) }
        return fields
    }

    private func call(_ method: String, body: JSONValue) async throws(SlackAPIError) -> JSONValue {
        try await send(method: method, url: "\(baseURL)/\(method)", body: body, authorised: true)
    }

    private func send(method: String, url: String, body: JSONValue, authorised: Bool) async throws(SlackAPIError)
        -> JSONValue
    {
        var request = HTTPRequest(
            method: .post, url: url, headers: [("Content-Type", "application/json; charset=utf-8")],
            body: body.serialized())
        request.timeout = timeout
        if authorised { request.bearer(botToken) }
        let response: HTTPResponse
        do {
            response = try await transport.execute(request)
        } catch let error as HTTPClientError {
            throw SlackAPIError(kind: .transient, code: "transport_\(error.code)", method: method)
        } catch {
            throw SlackAPIError(kind: .transient, code: "transport_failure", method: method)
        }
        if response.status == 429 {
            throw SlackAPIError(
                kind: .rateLimited(retryAfter: response.retryAfter ?? .seconds(1)), code: "ratelimited", method: method)
        }
        if response.status >= 500 {
            throw SlackAPIError(kind: .transient, code: "http_\(response.status)", method: method)
        }
        // response_url answers 200 with "ok" text or JSON; 404 with used_url/expired_url.
        let reply = try? JSONDecoder().decode(JSONValue.self, from: Data(response.body))
        if let code = reply?["error"]?.stringValue, reply?["ok"] != .bool(true) {
            let kind: SlackAPIError.Kind =
                code == "ratelimited"
                ? .rateLimited(retryAfter: response.retryAfter ?? .seconds(1))
                : (SlackAPIError.permanentCodes.contains(code) ? .permanent : .transient)
            throw SlackAPIError(kind: kind, code: code, method: method)
        }
        guard (200..<300).contains(response.status) else {
            let kind: SlackAPIError.Kind = (400..<500).contains(response.status) ? .permanent : .transient
            throw SlackAPIError(kind: kind, code: "http_\(response.status)", method: method)
        }
        if authorised, reply?["ok"] != .bool(true) {
            throw SlackAPIError(kind: .transient, code: "unexpected_response", method: method)
        }
        return reply ?? .null
    }
}
