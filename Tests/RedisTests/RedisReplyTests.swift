import Redis
import Testing

@Suite("Redis replies")
struct RedisReplyTests {
    @Test func missingKeyReadsAsNull() async throws {
        try await withRedisPool { pool, prefix in
            let value = try await pool.command(["GET", "\(prefix):missing"])
            #expect(value == .null)
            #expect(value.isNull)
            #expect(value.string == nil)
        }
    }

    @Test func incrReturnsIntegers() async throws {
        try await withRedisPool { pool, prefix in
            #expect(try await pool.command(["INCR", "\(prefix):counter"]) == .integer(1))
            let second = try await pool.command(["INCRBY", "\(prefix):counter", "41"])
            #expect(second == .integer(42))
            #expect(second.int == 42)
        }
    }

    @Test func setAndPingReturnStatus() async throws {
        try await withRedisPool { pool, prefix in
            let set = try await pool.command(["SET", "\(prefix):greeting", "1234"])
            #expect(set == .status("OK"))
            #expect(set.string == "OK")
            #expect(try await pool.command(["PING"]) == .status("PONG"))
            try await pool.ping()

            let value = try await pool.command(["GET", "\(prefix):greeting"])
            #expect(value == .bulk(Array("1234".utf8)))
            #expect(value.string == "1234")
            #expect(value.int == 1234)
        }
    }

    @Test func binaryBulkRoundTripsUnchanged() async throws {
        try await withRedisPool { pool, prefix in
            let payload: [UInt8] = [0x00, 0x0D, 0x0A, 0x00, 0xFF] + Array(0...255) + Array("\r\n$-1\r\n".utf8) + [0]
            let key = Array("\(prefix):bin\0ary\r\nkey".utf8)
            let set = try await pool.command(bytes: [Array("SET".utf8), key, payload])
            #expect(set == .status("OK"))

            let value = try await pool.command(bytes: [Array("GET".utf8), key])
            #expect(value == .bulk(payload))
            #expect(value.string == nil, "bytes that are not UTF-8 have no string form")
            #expect(try await pool.command(bytes: [Array("STRLEN".utf8), key]) == .integer(Int64(payload.count)))
        }
    }

    @Test func emptyBulkIsNotNull() async throws {
        try await withRedisPool { pool, prefix in
            _ = try await pool.command(["SET", "\(prefix):empty", ""])
            let value = try await pool.command(["GET", "\(prefix):empty"])
            #expect(value == .bulk([]))
            #expect(value.string == "")
        }
    }

    @Test func lrangeReturnsArray() async throws {
        try await withRedisPool { pool, prefix in
            #expect(try await pool.command(["RPUSH", "\(prefix):list", "a", "b", "c"]) == .integer(3))
            let list = try await pool.command(["LRANGE", "\(prefix):list", "0", "-1"])
            #expect(list == .array([.bulk(Array("a".utf8)), .bulk(Array("b".utf8)), .bulk(Array("c".utf8))]))
            #expect(list.array?.compactMap(\.string) == ["a", "b", "c"])
            #expect(try await pool.command(["LRANGE", "\(prefix):none", "0", "-1"]) == .array([]))
        }
    }

    @Test func nestedArrayFromLuaIsDecoded() async throws {
        try await withRedisPool { pool, _ in
            let value = try await pool.command(["EVAL", "return {1,{2,'x'}}", "0"])
            #expect(value == .array([.integer(1), .array([.integer(2), .bulk(Array("x".utf8))])]))
        }
    }

    @Test func wrongTypeIsThrownAsServerError() async throws {
        try await withRedisPool { pool, prefix in
            _ = try await pool.command(["SET", "\(prefix):text", "v"])
            let error = await #expect(throws: RedisError.self) {
                try await pool.command(["LPUSH", "\(prefix):text", "x"])
            }
            #expect(error?.code == .server)
            #expect(error?.message.hasPrefix("WRONGTYPE") == true)
            #expect(error?.description.contains("WRONGTYPE") == true)
            // An error reply leaves the connection usable.
            #expect(try await pool.command(["GET", "\(prefix):text"]).string == "v")
        }
    }

    @Test func unknownCommandIsThrownAsServerError() async throws {
        try await withRedisPool { pool, _ in
            let error = await #expect(throws: RedisError.self) {
                try await pool.command(["NOSUCHCOMMAND", "x"])
            }
            #expect(error?.code == .server)
            #expect(error?.message.hasPrefix("ERR") == true)
        }
    }

    @Test func emptyCommandIsRejected() async throws {
        try await withRedisPool { pool, _ in
            let error = await #expect(throws: RedisError.self) {
                try await pool.command([])
            }
            #expect(error?.code == .invalidArgument)
            try await pool.ping()
        }
    }

    @Test func valueAccessorsReadTheRightCases() {
        #expect(RedisValue.integer(7).int == 7)
        #expect(RedisValue.bulk(Array("-12".utf8)).int == -12)
        #expect(RedisValue.bulk(Array("x1".utf8)).int == nil)
        #expect(RedisValue.status("OK").int == nil)
        #expect(RedisValue.error("ERR x").string == nil)
        #expect(RedisValue.array([.null]).array == [.null])
        #expect(RedisValue.integer(1).array == nil)
    }
}
