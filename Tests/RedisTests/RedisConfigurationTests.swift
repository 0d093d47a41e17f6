import Redis
import Testing

@Suite("Redis URL parsing")
struct RedisConfigurationTests {
    @Test func hostAloneUsesDefaults() throws {
        let configuration = try RedisConfiguration(url: "redis://cache.internal")
        #expect(configuration == RedisConfiguration(host: "cache.internal"))
        #expect(configuration.port == 6379)
        #expect(configuration.database == 0)
        #expect(configuration.username == nil)
        #expect(configuration.password == nil)
        #expect(configuration.connectTimeout == .seconds(2))
        #expect(configuration.commandTimeout == .seconds(2))
    }

    @Test func passwordPortAndDatabaseAreRead() throws {
        let configuration = try RedisConfiguration(url: "redis://:hunter2@10.0.0.5:6380/2")
        #expect(configuration.host == "10.0.0.5")
        #expect(configuration.port == 6380)
        #expect(configuration.username == nil)
        #expect(configuration.password == "hunter2")
        #expect(configuration.database == 2)
    }

    @Test func usernameAndPasswordAreRead() throws {
        let configuration = try RedisConfiguration(url: "redis://gateway:hunter2@redis:6381/5")
        #expect(configuration.username == "gateway")
        #expect(configuration.password == "hunter2")
        #expect(configuration.host == "redis")
        #expect(configuration.port == 6381)
        #expect(configuration.database == 5)
    }

    @Test func defaultPortWithDatabase() throws {
        let configuration = try RedisConfiguration(url: "redis://localhost/3")
        #expect(configuration.port == 6379)
        #expect(configuration.database == 3)
        #expect(try RedisConfiguration(url: "redis://localhost/").database == 0)
    }

    @Test func percentEncodedCredentialsAreDecoded() throws {
        let configuration = try RedisConfiguration(url: "redis://us%65r:p%40ss%3Aw%2Frd@h:7000")
        #expect(configuration.username == "user")
        #expect(configuration.password == "p@ss:w/rd")
    }

    @Test func ipv6HostIsRead() throws {
        let configuration = try RedisConfiguration(url: "redis://[::1]:7001/1")
        #expect(configuration.host == "::1")
        #expect(configuration.port == 7001)
        #expect(configuration.database == 1)
    }

    @Test(arguments: [
        "",
        "127.0.0.1:6379",
        "http://:hunter2@localhost:6379",
        "rediss://:hunter2@localhost:6379",
        "redis://",
        "redis://:hunter2@",
        "redis://:hunter2@:6379/0",
        "redis://:hunter2@localhost:port",
        "redis://:hunter2@localhost:70000",
        "redis://:hunter2@localhost:0",
        "redis://:hunter2@localhost:6379/db",
        "redis://:hunter2@localhost:6379/-1",
        "redis://:hunter2@localhost:6379/1?timeout=3",
        "redis://hunter2@localhost:6379",
        "redis://user:@localhost",
        "redis://:hunter2%zz@localhost",
        "redis://:hunter2@[::1",
    ])
    func malformedURLIsRejectedWithoutEchoingThePassword(url: String) {
        #expect {
            try RedisConfiguration(url: url)
        } throws: { error in
            guard let error = error as? RedisError else { return false }
            return error.code == .invalidURL
                && !error.description.contains("hunter2")
                && error.message.contains("redis://")
        }
    }
}
