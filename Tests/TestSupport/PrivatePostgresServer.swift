import Foundation

/// A Postgres server of a test's own, in a temporary folder on a free loopback port, for tests that stop or
/// restart the server (which the shared test server must never be). Runs as the `postgres` user when the
/// tests run as root.
package final class PrivatePostgresServer: Sendable {
    package let directory: String
    package let port: Int
    private let binDirectory: String

    package var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

    package init() throws {
        guard
            let bin = try FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql").sorted().last
                .map({ "/usr/lib/postgresql/\($0)/bin" })
        else { throw ShellError(message: "Postgres server binaries not found under /usr/lib/postgresql") }
        binDirectory = bin
        let base = NSTemporaryDirectory() + "lg-pg-" + UUID().uuidString.prefix(8)
        directory = base
        port = try Self.freePort()
        try FileManager.default.createDirectory(atPath: base + "/data", withIntermediateDirectories: true)
        try Shell.run("chmod 755 \(base) && chmod 700 \(base)/data")
        if getuid() == 0 { try Shell.run("chown postgres:postgres \(base) \(base)/data") }
        try asPostgres("\(bin)/initdb -D \(base)/data -U postgres --auth=trust >/dev/null")
    }

    /// Starts (or restarts after `stop`) the server and waits until it accepts connections.
    package func start() throws {
        try asPostgres(
            "\(binDirectory)/pg_ctl -D \(directory)/data -l \(directory)/server.log -w -t 30 "
                + "-o '-c listen_addresses=127.0.0.1 -c port=\(port) -c unix_socket_directories=\(directory) "
                + "-c fsync=off' start >/dev/null")
    }

    /// Stops the server at once, dropping every connection.
    package func stop() throws {
        try asPostgres("\(binDirectory)/pg_ctl -D \(directory)/data -m immediate -w stop >/dev/null")
    }

    /// Stops the server if it runs and removes its folder.
    package func destroy() {
        try? stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func asPostgres(_ command: String) throws {
        if getuid() == 0 {
            try Shell.run("runuser -u postgres -- sh -c \"\(command.replacingOccurrences(of: "\"", with: "\\\""))\"")
        } else {
            try Shell.run(command)
        }
    }

    package static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ShellError(message: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw ShellError(message: "could not find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

package struct ShellError: Error, CustomStringConvertible {
    package let message: String
    package var description: String { message }
}

/// Runs shell commands for test fixtures.
package enum Shell {
    /// Runs `command` with `sh -c` and throws with its output when it exits non-zero.
    @discardableResult
    package static func run(_ command: String) throws -> String {
        // Output goes to a file, not a pipe: a server started by the command inherits its descriptors and
        // would hold a pipe open for ever.
        let outputPath = NSTemporaryDirectory() + "lg-shell-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        // posix_spawn and waitpid rather than Foundation's Process, whose exit monitoring can wait for ever
        // on a child that started a daemon.
        let arguments = ["/bin/sh", "-c", "(\(command)) </dev/null >\(outputPath) 2>&1"]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", nil, nil, &argv, environ)
        guard spawned == 0 else { throw ShellError(message: "could not start /bin/sh (\(spawned))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exitCode = (status >> 8) & 0xff
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status & 0x7f == 0, exitCode == 0 else {
            throw ShellError(message: "`\(command)` exited \(exitCode) (status \(status)): \(output)")
        }
        return output
    }
}
