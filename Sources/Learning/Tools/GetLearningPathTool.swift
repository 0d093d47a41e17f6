import Foundation

/// `get_learning_path(learner, current_topic, performance)`: the next topic and difficulty. Performance above
/// 0.8 advances to the next topic one difficulty up; below 0.5 reviews the same topic one difficulty down;
/// otherwise the learner stays. The decision is stored in `learning_paths`, and the answer lists the missed
/// questions due for spaced review.
package struct GetLearningPathTool: LearningTool {
    /// What the learner should do next.
    package enum Decision: String, Sendable, Codable {
        case advance
        case review
        case keep
    }

    /// The recommendation.
    package struct Recommendation: Sendable, Equatable, Codable {
        package let decision: Decision
        package let previousTopic: String
        package let nextTopic: String
        package let difficulty: Difficulty
        package let upcomingTopics: [String]
        /// Lesson ids of missed questions due for review now.
        package let dueReviews: [String]
        /// True when the learner has finished the last topic and advancing stays on it.
        package let curriculumComplete: Bool
    }

    private struct Input: Decodable {
        let learnerID: String
        let currentTopic: String
        let performance: Double

        enum CodingKeys: String, CodingKey {
            case learnerID = "learner_id"
            case currentTopic = "current_topic"
            case performance
        }
    }

    private let paths: any LearningPathStore
    private let reviews: SpacedReviewScheduler
    private let curriculum: CurriculumPack
    private let clock: any WallClock

    package init(
        paths: any LearningPathStore, reviews: SpacedReviewScheduler, curriculum: CurriculumPack, clock: any WallClock
    ) {
        self.paths = paths
        self.reviews = reviews
        self.curriculum = curriculum
        self.clock = clock
    }

    package let name = "get_learning_path"
    package let description = """
        Decide what the learner studies next from their performance (0-1) on the current topic: above 0.8 \
        advance to the next topic and raise difficulty, below 0.5 review the topic at a lower difficulty, \
        otherwise keep going. Also lists missed questions due for spaced review (1, 3, 7, 14 days).
        """
    package var inputSchema: ToolInputSchema {
        ToolInputSchema(
            properties: [
                "learner_id": .string("The learner's UUID."),
                "current_topic": .string("The topic slug just studied.", oneOf: curriculum.topics.map(\.slug)),
                "performance": .number("Mastery or score on the current topic.", minimum: 0, maximum: 1),
            ],
            required: ["learner_id", "current_topic", "performance"])
    }

    package func run(input: JSONValue) async throws -> JSONValue {
        let input = try decodeInput(Input.self, from: input)
        guard (0...1).contains(input.performance) else {
            throw LearningError(code: .invalidToolInput, message: "\(name): performance must be between 0 and 1")
        }
        let recommendation = try await nextStep(
            learnerID: try learnerID(input.learnerID), currentTopic: input.currentTopic, performance: input.performance)
        return try JSONValue.encoding(recommendation)
    }

    /// Decides, stores and returns the learner's next step.
    package func nextStep(learnerID: UUID, currentTopic: String, performance: Double) async throws -> Recommendation {
        guard curriculum.topic(currentTopic) != nil else {
            throw LearningError(
                code: .unknownTopic,
                message: "\(name): the topic is not in the curriculum; use a slug from the input schema")
        }
        let stored = try await paths.path(learnerID: learnerID)
        let difficulty = stored?.difficulty ?? .easy
        let decision = Self.decide(performance: performance)
        var nextTopic = currentTopic
        var nextDifficulty = difficulty
        var complete = false
        switch decision {
        case .advance:
            nextDifficulty = difficulty.raised
            if let next = curriculum.topic(after: currentTopic) {
                nextTopic = next.slug
            } else {
                complete = true
            }
        case .review:
            nextDifficulty = difficulty.lowered
        case .keep:
            break
        }
        let upcoming = Self.upcoming(after: nextTopic, in: curriculum)
        try await paths.savePath(
            LearningPath(
                learnerID: learnerID, currentTopic: nextTopic, difficulty: nextDifficulty, upcomingTopics: upcoming),
            at: clock.now)
        let due = try await reviews.dueReviews(learnerID: learnerID)
        return Recommendation(
            decision: decision, previousTopic: currentTopic, nextTopic: nextTopic, difficulty: nextDifficulty,
            upcomingTopics: upcoming, dueReviews: due.map(\.lessonID), curriculumComplete: complete)
    }

    /// The rule alone: above 0.8 advance, below 0.5 review, otherwise keep (0.5 and 0.8 keep).
    package static func decide(performance: Double) -> Decision {
        if performance > 0.8 { return .advance }
        if performance < 0.5 { return .review }
        return .keep
    }

    /// Topic slugs after `topic` in pack order.
    package static func upcoming(after topic: String, in curriculum: CurriculumPack) -> [String] {
        guard let index = curriculum.topics.firstIndex(where: { $0.slug == topic }) else { return [] }
        return curriculum.topics[(index + 1)...].map(\.slug)
    }
}
