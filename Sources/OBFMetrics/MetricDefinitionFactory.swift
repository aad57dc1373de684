import CoreMetrics

/// A swift-metrics factory that is given each metric's definition before it makes the metric, so
/// that the exposition keeps the help text and buckets the swift-metrics API has no place for.
public protocol MetricDefinitionFactory: MetricsFactory {
    func define(_ metric: MetricDefinition)
}

/// The metrics of a module that no service exposes (its tests, the commands without `/metrics`).
extension NOOPMetricsHandler: MetricDefinitionFactory {
    public func define(_ metric: MetricDefinition) {}
}
