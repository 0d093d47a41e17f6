import Foundation
import Scheduling

/// An admin's `push`: makes each learner's lesson for today due now and wakes the scheduler, so pushed
/// lessons go through the same claim, lease, pacing, retries and dead letters as scheduled ones, and count as
/// that day's lesson.
package struct LessonPusher: Sendable {
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
}
