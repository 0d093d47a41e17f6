import Foundation
import Postgres

/// The Postgres implementation of every learning store (`LearnerDirectory`, `LessonAttemptStore`,
/// `QuizHistoryStore`, `ReviewStore`, `LearningPathStore`, `EngagementStore`, `MemoryStore`). Lessons are
/// referenced by curriculum key and joined to `lessons` by `curriculum_key`.
package struct PostgresLearningStore: Sendable {
    package let pool: PostgresConnectionPool

    package init(pool: PostgresConnectionPool) {
        self.pool = pool
    }
}

extension PostgresLearningStore: LearnerDirectory {
    package func resolve(channel: Channel, externalID: String) async throws -> UUID {
        if let known = try await find(channel: channel, externalID: externalID) { return known }
        if let created = try await create(channel: channel, externalID: externalID) { return created }
        // Another caller created this identity first; use theirs.
        guard let winner = try await find(channel: channel, externalID: externalID) else {
            throw Self.vanishedIdentity
        }
        return winner
    }

    /// Creates the learner and its identity together and returns the new id; nil when another caller created
    /// the identity first (the loser's identity insert does nothing and its transaction rolls back the spare
    /// learner row).
    func create(channel: Channel, externalID: String) async throws -> UUID? {
        do {
            return try await pool.transaction { connection in
                let learner = try connection.query(PostgresQuery("INSERT INTO learners DEFAULT VALUES RETURNING id"))
                let id = try learner[0].decode(UUID.self, "id")
                let identity = try connection.query(
                    PostgresQuery(
                        """
                        INSERT INTO learner_identities (learner_id, channel, external_id) VALUES ($1, $2, $3)
                        ON CONFLICT (channel, external_id) DO NOTHING
                        """, [id, channel.rawValue, externalID]))
                if identity.affectedRows == 0 { throw LostIdentityRace() }
                return id
            }
        } catch is LostIdentityRace {
            return nil
        }
    }

    static let vanishedIdentity = LearningError(
        code: .storage, message: "a learner identity vanished while it was being created")

    package func find(channel: Channel, externalID: String) async throws -> UUID? {
        let rows = try await pool.query(
            "SELECT learner_id FROM learner_identities WHERE channel = $1 AND external_id = $2",
            [channel.rawValue, externalID])
        return try rows.first?.decode(UUID.self, "learner_id")
    }
}

/// Thrown inside the creating transaction to roll it back when another caller created the identity first.
private struct LostIdentityRace: Error {}
