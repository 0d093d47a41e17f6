import Logging
import Metrics
import Prometheus

/// The scheduler's view of what the dispatchers did with daily lessons (outbox kind `daily_lesson`): sent and
/// how late, retried, dead. A dead lesson is logged as `daily lesson dead letter` at error level, to alert on.
package struct DailyLessonOutcomes: Sendable {
    package static let kind = "daily_lesson"
    /// A lesson sent later than this after its due time counts as late.
    package static let lateAfter = 60.0

    let metrics: GatewayMetrics
    let logger: Logger
    let lateness: DurationHistogram

    package init(metrics: GatewayMetrics, logger: Logger) {
        self.metrics = metrics
        self.logger = logger
        self.lateness = metrics.lessonLateness()
    }

    /// The provider accepted a daily lesson `seconds` after it was due (nil: not a daily lesson).
    func sent(lateBy seconds: Double?, channel: String) {
        guard let seconds else { return }
        metrics.counter("scheduler_lessons_sent_total", [("channel", channel)]).increment()
        lateness.record(.milliseconds(Int64(max(0, seconds) * 1000)))
        metrics.latenessWindow.record(seconds)
        if seconds > Self.lateAfter {
            metrics.counter("scheduler_lessons_late_total", [("channel", channel)]).increment()
        }
    }

    func retried(_ envelope: OutboundEnvelope) {
        guard envelope.kind == Self.kind else { return }
        metrics.counter("scheduler_lessons_retried_total", [("channel", envelope.channel)]).increment()
    }

    /// The lesson will not go out: retries ran out, the provider refused it, or the learner's day ended.
    func dead(_ envelope: OutboundEnvelope, code: String) {
        guard envelope.kind == Self.kind else { return }
        metrics.counter("scheduler_lessons_dead_total", [("channel", envelope.channel)]).increment()
        logger.error(
            "daily lesson dead letter",
            metadata: [
                "outbound_id": "\(envelope.id)", "channel": "\(envelope.channel)", "attempts": "\(envelope.attempts)",
                "error": "\(code)",
            ])
    }
}
