import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Postgres
import TestSupport
import Testing

/// Oversized bodies get 413 on every route, and slow clients cannot hold a connection: a body that stalls or
/// trickles gets 408 and the connection closes; a connection whose headers never complete is closed at the idle
/// timeout. The slow-client tests use a raw socket against the live server, since only the real connection
/// pipeline has these clocks.
@Suite struct RequestLimitsTests {
    static let routes: [(HTTPRequest.Method, String)] = [
        (.post, "/slack/events"), (.post, "/slack/commands"), (.post, "/slack/interactions"), (.post, "/twilio/sms"),
        (.post, "/twilio/status"), (.post, "/api/v1/agent/chat"), (.post, "/api/v1/agent/start-lesson"),
        (.post, "/api/v1/agent/submit-answer"), (.get, "/api/v1/agent/learning-path/emp-1"),
        (.get, "/api/v1/learners/emp-1/progress"), (.get, "/health"), (.get, "/ready"), (.get, "/metrics"),
        (.post, "/no/such/route"),
    ]

    static let settings = [
        "MAX_BODY_BYTES": "2048", "SLACK_SIGNING_SECRET": SlackWebhookTests.secret,
        "TWILIO_AUTH_TOKEN": TwilioWebhookTests.token, "PUBLIC_BASE_URL": TwilioWebhookTests.publicBase,
        "GATEWAY_API_KEYS": AgentAPITests.key, "HTTP_BODY_TIMEOUT_MS": "600", "HTTP_IDLE_TIMEOUT_MS": "1500",
    ]

    static func withLiveGateway(_ body: @Sendable (Int, GatewayDependencies) async throws -> Void) async throws {
        let schema = try await TestSchema.create()
        let dependencies = try GatewayTestHarness.dependencies(schema: schema, Self.settings)
        try await dependencies.migrator.migrate()
        try await buildApplication(dependencies: dependencies, roles: [.web]).test(.live) { client in
            try await body(try #require(client.port), dependencies)
        }
        await GatewayTestHarness.close(dependencies)
        await schema.drop()
    }

    static func storedCount(_ dependencies: GatewayDependencies) async throws -> Int {
        try await dependencies.postgres.query("SELECT count(*) AS n FROM inbound_events")[0].decode(Int.self, "n")
    }

    // MARK: - 413

    @Test func everyRouteRefusesAnOversizedBodyWith413() async throws {
        try await Self.withLiveGateway { port, dependencies in
            let big = String(repeating: "x", count: 4096)
            for (method, path) in Self.routes {
                // Declared with Content-Length: refused before a byte of the body is read.
                let declared = try RawHTTPConnection(port: port)
                declared.send(
                    "\(method.rawValue) \(path) HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                        + "X-Slack-Request-Timestamp: 1\r\nX-Slack-Signature: v0=00\r\n"
                        + "Content-Length: \(big.utf8.count)\r\n\r\n" + big)
                let answer = declared.readResponse(within: .seconds(3))
                #expect(answer.hasPrefix("HTTP/1.1 413"), "\(method) \(path): \(answer.prefix(80))")
                #expect(answer.contains("body_too_large"), "\(method) \(path)")
                #expect(answer.lowercased().contains("x-request-id"), "\(method) \(path)")
            }
            for (method, path) in Self.routes where method == .post {
                // Streamed in chunks with no length: refused as soon as it passes the limit.
                let streamed = try RawHTTPConnection(port: port)
                streamed.send(
                    "POST \(path) HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n")
                for _ in 0..<3 { streamed.send("800\r\n" + String(repeating: "y", count: 2048) + "\r\n") }
                streamed.send("0\r\n\r\n")
                let answer = streamed.readResponse(within: .seconds(3))
                #expect(answer.hasPrefix("HTTP/1.1 413"), "chunked \(path): \(answer.prefix(80))")
            }
            #expect(try await Self.storedCount(dependencies) == 0)
        }
    }

    @Test func aSignedSlackEventOverTheLimitIs413AndNotStored() async throws {
        try await SlackWebhookTests.withGateway(["MAX_BODY_BYTES": "2048"]) { client, dependencies in
            let body = try HostileInputTests.dmEvent(id: "Ev0BIG", user: "U0A", text: String(repeating: "z", count: 4096))
            try await client.execute(
                uri: "/slack/events", method: .post, headers: SlackWebhookTests.signedHeaders(body),
                body: ByteBuffer(bytes: body)
            ) { response in
                #expect(response.status == .contentTooLarge)
            }
            #expect(try await SlackWebhookTests.storedEvents(dependencies).isEmpty)
        }
    }

    // MARK: - Slow clients

    @Test func aBodyThatTricklesGets408AndTheConnectionCloses() async throws {
        try await Self.withLiveGateway { port, dependencies in
            let body = try HostileInputTests.dmEvent(id: "Ev0SLOW", user: "U0SLOW", text: "slow")
            let headers = SlackWebhookTests.signedHeaders(body)
            let connection = try RawHTTPConnection(port: port)
            var head = "POST /slack/events HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n"
            for field in headers { head += "\(field.name.rawName): \(field.value)\r\n" }
            connection.send(head + "\r\n")
            let started = ContinuousClock.now
            // One byte every 100 ms would take the whole body some 20 s; each byte is activity, so only the body
            // deadline can stop it.
            var answer: [UInt8] = []
            var closed = false
            for byte in body where !closed {
                guard connection.send([byte]) else { break }
                let (bytes, isClosed) = connection.read(for: .milliseconds(100))
                answer += bytes
                closed = isClosed
            }
            let rest = connection.read(for: .seconds(2))
            answer += rest.bytes
            let elapsed = ContinuousClock.now - started
            let text = String(decoding: answer, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 408"), "\(text.prefix(120))")
            #expect(text.contains("request_timeout"))
            #expect(closed || rest.closed, "the connection stayed open")
            #expect(elapsed < .seconds(5), "took \(elapsed)")
            #expect(try await Self.storedCount(dependencies) == 0)
        }
    }

    @Test func headersThenSilenceGets408() async throws {
        try await Self.withLiveGateway { port, _ in
            for (path, framing) in [
                ("/api/v1/agent/chat", "Content-Length: 50\r\n"), ("/twilio/sms", "Transfer-Encoding: chunked\r\n"),
            ] {
                let connection = try RawHTTPConnection(port: port)
                let started = ContinuousClock.now
                connection.send("POST \(path) HTTP/1.1\r\nHost: t\r\nX-API-Key: \(AgentAPITests.key)\r\n\(framing)\r\n")
                let (text, closed) = connection.readUntilClosed(within: .seconds(4))
                #expect(text.hasPrefix("HTTP/1.1 408"), "\(path): \(text.prefix(120))")
                #expect(closed, "\(path)")
                #expect(ContinuousClock.now - started < .seconds(3))
            }
        }
    }

    @Test func headersThatNeverCompleteAreClosedAtTheIdleTimeout() async throws {
        try await Self.withLiveGateway { port, _ in
            let connection = try RawHTTPConnection(port: port)
            let started = ContinuousClock.now
            connection.send("POST /slack/events HTTP/1.1\r\nHost: t\r\n")
            // A header byte every 200 ms: the headers never end.
            var closed = false
            for byte in Array("X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".utf8) where !closed {
                guard connection.send([byte]) else {
                    closed = true
                    break
                }
                closed = connection.read(for: .milliseconds(200)).closed
            }
            #expect(closed, "the connection stayed open")
            let elapsed = ContinuousClock.now - started
            #expect(elapsed >= .milliseconds(1400) && elapsed < .seconds(4), "closed after \(elapsed)")
        }
    }

    @Test func aPromptClientKeepsItsConnectionAcrossRequests() async throws {
        try await Self.withLiveGateway { port, _ in
            let connection = try RawHTTPConnection(port: port)
            for _ in 0..<3 {
                connection.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(connection.readResponse(within: .seconds(2)).hasPrefix("HTTP/1.1 200"))
            }
            // A body that arrives in time, in two pieces, is read.
            let json = #"{"learner_id":"emp-1","message":"hello"}"#
            connection.send(
                "POST /api/v1/agent/chat HTTP/1.1\r\nHost: t\r\nX-API-Key: \(AgentAPITests.key)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\n\r\n" + json.prefix(10))
            try await Task.sleep(for: .milliseconds(200))
            connection.send(String(json.dropFirst(10)))
            let text = connection.readResponse(within: .seconds(5))
            #expect(!text.contains("408"))
            #expect(text.hasPrefix("HTTP/1.1 "))
            // Left idle, the connection is closed at the idle timeout.
            #expect(connection.read(for: .seconds(3)).closed)
        }
    }
}
