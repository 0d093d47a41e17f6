import Logging
import Postgres
import ServiceLifecycle
import Synchronization

/// The inbox in Postgres, with group commit: messages that arrive while a write is in flight are written
/// together in the next transaction, so one commit acknowledges many webhooks. A message that arrives when a
/// writer is idle is written at once: nothing waits for a batch to fill.
///
/// Writers are loops of this `Service`. A message stored before they start waits for them (the HTTP server and
/// the inbox start together, and a webhook may arrive first); `store` fails with `unavailable` once the service
/// has stopped.
package final class PostgresInboxStore: InboxStore, Service {
    private let pool: PostgresConnectionPool
    private let maxBatch: Int
    private let writers: Int
    private let logger: Logger
    private let state = Mutex(State())

    private struct Pending {
        let message: InboundMessage
        let continuation: CheckedContinuation<InboxReceipt, any Error>
    }

    private struct State {
        var stopped = false
        var pending: [Pending] = []
        var idleWriters: [CheckedContinuation<Bool, Never>] = []
    }

    /// - Parameters:
    ///   - maxBatch: most messages in one transaction.
    ///   - writers: transactions in flight at once (each on its own pooled connection).
    package init(pool: PostgresConnectionPool, maxBatch: Int = 256, writers: Int = 2, logger: Logger) {
        self.pool = pool
        self.maxBatch = maxBatch
        self.writers = writers
        self.logger = logger
    }

    package func store(_ message: InboundMessage) async throws -> InboxReceipt {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = state.withLock { state -> (Bool, CheckedContinuation<Bool, Never>?) in
                guard !state.stopped else { return (false, nil) }
                state.pending.append(Pending(message: message, continuation: continuation))
                return (true, state.idleWriters.popLast())
            }
            switch outcome {
            case (false, _):
                continuation.resume(
                    throwing: InboxError(reason: .unavailable, message: "the inbox has stopped (shutting down)"))
            case (true, let writer):
                writer?.resume(returning: true)
            }
        }
    }

    package func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<writers {
                group.addTask { await self.writerLoop() }
            }
            await withGracefulShutdownHandler {
                await group.waitForAll()
            } onGracefulShutdown: {
                self.stop()
            }
        }
    }

    /// Refuses new messages and lets the writers finish what is queued, then end.
    private func stop() {
        let idle = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            state.stopped = true
            defer { state.idleWriters.removeAll() }
            return state.idleWriters
        }
        for writer in idle { writer.resume(returning: false) }
    }

    private func writerLoop() async {
        while true {
            let batch = state.withLock { state -> [Pending] in
                let count = min(state.pending.count, maxBatch)
                defer { state.pending.removeFirst(count) }
                return Array(state.pending.prefix(count))
            }
            if !batch.isEmpty {
                await write(batch)
                continue
            }
            let keepGoing = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let resumeNow = state.withLock { state -> Bool? in
                    if !state.pending.isEmpty { return true }
                    if state.stopped { return false }
                    state.idleWriters.append(continuation)
                    return nil
                }
                if let resumeNow { continuation.resume(returning: resumeNow) }
            }
            if !keepGoing { return }
        }
    }

    private func write(_ batch: [Pending]) async {
        do {
            let receipts = try await insert(batch.map(\.message))
            for (pending, receipt) in zip(batch, receipts) { pending.continuation.resume(returning: receipt) }
        } catch let error as PostgresError where !error.isConnectionProblem && batch.count > 1 {
            // One bad row must not fail its neighbours: write them one by one.
            logger.warning("inbox batch failed; retrying one by one", metadata: ["error": "\(error)"])
            for pending in batch { await write([pending]) }
        } catch {
            logger.error("inbox write failed", metadata: ["error": "\(error)", "messages": "\(batch.count)"])
            let failure = InboxError(reason: .storeFailed, message: "Postgres did not store the message")
            for pending in batch { pending.continuation.resume(throwing: failure) }
        }
    }

    /// Inserts the messages in one statement and returns a receipt for each, in order.
    private func insert(_ messages: [InboundMessage]) async throws -> [InboxReceipt] {
        let sources = PostgresArray.text(messages.map(\.source.rawValue))
        let ids = PostgresArray.text(messages.map(\.externalID))
        let payloads = PostgresArray.bytea(messages.map(\.payload))
        let types = PostgresArray.text(messages.map(\.contentType))
        let keys = Set(messages.map { $0.source.rawValue + "\u{0}" + $0.externalID })
        // No explicit transaction: the insert is one statement, committed (or not) as a whole before its answer
        // returns, which saves a BEGIN and a COMMIT round trip per batch. The lookup that may follow only reads
        // rows committed by then (the conflicting ones: ON CONFLICT waits for a concurrent insert to finish).
        let rows = try await pool.withConnection { connection -> (inserted: PostgresRows, all: PostgresRows) in
            let inserted = try connection.query(
                PostgresQuery(
                    """
                    INSERT INTO inbound_events (source, external_id, payload, content_type)
                    SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::text[])
                    ON CONFLICT (source, external_id) DO NOTHING
                    RETURNING id, source, external_id
                    """, [sources, ids, payloads, types]))
            // Every message new and distinct (the usual case): the insert's rows are all there is to know.
            if inserted.count == messages.count, keys.count == messages.count { return (inserted, inserted) }
            let all = try connection.query(
                PostgresQuery(
                    """
                    SELECT e.id, e.source, e.external_id FROM inbound_events e
                    JOIN unnest($1::text[], $2::text[]) AS k(source, external_id)
                      ON e.source = k.source AND e.external_id = k.external_id
                    """, [sources, ids]))
            return (inserted, all)
        }
        var insertedIDs = Set<Int64>()
        for row in rows.inserted { insertedIDs.insert(try row.decode(Int64.self, "id")) }
        var byKey: [String: Int64] = [:]
        for row in rows.all {
            byKey[try row.decode(String.self, "source") + "\u{0}" + row.decode(String.self, "external_id")] =
                try row.decode(Int64.self, "id")
        }
        var claimed = Set<Int64>()
        return try messages.map { message in
            guard let id = byKey[message.source.rawValue + "\u{0}" + message.externalID] else {
                throw PostgresError(code: .server, message: "an inbox row vanished after insert")
            }
            // The first message of a key inserted in this batch is the stored one; any repeat is a duplicate.
            if insertedIDs.contains(id), claimed.insert(id).inserted { return .stored(id: id) }
            return .duplicate(id: id)
        }
    }
}
