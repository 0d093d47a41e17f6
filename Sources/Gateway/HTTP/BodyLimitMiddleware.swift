import HTTPTypes
import Hummingbird

/// Refuses request bodies larger than the limit with 413, before any route reads them: at once when
/// `Content-Length` says so, or as soon as a streamed body passes the limit.
package struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    package let maxBytes: Int

    package init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes {
            throw GatewayHTTPError.bodyTooLarge(limit: maxBytes)
        }
        var request = request
        if request.headers[.contentLength] == nil, request.method != .get, request.method != .head {
            // A streamed body: collect it up to the limit so routes see a bounded buffer.
            do {
                let buffer = try await request.collectBody(upTo: maxBytes)
                request.body = .init(buffer: buffer)
            } catch let error as HTTPError where error.status == .contentTooLarge {
                throw GatewayHTTPError.bodyTooLarge(limit: maxBytes)
            }
        }
        return try await next(request, context)
    }
}
