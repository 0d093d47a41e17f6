import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Postgres
import TestSupport
import Testing

@Suite struct HealthRoutesTests {
    struct Readiness: Decodable {
        let status: String
        let checks: [String: String]
    }

    @Test func healthAnswersWithoutTouchingTheStores() async throws {
        // Stores that do not exist: /health must still answer, it only says the process is up.
        let dependencies = try GatewayTestHarness.dependencies(
            schema: nil, ["DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", "REDIS_URL": "redis://127.0.0.1:1/0"])
        try await buildApplication(dependencies: dependencies).test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
            }
        }
        await GatewayTestHarness.close(dependencies)
    }

    @Test func readyOnceMigrated() async throws {
        let schema = try await TestSchema.create()
        let dependencies = try GatewayTestHarness.dependencies(schema: schema)
        let app = buildApplication(dependencies: dependencies)
        try await app.test(.router) { client in
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = try JSONDecoder().decode(Readiness.self, from: Data(String(buffer: response.body).utf8))
                #expect(body.status == "not_ready")
                #expect(body.checks["postgres"] == "ok")
                #expect(body.checks["redis"] == "ok")
                #expect(body.checks["migrations"]?.contains("pending") == true)
            }
            try await dependencies.migrator.migrate()
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .ok)
                let body = try JSONDecoder().decode(Readiness.self, from: Data(String(buffer: response.body).utf8))
                #expect(body.status == "ready")
                #expect(body.checks == ["postgres": "ok", "redis": "ok", "migrations": "ok"])
            }
        }
        await GatewayTestHarness.close(dependencies)
        await schema.drop()
    }

    @Test func notReadyWhenStoresAreUnreachableAndSaysNothingInternal() async throws {
        let dependencies = try GatewayTestHarness.dependencies(
            schema: nil, ["DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", "REDIS_URL": "redis://127.0.0.1:1/0"])
        try await buildApplication(dependencies: dependencies).test(.router) { client in
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let text = String(buffer: response.body)
                let body = try JSONDecoder().decode(Readiness.self, from: Data(text.utf8))
                #expect(body.checks["postgres"] == "unreachable")
                #expect(body.checks["redis"] == "unreachable")
                #expect(!text.contains("127.0.0.1"))
                #expect(!text.lowercased().contains("connection refused"))
            }
        }
        await GatewayTestHarness.close(dependencies)
    }

    @Test func metricsExposeRequestCountsInPrometheusText() async throws {
        let dependencies = try GatewayTestHarness.dependencies(schema: nil)
        try await buildApplication(dependencies: dependencies).test(.router) { client in
            for _ in 0..<3 { try await client.execute(uri: "/health", method: .get) { _ in } }
            try await client.execute(uri: "/no-such-route", method: .get) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                let text = String(buffer: response.body)
                #expect(text.contains(#"http_requests_total{method="GET",route="/health",status="200"} 3"#))
                #expect(text.contains(#"route="unmatched",status="404""#))
                #expect(text.contains("http_request_duration_seconds_bucket"))
            }
        }
        await GatewayTestHarness.close(dependencies)
    }

    @Test func oversizedBodyIsRefusedWith413() async throws {
        let dependencies = try GatewayTestHarness.dependencies(schema: nil, ["MAX_BODY_BYTES": "2048"])
        try await buildApplication(dependencies: dependencies).test(.router) { client in
            let big = ByteBuffer(repeating: UInt8(ascii: "x"), count: 4096)
            try await client.execute(uri: "/health", method: .post, body: big) { response in
                #expect(response.status == .contentTooLarge)
                #expect(String(buffer: response.body).contains("body_too_large"))
                #expect(response.headers[.init("X-Request-Id")!] != nil)
            }
            let small = ByteBuffer(repeating: UInt8(ascii: "x"), count: 1024)
            try await client.execute(uri: "/health", method: .post, body: small) { response in
                // Within the limit the request reaches routing (no POST /health route: 404).
                #expect(response.status == .notFound)
            }
        }
        await GatewayTestHarness.close(dependencies)
    }

    @Test func everyResponseCarriesARequestIDThatAppearsInTheLogs() async throws {
        let sink = MemoryLogSink()
        let dependencies = try GatewayTestHarness.dependencies(schema: nil, sink: sink)
        try await buildApplication(dependencies: dependencies).test(.router) { client in
            try await client.execute(uri: "/health", method: .get, headers: [.init("X-Request-Id")!: "abc-123.X_y"]) {
                response in
                #expect(response.headers[.init("X-Request-Id")!] == "abc-123.X_y")
            }
            try await client.execute(
                uri: "/health", method: .get, headers: [.init("X-Request-Id")!: "bad id\",\"level\":\"x"]
            ) { response in
                let id = try #require(response.headers[.init("X-Request-Id")!])
                #expect(!id.contains(" "))
                #expect(!id.isEmpty)
            }
        }
        let lines = sink.captured.filter { $0.contains("/health") }
        #expect(lines.contains { $0.contains(#""request_id":"abc-123.X_y""#) })
        #expect(lines.allSatisfy { $0.hasPrefix("{") && $0.contains(#""request_id":"#) })
        #expect(!sink.captured.contains { $0.contains(#""level":"x""#) })
        await GatewayTestHarness.close(dependencies)
    }
}
