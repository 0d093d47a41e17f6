import Foundation
import Hummingbird
import Logging
import NIOCore

/// Runs a Hummingbird router on 127.0.0.1 and a free port for the duration of `body`: the base of every
/// provider stand-in.
package enum StandInServer {
    package struct DidNotStart: Error {}

    package static func run<T>(
        _ router: Router<BasicRequestContext>, _ body: (_ baseURL: String) async throws -> T
    ) async throws -> T {
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "stand-in")
        // Stopping by cancellation makes Hummingbird log an error per open connection: not worth showing.
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { portContinuation.finish() }
                try await app.run()
            }
            var ports = portStream.makeAsyncIterator()
            guard let port = await ports.next(), port > 0 else {
                group.cancelAll()
                throw DidNotStart()
            }
            defer { group.cancelAll() }
            return try await body("http://127.0.0.1:\(port)")
        }
    }
}
