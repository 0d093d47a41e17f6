import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Learning
import NIOCore
import Postgres
import TestSupport
import Testing

/// Every `/learn` subcommand through the real app, inbox worker and dispatcher.
@Suite struct SlackLearnCommandTests {
    /// Sends `/learn TEXT` as `user` and returns what Slack got: the ephemeral answers and the DM posts.
    static func learn(
        _ text: String, user: String = "U0LEARNER1", client: any TestClientProtocol, dependencies: GatewayDependencies,
        standIn: SlackAPIStandIn, responseBase: String
    ) async throws -> (answers: [String], posts: [[String: Any]]) {
        let before = (standIn.calls("response_url").count, standIn.calls("chat.postMessage").count)
        let fields = [
            ("command", "/learn"), ("text", text), ("user_id", user), ("channel_id", "D0DM\(user)"),
            ("team_id", "T0LEARN01"), ("response_url", responseBase + "/T0LEARN01/\(UUID().uuidString)/x"),
            ("trigger_id", UUID().uuidString),
        ]
        let body = fields.map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
            .joined(separator: "&")
        try await SlackConversationTests.send(client, "/slack/commands", Array(body.utf8), form: true)
        try await SlackConversationTests.work(dependencies)
        let answers = standIn.calls("response_url").dropFirst(before.0).compactMap { $0.json?["text"] as? String }
        let posts = standIn.calls("chat.postMessage").dropFirst(before.1).compactMap(\.json)
        return (Array(answers), Array(posts))
    }

    static func learner(_ dependencies: GatewayDependencies, _ user: String) async throws -> (String, String) {
        let rows = try await dependencies.postgres.query(
            """
            SELECT l.status, to_char(l.delivery_time, 'HH24:MI') AS at FROM learners l
            JOIN learner_identities i ON i.learner_id = l.id WHERE i.channel = 'slack' AND i.external_id = $1
            """, [user])
        let row = try #require(rows.first)
        return (try row.decode(String.self, "status"), try row.decode(String.self, "at"))
    }

    @Test func everySubcommandDoesWhatItSays() async throws {
        try await SlackConversationTests.withGateway { client, dependencies, standIn, responseBase in
            func learn(_ text: String) async throws -> (answers: [String], posts: [[String: Any]]) {
                try await Self.learn(
                    text, client: client, dependencies: dependencies, standIn: standIn, responseBase: responseBase)
            }
            let help = try await learn("help")
            #expect(help.answers.count == 1 && help.posts.isEmpty)

            let start = try await learn("start")
            #expect(start.answers.first?.contains("enrolled") == true)
            #expect(start.posts.first?["channel"] as? String == "DU0LEARNER1")
            #expect(try await Self.learner(dependencies, "U0LEARNER1").0 == "active")

            let time = try await learn("time 07:30")
            #expect(time.answers.first?.contains("07:30") == true)
            #expect(try await Self.learner(dependencies, "U0LEARNER1").1 == "07:30")
            let badTime = try await learn("time 25:99")
            #expect(badTime.answers.first?.contains("HH:MM") == true)
            #expect(try await Self.learner(dependencies, "U0LEARNER1").1 == "07:30")

            try await Task.sleep(for: .milliseconds(1100))  // one DM a second
            let topic = try await learn("topic fraud-and-security")
            #expect(topic.posts.count == 1)
            let unknownTopic = try await learn("topic astrology")
            #expect(unknownTopic.answers.first?.contains("apr") == true)
            #expect(unknownTopic.posts.isEmpty)

            let progress = try await learn("progress")
            #expect(progress.answers.count == 1 && progress.posts.isEmpty)

            try await Task.sleep(for: .milliseconds(1100))
            let next = try await learn("next")
            #expect(next.posts.count == 1)
            try await Task.sleep(for: .milliseconds(1100))
            let quiz = try await learn("quiz")
            #expect(quiz.posts.count == 1)

            let stop = try await learn("stop")
            #expect(stop.answers.first?.contains("paused") == true)
            #expect(try await Self.learner(dependencies, "U0LEARNER1").0 == "paused")

            let unknown = try await learn("<!channel> dance")
            #expect(unknown.answers.first?.contains("&lt;!channel&gt;") == true)
        }
    }
}
