/// Something that sends HTTP requests: ``CurlHTTPClient`` in production, a stub in tests.
package protocol HTTPTransport: Sendable {
    /// Sends one request and returns the response (any status) or throws HTTPClientError for transport failures.
    func execute(_ request: HTTPRequest) async throws -> HTTPResponse
}
