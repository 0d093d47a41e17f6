import Foundation

/// Maps a channel identity to a learner, creating the learner on first use.
package protocol LearnerDirectory: Sendable {
    /// The learner known as `externalID` on `channel`; created (with its identity) when never seen. Safe when
    /// two first messages race: both get the same learner.
    func resolve(channel: Channel, externalID: String) async throws -> UUID
    /// The learner known as `externalID` on `channel`, or nil when that identity was never seen.
    func find(channel: Channel, externalID: String) async throws -> UUID?
}

/// Lessons shown to learners and the quizzes they leave open.
package protocol LessonAttemptStore: Sendable {
    /// Records that `lessonID` (a curriculum key) was shown and returns the attempt id. Throws when the lesson
    /// was never synced into the database.
    func createAttempt(learnerID: UUID, lessonID: String, channel: String, at date: Date) async throws -> UUID
    /// The learner's most recent unanswered attempt.
    func openAttempt(learnerID: UUID) async throws -> LessonAttempt?
    /// One attempt by id.
    func attempt(id: UUID) async throws -> LessonAttempt?
    /// When each lesson of `topic` was last shown to the learner, by curriculum key.
    func lastPresented(learnerID: UUID, topic: String) async throws -> [String: Date]
    /// Closes the attempt and stores the graded answer. Returns false when it was already answered, so an
    /// answer is graded once even when delivered twice.
    func recordAnswer(
        attemptID: UUID, response: String, selectedIndex: Int, correct: Bool, at date: Date
    ) async throws -> Bool
}

/// A learner's graded answers.
package protocol QuizHistoryStore: Sendable {
    /// Answers newest first, optionally on one topic only, at most `limit`.
    func responses(learnerID: UUID, topic: String?, limit: Int) async throws -> [QuizRecord]
}

/// Missed questions on their spaced schedule.
package protocol ReviewStore: Sendable {
    /// The review item for one lesson, if the learner has one.
    func reviewItem(learnerID: UUID, lessonID: String) async throws -> ReviewItem?
    /// Inserts or replaces a review item.
    func saveReviewItem(_ item: ReviewItem) async throws
    /// Removes a review item (the question is learnt).
    func deleteReviewItem(learnerID: UUID, lessonID: String) async throws
    /// Items due at or before `date`, earliest first.
    func dueReviews(learnerID: UUID, asOf date: Date, limit: Int) async throws -> [ReviewItem]
    /// Every review item of the learner, earliest due first.
    func allReviews(learnerID: UUID) async throws -> [ReviewItem]
}

/// Each learner's place in the curriculum.
package protocol LearningPathStore: Sendable {
    /// The stored path, or nil for a learner who has none yet.
    func path(learnerID: UUID) async throws -> LearningPath?
    /// Inserts or replaces the learner's path.
    func savePath(_ path: LearningPath, at date: Date) async throws
}

/// Every interaction, for stats and timing.
package protocol EngagementStore: Sendable {
    /// Appends one event.
    func recordEngagement(_ event: EngagementEvent) async throws
    /// Counts of the learner's events.
    func engagementSummary(learnerID: UUID) async throws -> EngagementSummary
}

/// Short-term turns and the long-term profile.
package protocol MemoryStore: Sendable {
    /// Appends a turn (already redacted) and prunes the learner's older turns beyond `keep`.
    func appendTurn(learnerID: UUID, role: TurnRole, content: String, at date: Date, keep: Int) async throws
    /// Appends several turns in order (already redacted) and prunes beyond `keep`, as one write.
    func appendTurns(learnerID: UUID, turns: [(role: TurnRole, content: String)], at date: Date, keep: Int)
        async throws
    /// The learner's most recent turns, oldest first, at most `limit`.
    func recentTurns(learnerID: UUID, limit: Int) async throws -> [MemoryTurn]
    /// The stored profile, or nil for a learner who has none yet.
    func profile(learnerID: UUID) async throws -> LearnerProfile?
    /// Inserts or replaces the learner's profile.
    func saveProfile(_ profile: LearnerProfile, at date: Date) async throws
}

/// The current time, injectable so schedules can be tested.
package protocol WallClock: Sendable {
    /// Now.
    var now: Date { get }
}

/// The system's clock.
package struct SystemWallClock: WallClock {
    package init() {}
    package var now: Date { Date() }
}

extension MemoryStore {
    /// One turn at a time; stores that can write several at once override this.
    package func appendTurns(learnerID: UUID, turns: [(role: TurnRole, content: String)], at date: Date, keep: Int)
        async throws
    {
        for turn in turns {
            try await appendTurn(learnerID: learnerID, role: turn.role, content: turn.content, at: date, keep: keep)
        }
    }
}
