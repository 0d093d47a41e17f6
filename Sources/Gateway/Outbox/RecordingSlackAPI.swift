import Learning
import Logging
import Slack
import Synchronization

/// Dev mode (no `SLACK_BOT_TOKEN`): outbound Slack messages are logged instead of sent, and succeed. The log line
/// names the channel and the length, never the text: a gateway left in dev mode by mistake must not write what
/// learners are told (which can quote what they said) into the logs. The text stays in `outbound_messages`, where
/// `gateway simulate` reads it.
package struct RecordingSlackAPI: SlackAPI {
    let logger: Logger
    private let counter = Counter()

    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
        func next() -> Int { value.add(1, ordering: .relaxed).newValue }
    }

    package init(logger: Logger) {
        self.logger = logger
    }

    package func postMessage(channel: String, message: SlackMessage) async throws(SlackAPIError) -> String {
        logger.notice(
            "dev mode: Slack message not sent",
            metadata: ["channel": "\(channel)", "characters": "\(message.text.count)"])
        return "dev.\(counter.next())"
    }

    package func updateMessage(channel: String, ts: String, message: SlackMessage) async throws(SlackAPIError) {
        logger.notice(
            "dev mode: Slack update not sent",
            metadata: ["channel": "\(channel)", "characters": "\(message.text.count)"])
    }

    package func openDirectMessage(userID: String) async throws(SlackAPIError) -> String { "D-dev-\(userID)" }

    package func userInfo(userID: String) async throws(SlackAPIError) -> SlackUserProfile {
        SlackUserProfile(id: userID, name: nil, timeZone: nil, isBot: false, deleted: false)
    }

    package func publishHome(userID: String, view: JSONValue) async throws(SlackAPIError) {
        logger.notice("dev mode: Home tab not published", metadata: ["user": "\(userID)"])
    }

    package func respond(to responseURL: String, message: SlackMessage, ephemeral: Bool, replaceOriginal: Bool)
        async throws(SlackAPIError)
    {
        logger.notice("dev mode: slash command answer not sent", metadata: ["characters": "\(message.text.count)"])
    }
}
