import Foundation

/// `generate_adaptive_lesson(topic, difficulty, learner_context)`: the next lesson the learner has not seen at
/// that difficulty (else the nearest difficulty with an unseen one, else the least recently seen at that
/// difficulty), recorded as a lesson attempt whose quiz is then open.
package struct GenerateAdaptiveLessonTool: LearningTool {
    private struct Context: Decodable {
        let learnerID: String
        let channel: String?

        enum CodingKeys: String, CodingKey {
            case learnerID = "learner_id"
            case channel
        }
    }

    private struct Input: Decodable {
        let topic: String
        let difficulty: Difficulty
        let learnerContext: Context

        enum CodingKeys: String, CodingKey {
            case topic, difficulty
            case learnerContext = "learner_context"
        }
    }

    private let attempts: any LessonAttemptStore
    private let curriculum: CurriculumPack
    private let clock: any WallClock

    package init(attempts: any LessonAttemptStore, curriculum: CurriculumPack, clock: any WallClock) {
        self.attempts = attempts
        self.curriculum = curriculum
        self.clock = clock
    }

    package let name = "generate_adaptive_lesson"
    package let description = """
        Give the learner their next lesson on a topic at a difficulty: content, key points, a scenario and a \
        four-option quiz. Picks a lesson they have not seen, and opens its quiz for an answer.
        """
    package var inputSchema: ToolInputSchema {
        ToolInputSchema(
            properties: [
                "topic": .string("The topic slug.", oneOf: curriculum.topics.map(\.slug)),
                "difficulty": .string("The wanted difficulty.", oneOf: Difficulty.allCases.map(\.rawValue)),
                "learner_context": .object("{\"learner_id\": UUID, \"channel\": \"api\"|\"slack\"|\"sms\"}"),
            ],
            required: ["topic", "difficulty", "learner_context"])
    }

    package func run(input: JSONValue) async throws -> JSONValue {
        let input = try decodeInput(Input.self, from: input)
        let card = try await nextLesson(
            learnerID: try learnerID(input.learnerContext.learnerID), topic: input.topic,
            difficulty: input.difficulty, channel: input.learnerContext.channel ?? Channel.api.rawValue)
        return try JSONValue.encoding(card)
    }

    /// Chooses and presents the next lesson. Throws `unknownTopic` for a slug the curriculum lacks.
    package func nextLesson(
        learnerID: UUID, topic: String, difficulty: Difficulty, channel: String
    ) async throws -> LessonCard {
        guard curriculum.topic(topic) != nil else {
            throw LearningError(
                code: .unknownTopic,
                message: "\(name): the topic is not in the curriculum; use a slug from the input schema")
        }
        let seen = try await attempts.lastPresented(learnerID: learnerID, topic: topic)
        guard let lesson = Self.select(from: curriculum.lessons(in: topic), difficulty: difficulty, seen: seen) else {
            throw LearningError(code: .unknownTopic, message: "\(name): topic \(topic) has no lessons")
        }
        return try await present(lesson, learnerID: learnerID, channel: channel, isReview: false)
    }

    /// Records an attempt for `lesson` and returns its card.
    package func present(_ lesson: Lesson, learnerID: UUID, channel: String, isReview: Bool) async throws -> LessonCard
    {
        let attemptID = try await attempts.createAttempt(
            learnerID: learnerID, lessonID: lesson.id, channel: channel, at: clock.now)
        return LessonCard(
            attemptID: attemptID, lesson: lesson, topicTitle: curriculum.title(ofTopic: lesson.topic),
            isReview: isReview)
    }

    /// The selection rule on its own: unseen at `difficulty`, then unseen at the nearest difficulty, then the
    /// least recently seen at `difficulty` (or at all, if none exists there). Lessons are in pack order.
    package static func select(from lessons: [Lesson], difficulty: Difficulty, seen: [String: Date]) -> Lesson? {
        for level in difficulty.byDistance {
            if let unseen = lessons.first(where: { $0.difficulty == level && seen[$0.id] == nil }) {
                return unseen
            }
        }
        let atLevel = lessons.filter { $0.difficulty == difficulty }
        let pool = atLevel.isEmpty ? lessons : atLevel
        return pool.enumerated().min { lhs, rhs in
            let left = seen[lhs.element.id] ?? .distantPast
            let right = seen[rhs.element.id] ?? .distantPast
            return left != right ? left < right : lhs.offset < rhs.offset
        }?.element
    }
}
