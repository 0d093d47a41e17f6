import Foundation
import Learning
import Testing

extension DatabaseBacked {
    @Suite struct SpacedReviewTests {
        private let day: TimeInterval = 86_400

        @Test func missedQuestionReturnsAfterOneThreeSevenAndFourteenDaysThenLeaves() async throws {
            try await withLearningDatabase { db in
                let learner = try await db.newLearner()
                let scheduler = db.toolbox.reviews
                let start = db.clock.now
                try await scheduler.recordAnswer(learnerID: learner, lessonID: "apr-easy-1", correct: false)
                var item = try #require(try await db.store.reviewItem(learnerID: learner, lessonID: "apr-easy-1"))
                #expect(item.step == 0)
                #expect(abs(item.dueAt.timeIntervalSince(start) - day) < 0.01)
                #expect(try await scheduler.dueReviews(learnerID: learner).isEmpty)

                var now = start
                for (step, days) in [(1, 3.0), (2, 7.0), (3, 14.0)] {
                    db.clock.advance(days: step == 1 ? 1 : [3.0, 7.0][step - 2])
                    now = db.clock.now
                    #expect(try await scheduler.dueReviews(learnerID: learner).map(\.lessonID) == ["apr-easy-1"])
                    try await scheduler.recordAnswer(learnerID: learner, lessonID: "apr-easy-1", correct: true)
                    item = try #require(try await db.store.reviewItem(learnerID: learner, lessonID: "apr-easy-1"))
                    #expect(item.step == step)
                    #expect(abs(item.dueAt.timeIntervalSince(now) - days * day) < 0.01)
                    #expect(try await scheduler.dueReviews(learnerID: learner).isEmpty)
                }
                db.clock.advance(days: 14)
                try await scheduler.recordAnswer(learnerID: learner, lessonID: "apr-easy-1", correct: true)
                #expect(try await db.store.reviewItem(learnerID: learner, lessonID: "apr-easy-1") == nil)
            }
        }

        @Test func wrongReviewResetsToStepZero() async throws {
            try await withLearningDatabase { db in
                let learner = try await db.newLearner()
                let scheduler = db.toolbox.reviews
                try await scheduler.recordAnswer(learnerID: learner, lessonID: "interest-easy-1", correct: false)
                db.clock.advance(days: 1)
                try await scheduler.recordAnswer(learnerID: learner, lessonID: "interest-easy-1", correct: true)
                db.clock.advance(days: 3)
                try await scheduler.recordAnswer(learnerID: learner, lessonID: "interest-easy-1", correct: false)
                let item = try #require(try await db.store.reviewItem(learnerID: learner, lessonID: "interest-easy-1"))
                #expect(item.step == 0)
                #expect(abs(item.dueAt.timeIntervalSince(db.clock.now) - day) < 0.01)
            }
        }

        @Test func correctAnswerBeforeTheReviewIsDueChangesNothing() async throws {
            try await withLearningDatabase { db in
                let learner = try await db.newLearner()
                let scheduler = db.toolbox.reviews
                try await scheduler.recordAnswer(learnerID: learner, lessonID: "apr-easy-1", correct: false)
                let before = try #require(try await db.store.reviewItem(learnerID: learner, lessonID: "apr-easy-1"))
                db.clock.advance(days: 0.5)
                try await scheduler.recordAnswer(learnerID: learner, lessonID: "apr-easy-1", correct: true)
                #expect(try await db.store.reviewItem(learnerID: learner, lessonID: "apr-easy-1") == before)
            }
        }

        @Test func correctAnswerWithoutAReviewCreatesNone() async throws {
            try await withLearningDatabase { db in
                let learner = try await db.newLearner()
                try await db.toolbox.reviews.recordAnswer(learnerID: learner, lessonID: "apr-easy-1", correct: true)
                #expect(try await db.count("SELECT count(*) FROM review_items") == 0)
            }
        }

        @Test func reviewsAreKeptPerLearner() async throws {
            try await withLearningDatabase { db in
                let first = try await db.newLearner()
                let second = try await db.newLearner()
                try await db.toolbox.reviews.recordAnswer(learnerID: first, lessonID: "apr-easy-1", correct: false)
                db.clock.advance(days: 2)
                #expect(try await db.toolbox.reviews.dueReviews(learnerID: first).count == 1)
                #expect(try await db.toolbox.reviews.dueReviews(learnerID: second).isEmpty)
            }
        }
    }
}
