import Synchronization
import Testing

@testable import Gateway

@Suite struct GroupCommitTests {
    /// Holds the first write until the test opens it, and records every batch written.
    final class Recorder: Sendable {
        let batches = Mutex<[[Int]]>([])
        let gate = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

        func passGate() async {
            await withCheckedContinuation { continuation in
                let open = gate.withLock { gate -> Bool in
                    if !gate.open { gate.waiting.append(continuation) }
                    return gate.open
                }
                if open { continuation.resume() }
            }
        }

        func open() {
            let waiting = gate.withLock { gate -> [CheckedContinuation<Void, Never>] in
                gate.open = true
                defer { gate.waiting.removeAll() }
                return gate.waiting
            }
            for continuation in waiting { continuation.resume() }
        }
    }

    /// The store refuses item -1.
    struct Refused: Error {}
    /// The store cannot be reached (item -2).
    struct Unreachable: Error {}

    static func makeCommit(
        _ recorder: Recorder, maxBatch: Int = 64,
        writeAloneAfter: @escaping @Sendable (any Error) -> Bool = { _ in false }
    ) -> GroupCommit<Int, Int> {
        GroupCommit(maxBatch: maxBatch, writeAloneAfter: writeAloneAfter) { items in
            recorder.batches.withLock { $0.append(items) }
            await recorder.passGate()
            if items.contains(-1) { throw Refused() }
            if items.contains(-2) { throw Unreachable() }
            return items.map { $0 * 10 }
        }
    }

    /// Holds a write of 0 in flight, lets `items` queue behind it, then opens the gate; returns each item's
    /// outcome (its result, or nil when it threw `Refused` or `Unreachable`).
    static func runBehindAWrite(_ commit: GroupCommit<Int, Int>, _ recorder: Recorder, _ items: [Int]) async throws
        -> [Int: Int?]
    {
        try await withThrowingTaskGroup(of: (Int, Int?).self) { group in
            group.addTask { (0, try await commit.submit(0)) }
            try await waitForBatches(recorder, 1)
            for item in items {
                group.addTask {
                    do { return (item, try await commit.submit(item)) } catch is Refused, is Unreachable {
                        return (item, nil)
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(100))
            recorder.open()
            var outcomes: [Int: Int?] = [:]
            for try await (item, outcome) in group { outcomes[item] = outcome }
            return outcomes
        }
    }

    /// Waits until `count` batches have started.
    static func waitForBatches(_ recorder: Recorder, _ count: Int) async throws {
        for _ in 0..<500 where recorder.batches.withLock({ $0.count }) < count {
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    @Test func aLoneCallIsWrittenAtOnce() async throws {
        let recorder = Recorder()
        recorder.open()
        let commit = Self.makeCommit(recorder)
        #expect(try await commit.submit(7) == 70)
        #expect(try await commit.submit(8) == 80)
        #expect(recorder.batches.withLock { $0 } == [[7], [8]])
    }

    @Test func callsArrivingDuringAWriteGoTogetherInTheNext() async throws {
        let recorder = Recorder()
        let commit = Self.makeCommit(recorder)
        try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            group.addTask { (0, try await commit.submit(0)) }
            try await Self.waitForBatches(recorder, 1)
            for item in 1...20 { group.addTask { (item, try await commit.submit(item)) } }
            // Let every later call find the first write in flight before it ends.
            try await Task.sleep(for: .milliseconds(100))
            recorder.open()
            for try await (item, result) in group { #expect(result == item * 10) }
        }
        let batches = recorder.batches.withLock { $0 }
        #expect(batches.count == 2)
        #expect(batches.first == [0])
        #expect(batches.last?.sorted() == Array(1...20))
    }

    @Test func aBatchHoldsAtMostMaxBatchItems() async throws {
        let recorder = Recorder()
        let commit = Self.makeCommit(recorder, maxBatch: 4)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await commit.submit(0) }
            try await Self.waitForBatches(recorder, 1)
            for item in 1...10 {
                group.addTask {
                    let result = try await commit.submit(item)
                    #expect(result == item * 10)
                }
            }
            try await Task.sleep(for: .milliseconds(100))
            recorder.open()
            try await group.waitForAll()
        }
        let batches = recorder.batches.withLock { $0 }
        #expect(batches.allSatisfy { $0.count <= 4 })
        #expect(batches.flatMap { $0 }.sorted() == Array(0...10))
        #expect(batches.count == 4)  // [0], then 10 waiting calls in batches of at most 4
    }

    @Test func aFailedWriteFailsItsOwnBatchOnly() async throws {
        let recorder = Recorder()
        let commit = Self.makeCommit(recorder)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await commit.submit(0) }
            try await Self.waitForBatches(recorder, 1)
            for item in [-1, 2, 3] {
                group.addTask { await #expect(throws: Refused.self) { try await commit.submit(item) } }
            }
            try await Task.sleep(for: .milliseconds(100))
            recorder.open()
            try await group.waitForAll()
        }
        // The next call is written on its own, and succeeds.
        #expect(try await commit.submit(4) == 40)
        #expect(recorder.batches.withLock { $0.last } == [4])
    }

    @Test func aRefusedBatchIsWrittenItemByItemWhenAsked() async throws {
        let recorder = Recorder()
        let commit = Self.makeCommit(recorder, writeAloneAfter: { $0 is Refused })
        let outcomes = try await Self.runBehindAWrite(commit, recorder, [-1, 2, 3])
        // Only the refused item fails; its neighbours are written on their own.
        #expect(outcomes == [0: 0, -1: nil, 2: 20, 3: 30])
        let batches = recorder.batches.withLock { $0 }
        #expect(batches.count == 5)
        #expect(batches[1].sorted() == [-1, 2, 3])
        #expect(batches[2...].map { $0 }.sorted { $0[0] < $1[0] } == [[-1], [2], [3]])
    }

    @Test func aBatchThatFailedOtherwiseIsNotWrittenAgain() async throws {
        let recorder = Recorder()
        let commit = Self.makeCommit(recorder, writeAloneAfter: { $0 is Refused })
        let outcomes = try await Self.runBehindAWrite(commit, recorder, [-2, 2, 3])
        // An unreachable store fails the whole batch at once, without a try per item.
        #expect(outcomes == [0: 0, -2: nil, 2: nil, 3: nil])
        #expect(recorder.batches.withLock { $0.count } == 2)
    }
}
