import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

/// A bounded pool of blocking hiredis connections whose calls run on the pool's own `NIOThreadPool`.
///
/// Commands can be sent right after `init`; `run()` only waits for graceful shutdown and then closes the pool,
/// so the pool fits in a `ServiceGroup` that starts it before the HTTP server and stops it after. Without a
/// service group, call `close()` when done.
///
/// Connections are opened lazily, at most `maxConnections` at a time. A task that finds them all busy waits in
/// line and fails with `.poolTimeout` after `checkoutTimeout`. A connection whose command failed with an I/O,
/// timeout or protocol error is closed when it comes back, and an idle connection the server has closed is
/// replaced before use; nothing is retried automatically, so a command is never sent twice.
package final class RedisConnectionPool: Sendable {
    private struct Waiter: Sendable {
        let id: Int
        let continuation: CheckedContinuation<PooledConnection, any Error>
    }

    private struct State: Sendable {
        /// Slots holding an open connection that nobody is using.
        var idle: [PooledConnection] = []
        /// Slots in existence: idle plus checked out (a checked-out slot may still be connecting).
        var slotCount = 0
        var waiters: [Waiter] = []
        var nextWaiterID = 0
        var isClosed = false
    }

    /// Where connections go.
    package let configuration: RedisConfiguration
    /// The most connections open at once.
    package let maxConnections: Int
    /// How long a command may wait for a free connection.
    package let checkoutTimeout: Duration
    let logger: Logger
    private let threadPool: NIOThreadPool
    private let state = Mutex(State())

    /// Creates the pool and starts its thread pool (one thread per connection). No connection is opened yet.
    package init(
        configuration: RedisConfiguration,
        maxConnections: Int = 8,
        checkoutTimeout: Duration = .seconds(5),
        logger: Logger
    ) {
        self.configuration = configuration
        self.maxConnections = max(1, maxConnections)
        self.checkoutTimeout = checkoutTimeout
        self.logger = logger
        self.threadPool = NIOThreadPool(numberOfThreads: self.maxConnections)
        self.threadPool.start()
    }

    deinit {
        // A pool dropped without close() must still stop its threads (NIOThreadPool asserts otherwise).
        if !self.state.withLock({ $0.isClosed }) {
            self.threadPool.shutdownGracefully { _ in }
        }
    }

    /// Waits for graceful shutdown (or cancellation), then closes every connection and stops the thread pool.
    package func run() async throws {
        try? await gracefulShutdown()
        await self.close()
    }

    /// Closes idle connections, fails waiting commands with `.poolClosed`, lets running commands finish (their
    /// connections are closed when they return) and stops the thread pool. Calling it again does nothing.
    package func close() async {
        let (idle, waiters, wasOpen) = self.state.withLock { state in
            guard !state.isClosed else {
                return ([PooledConnection](), [Waiter](), false)
            }
            state.isClosed = true
            let idle = state.idle
            let waiters = state.waiters
            state.idle = []
            state.waiters = []
            state.slotCount -= idle.count
            return (idle, waiters, true)
        }
        guard wasOpen else { return }
        for waiter in waiters {
            waiter.continuation.resume(throwing: Self.closedError)
        }
        for slot in idle {
            slot.connection?.close()
        }
        do {
            try await self.threadPool.shutdownGracefully()
        } catch {
            self.logger.warning("Redis thread pool did not shut down cleanly", metadata: ["error": "\(error)"])
        }
        self.logger.debug("Redis connection pool closed")
    }

    /// Connections open or being opened right now (idle plus checked out).
    package var connectionCount: Int {
        self.state.withLock { $0.slotCount }
    }

    /// Runs `body` with a connection on a thread-pool thread, opening or replacing the connection as needed,
    /// and hands the connection back afterwards (closing it if it broke).
    func withConnection<Result: Sendable>(
        _ body: @escaping @Sendable (RedisConnection) throws(RedisError) -> Result
    ) async throws -> Result {
        let slot = try await self.checkout()
        let configuration = self.configuration
        let logger = self.logger
        do {
            let result = try await self.threadPool.runIfActive { () throws -> Result in
                try body(try slot.prepare(configuration: configuration, logger: logger))
            }
            self.checkin(slot)
            return result
        } catch {
            self.checkin(slot)
            // The thread pool refuses work with CancellationError once it is shutting down.
            if error is CancellationError, self.state.withLock({ $0.isClosed }) {
                throw Self.closedError
            }
            throw error
        }
    }

    private static let closedError = RedisError(code: .poolClosed, message: "The Redis connection pool is closed")

    private func checkout() async throws -> PooledConnection {
        enum Immediate {
            case slot(PooledConnection)
            case wait
        }
        let immediate = try self.state.withLock { state throws(RedisError) -> Immediate in
            if state.isClosed {
                throw Self.closedError
            }
            if let slot = state.idle.popLast() {
                return .slot(slot)
            }
            if state.slotCount < self.maxConnections {
                state.slotCount += 1
                return .slot(PooledConnection())
            }
            return .wait
        }
        switch immediate {
        case .slot(let slot):
            return slot
        case .wait:
            return try await self.waitForSlot()
        }
    }

    private func waitForSlot() async throws -> PooledConnection {
        let id = self.state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        let timeout = self.checkoutTimeout
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await Task.sleep(for: timeout)
                self.failWaiter(
                    id: id,
                    with: RedisError(code: .poolTimeout, message: "No Redis connection became free within \(timeout)")
                )
            }
            let slot = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    self.enqueue(Waiter(id: id, continuation: continuation))
                }
            } onCancel: {
                self.failWaiter(id: id, with: CancellationError())
            }
            group.cancelAll()
            return slot
        }
    }

    private func enqueue(_ waiter: Waiter) {
        enum Outcome {
            case resume(PooledConnection)
            case fail(any Error)
            case queued
        }
        let outcome = self.state.withLock { state -> Outcome in
            if state.isClosed {
                return .fail(Self.closedError)
            }
            // Checked under the lock: the cancellation handler takes the same lock, so it either already ran
            // (and the flag is set) or will find this waiter in the queue.
            if Task.isCancelled {
                return .fail(CancellationError())
            }
            // A connection may have come back between the first look and now.
            if let slot = state.idle.popLast() {
                return .resume(slot)
            }
            if state.slotCount < self.maxConnections {
                state.slotCount += 1
                return .resume(PooledConnection())
            }
            state.waiters.append(waiter)
            return .queued
        }
        switch outcome {
        case .resume(let slot):
            waiter.continuation.resume(returning: slot)
        case .fail(let error):
            waiter.continuation.resume(throwing: error)
        case .queued:
            break
        }
    }

    private func failWaiter(id: Int, with error: any Error) {
        let waiter = self.state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: error)
    }

    private func checkin(_ slot: PooledConnection) {
        let healthy = slot.connection?.isUsable ?? false
        if !healthy, let broken = slot.connection {
            slot.connection = nil
            broken.close()
            self.logger.debug("Discarded a broken Redis connection")
        }
        enum Outcome {
            case handOver(Waiter)
            case close
            case done
        }
        let outcome = self.state.withLock { state -> Outcome in
            if state.isClosed {
                state.slotCount -= 1
                return .close
            }
            if !state.waiters.isEmpty {
                // The slot moves to the next waiter as it is: open, or empty so that the waiter connects.
                return .handOver(state.waiters.removeFirst())
            }
            if healthy {
                state.idle.append(slot)
            } else {
                state.slotCount -= 1
            }
            return .done
        }
        switch outcome {
        case .handOver(let waiter):
            waiter.continuation.resume(returning: slot)
        case .close:
            slot.connection?.close()
            slot.connection = nil
        case .done:
            break
        }
    }
}

extension RedisConnectionPool: Service {}

// @unchecked Sendable: a slot is owned by exactly one party at a time, either the pool's idle list (guarded by
// the pool's mutex) or the single task that checked it out, which touches the connection only inside its own
// thread-pool job and after that job has finished. Every hand-off goes through the mutex, a continuation or the
// thread pool, all of which order memory, so the non-Sendable RedisConnection is never used by two threads.
/// One place in the pool: an open connection, or none yet (the next user connects).
final class PooledConnection: @unchecked Sendable {
    var connection: RedisConnection?

    init() {}

    /// Returns an open connection, replacing one the server has closed; blocks, so runs on the thread pool.
    func prepare(configuration: RedisConfiguration, logger: Logger) throws(RedisError) -> RedisConnection {
        if let connection = self.connection {
            if !connection.isStale {
                return connection
            }
            logger.debug("Replacing a Redis connection the server closed")
            connection.close()
            self.connection = nil
        }
        let fresh = try RedisConnection.connect(configuration: configuration)
        logger.trace("Opened a Redis connection", metadata: ["redis.host": "\(configuration.host)"])
        self.connection = fresh
        return fresh
    }
}
