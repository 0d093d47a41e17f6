import Foundation
import HTTPClient
import Testing

/// Runs `body` with a fresh client and always shuts it down.
private func withClient<T>(
    _ configuration: HTTPClientConfiguration = .init(),
    _ body: (CurlHTTPClient) async throws -> T
) async throws -> T {
    let client = CurlHTTPClient(configuration: configuration)
    do {
        let result = try await body(client)
        await client.shutdown()
        return result
    } catch {
        await client.shutdown()
        throw error
    }
}

@Suite("CurlHTTPClient against a local server")
struct CurlHTTPClientTests {
    @Test func getSendsCustomHeaders() async throws {
        try await LocalServer.withServer { baseURL, _ in
            try await withClient { client in
                let request = HTTPRequest(
                    url: "\(baseURL)/echo?x=1",
                    headers: [(name: "X-Trace", value: "abc 123"), (name: "X-Empty", value: "")]
                )
                let response = try await client.execute(request)
                #expect(response.status == 200)
                let echo = try response.decode(EchoReply.self)
                #expect(echo.method == "GET")
                #expect(echo.header("x-trace") == "abc 123")
                #expect(echo.header("X-Empty") == "")
                #expect(echo.header("User-Agent") == "learning-gateway/0.1")
                #expect(echo.body.isEmpty)
            }
        }
    }

    struct Payload: Codable, Equatable {
        var name: String
        var count: Int
        var tags: [String]
    }

    @Test func postJSONRoundTrips() async throws {
        try await LocalServer.withServer { baseURL, _ in
            try await withClient { client in
                let payload = Payload(name: "Zoë \"quoted\"", count: 42, tags: ["a", "b"])
                let response = try await client.execute(try .json(url: "\(baseURL)/echo", body: payload))
                let echo = try response.decode(EchoReply.self)
                #expect(echo.method == "POST")
                #expect(echo.header("Content-Type") == "application/json; charset=utf-8")
                #expect(echo.header("Expect") == nil)
                let received = try JSONDecoder().decode(Payload.self, from: Data(echo.body.utf8))
                #expect(received == payload)
            }
        }
    }

    @Test func formBodyDecodesOnTheServerAsSent() async throws {
        let fields = [
            ("text", "hello world & more"),
            ("symbols", "a=b+c&d%e/f?g#h"),
            ("unicode", "héllo ✓ 日本 🎉"),
        ]
        try await LocalServer.withServer { baseURL, _ in
            try await withClient { client in
                let decoded = try await client.execute(.form(url: "\(baseURL)/form", fields: fields))
                #expect(decoded.status == 200)
                let form = try decoded.decode(FormFields.self)
                #expect(form.text == "hello world & more")
                #expect(form.symbols == "a=b+c&d%e/f?g#h")
                #expect(form.unicode == "héllo ✓ 日本 🎉")

                let raw = try await client.execute(.form(url: "\(baseURL)/echo", fields: fields)).decode(EchoReply.self)
                #expect(raw.header("Content-Type") == "application/x-www-form-urlencoded")
                #expect(
                    raw.body == "text=hello+world+%26+more&symbols=a%3Db%2Bc%26d%25e%2Ff%3Fg%23h"
                        + "&unicode=h%C3%A9llo+%E2%9C%93+%E6%97%A5%E6%9C%AC+%F0%9F%8E%89"
                )
            }
        }
    }

    @Test func bearerAndBasicAuthArriveAsAuthorization() async throws {
        try await LocalServer.withServer { baseURL, _ in
            try await withClient { client in
                var bearer = HTTPRequest(url: "\(baseURL)/echo")
                bearer.bearer("secret-token")
                let bearerEcho = try await client.execute(bearer).decode(EchoReply.self)
                #expect(bearerEcho.header("Authorization") == "Bearer secret-token")
                #expect(!bearer.description.contains("secret-token"))

                var basic = HTTPRequest(url: "\(baseURL)/echo")
                basic.bearer("replaced")
                basic.basicAuth(user: "aladdin", password: "open sesame")
                let basicEcho = try await client.execute(basic).decode(EchoReply.self)
                #expect(basicEcho.headers.filter { $0.first?.lowercased() == "authorization" }.count == 1)
                #expect(basicEcho.header("Authorization") == "Basic YWxhZGRpbjpvcGVuIHNlc2FtZQ==")
            }
        }
    }

    @Test(arguments: [404, 500])
    func errorStatusesComeBackAsResponses(status: Int) async throws {
        try await LocalServer.withServer { baseURL, _ in
            try await withClient { client in
                let response = try await client.execute(HTTPRequest(url: "\(baseURL)/status/\(status)"))
                #expect(response.status == status)
                #expect(response.bodyText == "status \(status)")
                #expect(!response.isSuccess)
            }
        }
    }

    @Test func redirectIsReturnedNotFollowed() async throws {
        try await LocalServer.withServer { baseURL, _ in
            try await withClient { client in
                let response = try await client.execute(HTTPRequest(url: "\(baseURL)/redirect"))
                #expect(response.status == 302)
                #expect(response.header("location") == "/echo")
                #expect(response.bodyText == "moved")
            }
        }
    }

    @Test func responseHeadersKeepRepeatsAndIgnoreCase() async throws {
        try await LocalServer.withServer { baseURL, _ in
            try await withClient { client in
                let response = try await client.execute(HTTPRequest(url: "\(baseURL)/headers"))
                #expect(response.headers(named: "x-multi") == ["one", "two"])
                #expect(response.header("X-MULTI") == "one")
                #expect(response.header("x-mixed-case") == "Value With Spaces")
                #expect(response.header("Content-Length") == "2")
                #expect(response.header("X-Absent") == nil)
            }
        }
    }

    @Test func retryAfterIsParsedFromSecondsAndDates() async throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        // Whole seconds: an HTTP-date has no fractions, so the expected delay is exact against `sentAt`.
        let sentAt = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let inTenSeconds = formatter.string(from: sentAt.addingTimeInterval(10))

        try await LocalServer.withServer { baseURL, _ in
            try await withClient { client in
                func retryAfter(_ value: String) async throws -> Duration? {
                    let request = HTTPRequest(
                        url: "\(baseURL)/retry-after",
                        headers: [(name: "X-Retry-After", value: value)]
                    )
                    let response = try await client.execute(request)
                    #expect(response.status == 503)
                    // Measured from the moment the header was written, so a loaded machine cannot skew it.
                    return response.retryAfter(now: sentAt)
                }
                #expect(try await retryAfter("5") == .seconds(5))
                let dated = try #require(try await retryAfter(inTenSeconds))
                #expect(dated == .seconds(10))
                #expect(try await retryAfter("soon") == nil)
                let none = try await client.execute(HTTPRequest(url: "\(baseURL)/echo"))
                #expect(none.retryAfter == nil)
            }
        }
    }

    @Test func totalTimeoutEndsASlowRequest() async throws {
        try await LocalServer.withServer { baseURL, _ in
            try await withClient { client in
                let clock = ContinuousClock()
                let start = clock.now
                let error = try await #require(throws: HTTPClientError.self) {
                    try await client.execute(HTTPRequest(url: "\(baseURL)/slow", timeout: .milliseconds(300)))
                }
                #expect(error.code == .timeout)
                #expect(clock.now - start < .milliseconds(1500))
            }
        }
    }

    @Test func cancellingTheTaskAbortsTheTransfer() async throws {
        try await LocalServer.withServer { baseURL, _ in
            try await withClient { client in
                let clock = ContinuousClock()
                let start = clock.now
                let task = Task {
                    try await client.execute(HTTPRequest(url: "\(baseURL)/slow"))
                }
                try await Task.sleep(for: .milliseconds(200))
                task.cancel()
                await #expect(throws: CancellationError.self) {
                    try await task.value
                }
                #expect(clock.now - start < .milliseconds(1800))
            }
        }
    }

    @Test func refusedConnectionIsConnectFailed() async throws {
        let port = try await LocalServer.closedPort()
        try await withClient { client in
            let error = try await #require(throws: HTTPClientError.self) {
                try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/echo?token=hidden"))
            }
            #expect(error.code == .connectFailed)
            #expect(error.url == "http://127.0.0.1:\(port)/echo")
            #expect(!error.description.contains("hidden"))
        }
    }

    @Test func tlsHandshakeWithAPlainServerIsTLSError() async throws {
        try await LocalServer.withServer { baseURL, _ in
            try await withClient { client in
                let httpsURL = baseURL.replacingOccurrences(of: "http://", with: "https://") + "/echo"
                let error = try await #require(throws: HTTPClientError.self) {
                    try await client.execute(HTTPRequest(url: httpsURL, timeout: .seconds(5)))
                }
                #expect(error.code == .tls)
            }
        }
    }

    @Test func bodiesOverTheCapAreRejected() async throws {
        try await LocalServer.withServer { baseURL, _ in
            try await withClient(.init(maxResponseBytes: 1024)) { client in
                let exact = try await client.execute(HTTPRequest(url: "\(baseURL)/big/1024"))
                #expect(exact.body.count == 1024)

                let announced = try await #require(throws: HTTPClientError.self) {
                    try await client.execute(HTTPRequest(url: "\(baseURL)/big/4096"))
                }
                #expect(announced.code == .responseTooLarge)

                let streamed = try await #require(throws: HTTPClientError.self) {
                    try await client.execute(HTTPRequest(url: "\(baseURL)/big-stream/65536"))
                }
                #expect(streamed.code == .responseTooLarge)

                // The handle is still usable after an aborted transfer.
                let after = try await client.execute(HTTPRequest(url: "\(baseURL)/big/10"))
                #expect(after.bodyText == String(repeating: "x", count: 10))
            }
        }
    }

    @Test func sequentialRequestsReuseConnections() async throws {
        try await LocalServer.withServer { baseURL, ports in
            try await withClient { client in
                for _ in 0..<20 {
                    let response = try await client.execute(HTTPRequest(url: "\(baseURL)/port"))
                    #expect(response.status == 200)
                }
                let seen = ports.seen
                #expect(seen.count == 20)
                #expect(Set(seen).count <= 2)
                let statistics = client.statistics
                #expect(statistics.requests == 20)
                #expect(statistics.connectionsOpened <= 2)
            }
        }
    }

    @Test func fiftyConcurrentRequestsAllSucceed() async throws {
        try await LocalServer.withServer { baseURL, _ in
            try await withClient { client in
                let replies = try await withThrowingTaskGroup(of: (Int, EchoReply).self) { group in
                    for index in 0..<50 {
                        group.addTask {
                            let request = HTTPRequest(
                                url: "\(baseURL)/echo",
                                headers: [(name: "X-Index", value: "\(index)")]
                            )
                            let response = try await client.execute(request)
                            #expect(response.status == 200)
                            return (index, try response.decode(EchoReply.self))
                        }
                    }
                    return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
                }
                #expect(replies.count == 50)
                for (index, reply) in replies {
                    #expect(reply.header("X-Index") == "\(index)")
                }
                #expect(client.statistics.connectionsOpened <= 16)
            }
        }
    }

    @Test func otherMethodsCarryTheirBodies() async throws {
        try await LocalServer.withServer { baseURL, _ in
            try await withClient { client in
                for method in [HTTPRequest.Method.put, .patch] {
                    let request = HTTPRequest(method: method, url: "\(baseURL)/echo", body: Array("data".utf8))
                    let echo = try await client.execute(request).decode(EchoReply.self)
                    #expect(echo.method == method.rawValue)
                    #expect(echo.body == "data")
                    #expect(echo.header("Content-Type") == "application/octet-stream")
                }
                let delete = try await client.execute(HTTPRequest(method: .delete, url: "\(baseURL)/echo"))
                #expect(try delete.decode(EchoReply.self).method == "DELETE")

                let emptyPost = try await client.execute(HTTPRequest(method: .post, url: "\(baseURL)/echo"))
                let emptyEcho = try emptyPost.decode(EchoReply.self)
                #expect(emptyEcho.body.isEmpty)
                #expect(emptyEcho.header("Content-Length") == "0")

                let head = try await client.execute(HTTPRequest(method: .head, url: "\(baseURL)/echo"))
                #expect(head.status == 200)
                #expect(head.header("X-Head") == "yes")
                #expect(head.body.isEmpty)
            }
        }
    }

    @Test func malformedRequestsFailBeforeSending() async throws {
        try await withClient { client in
            let scheme = try await #require(throws: HTTPClientError.self) {
                try await client.execute(HTTPRequest(url: "ftp://127.0.0.1/file"))
            }
            #expect(scheme.code == .invalidURL)

            let injected = try await #require(throws: HTTPClientError.self) {
                let headers = [(name: "X-Evil", value: "a\r\nX-Injected: b")]
                return try await client.execute(HTTPRequest(url: "http://127.0.0.1:9/", headers: headers))
            }
            #expect(injected.code == .invalidRequest)
        }
    }

    @Test func executeAfterShutdownThrowsShutdown() async throws {
        let client = CurlHTTPClient()
        await client.shutdown()
        await client.shutdown()
        let error = try await #require(throws: HTTPClientError.self) {
            try await client.execute(HTTPRequest(url: "http://127.0.0.1:9/"))
        }
        #expect(error.code == .shutdown)
    }
}
