import Foundation
import Learning
import Postgres
import Testing

extension DatabaseBacked {
    /// A turn's unit of work: what it loads, what it defers, and that it commits all or nothing.
    @Suite struct LearningTurnTests {
        @Test func turnLoadsWhatThePlainStoreReads() async throws {
            try await withLearningDatabase { db in
                let store = db.store
                let learner = try await store.resolve(channel: .slack, externalID: "U100")
                let start = db.clock.now
                _ = try await store.createAttempt(
                    learnerID: learner, lessonID: "apr-easy-1", channel: "slack", at: start)
                let answered = try await store.createAttempt(
                    learnerID: learner, lessonID: "apr-easy-2", channel: "slack", at: start.addingTimeInterval(60))
                _ = try await store.recordAnswer(
                    attemptID: answered, response: "B", selectedIndex: 1, correct: false,
                    at: start.addingTimeInterval(90))
                let open = try await store.createAttempt(
                    learnerID: learner, lessonID: "interest-easy-1", channel: "slack", at: start.addingTimeInterval(120)
                )
                try await store.saveReviewItem(
                    ReviewItem(
                        learnerID: learner, lessonID: "apr-easy-2", step: 0, dueAt: start.addingTimeInterval(86_400)))
                try await store.saveReviewItem(
                    ReviewItem(learnerID: learner, lessonID: "apr-easy-1", step: 2, dueAt: start.addingTimeInterval(-5))
                )
                try await store.savePath(
                    LearningPath(
                        learnerID: learner, currentTopic: "interest", difficulty: .medium, upcomingTopics: ["rewards"]),
                    at: start)
                try await store.saveProfile(
                    LearnerProfile(
                        learnerID: learner, level: .intermediate, topicsCovered: ["apr", "interest"], quizAverage: 0.5,
                        quizCount: 2, weakAreas: ["apr"], preferences: ["industry": "restaurant"]),
                    at: start)

                let turn = try await store.openTurn(channel: .slack, externalID: "U100")
                #expect(turn.learnerID == learner)
                let loadedOpen = try #require(try await turn.openAttempt(learnerID: learner))
                #expect(loadedOpen.id == open)
                #expect(loadedOpen.lessonID == "interest-easy-1")
                #expect(try await turn.attempt(id: open)?.lessonID == "interest-easy-1")
                #expect(try await turn.attempt(id: answered)?.answeredAt != nil)
                #expect(try await turn.profile(learnerID: learner) == store.profile(learnerID: learner))
                #expect(try await turn.path(learnerID: learner) == store.path(learnerID: learner))
                #expect(
                    try await turn.allReviews(learnerID: learner).map(\.lessonID)
                        == store.allReviews(learnerID: learner).map(\.lessonID))
                #expect(
                    try await turn.dueReviews(learnerID: learner, asOf: start, limit: 10).map(\.lessonID) == [
                        "apr-easy-1"
                    ])
                #expect(try await turn.reviewItem(learnerID: learner, lessonID: "apr-easy-1")?.step == 2)
                for topic in ["apr", "interest", "rewards"] {
                    let fromTurn = try await turn.lastPresented(learnerID: learner, topic: topic)
                    let fromStore = try await store.lastPresented(learnerID: learner, topic: topic)
                    #expect(fromTurn.keys.sorted() == fromStore.keys.sorted())
                    for (lesson, date) in fromStore {
                        #expect(abs(try #require(fromTurn[lesson]).timeIntervalSince(date)) < 0.000_01)
                    }
                }
                #expect(
                    try await turn.responses(learnerID: learner, topic: "apr", limit: 10)
                        == store.responses(learnerID: learner, topic: "apr", limit: 10))
            }
        }

        @Test func writesWaitForCommitAndTheTurnReadsItsOwn() async throws {
            try await withLearningDatabase { db in
                let turn = try await db.store.openTurn(channel: .sms, externalID: "+15550001111")
                let learner = turn.learnerID
                let now = db.clock.now
                let path = LearningPath(learnerID: learner, currentTopic: "apr", difficulty: .hard, upcomingTopics: [])
                try await turn.savePath(
                    LearningPath(learnerID: learner, currentTopic: "interest", difficulty: .easy, upcomingTopics: []),
                    at: now)
                try await turn.savePath(path, at: now)
                let attempt = try await turn.createAttempt(
                    learnerID: learner, lessonID: "apr-hard-1", channel: "sms", at: now)
                try await turn.saveReviewItem(
                    ReviewItem(learnerID: learner, lessonID: "apr-easy-1", step: 0, dueAt: now))
                try await turn.appendTurns(
                    learnerID: learner, turns: [(.learner, "hi"), (.agent, "hello")], at: now, keep: 10)
                try await turn.recordEngagement(
                    EngagementEvent(
                        learnerID: learner, interaction: "greeting", channel: "sms", durationMilliseconds: nil,
                        occurredAt: now))

                // The turn sees its writes; the database has none of them yet.
                #expect(try await turn.path(learnerID: learner) == path)
                #expect(try await turn.openAttempt(learnerID: learner)?.id == attempt)
                #expect(
                    try await turn.dueReviews(learnerID: learner, asOf: now, limit: 5).map(\.lessonID) == ["apr-easy-1"]
                )
                for table in ["learning_paths", "lesson_attempts", "review_items", "memory_turns", "engagement_events"]
                {
                    #expect(try await db.count("SELECT count(*) FROM \(table)") == 0, "\(table) written before commit")
                }

                try await turn.commit()
                #expect(try await turn.lastPresented(learnerID: learner, topic: "apr").keys.sorted() == ["apr-hard-1"])
                #expect(try await db.store.path(learnerID: learner) == path)  // the last of two saves
                #expect(try await db.store.openAttempt(learnerID: learner)?.id == attempt)
                #expect(try await db.store.allReviews(learnerID: learner).map(\.lessonID) == ["apr-easy-1"])
                #expect(
                    try await db.store.recentTurns(learnerID: learner, limit: 10).map(\.content) == ["hi", "hello"])
                #expect(try await db.count("SELECT count(*) FROM engagement_events") == 1)
                #expect(try await db.count("SELECT count(*) FROM learning_paths") == 1)

                // Reads that go to the database see the deferred writes first.
                try await turn.appendTurn(learnerID: learner, role: .agent, content: "again", at: now, keep: 10)
                #expect(
                    try await turn.recentTurns(learnerID: learner, limit: 10).map(\.content) == [
                        "hi", "hello", "again",
                    ])
            }
        }

        @Test func aFailedCommitWritesNothingAndCanBeRetried() async throws {
            try await withLearningDatabase { db in
                let turn = try await db.store.openTurn(channel: .api, externalID: "learner-1")
                let learner = turn.learnerID
                let now = db.clock.now
                try await turn.savePath(
                    LearningPath(learnerID: learner, currentTopic: "apr", difficulty: .easy, upcomingTopics: []),
                    at: now)
                _ = try await turn.createAttempt(
                    learnerID: learner, lessonID: "not-a-synced-lesson", channel: "api", at: now)
                await #expect(throws: LearningError.self) { try await turn.commit() }
                #expect(try await db.count("SELECT count(*) FROM learning_paths") == 0)
                #expect(try await db.count("SELECT count(*) FROM lesson_attempts") == 0)
                // The writes are kept, so a second commit fails the same way rather than half-succeeding.
                await #expect(throws: LearningError.self) { try await turn.commit() }
                #expect(try await db.count("SELECT count(*) FROM learning_paths") == 0)
            }
        }

        @Test func aTurnThatIsNeverCommittedLeavesNoTrace() async throws {
            try await withLearningDatabase { db in
                let learner = try await db.store.resolve(channel: .api, externalID: "learner-2")
                do {
                    let turn = try await db.store.openTurn(channel: .api, externalID: "learner-2")
                    try await turn.saveProfile(LearnerProfile(learnerID: learner, quizCount: 9), at: db.clock.now)
                    try await turn.appendTurn(
                        learnerID: learner, role: .learner, content: "lost", at: db.clock.now, keep: 10)
                }
                let next = try await db.store.openTurn(channel: .api, externalID: "learner-2")
                #expect(try await next.profile(learnerID: learner) == nil)
                #expect(try await db.count("SELECT count(*) FROM memory_turns") == 0)
            }
        }

        @Test func historyAfterAnAnswerIncludesIt() async throws {
            try await withLearningDatabase { db in
                let store = db.store
                let learner = try await store.resolve(channel: .api, externalID: "learner-3")
                let attempt = try await store.createAttempt(
                    learnerID: learner, lessonID: "apr-easy-1", channel: "api", at: db.clock.now)
                let turn = try await store.openTurn(channel: .api, externalID: "learner-3")
                #expect(try await turn.responses(learnerID: learner, topic: nil, limit: 100).isEmpty)
                #expect(
                    try await turn.recordAnswer(
                        attemptID: attempt, response: "A", selectedIndex: 0, correct: true, at: db.clock.now))
                #expect(
                    try await turn.responses(learnerID: learner, topic: "apr", limit: 200).map(\.lessonID) == [
                        "apr-easy-1"
                    ])
                #expect(try await turn.responses(learnerID: learner, topic: "interest", limit: 200).isEmpty)
                #expect(try await turn.openAttempt(learnerID: learner) == nil)
                #expect(
                    try await turn.recordAnswer(
                        attemptID: attempt, response: "A", selectedIndex: 0, correct: true, at: db.clock.now) == false)
            }
        }

        @Test func aCallAboutAnotherLearnerIsRefused() async throws {
            try await withLearningDatabase { db in
                let other = try await db.store.resolve(channel: .api, externalID: "someone-else")
                let turn = try await db.store.openTurn(channel: .api, externalID: "learner-4")
                await #expect(throws: LearningError.self) { try await turn.path(learnerID: other) }
                await #expect(throws: LearningError.self) {
                    try await turn.saveProfile(LearnerProfile(learnerID: other, quizCount: 3), at: db.clock.now)
                }
                await #expect(throws: LearningError.self) {
                    try await turn.createAttempt(
                        learnerID: other, lessonID: "apr-easy-1", channel: "api", at: db.clock.now)
                }
                try await turn.commit()
                #expect(try await db.store.profile(learnerID: other) == nil)
                #expect(try await db.count("SELECT count(*) FROM lesson_attempts") == 0)
            }
        }

        @Test func turnsCommittedTogetherWriteEachLearnersRows() async throws {
            try await withLearningDatabase { db in
                let store = db.store
                let now = db.clock.now
                var learners: [UUID] = []
                for index in 0..<3 {
                    let learner = try await store.resolve(channel: .slack, externalID: "UBATCH\(index)")
                    for old in 0..<3 {
                        try await store.appendTurn(
                            learnerID: learner, role: .agent, content: "old \(index).\(old)", at: now, keep: 10)
                    }
                    learners.append(learner)
                }
                let turns = try await store.openTurns(learnerIDs: learners)
                let lessons = ["apr-easy-1", "apr-easy-2", "interest-easy-1"]
                var attempts: [UUID: UUID] = [:]
                for (index, learner) in learners.enumerated() {
                    let turn = try #require(turns[learner])
                    attempts[learner] = try await turn.createAttempt(
                        learnerID: learner, lessonID: lessons[index], channel: "slack", at: now)
                    try await turn.appendTurns(
                        learnerID: learner, turns: [(.learner, "next \(index)"), (.agent, "lesson \(index)")], at: now,
                        keep: 4)
                    try await turn.recordEngagement(
                        EngagementEvent(
                            learnerID: learner, interaction: "lesson_presented", channel: index == 0 ? nil : "slack",
                            durationMilliseconds: index == 1 ? 1_500 : nil, occurredAt: now))
                }
                _ = try await PostgresLearningTurn.commit(Array(turns.values), with: [], pool: store.pool)

                for (index, learner) in learners.enumerated() {
                    let open = try #require(try await store.openAttempt(learnerID: learner))
                    #expect(open.id == attempts[learner])
                    #expect(open.lessonID == lessons[index])
                    // Each learner's window keeps its own newest four, in order.
                    #expect(
                        try await store.recentTurns(learnerID: learner, limit: 10).map(\.content) == [
                            "old \(index).1", "old \(index).2", "next \(index)", "lesson \(index)",
                        ])
                    let summary = try await store.engagementSummary(learnerID: learner)
                    #expect(summary.byInteraction["lesson_presented"] == 1)
                    #expect(summary.totalDurationMilliseconds == (index == 1 ? 1_500 : 0))
                }
                #expect(try await db.count("SELECT count(*) FROM engagement_events WHERE channel IS NULL") == 1)
            }
        }

        @Test func aBatchWithOneLessonNotSyncedWritesNothing() async throws {
            try await withLearningDatabase { db in
                let store = db.store
                let now = db.clock.now
                let first = try await store.resolve(channel: .slack, externalID: "UBATCHA")
                let second = try await store.resolve(channel: .slack, externalID: "UBATCHB")
                let turns = try await store.openTurns(learnerIDs: [first, second])
                _ = try await turns[first]?.createAttempt(
                    learnerID: first, lessonID: "apr-easy-1", channel: "slack", at: now)
                _ = try await turns[second]?.createAttempt(
                    learnerID: second, lessonID: "not-a-synced-lesson", channel: "slack", at: now)
                for learner in [first, second] {
                    try await turns[learner]?.appendTurn(
                        learnerID: learner, role: .agent, content: "x", at: now, keep: 5)
                }
                await #expect(throws: LearningError.self) {
                    _ = try await PostgresLearningTurn.commit(Array(turns.values), with: [], pool: store.pool)
                }
                #expect(try await db.count("SELECT count(*) FROM lesson_attempts") == 0)
                #expect(try await db.count("SELECT count(*) FROM memory_turns") == 0)
            }
        }

        @Test func racingFirstTurnsShareOneLearner() async throws {
            try await withLearningDatabase { db in
                let store = db.store
                let ids = try await withThrowingTaskGroup(of: UUID.self) { group in
                    for _ in 0..<8 {
                        group.addTask { try await store.openTurn(channel: .sms, externalID: "+15550002222").learnerID }
                    }
                    return try await group.reduce(into: Set<UUID>()) { $0.insert($1) }
                }
                #expect(ids.count == 1)
                #expect(try await db.count("SELECT count(*) FROM learners") == 1)
            }
        }
    }
}
