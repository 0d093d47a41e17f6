import Foundation
import Postgres

/// One learner's row of a write that many learners' turns make alike (the daily lesson: an attempt, two memory
/// turns, an engagement event), so that a batch of turns writes each kind in one statement. A write alone is a
/// batch of one: the store and a lone turn use the same statements.
enum BatchableWrite: Sendable {
    case attempt(id: UUID, learnerID: UUID, lessonID: String, channel: String, at: Date)
    case engagement(EngagementEvent)
    case memory(learnerID: UUID, turns: [(role: TurnRole, content: String)], at: Date, keep: Int)

    enum Kind: Hashable, CaseIterable { case attempt, engagement, memory }

    var kind: Kind {
        switch self {
        case .attempt: .attempt
        case .engagement: .engagement
        case .memory: .memory
        }
    }

    var learnerID: UUID {
        switch self {
        case .attempt(_, let learnerID, _, _, _): learnerID
        case .engagement(let event): event.learnerID
        case .memory(let learnerID, _, _, _): learnerID
        }
    }
}

extension PostgresLearningStore {
    /// One statement for writes of one kind (at least one), each about a different learner. The statement
    /// changes fewer rows than `expectedRows` only when it failed for some learner (an attempt at a lesson not in
    /// the lessons table); 0 when there is nothing to check.
    static func batch(_ writes: [BatchableWrite]) -> (query: PostgresQuery, expectedRows: Int) {
        let kind = writes[0].kind
        precondition(writes.allSatisfy { $0.kind == kind }, "a batch holds writes of one kind")
        switch kind {
        case .attempt:
            var ids: [PostgresValue] = [], learners: [PostgresValue] = [], lessons: [String] = []
            var channels: [String] = [], dates: [PostgresValue] = []
            for case .attempt(let id, let learnerID, let lessonID, let channel, let date) in writes {
                ids.append(.uuid(id))
                learners.append(.uuid(learnerID))
                lessons.append(lessonID)
                channels.append(channel)
                dates.append(.timestamp(date))
            }
            let query = PostgresQuery(
                """
                INSERT INTO lesson_attempts (id, learner_id, lesson_id, channel, presented_at)
                SELECT a.id, a.learner_id, l.id, a.channel, a.presented_at
                FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[])
                     AS a(id, learner_id, lesson, channel, presented_at)
                JOIN lessons l ON l.curriculum_key = a.lesson
                """,
                [
                    PostgresArray.elements(ids), PostgresArray.elements(learners), PostgresArray.text(lessons),
                    PostgresArray.text(channels), PostgresArray.elements(dates),
                ])
            return (query, writes.count)
        case .engagement:
            var learners: [PostgresValue] = [], interactions: [String] = [], channels: [String?] = []
            var durations: [PostgresValue] = [], dates: [PostgresValue] = []
            for case .engagement(let event) in writes {
                learners.append(.uuid(event.learnerID))
                interactions.append(event.interaction)
                channels.append(event.channel)
                durations.append(event.durationMilliseconds.map { .integer(Int64($0)) } ?? .null)
                dates.append(.timestamp(event.occurredAt))
            }
            let query = PostgresQuery(
                """
                INSERT INTO engagement_events (learner_id, interaction, channel, duration_ms, occurred_at)
                SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::integer[], $5::timestamptz[])
                """,
                [
                    PostgresArray.elements(learners), PostgresArray.text(interactions), PostgresArray.text(channels),
                    PostgresArray.elements(durations), PostgresArray.elements(dates),
                ])
            return (query, 0)
        case .memory:
            var learners: [PostgresValue] = [], roles: [String] = [], contents: [String] = []
            var dates: [PostgresValue] = [], kept: [PostgresValue] = [], keeps: [PostgresValue] = []
            for case .memory(let learnerID, let turns, let date, let keep) in writes {
                for turn in turns {
                    learners.append(.uuid(learnerID))
                    roles.append(turn.role.rawValue)
                    contents.append(turn.content)
                    dates.append(.timestamp(date))
                }
                kept.append(.uuid(learnerID))
                keeps.append(.integer(Int64(max(keep - turns.count, 0))))
            }
            // The DELETE runs on the statement's snapshot and cannot see the rows being inserted, so it keeps each
            // learner's newest `keep - turns` of the older ones.
            let query = PostgresQuery(
                """
                WITH added AS (
                    INSERT INTO memory_turns (learner_id, role, content, created_at)
                    SELECT t.learner_id, t.role, t.content, t.created_at
                    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[]) WITH ORDINALITY
                         AS t(learner_id, role, content, created_at, position)
                    ORDER BY t.position
                    RETURNING id)
                DELETE FROM memory_turns m
                USING unnest($5::uuid[], $6::integer[]) AS k(learner_id, keep),
                      LATERAL (SELECT id FROM memory_turns WHERE learner_id = k.learner_id
                               ORDER BY id DESC OFFSET k.keep) AS old
                WHERE m.id = old.id
                """,
                [
                    PostgresArray.elements(learners), PostgresArray.text(roles), PostgresArray.text(contents),
                    PostgresArray.elements(dates), PostgresArray.elements(kept), PostgresArray.elements(keeps),
                ])
            return (query, 0)
        }
    }
}
