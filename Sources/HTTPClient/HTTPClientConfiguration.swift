/// Limits and defaults for ``CurlHTTPClient``. TLS verification and "do not follow redirects" are deliberately
/// not configurable.
package struct HTTPClientConfiguration: Sendable {
    /// Time allowed to establish the connection (TCP and TLS).
    package var connectTimeout: Duration = .seconds(5)
    /// Total time allowed per request when the request does not set its own.
    package var timeout: Duration = .seconds(15)
    /// Largest response body accepted; a larger one fails with ``HTTPClientError/Code/responseTooLarge``.
    package var maxResponseBytes: Int = 10 << 20
    /// Most idle curl handles (each with its own cached connections) kept for reuse.
    package var maxIdleHandles: Int = 16
    /// Threads that run blocking transfers; also the most requests in flight at once.
    package var threads: Int = 8
    package var userAgent: String = "learning-gateway/0.1"

    package init(
        connectTimeout: Duration = .seconds(5),
        timeout: Duration = .seconds(15),
        maxResponseBytes: Int = 10 << 20,
        maxIdleHandles: Int = 16,
        threads: Int = 8,
        userAgent: String = "learning-gateway/0.1"
    ) {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.maxIdleHandles = maxIdleHandles
        self.threads = threads
        self.userAgent = userAgent
    }
}
