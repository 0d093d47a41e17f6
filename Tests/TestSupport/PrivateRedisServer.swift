import Foundation

/// A Redis server of a test's own, in a temporary folder on a free loopback port, for tests that stop it
/// (which the shared test server must never be). No persistence: a restart starts empty, like a failover to a
/// replica that had not caught up.
package final class PrivateRedisServer: Sendable {
    package let directory: String
    package let port: Int

    package var url: String { "redis://127.0.0.1:\(port)/0" }

    package init() throws {
        directory = NSTemporaryDirectory() + "lg-redis-" + UUID().uuidString.prefix(8)
        port = try PrivatePostgresServer.freePort()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Starts (or restarts after `stop`) the server and waits until it answers.
    package func start() throws {
        try Shell.run(
            "redis-server --bind 127.0.0.1 --port \(port) --dir \(directory) --save '' --appendonly no "
                + "--daemonize yes --pidfile \(directory)/redis.pid --logfile \(directory)/redis.log")
        for _ in 0..<100 {
            if (try? Shell.run("redis-cli -p \(port) ping")) != nil { return }
            usleep(50_000)
        }
        throw ShellError(message: "redis-server on port \(port) did not answer; see \(directory)/redis.log")
    }

    /// Stops the server at once (no save), dropping every connection.
    package func stop() throws {
        try Shell.run("redis-cli -p \(port) shutdown nosave || true")
        for _ in 0..<100 {
            if (try? Shell.run("redis-cli -p \(port) ping")) == nil { return }
            usleep(50_000)
        }
    }

    /// Stops the server if it runs and removes its folder.
    package func destroy() {
        try? stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
