import Foundation
import Scheduling

/// What people can do to a learner's daily lessons from a conversation: an admin's `push` makes today's lesson
/// due now and wakes the scheduler, so pushed lessons go through the same claim, lease, pacing, retries and dead
/// letters as scheduled ones and count as that day's lesson; a learner's "snooze" skips today's.
package struct DailyLessons: Sendable {
    let deliveries: LessonDeliveryStore
    let dueSet: DueSet

    package init(deliveries: LessonDeliveryStore, dueSet: DueSet) {
        self.deliveries = deliveries
        self.dueSet = dueSet
    }

    /// Returns how many learners' lessons are now due; the others had today's lesson already (sent or on its way).
    package func push(_ learnerIDs: [UUID], by actor: String) async throws -> Int {
        let due = try await deliveries.pushNow(learnerIDs, by: actor)
        // Postgres has the record; if Redis is down the reconciler hands these over within seconds.
        try? await dueSet.add(due)
        return due.count
    }

    /// "Snooze until tomorrow": today's lesson, if it has not gone out yet, is skipped. Returns whether one was.
    package func snoozeToday(_ learnerID: UUID) async throws -> Bool {
        try await deliveries.snoozeToday(learnerID)
    }
}
