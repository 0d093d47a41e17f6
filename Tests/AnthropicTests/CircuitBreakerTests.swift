import Foundation
import Learning
import Testing

@Suite struct CircuitBreakerTests {
    @Test func opensAfterTheThresholdOfConsecutiveFailures() {
        let clock = FakeWallClock()
        let breaker = CircuitBreaker(failureThreshold: 3, openDuration: .seconds(30), clock: clock)
        for _ in 0..<2 {
            #expect(breaker.tryAcquire())
            breaker.recordFailure()
        }
        #expect(breaker.state == .closed)
        #expect(breaker.tryAcquire())
        breaker.recordFailure()
        #expect(breaker.state == .open)
        #expect(!breaker.tryAcquire())
    }

    @Test func successResetsTheFailureCount() {
        let breaker = CircuitBreaker(failureThreshold: 2, clock: FakeWallClock())
        breaker.recordFailure()
        breaker.recordSuccess()
        breaker.recordFailure()
        #expect(breaker.state == .closed)
    }

    @Test func halfOpenLetsExactlyOneProbeThrough() {
        let clock = FakeWallClock()
        let breaker = CircuitBreaker(failureThreshold: 1, openDuration: .seconds(30), clock: clock)
        breaker.recordFailure()
        clock.advance(seconds: 29)
        #expect(!breaker.tryAcquire())
        clock.advance(seconds: 1)
        #expect(breaker.state == .halfOpen)
        #expect(breaker.tryAcquire())
        #expect(!breaker.tryAcquire())
        breaker.recordSuccess()
        #expect(breaker.state == .closed)
        #expect(breaker.tryAcquire())
    }

    @Test func failedProbeOpensTheBreakerForAnotherPeriod() {
        let clock = FakeWallClock()
        let breaker = CircuitBreaker(failureThreshold: 1, openDuration: .seconds(30), clock: clock)
        breaker.recordFailure()
        clock.advance(seconds: 31)
        #expect(breaker.tryAcquire())
        breaker.recordFailure()
        #expect(breaker.state == .open)
        clock.advance(seconds: 29)
        #expect(!breaker.tryAcquire())
        clock.advance(seconds: 2)
        #expect(breaker.tryAcquire())
    }
}
