import Hummingbird
import Logging

/// One debug line per request, after it is answered: method, matched route, status and milliseconds.
///
/// It names the route (`/api/v1/learners/{id}/progress`), never the raw path or query: those carry the caller's
/// learner ids, which may be email addresses or phone numbers, and whatever else a client puts in a URL.
package struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    package init() {}

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context, status: Int(response.status.code), since: started)
            return response
        } catch let error as any HTTPResponseError {
            log(request, context, status: Int(error.status.code), since: started)
            throw error
        } catch {
            log(request, context, status: 500, since: started)
            throw error
        }
    }

    private func log(_ request: Request, _ context: Context, status: Int, since started: ContinuousClock.Instant) {
        context.logger.debug(
            "request",
            metadata: [
                "method": .string(request.method.rawValue),
                // Unmatched requests share one name (Hummingbird calls them "NotFound"): raw paths stay out.
                "route": .string(context.endpointPath.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "unmatched"),
                "status": .stringConvertible(status),
                "ms": .stringConvertible(Self.milliseconds(ContinuousClock.now - started)),
            ])
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
