import Foundation

/// Makes Redis agree with Postgres: every pending delivery due soon and every claimed one whose lease ran out is
/// (re)added to the due set at its time. Redis flushed, restarted or failed over loses nothing: the next pass
/// puts it all back; a member Redis still had is only moved to Postgres's time, so nothing is doubled.
package struct DeliveryReconciler: Sendable {
    let store: LessonDeliveryStore
    let dueSet: DueSet
    /// How far ahead deliveries are put in Redis.
    let horizon: Duration
    /// At most this many ids a pass (the rest come in the next one).
    let batchLimit: Int

    package init(store: LessonDeliveryStore, dueSet: DueSet, horizon: Duration = .seconds(120), batchLimit: Int = 50_000) {
        self.store = store
        self.dueSet = dueSet
        self.horizon = horizon
        self.batchLimit = batchLimit
    }

    package struct Pass: Sendable, Equatable {
        /// Ids written to the due set.
        package var scheduled: Int
        /// Deliveries skipped because their learner's day ended unsent.
        package var skipped: Int
    }

    /// One pass: skip what can no longer go out, then hand Redis what is due soon.
    package func reconcile() async throws -> Pass {
        let skipped = try await store.skipEndedDays()
        let due = try await store.dueWithin(horizon, limit: batchLimit)
        try await dueSet.add(due)
        return Pass(scheduled: due.count, skipped: skipped)
    }
}
