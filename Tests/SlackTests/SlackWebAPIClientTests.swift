import Foundation
import HTTPClient
import Learning
import Slack
import TestSupport
import Testing

@Suite struct SlackWebAPIClientTests {
    static func withClient(
        _ body: (SlackWebAPIClient, SlackAPIStandIn, _ responseBase: String) async throws -> Void
    ) async throws {
        let standIn = SlackAPIStandIn()
        let transport = CurlHTTPClient()
        try await standIn.run { apiBase, responseBase in
            let client = SlackWebAPIClient(transport: transport, baseURL: apiBase, botToken: "xoxb-test-token")
            try await body(client, standIn, responseBase)
        }
        await transport.shutdown()
    }

    @Test func postsAndUpdatesMessagesWithTheBotToken() async throws {
        try await Self.withClient { client, standIn, _ in
            let blocks: [JSONValue] = [["type": "section", "text": ["type": "mrkdwn", "text": "*APR*"]]]
            let ts = try await client.postMessage(channel: "D1", message: SlackMessage(text: "APR", blocks: blocks))
            #expect(!ts.isEmpty)
            try await client.updateMessage(channel: "D1", ts: ts, message: SlackMessage(text: "Answered"))
            let post = try #require(standIn.calls("chat.postMessage").first)
            #expect(post.authorization == "Bearer xoxb-test-token")
            #expect(post.json?["channel"] as? String == "D1")
            #expect(post.json?["text"] as? String == "APR")
            #expect((post.json?["blocks"] as? [[String: Any]])?.first?["type"] as? String == "section")
            let update = try #require(standIn.calls("chat.update").first)
            #expect(update.json?["ts"] as? String == ts)
        }
    }

    @Test func opensDirectMessagesAndReadsTheUsersTimeZone() async throws {
        try await Self.withClient { client, _, _ in
            #expect(try await client.openDirectMessage(userID: "U42") == "DU42")
            let profile = try await client.userInfo(userID: "U42")
            #expect(profile.timeZone == "America/Chicago")
            #expect(profile.name == "Sam")
            #expect(!profile.isBot)
        }
    }

    @Test func respondsThroughResponseURLWithoutTheToken() async throws {
        try await Self.withClient { client, standIn, responseBase in
            try await client.respond(
                to: responseBase + "/T1/123/abc", message: SlackMessage(text: "Working on it"), ephemeral: true,
                replaceOriginal: false)
            let call = try #require(standIn.calls("response_url").first)
            #expect(call.authorization == nil)
            #expect(call.json?["response_type"] as? String == "ephemeral")
        }
    }

    @Test func failuresAreSortedIntoRateLimitedTransientAndPermanent() async throws {
        try await Self.withClient { client, standIn, _ in
            standIn.script(
                "chat.postMessage",
                [
                    .status(429, retryAfter: 7), .status(503), .slackError("channel_not_found"),
                    .slackError("internal_error"),
                ])
            func failure() async -> SlackAPIError? {
                do {
                    _ = try await client.postMessage(channel: "C1", message: SlackMessage(text: "x"))
                    return nil
                } catch {
                    return error
                }
            }
            #expect(await failure()?.kind == .rateLimited(retryAfter: .seconds(7)))
            #expect(await failure()?.kind == .transient)
            let permanent = await failure()
            #expect(permanent?.kind == .permanent)
            #expect(permanent?.code == "channel_not_found")
            #expect(await failure()?.kind == .transient)
            #expect(await failure() == nil)
        }
    }

    @Test func aBadTokenIsPermanent() async throws {
        let standIn = SlackAPIStandIn()
        let transport = CurlHTTPClient()
        try await standIn.run { apiBase, _ in
            let client = SlackWebAPIClient(transport: transport, baseURL: apiBase, botToken: "not-a-bot-token")
            let error = await #expect(throws: SlackAPIError.self) {
                try await client.postMessage(channel: "C1", message: SlackMessage(text: "x"))
            }
            #expect(error?.code == "not_authed")
            #expect(error?.kind == .permanent)
        }
        await transport.shutdown()
    }

    @Test func unreachableSlackIsTransient() async throws {
        let transport = CurlHTTPClient()
        let client = SlackWebAPIClient(transport: transport, baseURL: "http://127.0.0.1:1/api", botToken: "xoxb-x")
        let error = await #expect(throws: SlackAPIError.self) { try await client.userInfo(userID: "U1") }
        #expect(error?.kind == .transient)
        await transport.shutdown()
    }
}
