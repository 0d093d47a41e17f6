import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

/// A bounded pool of libpq connections. Every blocking libpq call runs on the pool's own thread pool (one thread
/// per connection), never on an event loop or in an actor. Connections open lazily, are checked before each use
/// and replaced when the server has gone away, so the pool recovers by itself after a Postgres restart.
package final class PostgresConnectionPool: Sendable {
    package let configuration: PostgresConfiguration
    private let logger: Logger
    private let threadPool: NIOThreadPool
    private let state: Mutex<State>

    /// A place for one connection. Whoever has checked out the slot is its only user until it is returned,
    /// which is what makes handing it between tasks and pool threads safe.
    private final class Slot: @unchecked Sendable {
        var connection: PostgresConnection?
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Slot, any Error>
    }

    private struct State {
        var free: [Slot]
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var closed = false
        var checkedOut = 0
    }

    package init(configuration: PostgresConfiguration, logger: Logger) {
        precondition(configuration.maxConnections > 0, "a pool needs at least one connection")
        self.configuration = configuration
        self.logger = logger
        self.threadPool = NIOThreadPool(numberOfThreads: configuration.maxConnections)
        self.threadPool.start()
        self.state = Mutex(State(free: (0..<configuration.maxConnections).map { _ in Slot() }))
    }

    /// Runs `body` with a connection on a pool thread. The connection is checked (and reopened if the server
    /// closed it) first; a connection left broken or mid-transaction by `body` is closed, not reused.
    package func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        let slot = try await checkout()
        do {
            let configuration = self.configuration
            let logger = self.logger
            let value = try await threadPool.runIfActive {
                let connection = try Self.prepare(slot, configuration: configuration, logger: logger)
                defer {
                    if !connection.isHealthy {
                        connection.close()
                        slot.connection = nil
                    }
                }
                return try body(connection)
            }
            release(slot)
            return value
        } catch {
            release(slot)
            if error is NIOThreadPoolError.ThreadPoolInactive {
                throw PostgresError(code: .poolClosed, message: "the Postgres pool is shut down")
            }
            throw error
        }
    }

    /// Runs one statement and returns its rows.
    @discardableResult
    package func query(_ query: PostgresQuery) async throws -> PostgresRows {
        try await withConnection { try $0.query(query) }
    }

    /// Runs one statement built from SQL and parameters.
    @discardableResult
    package func query(_ sql: String, _ binds: [any PostgresEncodable] = []) async throws -> PostgresRows {
        try await query(PostgresQuery(sql, binds))
    }

    /// Runs `body` in one transaction on one connection: committed when it returns, rolled back when it throws.
    @discardableResult
    package func transaction<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await withConnection { try $0.transaction(body) }
    }

    /// Runs `queries` in one transaction sent as one pipeline (see `PostgresConnection.transaction(pipelining:)`),
    /// then `body` with their rows; commits when `body` returns.
    @discardableResult
    package func transaction<T: Sendable>(
        pipelining queries: [PostgresQuery], _ body: @escaping @Sendable ([PostgresRows]) throws -> T
    ) async throws -> T {
        try await withConnection { try $0.transaction(pipelining: queries, body) }
    }

    /// Checks that a connection can be had and answers `SELECT 1`.
    package func ping() async throws {
        try await query("SELECT 1")
    }

    /// Connections in use right now (for metrics and tests).
    package var connectionsInUse: Int {
        state.withLock { $0.checkedOut }
    }

    /// Closes every idle connection and refuses new work. Idempotent.
    package func close() async {
        let (waiters, slots) = state.withLock { state -> ([Waiter], [Slot]) in
            guard !state.closed else { return ([], []) }
            state.closed = true
            let waiters = state.waiters
            state.waiters.removeAll()
            let slots = state.free
            return (waiters, slots)
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: PostgresError(code: .poolClosed, message: "the Postgres pool closed"))
        }
        let connections = slots.compactMap { slot -> Slot? in slot.connection == nil ? nil : slot }
        if !connections.isEmpty {
            _ = try? await threadPool.runIfActive {
                for slot in connections {
                    slot.connection?.close()
                    slot.connection = nil
                }
            }
        }
        try? await threadPool.shutdownGracefully()
    }

    // MARK: - Checkout

    private static func prepare(
        _ slot: Slot, configuration: PostgresConfiguration, logger: Logger
    ) throws(PostgresError) -> PostgresConnection {
        if let connection = slot.connection {
            if connection.isHealthy { return connection }
            logger.info("Postgres connection lost; reconnecting")
            connection.close()
            slot.connection = nil
        }
        let connection = try PostgresConnection(configuration: configuration)
        slot.connection = connection
        return connection
    }

    private func checkout() async throws -> Slot {
        try Task.checkCancellation()
        enum Outcome {
            case slot(Slot)
            case closed
            case wait
        }
        let immediate = state.withLock { state -> Outcome in
            if state.closed { return .closed }
            if let slot = state.free.popLast() {
                state.checkedOut += 1
                return .slot(slot)
            }
            return .wait
        }
        switch immediate {
        case .slot(let slot): return slot
        case .closed: throw PostgresError(code: .poolClosed, message: "the Postgres pool is closed")
        case .wait: break
        }

        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        let timeout = configuration.checkoutTimeout
        return try await withTaskCancellationHandler {
            try await withThrowingTaskGroup(of: Slot?.self) { group in
                group.addTask {
                    try await withCheckedThrowingContinuation { continuation in
                        let outcome = self.state.withLock { state -> Outcome in
                            if state.closed { return .closed }
                            if let slot = state.free.popLast() {
                                state.checkedOut += 1
                                return .slot(slot)
                            }
                            state.waiters.append(Waiter(id: id, continuation: continuation))
                            return .wait
                        }
                        switch outcome {
                        case .slot(let slot): continuation.resume(returning: slot)
                        case .closed:
                            continuation.resume(
                                throwing: PostgresError(code: .poolClosed, message: "the Postgres pool is closed"))
                        case .wait: break
                        }
                    }
                }
                group.addTask {
                    try? await Task.sleep(for: timeout)
                    self.abandonWait(
                        id,
                        error: PostgresError(
                            code: .poolTimeout,
                            message: "no Postgres connection became free within \(timeout) "
                                + "(pool of \(self.configuration.maxConnections)); the database may be slow or overloaded"
                        ))
                    return nil
                }
                while let next = try await group.next() {
                    if let slot = next {
                        group.cancelAll()
                        return slot
                    }
                }
                throw PostgresError(code: .poolTimeout, message: "no Postgres connection became free")
            }
        } onCancel: {
            self.abandonWait(id, error: CancellationError())
        }
    }

    /// Fails the waiter `id` if it is still queued (timeout or cancellation).
    private func abandonWait(_ id: UInt64, error: any Error) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: error)
    }

    private func release(_ slot: Slot) {
        let waiter = state.withLock { state -> Waiter? in
            if !state.waiters.isEmpty {
                return state.waiters.removeFirst()
            }
            state.checkedOut -= 1
            state.free.append(slot)
            return nil
        }
        // The slot passes straight to the longest waiter; `checkedOut` stays the same.
        waiter?.continuation.resume(returning: slot)
    }
}

extension PostgresConnectionPool: Service {
    /// Keeps the pool open until graceful shutdown, then closes it. Registered after the HTTP server's
    /// dependencies so that it closes after the server has drained.
    package func run() async throws {
        try? await gracefulShutdown()
        await close()
    }
}
