import Foundation

/// Where a learner talks to us. Matches `learner_identities.channel`.
package enum Channel: String, Sendable, Codable, CaseIterable {
    case api
    case slack
    case sms
}

/// A lesson shown to a learner; its quiz is open until `answeredAt` is set.
package struct LessonAttempt: Sendable, Equatable {
    package let id: UUID
    package let learnerID: UUID
    /// The curriculum key of the lesson.
    package let lessonID: String
    package let channel: String
    package let presentedAt: Date
    package let answeredAt: Date?

    package init(id: UUID, learnerID: UUID, lessonID: String, channel: String, presentedAt: Date, answeredAt: Date?) {
        self.id = id
        self.learnerID = learnerID
        self.lessonID = lessonID
        self.channel = channel
        self.presentedAt = presentedAt
        self.answeredAt = answeredAt
    }
}

/// One graded quiz answer.
package struct QuizRecord: Sendable, Equatable {
    package let lessonID: String
    package let topic: String
    package let difficulty: Difficulty
    package let correct: Bool
    package let selectedIndex: Int?
    package let answeredAt: Date

    package init(
        lessonID: String, topic: String, difficulty: Difficulty, correct: Bool, selectedIndex: Int?, answeredAt: Date
    ) {
        self.lessonID = lessonID
        self.topic = topic
        self.difficulty = difficulty
        self.correct = correct
        self.selectedIndex = selectedIndex
        self.answeredAt = answeredAt
    }
}

/// A missed question waiting to come back. `step` indexes the spaced-review intervals.
package struct ReviewItem: Sendable, Equatable {
    package let learnerID: UUID
    package let lessonID: String
    package var step: Int
    package var dueAt: Date

    package init(learnerID: UUID, lessonID: String, step: Int, dueAt: Date) {
        self.learnerID = learnerID
        self.lessonID = lessonID
        self.step = step
        self.dueAt = dueAt
    }
}

/// Where a learner is in the curriculum.
package struct LearningPath: Sendable, Equatable, Codable {
    package var learnerID: UUID
    package var currentTopic: String
    package var difficulty: Difficulty
    package var upcomingTopics: [String]

    package init(learnerID: UUID, currentTopic: String, difficulty: Difficulty, upcomingTopics: [String]) {
        self.learnerID = learnerID
        self.currentTopic = currentTopic
        self.difficulty = difficulty
        self.upcomingTopics = upcomingTopics
    }
}

/// One recorded interaction.
package struct EngagementEvent: Sendable, Equatable {
    package let learnerID: UUID
    package let interaction: String
    package let channel: String?
    package let durationMilliseconds: Int?
    package let occurredAt: Date

    package init(learnerID: UUID, interaction: String, channel: String?, durationMilliseconds: Int?, occurredAt: Date) {
        self.learnerID = learnerID
        self.interaction = interaction
        self.channel = channel
        self.durationMilliseconds = durationMilliseconds
        self.occurredAt = occurredAt
    }
}

/// Counts of a learner's interactions.
package struct EngagementSummary: Sendable, Equatable, Codable {
    package var total: Int
    package var byInteraction: [String: Int]
    package var totalDurationMilliseconds: Int
    package var lastInteractionAt: Date?

    package init(total: Int, byInteraction: [String: Int], totalDurationMilliseconds: Int, lastInteractionAt: Date?) {
        self.total = total
        self.byInteraction = byInteraction
        self.totalDurationMilliseconds = totalDurationMilliseconds
        self.lastInteractionAt = lastInteractionAt
    }
}

/// Who said a remembered turn.
package enum TurnRole: String, Sendable, Codable {
    case learner
    case agent
}

/// One remembered message, already redacted.
package struct MemoryTurn: Sendable, Equatable, Codable {
    package let role: TurnRole
    package let content: String
    package let createdAt: Date

    package init(role: TurnRole, content: String, createdAt: Date) {
        self.role = role
        self.content = content
        self.createdAt = createdAt
    }
}

/// The long-term picture of a learner.
package struct LearnerProfile: Sendable, Equatable, Codable {
    package var learnerID: UUID
    package var level: KnowledgeLevel
    package var topicsCovered: [String]
    package var quizAverage: Double
    package var quizCount: Int
    package var weakAreas: [String]
    package var preferences: [String: String]

    package init(
        learnerID: UUID, level: KnowledgeLevel = .beginner, topicsCovered: [String] = [], quizAverage: Double = 0,
        quizCount: Int = 0, weakAreas: [String] = [], preferences: [String: String] = [:]
    ) {
        self.learnerID = learnerID
        self.level = level
        self.topicsCovered = topicsCovered
        self.quizAverage = quizAverage
        self.quizCount = quizCount
        self.weakAreas = weakAreas
        self.preferences = preferences
    }
}
