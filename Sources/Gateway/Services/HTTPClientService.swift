import HTTPClient
import ServiceLifecycle

/// Keeps the outbound HTTP client alive for the application's lifetime and shuts it down (after the server
/// has drained) on graceful shutdown.
package struct HTTPClientService: Service {
    package let client: CurlHTTPClient

    package init(client: CurlHTTPClient) {
        self.client = client
    }

    package func run() async throws {
        try? await gracefulShutdown()
        await client.shutdown()
    }
}
