import Foundation
import Postgres

extension PostgresLearningStore: LessonAttemptStore {
    package func createAttempt(learnerID: UUID, lessonID: String, channel: String, at date: Date) async throws -> UUID {
        let id = UUID()
        let rows = try await pool.query(
            Self.batch([.attempt(id: id, learnerID: learnerID, lessonID: lessonID, channel: channel, at: date)]).query)
        if rows.affectedRows == 0 { throw Self.lessonNotSynced(lessonID) }
        return id
    }

    static func lessonNotSynced(_ lessonID: String) -> LearningError {
        LearningError(
            code: .unknownLesson,
            message: "lesson \(lessonID) is not in the lessons table; run the curriculum sync at start")
    }

    package func openAttempt(learnerID: UUID) async throws -> LessonAttempt? {
        let rows = try await pool.query(
            Self.attemptSelect
                + " WHERE a.learner_id = $1 AND a.answered_at IS NULL ORDER BY a.presented_at DESC LIMIT 1",
            [learnerID])
        return try rows.first.map(Self.attempt(from:))
    }

    package func attempt(id: UUID) async throws -> LessonAttempt? {
        let rows = try await pool.query(Self.attemptSelect + " WHERE a.id = $1", [id])
        return try rows.first.map(Self.attempt(from:))
    }

    package func lastPresented(learnerID: UUID, topic: String) async throws -> [String: Date] {
        let rows = try await pool.query(
            """
            SELECT l.curriculum_key, max(a.presented_at) AS last_at
            FROM lesson_attempts a JOIN lessons l ON l.id = a.lesson_id
            WHERE a.learner_id = $1 AND l.topic = $2 AND l.curriculum_key IS NOT NULL
            GROUP BY l.curriculum_key
            """, [learnerID, topic])
        var result: [String: Date] = [:]
        for row in rows {
            result[try row.decode(String.self, "curriculum_key")] = try row.decode(Date.self, "last_at")
        }
        return result
    }

    package func recordAnswer(
        attemptID: UUID, response: String, selectedIndex: Int, correct: Bool, at date: Date
    ) async throws -> Bool {
        try await pool.transaction { connection in
            try Self.recordAnswer(
                attemptID: attemptID, response: response, selectedIndex: selectedIndex, correct: correct, at: date,
                on: connection)
        }
    }

    /// Closes the attempt and stores the answer on `connection`, which must be in a transaction. False when the
    /// attempt was already answered.
    static func recordAnswer(
        attemptID: UUID, response: String, selectedIndex: Int, correct: Bool, at date: Date,
        on connection: PostgresConnection
    ) throws -> Bool {
        // Closing the attempt first locks it: a second delivery of the same answer finds it closed.
        let closed = try connection.query(
            PostgresQuery(
                """
                UPDATE lesson_attempts SET answered_at = $2 WHERE id = $1 AND answered_at IS NULL
                RETURNING learner_id, lesson_id
                """, [attemptID, date]))
        guard let row = closed.first else { return false }
        let learnerID = try row.decode(UUID.self, "learner_id")
        let lessonRowID = try row.decode(UUID.self, "lesson_id")
        try connection.query(
            PostgresQuery(
                """
                INSERT INTO quiz_responses (attempt_id, learner_id, lesson_id, topic, difficulty, response,
                                            selected_index, correct, answered_at)
                SELECT $1, $2, id, topic, difficulty, $4, $5, $6, $7 FROM lessons WHERE id = $3
                """, [attemptID, learnerID, lessonRowID, response, selectedIndex, correct, date]))
        return true
    }

    static let attemptSelect = """
        SELECT a.id, a.learner_id, l.curriculum_key, a.channel, a.presented_at, a.answered_at
        FROM lesson_attempts a JOIN lessons l ON l.id = a.lesson_id
        """

    static func attempt(from row: PostgresRow) throws -> LessonAttempt {
        LessonAttempt(
            id: try row.decode(UUID.self, "id"), learnerID: try row.decode(UUID.self, "learner_id"),
            lessonID: try row.decode(String?.self, "curriculum_key") ?? "",
            channel: try row.decode(String.self, "channel"), presentedAt: try row.decode(Date.self, "presented_at"),
            answeredAt: try row.decode(Date?.self, "answered_at"))
    }
}

extension PostgresLearningStore: QuizHistoryStore {
    package func responses(learnerID: UUID, topic: String?, limit: Int) async throws -> [QuizRecord] {
        try Self.quizRecords(
            try await pool.query(Self.selectResponses(learnerID: learnerID, topic: topic, limit: limit)))
    }

    static func selectResponses(learnerID: UUID, topic: String?, limit: Int) -> PostgresQuery {
        PostgresQuery(
            """
            SELECT l.curriculum_key, r.topic, r.difficulty, r.correct, r.selected_index, r.answered_at
            FROM quiz_responses r JOIN lessons l ON l.id = r.lesson_id
            WHERE r.learner_id = $1 AND ($2::text IS NULL OR r.topic = $2)
            ORDER BY r.answered_at DESC, r.id DESC
            LIMIT $3
            """, [learnerID, topic, limit])
    }

    static func quizRecords(_ rows: PostgresRows) throws -> [QuizRecord] {
        try rows.map { row in
            QuizRecord(
                lessonID: try row.decode(String?.self, "curriculum_key") ?? "",
                topic: try row.decode(String.self, "topic"),
                difficulty: Difficulty(rawValue: try row.decode(String.self, "difficulty")) ?? .easy,
                correct: try row.decode(Bool.self, "correct"),
                selectedIndex: try row.decode(Int?.self, "selected_index"),
                answeredAt: try row.decode(Date.self, "answered_at"))
        }
    }
}
