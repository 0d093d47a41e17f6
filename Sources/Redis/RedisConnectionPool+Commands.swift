extension RedisConnectionPool {
    /// Sends one command built from UTF-8 arguments, e.g. `["SET", key, value]`.
    ///
    /// An error reply is thrown as `RedisError` with code `.server` (`.noScript` for `NOSCRIPT`), so the result
    /// is never `.error`.
    package func command(_ arguments: [String]) async throws -> RedisValue {
        try await self.command(bytes: arguments.map { Array($0.utf8) })
    }

    /// Sends one binary-safe command; arguments may contain any bytes, including NUL and CR LF.
    ///
    /// An error reply is thrown as `RedisError` with code `.server`, so the result is never `.error`.
    package func command(bytes arguments: [[UInt8]]) async throws -> RedisValue {
        guard !arguments.isEmpty else {
            throw RedisError(code: .invalidArgument, message: "A Redis command needs at least one argument")
        }
        return try await self.withConnection { connection throws(RedisError) in
            try connection.send(arguments).throwingServerError()
        }
    }

    /// Sends all commands on one connection in one write and returns one reply per command, in order.
    ///
    /// Error replies come back in place as `.error`; only connection-level failures throw. An empty list sends
    /// nothing.
    package func pipeline(_ commands: [[String]]) async throws -> [RedisValue] {
        try await self.pipeline(bytes: commands.map { $0.map { Array($0.utf8) } })
    }

    /// Binary-safe form of `pipeline(_:)`.
    package func pipeline(bytes commands: [[[UInt8]]]) async throws -> [RedisValue] {
        guard !commands.isEmpty else { return [] }
        guard !commands.contains(where: \.isEmpty) else {
            throw RedisError(code: .invalidArgument, message: "Every pipelined Redis command needs an argument")
        }
        return try await self.withConnection { connection throws(RedisError) in
            try connection.pipeline(commands)
        }
    }

    /// Runs a Lua script with `EVALSHA`; if the server answers `NOSCRIPT` (first use, restart, `SCRIPT FLUSH`),
    /// sends `EVAL` on the same connection, which also caches the script so the next call hits `EVALSHA`.
    ///
    /// An error reply (including one raised by the script) is thrown as `.server`.
    package func eval(_ script: RedisScript, keys: [String], arguments: [String]) async throws -> RedisValue {
        let tail = ([String(keys.count)] + keys + arguments).map { Array($0.utf8) }
        let sha1 = Array(script.sha1.utf8)
        let source = Array(script.source.utf8)
        return try await self.withConnection { connection throws(RedisError) in
            let reply = try connection.send([Array("EVALSHA".utf8), sha1] + tail)
            if case .error(let text) = reply, text.hasPrefix("NOSCRIPT") {
                return try connection.send([Array("EVAL".utf8), source] + tail).throwingServerError()
            }
            return try reply.throwingServerError()
        }
    }

    /// Sends `PING` and expects `PONG`.
    package func ping() async throws {
        let reply = try await self.command(["PING"])
        guard reply == .status("PONG") else {
            throw RedisError(code: .protocolError, message: "Unexpected reply to PING")
        }
    }
}
