import Foundation
import Synchronization

/// Keeps a failing dependency from being called on every turn. Closed, every call is allowed; after
/// `failureThreshold` consecutive failures it opens and refuses calls; once `openDuration` has passed it lets one
/// probe through (half-open): a success closes it, a failure opens it for another `openDuration`.
package final class CircuitBreaker: Sendable {
    /// Where the breaker stands.
    package enum State: String, Sendable, Hashable {
        case closed
        case open
        /// Open long enough that the next call may probe, or a probe is under way.
        case halfOpen
    }

    private struct Storage {
        var consecutiveFailures = 0
        var openedAt: Date?
        var probing = false
    }

    package let failureThreshold: Int
    package let openDuration: Duration
    private let clock: any WallClock
    private let storage = Mutex(Storage())

    /// - Parameters:
    ///   - failureThreshold: Consecutive failures that open the breaker (at least 1).
    ///   - openDuration: How long it stays open before letting a probe through.
    ///   - clock: The time source, so tests can move it.
    package init(failureThreshold: Int = 3, openDuration: Duration = .seconds(30), clock: any WallClock) {
        self.failureThreshold = max(1, failureThreshold)
        self.openDuration = openDuration
        self.clock = clock
    }

    /// The current state.
    package var state: State {
        let now = clock.now
        return storage.withLock { storage in
            guard let openedAt = storage.openedAt else { return .closed }
            return storage.probing || self.hasCooledDown(since: openedAt, now: now) ? .halfOpen : .open
        }
    }

    /// Whether a call may go ahead now. When it returns true the caller must report the outcome with
    /// ``recordSuccess()`` or ``recordFailure()``; in the half-open state only one caller gets true.
    package func tryAcquire() -> Bool {
        let now = clock.now
        return storage.withLock { storage in
            guard let openedAt = storage.openedAt else { return true }
            guard !storage.probing, self.hasCooledDown(since: openedAt, now: now) else { return false }
            storage.probing = true
            return true
        }
    }

    /// Reports a call that worked: the breaker closes.
    package func recordSuccess() {
        storage.withLock { $0 = Storage() }
    }

    /// Reports a call that failed: a failed probe reopens the breaker, and the threshold-th consecutive failure
    /// opens it.
    package func recordFailure() {
        let now = clock.now
        storage.withLock { storage in
            if storage.probing {
                storage.probing = false
                storage.openedAt = now
                return
            }
            storage.consecutiveFailures += 1
            if storage.openedAt == nil, storage.consecutiveFailures >= self.failureThreshold {
                storage.openedAt = now
            }
        }
    }

    private func hasCooledDown(since openedAt: Date, now: Date) -> Bool {
        let (seconds, attoseconds) = openDuration.components
        return now.timeIntervalSince(openedAt) >= Double(seconds) + Double(attoseconds) / 1e18
    }
}
