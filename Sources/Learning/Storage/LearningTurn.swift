import Foundation

/// One turn's unit of work over a learner's stores. Everything a turn usually reads about the learner (open
/// quiz, profile, path, review items, which lessons were shown when) is loaded once when the turn opens; writes
/// that nothing in the turn needs to read back from the database (memory, engagement, profile, path, review
/// items, new attempts) wait and go in together, atomically, at ``commit()``. Reads see the turn's own writes.
/// A turn that throws before committing writes none of its deferred changes.
package protocol LearningTurn: LessonAttemptStore, QuizHistoryStore, ReviewStore, LearningPathStore, EngagementStore,
    MemoryStore
{
    /// The learner the turn belongs to (resolved, or created on first contact, when the turn opened).
    var learnerID: UUID { get }
    /// Writes every deferred change in one transaction.
    func commit() async throws
}

/// Opens turns.
package protocol LearningTurnSource: Sendable {
    /// Resolves (or creates) the learner known as `externalID` on `channel` and opens a turn for them.
    func openTurn(channel: Channel, externalID: String) async throws -> any LearningTurn
}
