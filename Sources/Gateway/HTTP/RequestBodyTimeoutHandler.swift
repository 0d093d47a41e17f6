import Hummingbird
import NIOCore
import NIOHTTPTypes

/// Gives every request a deadline for its body: from the moment its headers are read until its body has fully
/// arrived. A client that sends headers and then stalls, or trickles the body a byte at a time (which Hummingbird's
/// idle timeout never catches, since every byte counts as activity), is answered 408 and its connection closed.
///
/// It sits in the channel pipeline after HTTP decoding. When the deadline passes it raises
/// `RequestBodyTimeout` into the request's body stream, so the route reading the body gets that error (an
/// `HTTPResponseError` with status 408), the answer goes out, and the connection ends instead of reading on.
///
/// The clock also runs while the server itself is not reading: a client that pipelines a large body behind a slow
/// request on the same connection could be timed out, since nothing more is read while the earlier one is served.
final class RequestBodyTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            startClock(context)
        case .body:
            break
        case .end:
            stopClock()
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopClock()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopClock()
    }

    private func startClock(_ context: ChannelHandlerContext) {
        stopClock()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = loopBound.value
            handler.deadline = nil
            context.fireErrorCaught(RequestBodyTimeout())
        }
    }

    private func stopClock() {
        deadline?.cancel()
        deadline = nil
    }
}

/// A request body that did not arrive within `HTTP_BODY_TIMEOUT_MS`.
package struct RequestBodyTimeout: HTTPResponseError, CustomStringConvertible {
    package var status: HTTPResponse.Status { .requestTimeout }

    package var description: String { "the request body did not arrive in time" }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try GatewayHTTPError(
            status: .requestTimeout, code: "request_timeout", message: "The request body did not arrive in time."
        ).response(from: request, context: context)
        response.headers[.connection] = "close"
        return response
    }
}

@available(*, unavailable)
extension RequestBodyTimeoutHandler: Sendable {}
