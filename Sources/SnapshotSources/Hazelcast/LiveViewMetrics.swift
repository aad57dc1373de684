import CoreMetrics
import OBFMetrics

/// What the live view does, as metrics (zero unless the source is `--hz-read listen`).
public struct LiveViewMetrics: Sendable {
    static let eventsMetric = MetricDefinition("obf_view_events_total", help: "Entry events received by the live view.")
    /// Event lag buckets: from loopback delivery up to a producer clock far off.
    static let lagMetric = MetricDefinition(
        "obf_view_event_lag_seconds", help: "From a document's _pushed_at (else timestamp) to the arrival of its entry event.",
        buckets: [
            .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ])
    static let resyncsMetric = MetricDefinition(
        "obf_view_resyncs_total", help: "Batched reads of every asset into the live view, by reason.")
    static let correctionsMetric = MetricDefinition(
        "obf_view_corrections_total", help: "Live view entries a batched read replaced or removed.")
    static let entriesMetric = MetricDefinition("obf_view_entries", help: "Documents held by the live view.")

    let events: Counter
    let lag: CoreMetrics.Timer
    let resyncs: [LiveViewReadReason: Counter]
    let corrections: Counter
    let held: Gauge

    /// The live view's metrics, made by `factory` (by default, nowhere).
    public init(factory: any MetricDefinitionFactory = NOOPMetricsHandler.instance) {
        events = Self.eventsMetric.counter(factory: factory)
        lag = Self.lagMetric.timer(factory: factory)
        resyncs = Dictionary(uniqueKeysWithValues: LiveViewReadReason.allCases.map { reason in
            (reason, Self.resyncsMetric.counter([("reason", reason.rawValue)], factory: factory))
        })
        corrections = Self.correctionsMetric.counter(factory: factory)
        held = Self.entriesMetric.gauge(factory: factory)
    }

    /// An entry event arrived; with the seconds from its document's `_pushed_at` (else
    /// `timestamp`) to its arrival, when it had one (bounded to 0...1e9 s).
    func eventReceived(lag seconds: Double?) {
        events.increment()
        if let seconds { lag.recordNanoseconds(Int64(min(max(0, seconds), 1e9) * 1_000_000_000)) }
    }

    /// A batched read of every asset completed and corrected this many entries.
    func readCompleted(_ reason: LiveViewReadReason, corrections count: Int) {
        resyncs[reason]?.increment()
        if count > 0 { corrections.increment(by: count) }
    }

    /// The entries the view holds.
    func entries(_ count: Int) {
        held.record(count)
    }
}
