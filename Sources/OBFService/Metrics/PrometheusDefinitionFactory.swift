import CoreMetrics
import Locking
import OBFMetrics
import Prometheus

/// The swift-metrics factory of the service's registry, where the modules make their metrics: each
/// gets the help text and buckets of its `MetricDefinition` (swift-prometheus's own factory writes
/// no help text, and a name registered with two help texts stops the process).
struct PrometheusDefinitionFactory: MetricDefinitionFactory {
    let registry: PrometheusCollectorRegistry
    private let definitions = Locked<[String: MetricDefinition]>([:])

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func define(_ metric: MetricDefinition) {
        definitions.withLock { $0[metric.name] = metric }
    }

    /// The definition given for `label`; a metric made without one has no help text.
    private func definition(_ label: String) -> MetricDefinition {
        definitions.withLock { $0[label] } ?? MetricDefinition(label, help: "")
    }

    /// The registry's name and help text of the metric `label` (the whole name is the definition's).
    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: definition(label).help)
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    /// A gauge, also for an aggregating recorder: the modules record no value distributions.
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let buckets = definition(label).buckets
        return registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions,
                                              buckets: buckets.isEmpty ? MetricDefinition.durationBuckets : buckets)
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
