/// The outer object of an Events API request.
package struct SlackEventEnvelope: Decodable, Sendable {
    /// `url_verification`, `event_callback` or `app_rate_limited`.
    package let type: String
    /// Present for `url_verification`.
    package let challenge: String?
    /// Unique per event; Slack's retries repeat it.
    package let eventID: String?
    package let teamID: String?
    package let apiAppID: String?
    package let eventTime: Int64?
    package let event: SlackEvent?

    enum CodingKeys: String, CodingKey {
        case type, challenge, event
        case eventID = "event_id"
        case teamID = "team_id"
        case apiAppID = "api_app_id"
        case eventTime = "event_time"
    }
}

/// The inner event of an `event_callback`, with the fields the gateway uses.
package struct SlackEvent: Decodable, Sendable, Equatable {
    /// `message`, `app_mention`, `app_home_opened`, ...
    package let type: String
    package let user: String?
    package let channel: String?
    /// `im` for direct messages.
    package let channelType: String?
    package let text: String?
    package let ts: String?
    package let threadTS: String?
    /// Set on messages posted by bots (ours included).
    package let botID: String?
    /// Set on edits, joins and other non-plain messages.
    package let subtype: String?
    /// `home` or `messages` for `app_home_opened`.
    package let tab: String?

    enum CodingKeys: String, CodingKey {
        case type, user, channel, text, ts, subtype, tab
        case channelType = "channel_type"
        case threadTS = "thread_ts"
        case botID = "bot_id"
    }
}
