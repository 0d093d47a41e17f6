import Foundation
import Gateway
import HTTPClient
import Hummingbird
import HummingbirdTesting
import Learning
import Postgres
import SMS
import TestSupport
import Testing

/// An SMS learner's quiz from end to end: Twilio-signed webhooks into `/twilio/sms`, the inbox worker and the agent,
/// the outbox and the SMS dispatcher, and out through the Messages API to the Twilio stand-in.
@Suite struct SMSQuizEndToEndTests {
    static let learner = "+15551234567"
    static let ourNumber = "+13125550100"

    struct Loop {
        let client: any TestClientProtocol
        let dependencies: GatewayDependencies
        let standIn: TwilioAPIStandIn

        /// An inbound SMS as Twilio posts it.
        static func form(_ body: String, sid: String) -> [UInt8] {
            Array(
                HTTPFormEncoding.encode([
                    ("ToCountry", "US"), ("SmsMessageSid", sid), ("NumMedia", "0"), ("SmsSid", sid),
                    ("SmsStatus", "received"), ("Body", body), ("To", SMSQuizEndToEndTests.ourNumber),
                    ("NumSegments", "1"), ("MessageSid", sid), ("AccountSid", "AC" + String(repeating: "0", count: 32)),
                    ("From", SMSQuizEndToEndTests.learner), ("ApiVersion", "2010-04-01"),
                ]).utf8)
        }

        /// Delivers `form` to `/twilio/sms` signed with the account's auth token over the public URL, lets the worker
        /// handle it and the dispatcher send what it queued, and returns the texts that reached Twilio meanwhile.
        func deliver(_ form: [UInt8]) async throws -> [String] {
            let before = standIn.calls.count
            _ = try await TwilioWebhookTests.post(client, "/twilio/sms", form, token: standIn.authToken, expect: .ok)
            try await dependencies.inboxProcessor.processOnce()
            try await SMSDispatcherTests.drain(dependencies)
            let calls = standIn.calls.dropFirst(before)
            #expect(calls.allSatisfy { $0.field("To") == SMSQuizEndToEndTests.learner })
            return calls.compactMap { $0.field("Body") }
        }

        /// The quiz of the learner's open (presented, unanswered) lesson.
        func openQuiz() async throws -> (correctIndex: Int, options: [String]) {
            let rows = try await dependencies.postgres.query(
                """
                SELECT l.correct_index, l.quiz_options::text AS options
                FROM lesson_attempts a JOIN lessons l ON l.id = a.lesson_id
                WHERE a.answered_at IS NULL ORDER BY a.presented_at DESC LIMIT 1
                """)
            let row = try #require(rows.first, "no open quiz")
            let options = try JSONDecoder().decode(
                [String].self, from: Data(try row.decode(String.self, "options").utf8))
            return (try row.decode(Int.self, "correct_index"), options)
        }

        /// The learner's graded answers, oldest first: (selected option, correct).
        func graded() async throws -> [(Int?, Bool)] {
            let rows = try await dependencies.postgres.query(
                "SELECT selected_index, correct FROM quiz_responses ORDER BY id")
            return try rows.map { (try $0.decode(Int?.self, "selected_index"), try $0.decode(Bool.self, "correct")) }
        }
    }

    static func withLoop(_ body: @Sendable (Loop) async throws -> Void) async throws {
        let standIn = TwilioAPIStandIn()
        try await standIn.run { baseURL in
            let settings = [
                "TWILIO_AUTH_TOKEN": standIn.authToken, "TWILIO_ACCOUNT_SID": standIn.accountSID,
                "TWILIO_FROM_NUMBER": ourNumber, "TWILIO_API_BASE_URL": baseURL,
                "PUBLIC_BASE_URL": TwilioWebhookTests.publicBase, "TWILIO_MESSAGES_PER_SECOND": "1000",
            ]
            try await GatewayTestHarness.withDependencies(settings) { dependencies in
                try await CurriculumSync(pool: dependencies.postgres).sync(dependencies.curriculum)
                try await buildApplication(dependencies: dependencies, roles: [.web]).test(.router) { client in
                    try await body(Loop(client: client, dependencies: dependencies, standIn: standIn))
                }
            }
        }
    }

    /// The verdict's first line as the learner must read it for answer `selected` to `quiz`.
    static func expectedFeedback(selected: Int, quiz: (correctIndex: Int, options: [String])) -> String {
        let answer = "\(["A", "B", "C", "D"][quiz.correctIndex])) \(quiz.options[quiz.correctIndex])"
        let feedback = selected == quiz.correctIndex ? "Correct! \(answer)." : "Not quite. The answer is \(answer)."
        // SMS text goes out in GSM-7 where it can, and so does the option's text inside the verdict.
        return SMSTextNormalizer.preferringGSM7(feedback)
    }

    @Test func aLetterAndANumberAnswerTheOpenQuizAndTheVerdictReachesTwilio() async throws {
        try await Self.withLoop { loop in
            let lesson = try await loop.deliver(Loop.form("NEXT", sid: "SMe2e0000000000000000000000000001"))
            let text = lesson.joined(separator: "\n")
            #expect(text.contains("A) ") && text.contains("D) "))
            let first = try await loop.openQuiz()

            let verdict = try await loop.deliver(Loop.form("b", sid: "SMe2e0000000000000000000000000002"))
            #expect(verdict.first?.hasPrefix(Self.expectedFeedback(selected: 1, quiz: first)) == true, "\(verdict)")
            #expect(try await loop.graded().map(\.0) == [1])
            #expect(try await loop.graded().map(\.1) == [first.correctIndex == 1])

            _ = try await loop.deliver(Loop.form("NEXT", sid: "SMe2e0000000000000000000000000003"))
            let second = try await loop.openQuiz()
            let numbered = try await loop.deliver(Loop.form(" 2 ", sid: "SMe2e0000000000000000000000000004"))
            #expect(numbered.first?.hasPrefix(Self.expectedFeedback(selected: 1, quiz: second)) == true, "\(numbered)")
            #expect(try await loop.graded().map(\.0) == [1, 1])
            #expect(try await loop.graded().map(\.1) == [first.correctIndex == 1, second.correctIndex == 1])
        }
    }

    @Test func anAnswerDeliveredTwiceWithTheSameMessageSidIsGradedAndAnsweredOnce() async throws {
        try await Self.withLoop { loop in
            _ = try await loop.deliver(Loop.form("NEXT", sid: "SMe2e0000000000000000000000000011"))
            let quiz = try await loop.openQuiz()
            let answer = Loop.form("B", sid: "SMe2e0000000000000000000000000012")
            let verdict = try await loop.deliver(answer)
            #expect(verdict.first?.hasPrefix(Self.expectedFeedback(selected: 1, quiz: quiz)) == true, "\(verdict)")

            // Twilio retries the same MessageSid (it saw a timeout, say): acknowledged, nothing graded or sent again.
            let retried = try await loop.deliver(answer)
            #expect(retried.isEmpty, "\(retried)")
            #expect(try await loop.graded().count == 1)
            let stored = try await loop.dependencies.postgres.query(
                "SELECT count(*) AS n FROM inbound_events WHERE external_id = $1",
                ["SMe2e0000000000000000000000000012"])
            #expect(try stored[0].decode(Int.self, "n") == 1)
        }
    }
}
