import Foundation
import Postgres

/// Writes a pack's lessons into the `lessons` table, keyed by `curriculum_key` (the lesson id), so attempts,
/// responses and reviews can reference them. Re-running it updates changed lessons in place and keeps their
/// row ids, so history survives a new pack version.
package struct CurriculumSync: Sendable {
    private let pool: PostgresConnectionPool

    package init(pool: PostgresConnectionPool) {
        self.pool = pool
    }

    /// Upserts every lesson of `pack` in one transaction and returns how many rows were written.
    @discardableResult
    package func sync(_ pack: CurriculumPack) async throws -> Int {
        let statements = try pack.lessons.map { lesson in
            PostgresQuery(
                """
                INSERT INTO lessons (curriculum_key, topic, difficulty, title, content, key_points, scenario,
                                     quiz_question, quiz_options, correct_index, explanation, source)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'curriculum')
                ON CONFLICT (curriculum_key) DO UPDATE SET
                    topic = EXCLUDED.topic, difficulty = EXCLUDED.difficulty, title = EXCLUDED.title,
                    content = EXCLUDED.content, key_points = EXCLUDED.key_points, scenario = EXCLUDED.scenario,
                    quiz_question = EXCLUDED.quiz_question, quiz_options = EXCLUDED.quiz_options,
                    correct_index = EXCLUDED.correct_index, explanation = EXCLUDED.explanation
                """,
                [
                    lesson.id, lesson.topic, lesson.difficulty.rawValue, lesson.title, lesson.content,
                    try PostgresValue.jsonEncoded(lesson.keyPoints), lesson.scenario, lesson.quiz.question,
                    try PostgresValue.jsonEncoded(lesson.quiz.options), lesson.quiz.correctIndex,
                    lesson.quiz.explanation,
                ])
        }
        return try await pool.transaction { connection in
            var written = 0
            for statement in statements {
                written += try connection.query(statement).affectedRows
            }
            return written
        }
    }
}
