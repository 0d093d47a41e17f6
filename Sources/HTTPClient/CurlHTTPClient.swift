import CCurl
import NIOCore
import NIOPosix
import Synchronization

/// ``HTTPTransport`` over libcurl. Transfers run on the client's own `NIOThreadPool`, never on an event loop;
/// easy handles (and so their connections) are pooled and reused.
///
/// TLS peers are always verified and redirects are never followed: a 302 comes back as a 302.
/// Call ``shutdown()`` before releasing the client.
package final class CurlHTTPClient: HTTPTransport {
    /// Counters since the client started.
    package struct Statistics: Sendable, Hashable {
        /// Requests that produced a response.
        package var requests: Int
        /// TCP connections opened for them; far below `requests` when connections are reused.
        package var connectionsOpened: Int
    }

    private enum State {
        case running
        case shutDown
    }

    package let configuration: HTTPClientConfiguration
    private let threadPool: NIOThreadPool
    private let handles: CurlHandlePool
    private let state = Mutex(State.running)
    private let requestCount = Atomic<Int>(0)
    private let connectionCount = Atomic<Int>(0)

    package init(configuration: HTTPClientConfiguration = .init()) {
        Self.globalInit()
        self.configuration = configuration
        self.handles = CurlHandlePool(maxIdle: configuration.maxIdleHandles)
        self.threadPool = NIOThreadPool(numberOfThreads: max(1, configuration.threads))
        self.threadPool.start()
    }

    deinit {
        // Safety net for a client dropped without shutdown(): NIOThreadPool must not be released while running.
        if self.state.withLock({ $0 == .running }) {
            self.threadPool.shutdownGracefully { _ in }
        }
    }

    /// Initialises libcurl once per process. `curl_global_init` is not thread-safe, so this must run before
    /// any thread uses curl; the client's initialiser calls it, and a `static let` makes repeats free.
    package static func globalInit() {
        _ = self.globalInitSucceeded
    }

    static let globalInitSucceeded: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    package var statistics: Statistics {
        Statistics(
            requests: self.requestCount.load(ordering: .relaxed),
            connectionsOpened: self.connectionCount.load(ordering: .relaxed)
        )
    }

    package func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard self.isRunning else {
            throw Self.shutdownError(url: request.url)
        }
        let prepared = try CurlRequest(request, configuration: self.configuration)
        let cancellation = CurlCancellation()
        let handles = self.handles
        let result: CurlEasyHandle.Result
        do {
            result = try await withTaskCancellationHandler {
                try await self.threadPool.runIfActive {
                    let handle = try handles.checkout()
                    defer { handles.checkin(handle) }
                    return try handle.perform(prepared, cancellation: cancellation)
                }
            } onCancel: {
                cancellation.cancel()
            }
        } catch is CancellationError where !self.isRunning {
            // The thread pool refuses work once stopped and reports it as cancellation.
            throw Self.shutdownError(url: request.url)
        }
        self.requestCount.add(1, ordering: .relaxed)
        self.connectionCount.add(result.connectionsOpened, ordering: .relaxed)
        return result.response
    }

    /// Stops accepting requests, waits for transfers already running (each bounded by its timeout), stops the
    /// thread pool and frees idle handles. Calling it again does nothing.
    package func shutdown() async {
        let first = self.state.withLock { state in
            defer { state = .shutDown }
            return state == .running
        }
        guard first else { return }
        // Fails only if the pool was already stopped, which cannot happen as only this method stops it.
        try? await self.threadPool.shutdownGracefully()
        self.handles.close()
    }

    private var isRunning: Bool {
        self.state.withLock { $0 == .running }
    }

    private static func shutdownError(url: String) -> HTTPClientError {
        HTTPClientError(.shutdown, message: "the HTTP client has been shut down", url: url)
    }
}
