import Foundation

/// Brings missed questions back after 1, 3, 7 and 14 days. A miss (or a missed review) starts the item at
/// step 0, due a day later; a correct answer once the item is due moves it a step on; a correct answer at the
/// last step removes it. A correct answer before the item is due changes nothing.
package struct SpacedReviewScheduler: Sendable {
    /// Days until the question comes back, by step.
    package static let intervalsInDays = [1, 3, 7, 14]

    private let store: any ReviewStore
    private let clock: any WallClock

    package init(store: any ReviewStore, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Updates the schedule of `lessonID` after the learner answered its quiz.
    package func recordAnswer(learnerID: UUID, lessonID: String, correct: Bool) async throws {
        let now = clock.now
        guard correct else {
            try await store.saveReviewItem(
                ReviewItem(learnerID: learnerID, lessonID: lessonID, step: 0, dueAt: Self.due(step: 0, from: now)))
            return
        }
        guard var item = try await store.reviewItem(learnerID: learnerID, lessonID: lessonID), item.dueAt <= now else {
            return
        }
        if item.step >= Self.intervalsInDays.count - 1 {
            try await store.deleteReviewItem(learnerID: learnerID, lessonID: lessonID)
        } else {
            item.step += 1
            item.dueAt = Self.due(step: item.step, from: now)
            try await store.saveReviewItem(item)
        }
    }

    /// Reviews due now, earliest first.
    package func dueReviews(learnerID: UUID, limit: Int = 10) async throws -> [ReviewItem] {
        try await store.dueReviews(learnerID: learnerID, asOf: clock.now, limit: limit)
    }

    /// Every pending review, earliest due first.
    package func pendingReviews(learnerID: UUID) async throws -> [ReviewItem] {
        try await store.allReviews(learnerID: learnerID)
    }

    /// When an item at `step` is due, counted from `date`.
    package static func due(step: Int, from date: Date) -> Date {
        let days = intervalsInDays[min(max(step, 0), intervalsInDays.count - 1)]
        return date.addingTimeInterval(TimeInterval(days) * 86_400)
    }
}
