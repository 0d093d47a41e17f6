import Foundation
import Learning
import Postgres
import Testing

extension DatabaseBacked {
    @Suite struct MemoryTests {
        private func memory(_ db: LearningDatabase) -> LearnerMemory {
            LearnerMemory(store: db.store, history: db.store, redactor: PIIRedactor(), clock: db.clock)
        }

        @Test func windowKeepsTheLastTenTurnsPerLearner() async throws {
            try await withLearningDatabase { db in
                let learner = try await db.newLearner()
                let other = try await db.newLearner()
                let memory = memory(db)
                try await memory.remember(learnerID: other, role: .learner, text: "other learner")
                for index in 1...12 {
                    try await memory.remember(
                        learnerID: learner, role: index % 2 == 0 ? .agent : .learner, text: "turn \(index)")
                    db.clock.advance(seconds: 1)
                }
                let turns = try await memory.recentTurns(learnerID: learner)
                #expect(turns.map(\.content) == (3...12).map { "turn \($0)" })
                #expect(turns.first?.role == .learner)
                #expect(try await db.count("SELECT count(*) FROM memory_turns WHERE learner_id = $1", [learner]) == 10)
                #expect(try await memory.recentTurns(learnerID: other).map(\.content) == ["other learner"])
            }
        }

        @Test func exchangesAreStoredInOrderAndTheWindowStillHoldsTen() async throws {
            try await withLearningDatabase { db in
                let learner = try await db.newLearner()
                let memory = memory(db)
                for index in 1...7 {
                    try await memory.remember(
                        learnerID: learner,
                        turns: [(.learner, "question \(index) from bob@example.com"), (.agent, "answer \(index)")])
                    db.clock.advance(seconds: 1)
                }
                let turns = try await memory.recentTurns(learnerID: learner)
                #expect(turns.count == 10)
                #expect(turns.first?.content == "question 3 from [email]")
                #expect(turns.last?.content == "answer 7")
                #expect(turns.map(\.role) == Array(repeating: [TurnRole.learner, .agent], count: 5).flatMap { $0 })
                // An empty learner text (a button press) stores only the agent's turn.
                try await memory.remember(learnerID: learner, turns: [(.learner, ""), (.agent, "answer 8")])
                let after = try await memory.recentTurns(learnerID: learner)
                #expect(after.count == 10)
                #expect(after.last?.content == "answer 8")
                #expect(after.first?.content == "answer 3")
            }
        }

        @Test func turnsAreRedactedBeforeTheyAreStored() async throws {
            try await withLearningDatabase { db in
                let learner = try await db.newLearner()
                try await memory(db).remember(
                    learnerID: learner, role: .learner, text: "I'm bob@example.com, card 4111 1111 1111 1111")
                let stored = try await db.pool.query("SELECT content FROM memory_turns")
                #expect(try stored[0].decode(String.self, "content") == "I'm [email], card [card]")
            }
        }

        @Test func profileKeepsARunningAverageLevelAndWeakAreas() async throws {
            try await withLearningDatabase { db in
                let learner = try await db.newLearner()
                let memory = memory(db)
                #expect(try await memory.profile(learnerID: learner) == LearnerProfile(learnerID: learner))

                // Two wrong answers on APR, two right on interest.
                for (lessonID, correct) in [
                    ("apr-easy-1", false), ("interest-easy-1", true), ("apr-easy-2", false),
                    ("interest-medium-1", true),
                ] {
                    let lesson = try #require(db.curriculum.lesson(id: lessonID))
                    let card = try await db.toolbox.generateAdaptiveLesson.present(
                        lesson, learnerID: learner, channel: "api", isReview: false)
                    _ = try await db.store.recordAnswer(
                        attemptID: card.attemptID, response: correct ? "B" : "A", selectedIndex: correct ? 1 : 0,
                        correct: correct, at: db.clock.now)
                    try await memory.recordGradedAnswer(learnerID: learner, topic: lesson.topic, correct: correct)
                    db.clock.advance(seconds: 30)
                }
                let profile = try await memory.profile(learnerID: learner)
                #expect(profile.quizCount == 4)
                #expect(abs(profile.quizAverage - 0.5) < 1e-9)
                #expect(profile.topicsCovered == ["apr", "interest"])
                #expect(profile.weakAreas == ["apr"])
                // Newest first: T, F, T, F → (1 + 0.64) / 2.952 ≈ 0.56
                #expect(profile.level == .intermediate)

                try await memory.setPreference(learnerID: learner, key: "industry", value: "retail")
                #expect(try await memory.profile(learnerID: learner).preferences == ["industry": "retail"])
                #expect(try await memory.profile(learnerID: learner).quizCount == 4)
            }
        }

        @Test func oneWrongAnswerIsNotYetAWeakArea() async throws {
            try await withLearningDatabase { db in
                let learner = try await db.newLearner()
                let lesson = try #require(db.curriculum.lesson(id: "rewards-easy-1"))
                let card = try await db.toolbox.generateAdaptiveLesson.present(
                    lesson, learnerID: learner, channel: "api", isReview: false)
                _ = try await db.store.recordAnswer(
                    attemptID: card.attemptID, response: "A", selectedIndex: 0, correct: false, at: db.clock.now)
                let profile = try await memory(db).recordGradedAnswer(
                    learnerID: learner, topic: "rewards", correct: false)
                #expect(profile.weakAreas.isEmpty)
                #expect(profile.quizAverage == 0)
                #expect(profile.level == .beginner)
            }
        }
    }
}
