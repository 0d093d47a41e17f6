import Foundation

/// A lesson as shown to a learner, tied to the attempt that answers it. The correct answer is deliberately not
/// part of the card, so no renderer can leak it.
package struct LessonCard: Sendable, Equatable, Codable {
    /// The attempt an answer to this card is graded against (Slack buttons carry it).
    package let attemptID: UUID
    package let lessonID: String
    package let topic: String
    package let topicTitle: String
    package let difficulty: Difficulty
    package let title: String
    package let content: String
    package let keyPoints: [String]
    package let scenario: String
    package let question: String
    /// Exactly four options, in order `A`–`D`.
    package let options: [String]
    /// True when the lesson comes back as a spaced review of a missed question.
    package let isReview: Bool

    package init(attemptID: UUID, lesson: Lesson, topicTitle: String, isReview: Bool = false) {
        self.attemptID = attemptID
        self.lessonID = lesson.id
        self.topic = lesson.topic
        self.topicTitle = topicTitle
        self.difficulty = lesson.difficulty
        self.title = lesson.title
        self.content = lesson.content
        self.keyPoints = lesson.keyPoints
        self.scenario = lesson.scenario
        self.question = lesson.quiz.question
        self.options = lesson.quiz.options
        self.isReview = isReview
    }
}
