import CoreMetrics
import OBFMetrics

/// What the step record's writer does, as metrics (zero without `--record-dir`).
public struct RecordMetrics: Sendable {
    static let writtenMetric = MetricDefinition("obf_record_written_bytes", help: "Bytes appended to the step record.")
    static let droppedMetric = MetricDefinition(
        "obf_record_dropped_total", help: "Answered steps missing from the step record (queue full or disk failing).")
    static let queueMetric = MetricDefinition("obf_record_queue_steps", help: "Steps waiting for the record writer.")

    /// Bytes appended to segments.
    let written: Counter
    /// Answered steps that are not in the record.
    let dropped: Counter
    /// Steps waiting for the writer.
    let queued: Gauge

    /// The writer's metrics, made by `factory` (by default, nowhere).
    public init(factory: any MetricDefinitionFactory = NOOPMetricsHandler.instance) {
        written = Self.writtenMetric.counter(factory: factory)
        dropped = Self.droppedMetric.counter(factory: factory)
        queued = Self.queueMetric.gauge(factory: factory)
    }
}
