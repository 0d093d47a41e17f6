import Redis
import Testing

@Suite("Redis pipelining")
struct RedisPipelineTests {
    @Test func hundredPipelinedCommandsAnswerInOrder() async throws {
        try await withRedisPool { pool, prefix in
            let list = "\(prefix):list"
            let commands = (0..<100).map { ["RPUSH", list, "item-\($0)"] }
            let replies = try await pool.pipeline(commands)
            #expect(replies == (1...100).map { RedisValue.integer(Int64($0)) })

            let stored = try await pool.command(["LRANGE", list, "0", "-1"])
            #expect(stored.array?.compactMap(\.string) == (0..<100).map { "item-\($0)" })
        }
    }

    @Test func pipelineReturnsErrorRepliesInPlace() async throws {
        try await withRedisPool { pool, prefix in
            let key = "\(prefix):text"
            let replies = try await pool.pipeline([
                ["SET", key, "v"], ["LPUSH", key, "x"], ["GET", key], ["GET", "\(prefix):no"],
            ])
            #expect(replies.count == 4)
            #expect(replies[0] == .status("OK"))
            guard case .error(let text) = replies[1] else {
                Issue.record("expected an error reply, got \(replies[1])")
                return
            }
            #expect(text.hasPrefix("WRONGTYPE"))
            #expect(replies[2] == .bulk(Array("v".utf8)))
            #expect(replies[3] == .null)
        }
    }

    @Test func binaryPipelineKeepsBytes() async throws {
        try await withRedisPool { pool, prefix in
            let key = Array("\(prefix):bin".utf8)
            let payload: [UInt8] = [0, 13, 10, 0, 255]
            let replies = try await pool.pipeline(bytes: [
                [Array("SET".utf8), key, payload],
                [Array("GET".utf8), key],
            ])
            #expect(replies == [.status("OK"), .bulk(payload)])
        }
    }

    @Test func emptyPipelineSendsNothing() async throws {
        try await withRedisPool { pool, _ in
            let replies = try await pool.pipeline([])
            #expect(replies.isEmpty)
        }
    }

    @Test func pipelineWithAnEmptyCommandIsRejected() async throws {
        try await withRedisPool { pool, _ in
            let error = await #expect(throws: RedisError.self) {
                try await pool.pipeline([["PING"], []])
            }
            #expect(error?.code == .invalidArgument)
            try await pool.ping()
        }
    }
}
