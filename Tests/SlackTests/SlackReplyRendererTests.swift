import Foundation
import Learning
import Slack
import Testing

@Suite struct SlackReplyRendererTests {
    static let attempt = UUID(uuidString: "3F2A9B1C-7D4E-4F5A-9B6C-2D1E0F9A8B7C")!

    static func card(title: String = "What APR means", content: String = "APR is the yearly cost of borrowing.")
        -> LessonCard
    {
        let lesson = Lesson(
            id: "apr-easy-1", topic: "apr", difficulty: .easy, title: title, content: content,
            keyPoints: ["APR is yearly", "Daily rate = APR / 365", "Pay in full to avoid interest"],
            scenario: "A bakery carries a <big> balance & pays interest.",
            quiz: Quiz(
                question: "What does APR measure?", options: ["Yearly cost", "Monthly fee", "Credit limit", "Rewards"],
                correctIndex: 0, explanation: "APR is the annual rate."))
        return LessonCard(attemptID: attempt, lesson: lesson, topicTitle: "APR")
    }

    static func texts(_ message: SlackMessage) -> [String] {
        (message.blocks ?? []).flatMap { block -> [String] in
            var found: [String] = []
            if let text = block["text"]?["text"]?.stringValue { found.append(text) }
            if case .array(let elements)? = block["elements"] {
                found += elements.compactMap { $0["text"]?.stringValue ?? $0["text"]?["text"]?.stringValue }
            }
            return found
        }
    }

    @Test func lessonRendersWithFourQuizButtonsCarryingTheAttempt() throws {
        let message = SlackReplyRenderer.message(for: AgentReply(text: "Here is your lesson", lesson: Self.card()))
        let blocks = try #require(message.blocks)
        #expect(blocks.map { $0["type"]?.stringValue }.prefix(2) == ["section", "header"])
        let actions = try #require(blocks.first { $0["type"] == "actions" })
        guard case .array(let buttons)? = actions["elements"] else {
            Issue.record("no buttons")
            return
        }
        #expect(buttons.count == 4)
        #expect(buttons.map { $0["action_id"]?.stringValue } == (0..<4).map { "quiz_answer_\($0)" })
        #expect(buttons[1]["value"]?.stringValue == "\(Self.attempt.uuidString):1")
        #expect(message.text.contains("What does APR measure?"))
        // The correct answer is not in the unanswered message.
        #expect(!Self.texts(message).contains { $0.contains("APR is the annual rate") })
    }

    @Test func userTextCannotEscapeItsPlaceInMrkdwn() {
        let reply = AgentReply(text: "hi <!channel> & <@U123> <https://evil.example|click>")
        let texts = Self.texts(SlackReplyRenderer.message(for: reply))
        #expect(texts.contains("hi &lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://evil.example|click&gt;"))
        #expect(!texts.joined().contains("<!channel>"))
        let scenario = Self.texts(SlackReplyRenderer.message(for: AgentReply(text: "", lesson: Self.card())))
        #expect(scenario.contains { $0.contains("&lt;big&gt; balance &amp; pays") })
    }

    @Test func longTextStaysWithinSlackLimits() throws {
        let long = String(repeating: "word ", count: 2000)
        let message = SlackReplyRenderer.message(
            for: AgentReply(text: long, lesson: Self.card(title: String(repeating: "T", count: 400), content: long)))
        let blocks = try #require(message.blocks)
        #expect(blocks.count <= 50)
        #expect(Self.texts(message).allSatisfy { $0.count <= 3000 })
        let header = try #require(blocks.first { $0["type"] == "header" })
        #expect((header["text"]?["text"]?.stringValue?.count ?? 0) == 150)
        #expect(message.text.count <= 3000)
    }

    @Test func answeredLessonShowsTheVerdictAndNoQuizButtons() throws {
        let verdict = QuizVerdict(
            lessonID: "apr-easy-1", correct: false, selectedIndex: 2, correctIndex: 0, correctOption: "Yearly cost",
            explanation: "APR is the annual rate.", feedback: "You picked C.")
        let message = SlackReplyRenderer.answeredLesson(Self.card(), verdict: verdict)
        let blocks = try #require(message.blocks)
        let actionIDs = blocks.filter { $0["type"] == "actions" }.flatMap { block -> [String] in
            guard case .array(let elements)? = block["elements"] else { return [] }
            return elements.compactMap { $0["action_id"]?.stringValue }
        }
        #expect(actionIDs == ["next_lesson", "snooze"])
        #expect(
            Self.texts(message).contains { $0.contains("*A. Yearly cost*") && $0.contains("APR is the annual rate.") })
        #expect(message.text.contains("Not quite"))
    }

    /// No raw `<` or `>`, and `&` only as the start of `&amp;`, `&lt;` or `&gt;` (compared as bytes, as Slack reads them).
    static func isEscaped(_ mrkdwn: String) -> Bool {
        let bytes = Array(mrkdwn.utf8)
        return bytes.indices.allSatisfy { index in
            switch bytes[index] {
            case UInt8(ascii: "<"), UInt8(ascii: ">"): false
            case UInt8(ascii: "&"): ["&amp;", "&lt;", "&gt;"].contains { bytes[index...].starts(with: $0.utf8) }
            default: true
            }
        }
    }

    // Found by fuzz/EscapingFuzzer: `<` followed by a combining mark is one Character that is not `<`.
    @Test func angleBracketFollowedByACombiningMarkIsStillEscaped() {
        for text in ["<\u{338}!channel>", "<\u{301}https://evil.example|click>", "x &\u{20DD} y", "<\u{200D}@U123>"] {
            let escaped = SlackReplyRenderer.escape(text)
            #expect(Self.isEscaped(escaped), "\(escaped.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        #expect(SlackReplyRenderer.escape("<\u{338}!channel>") == "&lt;\u{338}!channel&gt;")
    }

    // Found by fuzz/EscapingFuzzer: the top-level text went out raw, and Slack reads it as mrkdwn (and mobile
    // notifications show nothing else), so `<!channel>` in it would notify the channel.
    @Test func topLevelTextIsEscapedLikeTheBlocks() {
        let reply = SlackReplyRenderer.message(for: AgentReply(text: "hi <!channel> & <@U123>"))
        #expect(reply.text == "hi &lt;!channel&gt; &amp; &lt;@U123&gt;")
        let verdict = QuizVerdict(
            lessonID: "apr-easy-1", correct: true, selectedIndex: 0, correctIndex: 0, correctOption: "Yearly cost",
            explanation: "<!here> APR & fees", feedback: "Yes")
        #expect(SlackReplyRenderer.message(for: AgentReply(text: "", verdict: verdict)).text == "Correct. &lt;!here&gt; APR &amp; fees")
        #expect(Self.isEscaped(SlackReplyRenderer.answeredLesson(Self.card(title: "<!channel>"), verdict: verdict).text))
        #expect(Self.isEscaped(SlackReplyRenderer.message(for: AgentReply(text: "", lesson: Self.card(title: "a<b"))).text))
    }

    // Found by fuzz/EscapingFuzzer: cutting escaped text to Slack's limit could stop inside `&amp;`.
    @Test func textCutToTheLimitNeverEndsInsideAnEntity() throws {
        for padding in 2990...2999 {
            let text = String(repeating: "a", count: padding) + String(repeating: "&", count: 10)
            let message = SlackReplyRenderer.message(for: AgentReply(text: text))
            let section = try #require(Self.texts(message).first)
            #expect(section.count <= 3000 && message.text.count <= 3000)
            #expect(Self.isEscaped(section) && Self.isEscaped(message.text), "cut after \(padding) letters")
            #expect(section.hasSuffix("…"))
        }
    }
}
