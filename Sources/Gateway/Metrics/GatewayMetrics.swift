import Metrics
import Prometheus

/// The gateway's metrics registry and the factory that records into it. Owned by the application (not the
/// process-wide `MetricsSystem`), so that every application built in one process has its own numbers.
package struct GatewayMetrics: Sendable {
    package let registry: PrometheusCollectorRegistry
    package let factory: PrometheusMetricsFactory
    /// The worst daily-lesson lateness since the last metrics snapshot.
    package let latenessWindow = LatenessWindow()

    package init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        self.factory = factory
    }

    /// A counter recorded into this registry.
    package func counter(_ label: String, _ dimensions: [(String, String)] = []) -> Metrics.Counter {
        Counter(label: label, dimensions: dimensions, factory: factory)
    }

    /// A timer (histogram of durations) recorded into this registry.
    package func timer(_ label: String, _ dimensions: [(String, String)] = []) -> Metrics.Timer {
        Metrics.Timer(
            label: label, dimensions: dimensions, handler: factory.makeTimer(label: label, dimensions: dimensions),
            factory: factory)
    }

    /// A gauge recorded into this registry.
    package func gauge(_ label: String, _ dimensions: [(String, String)] = []) -> Metrics.Gauge {
        Gauge(label: label, dimensions: dimensions, factory: factory)
    }

    /// How late daily lessons went out: due time to the provider's acceptance, from 100 ms to an hour.
    package func lessonLateness() -> DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                metricName: "scheduler_lateness", unitName: "seconds",
                helpText: "Seconds from a daily lesson's due time to the provider accepting it"),
            buckets: [
                .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
                .seconds(10), .seconds(30), .seconds(60), .seconds(300), .seconds(900), .seconds(3600),
            ])
    }

    /// Every metric in Prometheus's text exposition format.
    package func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}
