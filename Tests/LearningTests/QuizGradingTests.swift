import Foundation
import Learning
import Testing

@Suite struct QuizGradingTests {
    private let lesson = Lesson(
        id: "apr-easy-1", topic: "apr", difficulty: .easy, title: "What APR means", content: "APR is a yearly rate.",
        keyPoints: ["One", "Two", "Three"], scenario: "A scenario.",
        quiz: Quiz(
            question: "A card charges 2% a month. What is its APR?", options: ["12%", "24%", "2%", "Twenty"],
            correctIndex: 1, explanation: "2% a month times 12 months is 24% a year."))

    private var tool: EvaluateQuizResponseTool {
        EvaluateQuizResponseTool(
            attempts: UnusedAttemptStore(),
            reviews: SpacedReviewScheduler(store: UnusedReviewStore(), clock: FakeClock()),
            curriculum: CurriculumPack(name: "t", title: "t", version: "1", topics: [], lessons: [lesson]),
            clock: FakeClock())
    }

    @Test(arguments: ["b", "B", " B ", "2", "b)", "(b)", "B.", "option b", "24%", " 24% ", "b) 24%", "Answer: B"])
    func everyWayOfSayingTheSecondOptionGradesCorrect(response: String) throws {
        guard case .graded(let verdict) = tool.grade(response: response, lesson: lesson) else {
            Issue.record("\(response) was not understood")
            return
        }
        #expect(verdict.correct)
        #expect(verdict.selectedIndex == 1)
        #expect(verdict.correctIndex == 1)
        #expect(verdict.explanation == lesson.quiz.explanation)
        #expect(verdict.feedback.hasPrefix("Correct!"))
    }

    @Test(arguments: [("a", 0), ("C", 2), ("4", 3), ("twenty", 3), ("  TWENTY.", 3), ("(d)", 3), ("1", 0)])
    func wrongAnswersGradeWrongWithTheRightAnswerInTheFeedback(response: String, index: Int) throws {
        guard case .graded(let verdict) = tool.grade(response: response, lesson: lesson) else {
            Issue.record("\(response) was not understood")
            return
        }
        #expect(!verdict.correct)
        #expect(verdict.selectedIndex == index)
        #expect(verdict.feedback.contains("B) 24%"))
    }

    @Test(arguments: ["e", "E", "5", "0", "", "   ", "maybe", "25%", "bb", "b or c", "-1", "12"])
    func outOfRangeOrUnknownAnswersAreNotUnderstoodRatherThanWrong(response: String) {
        #expect(tool.grade(response: response, lesson: lesson) == .notUnderstood)
    }
}

/// Stores that fail the test if grading (which must not store anything) touches them.
struct UnusedAttemptStore: LessonAttemptStore {
    func createAttempt(learnerID: UUID, lessonID: String, channel: String, at date: Date) async throws -> UUID {
        Issue.record("unexpected createAttempt")
        return UUID()
    }
    func openAttempt(learnerID: UUID) async throws -> LessonAttempt? { nil }
    func attempt(id: UUID) async throws -> LessonAttempt? { nil }
    func lastPresented(learnerID: UUID, topic: String) async throws -> [String: Date] { [:] }
    func recordAnswer(attemptID: UUID, response: String, selectedIndex: Int, correct: Bool, at date: Date) async throws
        -> Bool
    {
        Issue.record("unexpected recordAnswer")
        return false
    }
}

struct UnusedReviewStore: ReviewStore {
    func reviewItem(learnerID: UUID, lessonID: String) async throws -> ReviewItem? { nil }
    func saveReviewItem(_ item: ReviewItem) async throws { Issue.record("unexpected saveReviewItem") }
    func deleteReviewItem(learnerID: UUID, lessonID: String) async throws {}
    func dueReviews(learnerID: UUID, asOf date: Date, limit: Int) async throws -> [ReviewItem] { [] }
    func allReviews(learnerID: UUID) async throws -> [ReviewItem] { [] }
}
