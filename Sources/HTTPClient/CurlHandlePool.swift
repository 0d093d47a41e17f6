import Synchronization

/// Idle ``CurlEasyHandle``s kept for reuse, so their cached connections are reused too.
///
/// `@unchecked Sendable` because it stores non-Sendable handles, which the compiler's region checking cannot
/// follow into and out of a lock. It is safe because every access to `idle` and `closed` happens inside `lock`,
/// and a handle is only ever in one place: in `idle`, or checked out by the one worker thread running its
/// transfer, which hands it back through ``checkin(_:)`` and keeps no reference.
final class CurlHandlePool: @unchecked Sendable {
    private let maxIdle: Int
    private let lock = Mutex<Void>(())
    private var idle: [CurlEasyHandle] = []
    private var closed = false

    init(maxIdle: Int) {
        self.maxIdle = max(0, maxIdle)
    }

    /// An idle handle, or a new one when none is idle. The caller owns it until ``checkin(_:)``.
    func checkout() throws(HTTPClientError) -> CurlEasyHandle {
        let (handle, closed) = self.lock.withLock { _ in
            (self.closed ? nil : self.idle.popLast(), self.closed)
        }
        if let handle {
            return handle
        }
        if closed {
            throw HTTPClientError(.shutdown, message: "the HTTP client has been shut down", url: "")
        }
        return try CurlEasyHandle()
    }

    /// Returns a handle after its transfer; the caller must not use it again. It is closed instead of kept
    /// when the pool is full or closed.
    func checkin(_ handle: CurlEasyHandle) {
        let kept = self.lock.withLock { _ in
            guard !self.closed, self.idle.count < self.maxIdle else { return false }
            self.idle.append(handle)
            return true
        }
        if !kept {
            handle.close()
        }
    }

    /// Closes every idle handle; handles checked in later are closed on arrival.
    func close() {
        let idle = self.lock.withLock { _ in
            self.closed = true
            defer { self.idle = [] }
            return self.idle
        }
        for handle in idle {
            handle.close()
        }
    }

    /// Handles waiting for reuse.
    var idleCount: Int {
        self.lock.withLock { _ in self.idle.count }
    }
}
