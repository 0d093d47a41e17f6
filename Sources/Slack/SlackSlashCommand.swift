/// A slash command invocation (`/learn`, `/learn-admin`), decoded from its form body.
package struct SlackSlashCommand: Sendable, Equatable {
    package let command: String
    package let text: String
    package let userID: String
    package let userName: String?
    package let teamID: String?
    package let channelID: String?
    /// Where slower answers go (5 uses within 30 minutes).
    package let responseURL: String?
    /// Unique per invocation: the dedupe key in the inbox.
    package let triggerID: String?

    package init(form: [String: String]) throws(SlackPayloadError) {
        guard let command = form["command"], command.hasPrefix("/") else { throw .missingField("command") }
        guard let userID = form["user_id"], !userID.isEmpty else { throw .missingField("user_id") }
        self.command = command
        self.text = form["text"] ?? ""
        self.userID = userID
        self.userName = form["user_name"]
        self.teamID = form["team_id"]
        self.channelID = form["channel_id"]
        self.responseURL = form["response_url"]
        self.triggerID = form["trigger_id"]
    }
}

/// A Slack body that verified but does not hold what its route needs.
package enum SlackPayloadError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingField(String)
    case malformed(String)

    package var description: String {
        switch self {
        case .missingField(let name): "the payload has no \(name)"
        case .malformed(let reason): "the payload is malformed: \(reason)"
        }
    }
}
