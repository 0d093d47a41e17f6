import Synchronization

/// Runs many callers' small writes as fewer, larger ones: a call that arrives while a write is in flight waits
/// and goes out with the next, together with every other call that arrived meanwhile (up to `maxBatch`). A call
/// that finds nothing in flight is written at once, so nothing waits for a batch to fill; under load, batches
/// grow by themselves. There is no background task: the caller that starts a write runs it, then hands the
/// next write to the first caller waiting (its own call never waits for anyone else's).
///
/// `write` gets the items in the order they arrived and must return one result per item, in that order. When it
/// throws, every caller of that batch gets the error, unless `writeAloneAfter` accepts it: then each item of a batch
/// of several is written again on its own, so one item the store refuses fails only its own caller (and a
/// connection failure, which `writeAloneAfter` should refuse, is not retried once per item).
package final class GroupCommit<Item: Sendable, Result: Sendable>: Sendable {
    private let maxBatch: Int
    private let write: @Sendable ([Item]) async throws -> [Result]
    private let writeAloneAfter: @Sendable (any Error) -> Bool
    private let state = Mutex(State())

    private enum Turn {
        /// Another caller's write finished this call.
        case done(Result)
        /// This call is to write the next batch.
        case lead
    }

    private struct Waiting {
        let item: Item
        let continuation: CheckedContinuation<Turn, any Error>
    }

    private struct State {
        var writing = false
        var waiting: [Waiting] = []
    }

    package init(
        maxBatch: Int, writeAloneAfter: @escaping @Sendable (any Error) -> Bool = { _ in false },
        write: @escaping @Sendable ([Item]) async throws -> [Result]
    ) {
        precondition(maxBatch > 0, "a batch holds at least one item")
        self.maxBatch = maxBatch
        self.writeAloneAfter = writeAloneAfter
        self.write = write
    }

    /// Writes `item` with whatever else is waiting and returns its result.
    package func submit(_ item: Item) async throws -> Result {
        let leads = state.withLock { state -> Bool in
            if state.writing { return false }
            state.writing = true
            return true
        }
        if !leads {
            let turn = try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<Turn, any Error>) in
                let leadsNow = state.withLock { state -> Bool in
                    // The write in flight may have ended (and found nobody waiting) since the check above.
                    if !state.writing {
                        state.writing = true
                        return true
                    }
                    state.waiting.append(Waiting(item: item, continuation: continuation))
                    return false
                }
                if leadsNow { continuation.resume(returning: .lead) }
            }
            if case .done(let result) = turn { return result }
        }
        return try await lead(with: item)
    }

    /// Writes `item` and up to `maxBatch - 1` waiting items, answers their callers, and passes the next write to
    /// the first caller still waiting.
    private func lead(with item: Item) async throws -> Result {
        let others = state.withLock { state -> [Waiting] in
            let count = min(state.waiting.count, maxBatch - 1)
            defer { state.waiting.removeFirst(count) }
            return Array(state.waiting.prefix(count))
        }
        let outcomes = await outcomes(of: [item] + others.map(\.item))
        for (waiting, outcome) in zip(others, outcomes.dropFirst()) {
            waiting.continuation.resume(with: outcome.map(Turn.done))
        }
        let next = state.withLock { state -> Waiting? in
            guard !state.waiting.isEmpty else {
                state.writing = false
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.continuation.resume(returning: .lead)
        return try outcomes[0].get()
    }

    /// Writes `items` together, or each alone when the batch failed in a way `writeAloneAfter` accepts; one
    /// outcome per item.
    private func outcomes(of items: [Item]) async -> [Swift.Result<Result, any Error>] {
        do {
            let results = try await write(items)
            precondition(results.count == items.count, "a group write returns one result per item")
            return results.map { .success($0) }
        } catch  where items.count > 1 && writeAloneAfter(error) {
            var eachAlone: [Swift.Result<Result, any Error>] = []
            for item in items { eachAlone.append(await outcomes(of: [item])[0]) }
            return eachAlone
        } catch {
            return items.map { _ in .failure(error) }
        }
    }
}
