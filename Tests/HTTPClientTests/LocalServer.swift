import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// What the local server tells the client about the request it received.
struct EchoReply: Codable, ResponseEncodable {
    var method: String
    /// `[name, value]` pairs in the order received.
    var headers: [[String]]
    var body: String
    var remotePort: Int?

    func header(_ name: String) -> String? {
        self.headers.first { $0.first?.lowercased() == name.lowercased() }?.last
    }
}

/// Form fields as the server's own `URLEncodedFormDecoder` decodes them.
struct FormFields: Codable, ResponseEncodable {
    var text: String
    var symbols: String
    var unicode: String
}

/// The client ports the server has seen, one entry per request.
final class ClientPortRecorder: Sendable {
    private let ports = Mutex<[Int]>([])

    func record(_ port: Int?) {
        if let port {
            self.ports.withLock { $0.append(port) }
        }
    }

    var seen: [Int] {
        self.ports.withLock { $0 }
    }
}

/// Request context that remembers the client's port, so tests can tell reused connections from new ones.
struct RecordingRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let remotePort: Int?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remotePort = source.channel.remoteAddress?.port
    }
}

enum LocalServerError: Error {
    case didNotStart
}

/// A Hummingbird server on 127.0.0.1 and a port the system picks, with routes that echo and misbehave on
/// demand. It runs only for the duration of `withServer`'s body.
enum LocalServer {
    /// Runs `body` with the server's base URL (`http://127.0.0.1:PORT`) and its port recorder.
    static func withServer<T>(
        _ body: (_ baseURL: String, _ ports: ClientPortRecorder) async throws -> T
    ) async throws -> T {
        let recorder = ClientPortRecorder()
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "local-test-server")
        // The server is stopped by cancelling it, which HummingbirdCore logs as an error for every open
        // connection; only failures worse than that are worth showing in test output.
        logger.logLevel = .critical
        let app = Application(
            router: self.makeRouter(recorder),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // If the server fails to start, this ends the wait for its port.
                defer { portContinuation.finish() }
                try await app.run()
            }
            var ports = portStream.makeAsyncIterator()
            guard let port = await ports.next(), port > 0 else {
                group.cancelAll()
                throw LocalServerError.didNotStart
            }
            defer { group.cancelAll() }
            return try await body("http://127.0.0.1:\(port)", recorder)
        }
    }

    /// A port on 127.0.0.1 that was just listening and now is not: connecting to it is refused.
    static func closedPort() async throws -> Int {
        let url = try await self.withServer { baseURL, _ in baseURL }
        guard let port = url.split(separator: ":").last.flatMap({ Int($0) }) else {
            throw LocalServerError.didNotStart
        }
        return port
    }

    private static func makeRouter(_ recorder: ClientPortRecorder) -> Router<RecordingRequestContext> {
        let router = Router(context: RecordingRequestContext.self)

        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            router.on("/echo", method: method) { request, context -> EchoReply in
                recorder.record(context.remotePort)
                var request = request
                let body = try await request.collectBody(upTo: 1 << 20)
                return EchoReply(
                    method: request.method.rawValue,
                    headers: request.headers.map { [$0.name.rawName, $0.value] },
                    body: String(buffer: body),
                    remotePort: context.remotePort
                )
            }
        }
        router.head("/echo") { _, _ in
            Response(status: .ok, headers: [.init("X-Head")!: "yes"])
        }
        router.get("/port") { _, context -> String in
            recorder.record(context.remotePort)
            return "\(context.remotePort ?? -1)"
        }
        router.post("/form") { request, _ -> FormFields in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            return try URLEncodedFormDecoder().decode(FormFields.self, from: String(buffer: body))
        }
        router.get("/status/{code}") { _, context -> Response in
            let code = try context.parameters.require("code", as: Int.self)
            return Response(status: .init(code: code), body: .init(byteBuffer: ByteBuffer(string: "status \(code)")))
        }
        router.get("/redirect") { _, _ -> Response in
            Response(
                status: .found,
                headers: [.location: "/echo"],
                body: .init(byteBuffer: ByteBuffer(string: "moved"))
            )
        }
        router.get("/headers") { _, _ -> Response in
            var headers = HTTPFields()
            headers[values: .init("X-Multi")!] = ["one", "two"]
            headers[.init("X-Mixed-Case")!] = "Value With Spaces"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "ok")))
        }
        router.get("/retry-after") { request, _ -> Response in
            // The value to send back arrives in a header, as HTTP-dates do not fit a path.
            let value = request.headers[.init("X-Retry-After")!] ?? ""
            return Response(status: .serviceUnavailable, headers: [.retryAfter: value])
        }
        router.get("/slow") { _, _ -> String in
            try await Task.sleep(for: .seconds(2))
            return "finally"
        }
        router.get("/big/{bytes}") { _, context -> Response in
            let bytes = try context.parameters.require("bytes", as: Int.self)
            let body = ByteBuffer(repeating: UInt8(ascii: "x"), count: bytes)
            return Response(status: .ok, body: .init(byteBuffer: body))
        }
        router.get("/big-stream/{bytes}") { _, context -> Response in
            // No Content-Length: only the client's running count can stop this one.
            let bytes = try context.parameters.require("bytes", as: Int.self)
            return Response(
                status: .ok,
                body: ResponseBody { writer in
                    var remaining = bytes
                    while remaining > 0 {
                        let count = min(remaining, 4096)
                        try await writer.write(ByteBuffer(repeating: UInt8(ascii: "y"), count: count))
                        remaining -= count
                    }
                    try await writer.finish(nil)
                }
            )
        }
        return router
    }
}
