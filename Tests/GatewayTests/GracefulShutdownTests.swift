import Foundation
import Gateway
import HTTPClient
import Hummingbird
import Logging
import NIOCore
import Postgres
import ServiceLifecycle
import TestSupport
import Testing

@Suite struct GracefulShutdownTests {
    /// The server stops first, then the pools close: after shutdown the app's run returns and the pools
    /// refuse work.
    @Test func gracefulShutdownStopsTheServerThenClosesThePools() async throws {
        let schema = try await TestSchema.create()
        let dependencies = try GatewayTestHarness.dependencies(schema: schema)
        let (addresses, addressContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = buildApplication(dependencies: dependencies) { address in
            addressContinuation.yield(address?.port ?? 0)
        }
        let group = ServiceGroup(
            configuration: .init(services: [app], gracefulShutdownSignals: [], logger: TestEnvironment.logger))
        let client = CurlHTTPClient()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = addresses.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let response = try await client.execute(HTTPClient.HTTPRequest(url: "http://127.0.0.1:\(port)/health"))
            #expect(response.status == 200)
            try await dependencies.postgres.query("SELECT 1")

            await group.triggerGracefulShutdown()
            try await tasks.next()

            let refused = await #expect(throws: HTTPClientError.self) {
                try await client.execute(
                    HTTPClient.HTTPRequest(url: "http://127.0.0.1:\(port)/health", timeout: .seconds(2)))
            }
            #expect(refused?.code == .connectFailed)
        }
        let closed = try await #require(throws: PostgresError.self) {
            try await dependencies.postgres.query("SELECT 1")
        }
        #expect(closed.code == .poolClosed)
        await client.shutdown()
        await dependencies.httpClient.shutdown()
        await schema.drop()
    }

    /// The real executable, sent SIGTERM while serving, exits 0 after saying it stopped.
    @Test func executableExitsCleanlyOnSIGTERM() async throws {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("gateway")
        try #require(
            FileManager.default.isExecutableFile(atPath: executable.path),
            "build the gateway executable first (swift build --build-tests builds it)")
        let port = try freePort()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["serve", "--env-file", "/nonexistent/.env"]
        process.environment = GatewayTestHarness.environment(schema: nil, ["PORT": String(port), "LOG_FORMAT": "text"])
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()

        let client = CurlHTTPClient()
        var healthy = false
        for _ in 0..<100 where !healthy {
            try await Task.sleep(for: .milliseconds(100))
            healthy =
                (try? await client.execute(HTTPClient.HTTPRequest(url: "http://127.0.0.1:\(port)/health")))?.status
                == 200
        }
        await client.shutdown()
        #expect(healthy, "the gateway never answered /health")

        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<100 where process.isRunning {
            try await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning { process.terminate() }
        try handle.close()
        let log = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        #expect(!process.isRunning, "the gateway did not exit within 10 s of SIGTERM")
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        #expect(log.contains("gateway stopped"), "log: \(log)")
    }

    @Test func executableRefusesAMissingSettingWithExitCode78() async throws {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("gateway")
        try #require(FileManager.default.isExecutableFile(atPath: executable.path))
        let process = Process()
        process.executableURL = executable
        process.arguments = ["migrate", "--env-file", "/nonexistent/.env"]
        process.environment = ["REDIS_URL": "redis://127.0.0.1:6379/0", "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 78)
        #expect(message.contains("DATABASE_URL is not set"))
    }

    private func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        try #require(ok)
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
