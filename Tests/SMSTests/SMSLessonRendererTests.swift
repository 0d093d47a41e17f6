import SMS
import Testing

@Suite struct SMSLessonRendererTests {
    static let lesson = SMSLesson(
        title: "APR basics",
        content: "APR \u{2014} the \u{201C}annual percentage rate\u{201D} \u{2014} "
            + "is what a balance costs per year\u{2026}",
        keyPoints: ["Pay in full to owe no interest", "It\u{2019}s charged daily", "  "],
        scenario: "Your team\u{2019}s card carries $2,000 at 24% APR.",
        question: "What does APR measure?",
        options: ["Yearly cost of borrowing", "Credit limit", "Reward rate", "Late fee"]
    )

    @Test func rendersEverySectionWithLetteredOptionsAndReplyHint() throws {
        let parts = SMSLessonRenderer().render(Self.lesson)
        let text = try #require(parts.first)
        #expect(parts.count == 1)
        #expect(
            text == """
                APR basics

                APR - the "annual percentage rate" - is what a balance costs per year...

                Key points:
                - Pay in full to owe no interest
                - It's charged daily

                Scenario: Your team's card carries $2,000 at 24% APR.

                Quiz: What does APR measure?
                A) Yearly cost of borrowing
                B) Credit limit
                C) Reward rate
                D) Late fee
                Reply A, B, C or D
                """)
    }

    @Test func typographicPunctuationIsRewrittenToStayGSM7() {
        let text = SMSLessonRenderer().text(of: Self.lesson)
        #expect(SMSEncoding.detect(text) == .gsm7)
        #expect(SMSEncoding.detect(Self.lesson.content) == .ucs2)
    }

    @Test func textGSM7CannotHoldStaysAndIsSentAsUCS2() {
        var lesson = Self.lesson
        lesson.title = "Cartes de crédit 💳"
        #expect(SMSEncoding.detect(SMSLessonRenderer().text(of: lesson)) == .ucs2)
    }

    @Test func replyHintFollowsOptionCount() {
        var lesson = Self.lesson
        lesson.options = ["Yes", "No"]
        #expect(SMSLessonRenderer().text(of: lesson).hasSuffix("A) Yes\nB) No\nReply A or B"))
        lesson.options = ["Yes", "No", "Maybe"]
        #expect(SMSLessonRenderer().text(of: lesson).hasSuffix("Reply A, B or C"))
    }

    @Test func longLessonIsSplitIntoPartsWithinLimit() {
        var lesson = Self.lesson
        lesson.content = String(repeating: "Interest accrues on the daily balance. ", count: 60)
        let parts = SMSLessonRenderer().render(lesson)
        #expect(parts.count == 2)
        #expect(parts.allSatisfy { $0.utf16.count <= 1600 })
        #expect(parts.last?.hasSuffix("Reply A, B, C or D") == true)
    }

    @Test func emptySectionsAreLeftOut() {
        let lesson = SMSLesson(title: "T", content: "C", keyPoints: [], scenario: " ", question: "", options: [])
        #expect(SMSLessonRenderer().text(of: lesson) == "T\n\nC")
    }
}
