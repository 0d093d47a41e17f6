import Redis
import ServiceLifecycle
import Testing

@Suite("Redis connection pool")
struct RedisConnectionPoolTests {
    @Test func twoHundredConcurrentCommandsShareTwoConnections() async throws {
        try await withRedisPool(maxConnections: 2) { pool, prefix in
            let key = "\(prefix):counter"
            let results = try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        try #require(try await pool.command(["INCR", key]).int)
                    }
                }
                var results: [Int64] = []
                for try await result in group {
                    results.append(result)
                    #expect(pool.connectionCount <= 2)
                }
                return results
            }
            #expect(results.sorted() == Array(1...200))
            #expect(try await pool.command(["GET", key]).int == 200)
            #expect(pool.connectionCount <= 2)
        }
    }

    @Test func checkoutTimesOutWhenAllConnectionsAreBusy() async throws {
        var configuration = try RedisTestEnvironment.configuration()
        configuration.commandTimeout = .seconds(5)
        try await withRedisPool(
            configuration: configuration,
            maxConnections: 2,
            checkoutTimeout: .milliseconds(100)
        ) { pool, prefix in
            async let first = pool.command(["BLPOP", "\(prefix):empty-1", "1"])
            async let second = pool.command(["BLPOP", "\(prefix):empty-2", "1"])
            try await Task.sleep(for: .milliseconds(250))

            var error: RedisError?
            let elapsed = await measure {
                error = await #expect(throws: RedisError.self) {
                    try await pool.command(["PING"])
                }
            }
            #expect(error?.code == .poolTimeout)
            #expect(elapsed < .milliseconds(700))

            #expect(try await first == .null)
            #expect(try await second == .null)
            try await pool.ping()
        }
    }

    @Test func closedPoolRejectsCommands() async throws {
        let pool = RedisConnectionPool(
            configuration: try RedisTestEnvironment.configuration(),
            maxConnections: 2,
            logger: RedisTestEnvironment.logger
        )
        try await pool.ping()
        await pool.close()
        await pool.close()
        let error = await #expect(throws: RedisError.self) {
            try await pool.command(["PING"])
        }
        #expect(error?.code == .poolClosed)
        #expect(pool.connectionCount == 0)
    }

    @Test func refusedConnectionFailsQuicklyWithoutEchoingThePassword() async throws {
        // Nothing listens on port 1 of the loopback interface.
        let configuration = RedisConfiguration(host: "127.0.0.1", port: 1, password: "hunter2")
        try await withRedisPool(configuration: configuration, maxConnections: 1) { pool, _ in
            var error: RedisError?
            let elapsed = await measure {
                error = await #expect(throws: RedisError.self) {
                    try await pool.ping()
                }
            }
            #expect(error?.code == .connectionFailed)
            #expect(error?.description.contains("hunter2") == false)
            #expect(elapsed < .seconds(1))
            // The failed slot is given back: the next attempt fails the same way instead of timing out.
            let again = await #expect(throws: RedisError.self) {
                try await pool.ping()
            }
            #expect(again?.code == .connectionFailed)
            #expect(pool.connectionCount == 0)
        }
    }

    @Test func commandTimeoutFailsTheCommandAndThePoolRecovers() async throws {
        var configuration = try RedisTestEnvironment.configuration()
        configuration.commandTimeout = .milliseconds(200)
        try await withRedisPool(configuration: configuration, maxConnections: 1) { pool, prefix in
            var error: RedisError?
            let elapsed = await measure {
                error = await #expect(throws: RedisError.self) {
                    try await pool.command(["BLPOP", "\(prefix):empty", "2"])
                }
            }
            let code = try #require(error?.code)
            #expect(code == .timeout || code == .io)
            #expect(elapsed < .milliseconds(1500))

            try await pool.ping()
            _ = try await pool.command(["SET", "\(prefix):after", "ok"])
            #expect(try await pool.command(["GET", "\(prefix):after"]).string == "ok")
        }
    }

    @Test func databaseSelectionIsolatesKeys() async throws {
        let base = try RedisTestEnvironment.configuration()
        var other = base
        other.database = base.database == 3 ? 4 : 3
        try await withRedisPool(configuration: other) { selected, prefix in
            let key = "\(prefix):isolated"
            _ = try await selected.command(["SET", key, "in-db-\(other.database)"])
            let info = try await selected.command(["CLIENT", "INFO"]).string ?? ""
            #expect(info.contains(" db=\(other.database) "))

            try await withRedisPool(configuration: base) { original, _ in
                let value = try await original.command(["GET", key])
                #expect(value == .null)
            }
            #expect(try await selected.command(["GET", key]).string == "in-db-\(other.database)")
        }
    }

    @Test func commandsSucceedAfterTheServerKillsTheConnection() async throws {
        try await withRedisPool(maxConnections: 1) { pool, _ in
            let killedID = try #require(try await pool.command(["CLIENT", "ID"]).int)
            try await withRedisPool(maxConnections: 1) { admin, _ in
                let killed = try await admin.command(["CLIENT", "KILL", "ID", String(killedID)])
                #expect(killed == .integer(1))
            }

            var ioFailures = 0
            for _ in 0..<3 {
                do {
                    try await pool.ping()
                } catch let error as RedisError where error.code == .io {
                    ioFailures += 1
                }
            }
            #expect(ioFailures <= 1)
            let newID = try #require(try await pool.command(["CLIENT", "ID"]).int)
            #expect(newID != killedID)
        }
    }

    @Test func authenticatesWithUsernameAndPassword() async throws {
        try await withRedisPool { admin, prefix in
            let user = "redis-tests-\(String(UInt32.random(in: .min ... .max), radix: 16))"
            let password = "pw-\(String(UInt64.random(in: .min ... .max), radix: 16))"
            _ = try await admin.command(["ACL", "SETUSER", user, "on", ">\(password)", "~\(prefix)*", "+@all"])
            do {
                let base = try RedisTestEnvironment.configuration()
                var configuration = base
                configuration.username = user
                configuration.password = password
                try await withRedisPool(configuration: configuration, prefix: prefix) { pool, _ in
                    let whoami = try await pool.command(["ACL", "WHOAMI"])
                    #expect(whoami.string == user)
                    let set = try await pool.command(["SET", "\(prefix):mine", "1"])
                    #expect(set == .status("OK"))
                }

                configuration.password = "wrong-\(password)"
                try await withRedisPool(configuration: configuration, maxConnections: 1) { pool, _ in
                    let error = await #expect(throws: RedisError.self) {
                        try await pool.ping()
                    }
                    #expect(error?.code == .connectionFailed)
                    #expect(error?.description.contains(password) == false)
                }
            } catch {
                _ = try? await admin.command(["ACL", "DELUSER", user])
                throw error
            }
            _ = try await admin.command(["ACL", "DELUSER", user])
        }
    }

    @Test func runEndsOnCancellationAndClosesThePool() async throws {
        let pool = RedisConnectionPool(
            configuration: try RedisTestEnvironment.configuration(),
            maxConnections: 1,
            logger: RedisTestEnvironment.logger
        )
        try await pool.ping()
        let service = Task { try await pool.run() }
        try await Task.sleep(for: .milliseconds(50))
        service.cancel()
        try await service.value
        let error = await #expect(throws: RedisError.self) {
            try await pool.ping()
        }
        #expect(error?.code == .poolClosed)
    }

    @Test func gracefulShutdownOfTheServiceGroupClosesThePool() async throws {
        let pool = RedisConnectionPool(
            configuration: try RedisTestEnvironment.configuration(),
            maxConnections: 1,
            logger: RedisTestEnvironment.logger
        )
        let group = ServiceGroup(
            configuration: .init(services: [pool], logger: RedisTestEnvironment.logger)
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await pool.ping()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let error = await #expect(throws: RedisError.self) {
            try await pool.ping()
        }
        #expect(error?.code == .poolClosed)
    }
}
