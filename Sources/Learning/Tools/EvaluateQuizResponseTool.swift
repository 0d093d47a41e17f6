import Foundation

/// `evaluate_quiz_response(response, expected, topic)`: grades a typed or tapped answer against a lesson's quiz.
/// With an attempt id it also records the answer (once) and moves the question on its spaced-review schedule.
package struct EvaluateQuizResponseTool: LearningTool {
    /// The outcome of grading.
    package enum Grade: Sendable, Equatable {
        /// The answer selects an option and was graded.
        case graded(QuizVerdict)
        /// The answer selects no option (`e`, `7`, free text); nothing is recorded.
        case notUnderstood
    }

    /// The outcome of submitting an answer to an open attempt.
    package enum Submission: Sendable, Equatable {
        case graded(QuizVerdict, lesson: Lesson)
        case notUnderstood(lesson: Lesson)
        /// The attempt was already answered; the first answer stands.
        case alreadyAnswered(lesson: Lesson)
    }

    private struct Input: Decodable {
        let response: String
        let expected: String
        let topic: String?
        let attemptID: UUID?

        enum CodingKeys: String, CodingKey {
            case response, expected, topic
            case attemptID = "attempt_id"
        }
    }

    private struct Output: Encodable {
        let understood: Bool
        let alreadyAnswered: Bool
        let verdict: QuizVerdict?

        enum CodingKeys: String, CodingKey {
            case understood, verdict
            case alreadyAnswered = "already_answered"
        }
    }

    private let attempts: any LessonAttemptStore
    private let reviews: SpacedReviewScheduler
    private let curriculum: CurriculumPack
    private let clock: any WallClock
    private let parser = AnswerParser()

    package init(
        attempts: any LessonAttemptStore, reviews: SpacedReviewScheduler, curriculum: CurriculumPack,
        clock: any WallClock
    ) {
        self.attempts = attempts
        self.reviews = reviews
        self.curriculum = curriculum
        self.clock = clock
    }

    package let name = "evaluate_quiz_response"
    package let description = """
        Grade a learner's answer to a lesson's quiz. Accepts a letter (A-D, any case), a number (1-4) or the \
        option's text. Returns whether it is correct, the correct option, the explanation and feedback. With \
        attempt_id, records the answer once and schedules missed questions for spaced review.
        """
    package var inputSchema: ToolInputSchema {
        ToolInputSchema(
            properties: [
                "response": .string("The learner's answer as typed or tapped."),
                "expected": .string("The lesson id whose quiz is answered."),
                "topic": .string("The lesson's topic slug.", oneOf: curriculum.topics.map(\.slug)),
                "attempt_id": .string("Optional: the open attempt (UUID) to record the answer against."),
            ],
            required: ["response", "expected", "topic"])
    }

    package func run(input: JSONValue) async throws -> JSONValue {
        let input = try decodeInput(Input.self, from: input)
        guard let lesson = curriculum.lesson(id: input.expected) else {
            throw LearningError(
                code: .invalidToolInput, message: "\(name): expected is not a lesson id of the curriculum")
        }
        if let topic = input.topic, topic != lesson.topic {
            throw LearningError(
                code: .invalidToolInput, message: "\(name): lesson \(lesson.id) belongs to another topic")
        }
        let output: Output
        if let attemptID = input.attemptID {
            guard let attempt = try await attempts.attempt(id: attemptID), attempt.lessonID == lesson.id else {
                throw LearningError(
                    code: .unknownAttempt, message: "\(name): no attempt of lesson \(lesson.id) has that id")
            }
            switch try await submit(response: input.response, attempt: attempt) {
            case .graded(let verdict, _): output = Output(understood: true, alreadyAnswered: false, verdict: verdict)
            case .notUnderstood: output = Output(understood: false, alreadyAnswered: false, verdict: nil)
            case .alreadyAnswered: output = Output(understood: true, alreadyAnswered: true, verdict: nil)
            }
        } else {
            switch grade(response: input.response, lesson: lesson) {
            case .graded(let verdict): output = Output(understood: true, alreadyAnswered: false, verdict: verdict)
            case .notUnderstood: output = Output(understood: false, alreadyAnswered: false, verdict: nil)
            }
        }
        return try JSONValue.encoding(output)
    }

    /// Grades without recording anything.
    package func grade(response: String, lesson: Lesson) -> Grade {
        guard let selected = parser.index(of: response, options: lesson.quiz.options) else { return .notUnderstood }
        return .graded(verdict(lesson: lesson, selected: selected))
    }

    /// Grades an answer to `attempt`, records it once, and updates the question's spaced review.
    package func submit(response: String, attempt: LessonAttempt) async throws -> Submission {
        guard let lesson = curriculum.lesson(id: attempt.lessonID) else {
            throw LearningError(code: .unknownLesson, message: "\(name): the attempt's lesson left the curriculum")
        }
        guard attempt.answeredAt == nil else { return .alreadyAnswered(lesson: lesson) }
        guard case .graded(let verdict) = grade(response: response, lesson: lesson) else {
            return .notUnderstood(lesson: lesson)
        }
        let stored = String(response.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))
        let recorded = try await attempts.recordAnswer(
            attemptID: attempt.id, response: stored, selectedIndex: verdict.selectedIndex, correct: verdict.correct,
            at: clock.now)
        guard recorded else { return .alreadyAnswered(lesson: lesson) }
        try await reviews.recordAnswer(learnerID: attempt.learnerID, lessonID: lesson.id, correct: verdict.correct)
        return .graded(verdict, lesson: lesson)
    }

    private func verdict(lesson: Lesson, selected: Int) -> QuizVerdict {
        let quiz = lesson.quiz
        let correct = selected == quiz.correctIndex
        let answer = "\(Quiz.letter(quiz.correctIndex))) \(quiz.options[quiz.correctIndex])"
        return QuizVerdict(
            lessonID: lesson.id, correct: correct, selectedIndex: selected, correctIndex: quiz.correctIndex,
            correctOption: quiz.options[quiz.correctIndex], explanation: quiz.explanation,
            feedback: correct ? "Correct! \(answer)." : "Not quite. The answer is \(answer).")
    }
}
