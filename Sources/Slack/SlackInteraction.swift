import Foundation

/// An interactivity payload (`payload=` JSON in a form body), with the fields the gateway uses.
package struct SlackInteraction: Decodable, Sendable {
    /// `block_actions`, `view_submission`, ...
    package let type: String
    package let user: User
    package let team: Team?
    package let channel: Channel?
    package let triggerID: String?
    package let responseURL: String?
    package let actions: [Action]
    package let message: Message?
    package let container: Container?

    package struct User: Decodable, Sendable { package let id: String }
    package struct Team: Decodable, Sendable { package let id: String }
    package struct Channel: Decodable, Sendable { package let id: String }
    package struct Message: Decodable, Sendable { package let ts: String? }
    package struct Container: Decodable, Sendable {
        package let messageTS: String?
        enum CodingKeys: String, CodingKey { case messageTS = "message_ts" }
    }

    package struct Action: Decodable, Sendable {
        package let actionID: String
        package let blockID: String?
        package let value: String?
        package let actionTS: String?

        enum CodingKeys: String, CodingKey {
            case value
            case actionID = "action_id"
            case blockID = "block_id"
            case actionTS = "action_ts"
        }
    }

    enum CodingKeys: String, CodingKey {
        case type, user, team, channel, actions, message, container
        case triggerID = "trigger_id"
        case responseURL = "response_url"
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        user = try container.decode(User.self, forKey: .user)
        team = try container.decodeIfPresent(Team.self, forKey: .team)
        channel = try container.decodeIfPresent(Channel.self, forKey: .channel)
        triggerID = try container.decodeIfPresent(String.self, forKey: .triggerID)
        responseURL = try container.decodeIfPresent(String.self, forKey: .responseURL)
        actions = try container.decodeIfPresent([Action].self, forKey: .actions) ?? []
        message = try container.decodeIfPresent(Message.self, forKey: .message)
        self.container = try container.decodeIfPresent(Container.self, forKey: .container)
    }

    /// Decodes the `payload` field of an interaction form body.
    package static func decode(formBody: [UInt8]) throws -> SlackInteraction {
        let fields = try SlackFormDecoder.fields(formBody)
        guard let payload = fields["payload"] else { throw SlackPayloadError.missingField("payload") }
        do {
            return try JSONDecoder().decode(SlackInteraction.self, from: Data(payload.utf8))
        } catch {
            throw SlackPayloadError.malformed("payload is not a Slack interaction")
        }
    }

    /// A key unique to this interaction, for the inbox: the first action's timestamp with the user and
    /// action id (a button pressed twice is two interactions; grading dedupes answers, not the inbox).
    package var dedupeKey: String {
        let action = actions.first
        return [user.id, action?.actionID ?? type, action?.actionTS ?? triggerID ?? ""].joined(separator: ":")
    }
}
