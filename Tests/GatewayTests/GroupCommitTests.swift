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

    struct Refused: Error {}

    static func makeCommit(_ recorder: Recorder, maxBatch: Int = 64) -> GroupCommit<Int, Int> {
        GroupCommit(maxBatch: maxBatch) { items in
            recorder.batches.withLock { $0.append(items) }
            await recorder.passGate()
            if items.contains(-1) { throw Refused() }
            return items.map { $0 * 10 }
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
}
