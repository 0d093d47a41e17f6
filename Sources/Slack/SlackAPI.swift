import Learning

/// A message to post, update or send through a `response_url`.
package struct SlackMessage: Sendable, Equatable {
    /// Fallback text for notifications and clients without Block Kit (required alongside blocks).
    package var text: String
    package var blocks: [JSONValue]?
    package var threadTS: String?

    package init(text: String, blocks: [JSONValue]? = nil, threadTS: String? = nil) {
        self.text = text
        self.blocks = blocks
        self.threadTS = threadTS
    }
}

/// A Slack user's profile as `users.info` returns it (the fields the gateway keeps).
package struct SlackUserProfile: Sendable, Equatable {
    package let id: String
    package let name: String?
    /// IANA time zone, e.g. `America/Los_Angeles`.
    package let timeZone: String?
    package let isBot: Bool
    package let deleted: Bool

    package init(id: String, name: String?, timeZone: String?, isBot: Bool, deleted: Bool) {
        self.id = id
        self.name = name
        self.timeZone = timeZone
        self.isBot = isBot
        self.deleted = deleted
    }
}

/// Slack's Web API, as the gateway uses it. Implemented over libcurl by `SlackWebAPIClient`; tests point that
/// client at a local stand-in through `SLACK_API_BASE_URL`.
package protocol SlackAPI: Sendable {
    /// `chat.postMessage`; returns the message's `ts`.
    func postMessage(channel: String, message: SlackMessage) async throws(SlackAPIError) -> String
    /// `chat.update` of the message `ts` in `channel`.
    func updateMessage(channel: String, ts: String, message: SlackMessage) async throws(SlackAPIError)
    /// `conversations.open` with one user; returns the DM channel id.
    func openDirectMessage(userID: String) async throws(SlackAPIError) -> String
    /// `users.info`.
    func userInfo(userID: String) async throws(SlackAPIError) -> SlackUserProfile
    /// `views.publish` of a Home tab view.
    func publishHome(userID: String, view: JSONValue) async throws(SlackAPIError)
    /// A POST to a slash command's or interaction's `response_url`.
    func respond(to responseURL: String, message: SlackMessage, ephemeral: Bool, replaceOriginal: Bool)
        async throws(SlackAPIError)
}

/// Why a Slack call failed, sorted by what the caller should do about it.
package struct SlackAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
        /// 429: wait `retryAfter`, then try again.
        case rateLimited(retryAfter: Duration)
        /// 5xx, a network failure or a transient Slack error: retry with backoff.
        case transient
        /// Retrying cannot help (`channel_not_found`, `invalid_auth`, ...): record and stop.
        case permanent
    }

    package let kind: Kind
    /// Slack's `error` code, or a short description of the transport failure.
    package let code: String
    package let method: String

    package init(kind: Kind, code: String, method: String) {
        self.kind = kind
        self.code = code
        self.method = method
    }

    package var description: String { "Slack \(method) failed: \(code) (\(kind))" }

    /// Slack error codes after which a retry cannot succeed.
    package static let permanentCodes: Set<String> = [
        "channel_not_found", "not_in_channel", "account_inactive", "invalid_auth", "not_authed", "token_revoked",
        "token_expired", "is_archived", "msg_too_long", "no_text", "invalid_blocks", "invalid_blocks_format",
        "user_not_found", "users_not_found", "cannot_dm_bot", "missing_scope", "restricted_action", "no_permission",
        "ekm_access_denied", "message_not_found", "cant_update_message", "edit_window_closed", "invalid_arguments",
        "expired_url", "used_url", "invalid_view", "not_allowed_token_type", "team_access_not_granted",
        "user_is_bot", "user_disabled", "invalid_json", "invalid_arg_name", "too_many_attachments",
    ]
}
