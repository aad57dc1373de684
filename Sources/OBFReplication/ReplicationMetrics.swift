import CoreMetrics
import OBFMetrics

/// What a `GridStateReplica` does, as metrics (zero without `--state-map`).
public struct ReplicationMetrics: Sendable {
    static let connectedMetric = MetricDefinition(
        "obf_replication_connected", help: "Whether the state map answered the last replication call (1) or not (0).")
    static let behindMetric = MetricDefinition(
        "obf_replication_behind", help: "1 while this replica holds answered steps the state map does not.")
    static let commitsMetric = MetricDefinition(
        "obf_replication_commits_total", help: "Steps (and whole states) written to the state map.")
    static let conflictsMetric = MetricDefinition(
        "obf_replication_conflicts_total", help: "Writes refused because another replica's state was newer.")
    static let takeoversMetric = MetricDefinition(
        "obf_replication_takeovers_total", help: "States taken over from the state map (written by another replica).")
    static let writesMetric = MetricDefinition(
        "obf_replication_write_duration_seconds", help: "Time to write one step to the state map.",
        buckets: MetricDefinition.durationBuckets)

    let connected: Gauge
    let behind: Gauge
    let commits: Counter
    let conflicts: Counter
    let takeovers: Counter
    let writes: CoreMetrics.Timer

    /// The replica's metrics, made by `factory` (by default, nowhere).
    public init(factory: any MetricDefinitionFactory = NOOPMetricsHandler.instance) {
        connected = Self.connectedMetric.gauge(factory: factory)
        behind = Self.behindMetric.gauge(factory: factory)
        commits = Self.commitsMetric.counter(factory: factory)
        conflicts = Self.conflictsMetric.counter(factory: factory)
        takeovers = Self.takeoversMetric.counter(factory: factory)
        writes = Self.writesMetric.timer(factory: factory)
    }
}
