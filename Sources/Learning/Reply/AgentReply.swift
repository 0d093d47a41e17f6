/// What the agent answers, independent of channel: text, optionally a lesson with its quiz, optionally the
/// verdict on an answer, and short suggested replies. Slack renders it as Block Kit, SMS as plain text.
package struct AgentReply: Sendable, Equatable, Codable {
    package var text: String
    package var lesson: LessonCard?
    package var verdict: QuizVerdict?
    package var quickReplies: [String]

    package init(text: String, lesson: LessonCard? = nil, verdict: QuizVerdict? = nil, quickReplies: [String] = []) {
        self.text = text
        self.lesson = lesson
        self.verdict = verdict
        self.quickReplies = quickReplies
    }
}
