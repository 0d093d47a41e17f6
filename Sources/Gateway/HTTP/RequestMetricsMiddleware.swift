import Hummingbird
import Metrics

/// Counts requests and times them by method, matched route (not the raw path, which would make unbounded
/// label values) and status.
package struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: GatewayMetrics

    package init(metrics: GatewayMetrics) {
        self.metrics = metrics
    }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context: context, status: Int(response.status.code), since: started)
            return response
        } catch let error as any HTTPResponseError {
            record(request, context: context, status: Int(error.status.code), since: started)
            throw error
        } catch {
            record(request, context: context, status: 500, since: started)
            throw error
        }
    }

    private func record(_ request: Request, context: Context, status: Int, since started: ContinuousClock.Instant) {
        let dimensions = [
            ("method", request.method.rawValue),
            // Unmatched requests share one label (Hummingbird names them "NotFound"): raw paths are unbounded.
            ("route", context.endpointPath.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "unmatched"),
            ("status", String(status)),
        ]
        metrics.counter("http_requests_total", dimensions).increment()
        metrics.timer("http_request_duration_seconds", Array(dimensions.prefix(2))).recordInterval(since: started)
    }
}

extension Metrics.Timer {
    func recordInterval(since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let (seconds, attoseconds) = elapsed.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
