import Foundation
import Postgres

extension PostgresLearningStore: ReviewStore {
    package func reviewItem(learnerID: UUID, lessonID: String) async throws -> ReviewItem? {
        let rows = try await pool.query(
            Self.reviewSelect + " WHERE r.learner_id = $1 AND l.curriculum_key = $2", [learnerID, lessonID])
        return try rows.first.map(Self.review(from:))
    }

    package func saveReviewItem(_ item: ReviewItem) async throws {
        if try await pool.query(Self.upsertReview(item)).affectedRows == 0 { throw Self.lessonNotSynced(item.lessonID) }
    }

    /// Inserts or replaces a review item; changes no row when the lesson was never synced.
    static func upsertReview(_ item: ReviewItem) -> PostgresQuery {
        PostgresQuery(
            """
            INSERT INTO review_items (learner_id, lesson_id, step, due_at)
            SELECT $1, id, $3, $4 FROM lessons WHERE curriculum_key = $2
            ON CONFLICT (learner_id, lesson_id) DO UPDATE SET step = EXCLUDED.step, due_at = EXCLUDED.due_at
            """, [item.learnerID, item.lessonID, item.step, item.dueAt])
    }

    package func deleteReviewItem(learnerID: UUID, lessonID: String) async throws {
        try await pool.query(Self.deleteReview(learnerID: learnerID, lessonID: lessonID))
    }

    static func deleteReview(learnerID: UUID, lessonID: String) -> PostgresQuery {
        PostgresQuery(
            """
            DELETE FROM review_items r USING lessons l
            WHERE r.lesson_id = l.id AND r.learner_id = $1 AND l.curriculum_key = $2
            """, [learnerID, lessonID])
    }

    package func dueReviews(learnerID: UUID, asOf date: Date, limit: Int) async throws -> [ReviewItem] {
        let rows = try await pool.query(
            Self.reviewSelect + " WHERE r.learner_id = $1 AND r.due_at <= $2 ORDER BY r.due_at LIMIT $3",
            [learnerID, date, limit])
        return try rows.map(Self.review(from:))
    }

    package func allReviews(learnerID: UUID) async throws -> [ReviewItem] {
        let rows = try await pool.query(Self.reviewSelect + " WHERE r.learner_id = $1 ORDER BY r.due_at", [learnerID])
        return try rows.map(Self.review(from:))
    }

    static let reviewSelect = """
        SELECT r.learner_id, l.curriculum_key, r.step, r.due_at
        FROM review_items r JOIN lessons l ON l.id = r.lesson_id
        """

    static func review(from row: PostgresRow) throws -> ReviewItem {
        ReviewItem(
            learnerID: try row.decode(UUID.self, "learner_id"),
            lessonID: try row.decode(String?.self, "curriculum_key") ?? "",
            step: try row.decode(Int.self, "step"), dueAt: try row.decode(Date.self, "due_at"))
    }
}

extension PostgresLearningStore: LearningPathStore {
    package func path(learnerID: UUID) async throws -> LearningPath? {
        let rows = try await pool.query(
            "SELECT current_topic, difficulty, upcoming_topics FROM learning_paths WHERE learner_id = $1", [learnerID])
        return try rows.first.flatMap { try Self.path(from: $0, learnerID: learnerID) }
    }

    /// The path in a row's `current_topic`, `difficulty` and `upcoming_topics`; nil when they are NULL (no path).
    static func path(from row: PostgresRow, learnerID: UUID) throws -> LearningPath? {
        guard let topic = try row.decode(String?.self, "current_topic") else { return nil }
        return LearningPath(
            learnerID: learnerID, currentTopic: topic,
            difficulty: Difficulty(rawValue: try row.decode(String.self, "difficulty")) ?? .easy,
            upcomingTopics: try row.decodeJSON([String].self, "upcoming_topics"))
    }

    package func savePath(_ path: LearningPath, at date: Date) async throws {
        try await pool.query(try Self.upsertPath(path, at: date))
    }

    static func upsertPath(_ path: LearningPath, at date: Date) throws -> PostgresQuery {
        PostgresQuery(
            """
            INSERT INTO learning_paths (learner_id, current_topic, difficulty, upcoming_topics, updated_at)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (learner_id) DO UPDATE SET current_topic = EXCLUDED.current_topic,
                difficulty = EXCLUDED.difficulty, upcoming_topics = EXCLUDED.upcoming_topics,
                updated_at = EXCLUDED.updated_at
            """,
            [
                path.learnerID, path.currentTopic, path.difficulty.rawValue,
                try PostgresValue.jsonEncoded(path.upcomingTopics), date,
            ])
    }
}

extension PostgresLearningStore: EngagementStore {
    package func recordEngagement(_ event: EngagementEvent) async throws {
        try await pool.query(Self.batch([.engagement(event)]).query)
    }

    package func engagementSummary(learnerID: UUID) async throws -> EngagementSummary {
        let rows = try await pool.query(
            """
            SELECT interaction, count(*) AS n, coalesce(sum(duration_ms), 0) AS ms, max(occurred_at) AS last_at
            FROM engagement_events WHERE learner_id = $1 GROUP BY interaction
            """, [learnerID])
        var summary = EngagementSummary(
            total: 0, byInteraction: [:], totalDurationMilliseconds: 0, lastInteractionAt: nil)
        for row in rows {
            let count = try row.decode(Int.self, "n")
            summary.byInteraction[try row.decode(String.self, "interaction")] = count
            summary.total += count
            summary.totalDurationMilliseconds += try row.decode(Int.self, "ms")
            let last = try row.decode(Date.self, "last_at")
            summary.lastInteractionAt = max(summary.lastInteractionAt ?? last, last)
        }
        return summary
    }
}

extension PostgresLearningStore: MemoryStore {
    package func appendTurn(learnerID: UUID, role: TurnRole, content: String, at date: Date, keep: Int) async throws {
        try await pool.transaction { connection in
            try connection.query(
                PostgresQuery(
                    "INSERT INTO memory_turns (learner_id, role, content, created_at) VALUES ($1, $2, $3, $4)",
                    [learnerID, role.rawValue, content, date]))
            try connection.query(
                PostgresQuery(
                    """
                    DELETE FROM memory_turns WHERE learner_id = $1 AND id NOT IN (
                        SELECT id FROM memory_turns WHERE learner_id = $1 ORDER BY id DESC LIMIT $2)
                    """, [learnerID, keep]))
        }
    }

    /// One statement: the new turns go in (in order) and the learner's turns beyond `keep` come out, so a turn's
    /// memory costs one round trip instead of a transaction per turn.
    package func appendTurns(
        learnerID: UUID, turns: [(role: TurnRole, content: String)], at date: Date, keep: Int
    ) async throws {
        guard !turns.isEmpty else { return }
        try await pool.query(Self.batch([.memory(learnerID: learnerID, turns: turns, at: date, keep: keep)]).query)
    }

    package func recentTurns(learnerID: UUID, limit: Int) async throws -> [MemoryTurn] {
        let rows = try await pool.query(
            "SELECT role, content, created_at FROM memory_turns WHERE learner_id = $1 ORDER BY id DESC LIMIT $2",
            [learnerID, limit])
        return try rows.reversed().map { row in
            MemoryTurn(
                role: TurnRole(rawValue: try row.decode(String.self, "role")) ?? .agent,
                content: try row.decode(String.self, "content"), createdAt: try row.decode(Date.self, "created_at"))
        }
    }

    package func profile(learnerID: UUID) async throws -> LearnerProfile? {
        let rows = try await pool.query(
            """
            SELECT level, topics_covered, quiz_average, quiz_count, weak_areas, preferences
            FROM learner_profiles WHERE learner_id = $1
            """, [learnerID])
        return try rows.first.flatMap { try Self.profile(from: $0, learnerID: learnerID) }
    }

    /// The profile in a row of `learner_profiles` columns; nil when `level` is NULL (no profile).
    static func profile(from row: PostgresRow, learnerID: UUID) throws -> LearnerProfile? {
        guard let level = try row.decode(String?.self, "level") else { return nil }
        return LearnerProfile(
            learnerID: learnerID,
            level: KnowledgeLevel(rawValue: level) ?? .beginner,
            topicsCovered: try row.decodeJSON([String].self, "topics_covered"),
            quizAverage: try row.decode(Double.self, "quiz_average"), quizCount: try row.decode(Int.self, "quiz_count"),
            weakAreas: try row.decodeJSON([String].self, "weak_areas"),
            preferences: (try? row.decodeJSON([String: String].self, "preferences")) ?? [:])
    }

    package func saveProfile(_ profile: LearnerProfile, at date: Date) async throws {
        try await pool.query(try Self.upsertProfile(profile, at: date))
    }

    static func upsertProfile(_ profile: LearnerProfile, at date: Date) throws -> PostgresQuery {
        PostgresQuery(
            """
            INSERT INTO learner_profiles (learner_id, level, topics_covered, quiz_average, quiz_count, weak_areas,
                                          preferences, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (learner_id) DO UPDATE SET level = EXCLUDED.level, topics_covered = EXCLUDED.topics_covered,
                quiz_average = EXCLUDED.quiz_average, quiz_count = EXCLUDED.quiz_count,
                weak_areas = EXCLUDED.weak_areas, preferences = EXCLUDED.preferences, updated_at = EXCLUDED.updated_at
            """,
            [
                profile.learnerID, profile.level.rawValue, try PostgresValue.jsonEncoded(profile.topicsCovered),
                profile.quizAverage, profile.quizCount, try PostgresValue.jsonEncoded(profile.weakAreas),
                try PostgresValue.jsonEncoded(profile.preferences), date,
            ])
    }
}
