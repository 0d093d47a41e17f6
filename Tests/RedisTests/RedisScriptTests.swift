import Redis
import Testing

// Serialized because one test runs SCRIPT FLUSH and reads server-wide command statistics.
@Suite("Redis Lua scripts", .serialized)
struct RedisScriptTests {
    @Test(arguments: [
        ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        ),
    ])
    func scriptDigestIsSHA1(source: String, expected: String) {
        #expect(RedisScript(source).sha1 == expected)
    }

    @Test func digestOfAMillionBytesIsSHA1() {
        let script = RedisScript(String(repeating: "a", count: 1_000_000))
        #expect(script.sha1 == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    @Test func digestMatchesScriptLoad() async throws {
        try await withRedisPool { pool, prefix in
            let script = RedisScript("-- \(prefix) ünïcode\nreturn 1")
            let loaded = try await pool.command(["SCRIPT", "LOAD", script.source])
            #expect(loaded.string == script.sha1)
        }
    }

    @Test func evalFallsBackOnNoScriptThenUsesEvalSha() async throws {
        try await withRedisPool { pool, prefix in
            let key = "\(prefix):counter"
            let script = RedisScript(
                """
                -- \(prefix)
                return redis.call('INCRBY', KEYS[1], ARGV[1]) * 10
                """
            )
            _ = try await pool.command(["SCRIPT", "FLUSH"])
            #expect(try await pool.command(["SCRIPT", "EXISTS", script.sha1]) == .array([.integer(0)]))

            // First call: EVALSHA answers NOSCRIPT, EVAL runs the script and caches it.
            #expect(try await pool.eval(script, keys: [key], arguments: ["2"]) == .integer(20))
            #expect(try await pool.command(["SCRIPT", "EXISTS", script.sha1]) == .array([.integer(1)]))

            // Second call goes straight through EVALSHA.
            let evalShaCallsBefore = try await Self.commandCalls("evalsha", pool: pool)
            #expect(try await pool.eval(script, keys: [key], arguments: ["3"]) == .integer(50))
            let evalShaCallsAfter = try await Self.commandCalls("evalsha", pool: pool)
            #expect(evalShaCallsAfter >= evalShaCallsBefore + 1)
            #expect(try await pool.command(["GET", key]).int == 5)
        }
    }

    @Test func scriptReturningAnErrorIsThrown() async throws {
        try await withRedisPool { pool, prefix in
            let script = RedisScript("-- \(prefix)\nreturn redis.error_reply('BOOM from the script')")
            let error = await #expect(throws: RedisError.self) {
                try await pool.eval(script, keys: [], arguments: [])
            }
            #expect(error?.code == .server)
            #expect(error?.message.contains("BOOM from the script") == true)
        }
    }

    @Test func evalShaSentDirectlyReportsNoScript() async throws {
        try await withRedisPool { pool, prefix in
            let unknown = RedisScript("-- never loaded \(prefix)\nreturn 0")
            let error = await #expect(throws: RedisError.self) {
                try await pool.command(["EVALSHA", unknown.sha1, "0"])
            }
            #expect(error?.code == .noScript)
        }
    }

    /// `calls=` for one command in `INFO commandstats`.
    private static func commandCalls(_ command: String, pool: RedisConnectionPool) async throws -> Int {
        let info = try #require(try await pool.command(["INFO", "commandstats"]).string)
        let marker = "cmdstat_\(command):calls="
        guard let line = info.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix(marker) }) else {
            return 0
        }
        return Int(line.dropFirst(marker.count).prefix { $0.isNumber }) ?? 0
    }
}
