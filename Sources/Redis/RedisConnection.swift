import CHiredis

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One blocking hiredis connection (`redisContext`).
///
/// Every method blocks the calling thread, so it must run on a `NIOThreadPool` thread, never on an event loop or
/// inside an actor. The connection is used by one thread at a time (the pool guarantees it), frees its context
/// exactly once in `close()` or `deinit`, and is deliberately not `Sendable`.
///
/// Once a command fails with anything but an error reply, hiredis sets `err` on the context and the connection
/// is unusable; `isUsable` turns false and the pool discards it.
final class RedisConnection {
    private var context: UnsafeMutablePointer<redisContext>?
    /// Set when the reply stream may be out of step with the commands sent (for example a pipeline that failed
    /// half-way), even if hiredis itself saw no error.
    private var poisoned = false

    private init(context: UnsafeMutablePointer<redisContext>) {
        self.context = context
    }

    deinit {
        self.close()
    }

    /// Opens a connection, applies the command timeout, and sends `AUTH` and `SELECT` as configured.
    static func connect(configuration: RedisConfiguration) throws(RedisError) -> RedisConnection {
        let endpoint = "\(configuration.host):\(configuration.port)"
        guard (1...65535).contains(configuration.port) else {
            throw RedisError(code: .connectionFailed, message: "Invalid port for Redis at \(endpoint)")
        }
        let connectMilliseconds = configuration.connectTimeout.redisMilliseconds
        let maybeContext =
            connectMilliseconds > 0
            ? redisConnectWithTimeout(configuration.host, Int32(configuration.port), lg_timeval_ms(connectMilliseconds))
            : redisConnect(configuration.host, Int32(configuration.port))
        guard let context = maybeContext else {
            throw RedisError(code: .connectionFailed, message: "Cannot allocate a connection to Redis at \(endpoint)")
        }
        if context.pointee.err != 0 {
            let reason = String(cString: lg_redis_errstr(context))
            redisFree(context)
            throw RedisError(code: .connectionFailed, message: "Cannot connect to Redis at \(endpoint): \(reason)")
        }
        let connection = RedisConnection(context: context)

        // redisConnectWithTimeout leaves the connect timeout on the socket; replace it with the command timeout.
        let commandMilliseconds = configuration.commandTimeout.redisMilliseconds
        if commandMilliseconds > 0, redisSetTimeout(context, lg_timeval_ms(commandMilliseconds)) != REDIS_OK {
            let reason = String(cString: lg_redis_errstr(context))
            connection.close()
            throw RedisError(code: .connectionFailed, message: "Cannot set the command timeout: \(reason)")
        }
        // Keep-alive lets the kernel notice a peer that vanished without closing; failure is not fatal.
        _ = redisEnableKeepAlive(context)

        do throws(RedisError) {
            if let password = configuration.password {
                var auth = ["AUTH"]
                if let username = configuration.username {
                    auth.append(username)
                }
                auth.append(password)
                if case .error(let text) = try connection.send(auth.map { Array($0.utf8) }) {
                    throw RedisError(code: .connectionFailed, message: "Redis at \(endpoint) refused AUTH: \(text)")
                }
            }
            if configuration.database != 0 {
                let select = ["SELECT", String(configuration.database)].map { Array($0.utf8) }
                if case .error(let text) = try connection.send(select) {
                    throw RedisError(
                        code: .connectionFailed,
                        message: "Redis at \(endpoint) refused SELECT \(configuration.database): \(text)"
                    )
                }
            }
        } catch {
            connection.close()
            if error.code == .connectionFailed {
                throw error
            }
            throw RedisError(
                code: .connectionFailed,
                message: "Cannot set up the connection to Redis at \(endpoint): \(error.message)"
            )
        }
        return connection
    }

    /// Whether the connection can still carry commands.
    var isUsable: Bool {
        guard let context, !self.poisoned else { return false }
        return context.pointee.err == 0
    }

    /// Whether an idle connection was closed by the server (or received data nobody asked for).
    ///
    /// Between commands nothing may arrive on a RESP2 connection, so a readable socket means end-of-file or
    /// garbage; either way the connection must be replaced. This is a non-blocking `poll`.
    var isStale: Bool {
        guard self.isUsable, let context else { return true }
        var descriptor = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, 0)
        if ready < 0 {
            return errno != EINTR
        }
        return ready > 0
    }

    /// Sends one command and waits for its reply. An error reply is returned as `.error`, not thrown; I/O,
    /// timeout and protocol failures are thrown and leave the connection unusable.
    func send(_ arguments: [[UInt8]]) throws(RedisError) -> RedisValue {
        let context = try self.usableContext()
        guard !arguments.isEmpty else {
            throw RedisError(code: .invalidArgument, message: "A Redis command needs at least one argument")
        }
        let (raw, callErrno) = Self.withArgv(arguments) { argc, argv, lengths in
            (redisCommandArgv(context, argc, argv, lengths), errno)
        }
        guard let raw else {
            throw self.contextError(errno: callErrno)
        }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        return try self.decode(reply)
    }

    /// Sends all commands in one write, then reads one reply per command, in order. Error replies are returned
    /// in place; any other failure is thrown and leaves the connection unusable.
    func pipeline(_ commands: [[[UInt8]]]) throws(RedisError) -> [RedisValue] {
        let context = try self.usableContext()
        guard !commands.contains(where: \.isEmpty) else {
            throw RedisError(code: .invalidArgument, message: "Every pipelined Redis command needs an argument")
        }
        // From the first append on, a failure leaves replies unread: never reuse the connection after that.
        self.poisoned = true
        for command in commands {
            let (status, callErrno) = Self.withArgv(command) { argc, argv, lengths in
                (redisAppendCommandArgv(context, argc, argv, lengths), errno)
            }
            guard status == REDIS_OK else {
                throw self.contextError(errno: callErrno)
            }
        }
        var replies: [RedisValue] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            var raw: UnsafeMutableRawPointer?
            let status = redisGetReply(context, &raw)
            let callErrno = errno
            guard status == REDIS_OK, let raw else {
                throw self.contextError(errno: callErrno)
            }
            defer { freeReplyObject(raw) }
            replies.append(try self.decode(raw.assumingMemoryBound(to: redisReply.self)))
        }
        self.poisoned = false
        return replies
    }

    /// Frees the hiredis context (closing the socket). Safe to call more than once.
    func close() {
        if let context = self.context {
            self.context = nil
            redisFree(context)
        }
    }

    private func usableContext() throws(RedisError) -> UnsafeMutablePointer<redisContext> {
        guard let context else {
            throw RedisError(code: .io, message: "The Redis connection is closed")
        }
        guard self.isUsable else {
            throw RedisError(code: .io, message: "The Redis connection is broken")
        }
        return context
    }

    /// Translates the context's error after a failed call. `errno` must be read right after that call.
    private func contextError(errno savedErrno: Int32) -> RedisError {
        guard let context else {
            return RedisError(code: .io, message: "The Redis connection is closed")
        }
        let reason = String(cString: lg_redis_errstr(context))
        switch context.pointee.err {
        case REDIS_ERR_IO where savedErrno == EAGAIN || savedErrno == EWOULDBLOCK:
            // hiredis in blocking mode reports SO_RCVTIMEO/SO_SNDTIMEO expiry as an I/O error with EAGAIN.
            return RedisError(code: .timeout, message: "Redis did not answer within the command timeout")
        case REDIS_ERR_IO, REDIS_ERR_EOF:
            return RedisError(code: .io, message: "Redis connection failed: \(reason)")
        case REDIS_ERR_PROTOCOL:
            return RedisError(code: .protocolError, message: "Redis protocol error: \(reason)")
        case 0:
            self.poisoned = true
            return RedisError(code: .io, message: "Redis call failed without an error")
        default:
            return RedisError(code: .io, message: "Redis client error: \(reason)")
        }
    }

    private func decode(_ reply: UnsafeMutablePointer<redisReply>) throws(RedisError) -> RedisValue {
        let value = reply.pointee
        switch value.type {
        case REDIS_REPLY_NIL:
            return .null
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(value.integer))
        case REDIS_REPLY_STATUS:
            return .status(Self.text(value))
        case REDIS_REPLY_ERROR:
            return .error(Self.text(value))
        case REDIS_REPLY_STRING:
            guard let bytes = value.str, value.len > 0 else { return .bulk([]) }
            return .bulk(Array(UnsafeRawBufferPointer(start: bytes, count: value.len)))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisValue] = []
            elements.reserveCapacity(value.elements)
            for index in 0..<value.elements {
                guard let element = lg_redis_reply_element(reply, index) else {
                    self.poisoned = true
                    throw RedisError(code: .protocolError, message: "Redis array reply has a missing element")
                }
                elements.append(try self.decode(element))
            }
            return .array(elements)
        default:
            self.poisoned = true
            throw RedisError(code: .protocolError, message: "Unknown Redis reply type \(value.type)")
        }
    }

    private static func text(_ reply: redisReply) -> String {
        guard let bytes = reply.str, reply.len > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: reply.len), as: UTF8.self)
    }

    /// Lays the arguments out in one buffer and calls `body` with hiredis's argc/argv/argvlen, binary-safe.
    private static func withArgv<Result>(
        _ arguments: [[UInt8]],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> Result
    ) -> Result {
        var storage: [UInt8] = []
        storage.reserveCapacity(arguments.reduce(1) { $0 + $1.count })
        var offsets: [Int] = []
        var lengths: [Int] = []
        offsets.reserveCapacity(arguments.count)
        lengths.reserveCapacity(arguments.count)
        for argument in arguments {
            offsets.append(storage.count)
            lengths.append(argument.count)
            storage.append(contentsOf: argument)
        }
        // A trailing byte keeps the buffer non-empty, so an empty argument still points at valid memory.
        storage.append(0)
        return storage.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            var argv: [UnsafePointer<CChar>?] = offsets.map { base + $0 }
            return argv.withUnsafeMutableBufferPointer { argvBuffer in
                lengths.withUnsafeBufferPointer { lengthBuffer in
                    body(Int32(arguments.count), argvBuffer.baseAddress!, lengthBuffer.baseAddress!)
                }
            }
        }
    }
}

@available(*, unavailable)
extension RedisConnection: Sendable {}
