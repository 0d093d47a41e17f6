import Foundation
import HTTPClient
import SMS
import TestSupport
import Testing

@Suite struct TwilioMessagesClientTests {
    static let learner = try! PhoneNumber(validating: "+15557654321")
    static let sender = try! PhoneNumber(validating: "+15551234567")
    static let serviceSID = "MG" + String(repeating: "b2", count: 16)
    static let callback = "https://gateway.example.com/twilio/status"

    static func withClient(
        sender: TwilioConfiguration.Sender = .number(sender), authToken: String? = nil,
        _ body: (TwilioMessagesClient, TwilioAPIStandIn) async throws -> Void
    ) async throws {
        let standIn = TwilioAPIStandIn()
        let transport = CurlHTTPClient()
        try await standIn.run { baseURL in
            let configuration = TwilioConfiguration(
                accountSID: standIn.accountSID, authToken: authToken ?? standIn.authToken, sender: sender,
                baseURL: baseURL + "/")
            try await body(TwilioMessagesClient(transport: transport, configuration: configuration), standIn)
        }
        await transport.shutdown()
    }

    /// The error of one send, nil when it succeeded.
    static func failure(_ client: TwilioMessagesClient, body: String = "Lesson 3: compound interest") async
        -> TwilioAPIError?
    {
        do {
            _ = try await client.sendMessage(to: learner, body: body, statusCallback: callback)
            return nil
        } catch {
            return error
        }
    }

    @Test func sendsAFormPostWithBasicAuthToTheAccountsMessagesResource() async throws {
        try await Self.withClient { client, standIn in
            _ = try await client.sendMessage(to: Self.learner, body: "Quiz: A) 5% B) 7%", statusCallback: Self.callback)
            let call = try #require(standIn.calls.first)
            #expect(call.accountSID == standIn.accountSID)
            let credentials = Data("\(standIn.accountSID):\(standIn.authToken)".utf8).base64EncodedString()
            #expect(call.authorization == "Basic \(credentials)")
            #expect(call.contentType == "application/x-www-form-urlencoded")
            #expect(call.field("To") == "+15557654321")
            #expect(call.field("From") == "+15551234567")
            #expect(call.field("MessagingServiceSid") == nil)
            #expect(call.field("Body") == "Quiz: A) 5% B) 7%")
            #expect(call.field("StatusCallback") == Self.callback)
        }
    }

    @Test func aMessagingServiceReplacesFromAndNoCallbackIsSentWhenNoneIsGiven() async throws {
        try await Self.withClient(sender: .messagingService(sid: Self.serviceSID)) { client, standIn in
            let sent = try await client.sendMessage(to: Self.learner, body: "Hi", statusCallback: nil)
            #expect(sent.status == "accepted")
            let call = try #require(standIn.calls.first)
            #expect(call.field("MessagingServiceSid") == Self.serviceSID)
            #expect(call.field("From") == nil)
            #expect(call.field("StatusCallback") == nil)
            #expect(call.fields.map(\.0) == ["To", "MessagingServiceSid", "Body"])
        }
    }

    @Test func theCreatedMessageIsDecoded() async throws {
        try await Self.withClient { client, _ in
            let short = try await client.sendMessage(to: Self.learner, body: "Hello", statusCallback: nil)
            #expect(short.sid.hasPrefix("SM"))
            #expect(short.sid.count == 34)
            #expect(short.status == "queued")
            #expect(short.numSegments == 1)
            let long = try await client.sendMessage(
                to: Self.learner, body: String(repeating: "a", count: 161), statusCallback: nil)
            #expect(long.numSegments == 2)
            #expect(long.sid != short.sid)
            let unicode = try await client.sendMessage(
                to: Self.learner, body: String(repeating: "é", count: 71), statusCallback: nil)
            #expect(unicode.numSegments == 2)
        }
    }

    @Test func http429IsRateLimitedForItsRetryAfter() async throws {
        try await Self.withClient { client, standIn in
            standIn.script([.init(status: 429, retryAfter: 7)])
            let error = await Self.failure(client)
            #expect(error?.kind == .rateLimited(retryAfter: .seconds(7)))
            #expect(error?.status == 429)
            #expect(await Self.failure(client) == nil)
        }
    }

    @Test func error20429IsRateLimitedForOneSecondWithoutRetryAfter() async throws {
        try await Self.withClient { client, standIn in
            standIn.script([.init(status: 429, code: 20429), .init(status: 400, code: 20429)])
            let error = await Self.failure(client)
            #expect(error?.kind == .rateLimited(retryAfter: .seconds(1)))
            #expect(error?.code == 20429)
            #expect(await Self.failure(client)?.kind == .rateLimited(retryAfter: .seconds(1)))
        }
    }

    @Test func serverErrorsAreTransient() async throws {
        try await Self.withClient { client, standIn in
            standIn.script([.init(status: 500), .init(status: 503, code: 20500)])
            let error = await Self.failure(client)
            #expect(error?.kind == .transient)
            #expect(error?.status == 500)
            #expect(error?.code == nil)
            #expect(await Self.failure(client)?.kind == .transient)
        }
    }

    @Test func anUnsubscribedRecipientIsOptedOut() async throws {
        try await Self.withClient { client, standIn in
            standIn.script([.init(status: 400, code: 21610)])
            let error = await Self.failure(client)
            #expect(error?.kind == .optedOut)
            #expect(error?.code == 21610)
            #expect(error?.moreInfo == "https://www.twilio.com/docs/errors/21610")
        }
    }

    @Test func otherClientErrorsArePermanent() async throws {
        try await Self.withClient { client, standIn in
            standIn.script([
                .init(status: 400, code: 21211), .init(status: 400, code: 21408), .init(status: 400, code: 21614),
                .init(status: 404),
            ])
            let invalidTo = await Self.failure(client)
            #expect(invalidTo?.kind == .permanent)
            #expect(invalidTo?.code == 21211)
            #expect(invalidTo?.status == 400)
            #expect(await Self.failure(client)?.code == 21408)
            #expect(await Self.failure(client)?.kind == .permanent)
            let notFound = await Self.failure(client)
            #expect(notFound?.kind == .permanent)
            #expect(notFound?.reason == "http_404")
        }
    }

    @Test func badCredentialsArePermanent() async throws {
        try await Self.withClient(authToken: "wrong-token") { client, standIn in
            let error = await Self.failure(client)
            #expect(error?.kind == .permanent)
            #expect(error?.status == 401)
            #expect(error?.code == 20003)
            #expect(standIn.calls.count == 1)
        }
    }

    @Test func unreachableTwilioIsTransient() async throws {
        let transport = CurlHTTPClient()
        let configuration = TwilioConfiguration(
            accountSID: "AC" + String(repeating: "0", count: 32), authToken: "t", sender: .number(Self.sender),
            baseURL: "http://127.0.0.1:1")
        let error = await Self.failure(TwilioMessagesClient(transport: transport, configuration: configuration))
        #expect(error?.kind == .transient)
        #expect(error?.status == nil)
        #expect(error?.reason.hasPrefix("transport_") == true)
        await transport.shutdown()
    }

    @Test func descriptionsNeverCarryTheTokenTheBodyOrTheNumber() async throws {
        let body = "Secret lesson text 42"
        var errors: [TwilioAPIError] = []
        try await Self.withClient { client, standIn in
            standIn.script([
                .init(status: 429, code: 20429, retryAfter: 3), .init(status: 500), .init(status: 400, code: 21610),
                .init(status: 400, code: 21211),
            ])
            for _ in 0..<4 {
                errors.append(try #require(await Self.failure(client, body: body)))
            }
            // Twilio's own message quotes the number; the description must not.
            #expect(errors.last?.twilioMessage?.contains(Self.learner.e164) == true)
        }
        try await Self.withClient(authToken: "wrong-token-value") { client, _ in
            errors.append(try #require(await Self.failure(client, body: body)))
        }
        for error in errors {
            let text = "\(error)"
            #expect(!text.contains("twilio-test-token"))
            #expect(!text.contains("wrong-token-value"))
            #expect(!text.contains(body))
            #expect(!text.contains(Self.learner.e164))
        }
        let configuration = TwilioConfiguration(
            accountSID: "AC" + String(repeating: "0", count: 32), authToken: "twilio-test-token",
            sender: .number(Self.sender))
        #expect(!"\(configuration)".contains("twilio-test-token"))
        #expect(!"\(configuration)".contains(Self.sender.e164))
        #expect("\(configuration)".contains("<redacted>"))
    }
}
