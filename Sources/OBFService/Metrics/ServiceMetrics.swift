import Foundation
import OBFEngine
import OBFHTTP
import OBFMetrics
import OBFRecord
import OBFReplication
import SnapshotSources
import Prometheus
import Locking
import Platform

/// Every metric of the service contract, registered once at start-up with fixed names: the
/// service's own here, the modules' (live view, replication, record) made by each module through
/// the registry's `PrometheusDefinitionFactory`.
public final class ServiceMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    let steps: Counter
    let stepDuration: DurationHistogram
    let snapshots: [SnapshotOutcome: Counter]
    let emptyStreak: Gauge
    let lastStepBar: Gauge
    let lastStepTimestamp: Gauge
    let retainedBars: Gauge
    let sourceConnected: Gauge
    let sourceReconnects: Counter
    let sourceReadDuration: DurationHistogram
    let httpConnections: Gauge
    /// Completed TLS handshakes: index 0 full, 1 resumed.
    let tlsHandshakes: [Counter]
    /// TLS connections closed before any request, by reason.
    let tlsRefusals: [TLSRefusal: Counter]
    let residentMemory: Gauge
    let openFileDescriptors: Gauge
    /// The producers' clock offsets over the last step's books, by `stat` (min, median, max).
    let clockOffsets: [(stat: String, gauge: Gauge)]
    let snapshotAge: DurationHistogram
    /// What a `--hz-read listen` source's live view does; zero in every other mode.
    public let liveView: LiveViewMetrics
    /// What the state replica (`--state-map`) does; zero without one.
    public let replication: ReplicationMetrics
    /// What the step record (`--record-dir`) does; zero without one.
    public let record: RecordMetrics
    private let reportedReconnects = Locked<Int>(0)
    private let httpCounters = Locked<[HTTPCounterKey: Counter]>([:])
    /// One histogram per route template, all registered at start (a scrape shows them at once).
    private let httpDurations: [String: DurationHistogram]

    struct HTTPCounterKey: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    /// Judged book ages: from a producer 100 ms behind to a book long dead (the default age limit is 10 s).
    static let ageBuckets: [Duration] = [
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2),
        .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300), .seconds(3600),
    ]

    static let durationBuckets = MetricDefinition.durationBuckets

    public init() {
        func name(_ metric: String, _ unit: String = "", _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "obf", metricName: metric, unitName: unit, helpText: help)
        }
        steps = registry.makeCounter(descriptor: name("steps", "total", "New steps computed."))
        stepDuration = registry.makeDurationHistogram(
            descriptor: name("step_duration", "seconds", "Wall time of a step, source read included."),
            buckets: Self.durationBuckets)
        let snapshotName = name("snapshots", "total", "Snapshots per step by result.")
        var snapshots: [SnapshotOutcome: Counter] = [:]
        for outcome in SnapshotOutcome.allCases {
            snapshots[outcome] = registry.makeCounter(descriptor: snapshotName, labels: [("result", outcome.rawValue)])
        }
        self.snapshots = snapshots
        emptyStreak = registry.makeGauge(descriptor: name("empty_streak", "", "Consecutive steps without any usable snapshot."))
        lastStepBar = registry.makeGauge(descriptor: name("last_step", "bar", "Bar of the last step."))
        lastStepTimestamp = registry.makeGauge(
            descriptor: name("last_step_timestamp", "seconds", "Unix time when the last step finished."))
        retainedBars = registry.makeGauge(descriptor: name("retained", "bars", "Bars held in the caches."))
        sourceConnected = registry.makeGauge(descriptor: name("source", "connected", "Whether the snapshot source is connected (1) or not (0)."))
        sourceReconnects = registry.makeCounter(
            descriptor: name("source_reconnects", "total", "Reconnections of the snapshot source after a loss."))
        sourceReadDuration = registry.makeDurationHistogram(
            descriptor: name("source_read_duration", "seconds", "Time of one batched source read."),
            buckets: Self.durationBuckets)
        httpConnections = registry.makeGauge(descriptor: name("http", "connections", "Open HTTP connections."))
        let handshakeName = name("tls_handshakes", "total", "Completed TLS handshakes of the API, full or resumed.")
        tlsHandshakes = [registry.makeCounter(descriptor: handshakeName, labels: [("resumed", "false")]),
                         registry.makeCounter(descriptor: handshakeName, labels: [("resumed", "true")])]
        let refusalName = name("tls_refused_connections", "total",
                               "TLS connections of the API closed before any request, by reason.")
        var tlsRefusals: [TLSRefusal: Counter] = [:]
        for reason in TLSRefusal.allCases {
            tlsRefusals[reason] = registry.makeCounter(descriptor: refusalName, labels: [("reason", reason.rawValue)])
        }
        self.tlsRefusals = tlsRefusals
        residentMemory = registry.makeGauge(descriptor: MetricNameDescriptor(
            metricName: "process_resident_memory", unitName: "bytes", helpText: "Resident memory size in bytes."))
        openFileDescriptors = registry.makeGauge(descriptor: MetricNameDescriptor(
            metricName: "process_open", unitName: "fds", helpText: "Number of open file descriptors."))
        let offsetName = name("snapshot_clock_offset", "seconds",
                              "Producer clock minus the service's, over the last step's books carrying _pushed_at.")
        clockOffsets = [("min", registry.makeGauge(descriptor: offsetName, labels: [("stat", "min")])),
                        ("median", registry.makeGauge(descriptor: offsetName, labels: [("stat", "median")])),
                        ("max", registry.makeGauge(descriptor: offsetName, labels: [("stat", "max")]))]
        for (_, gauge) in clockOffsets { gauge.set(to: .nan) }   // nothing measured yet
        snapshotAge = registry.makeDurationHistogram(
            descriptor: name("snapshot_age", "seconds", "Age of each valid book as judged, by the service's clock."),
            buckets: Self.ageBuckets)
        let factory = PrometheusDefinitionFactory(registry: registry)
        liveView = LiveViewMetrics(factory: factory)
        replication = ReplicationMetrics(factory: factory)
        record = RecordMetrics(factory: factory)
        let registry = self.registry
        httpDurations = Dictionary(uniqueKeysWithValues: APIRoutes.table.templates.map { route in
            (route, registry.makeDurationHistogram(
                descriptor: name("http_request_duration", "seconds", "HTTP handling time by route template."),
                labels: [("route", route)], buckets: Self.durationBuckets))
        })
    }

    /// Records one finished step.
    func record(_ observation: PublishedStep) {
        steps.increment()
        stepDuration.record(.nanoseconds(Int64(observation.report.durationMs * 1_000_000)))
        sourceReadDuration.record(.nanoseconds(Int64(observation.readSeconds * 1_000_000_000)))
        for (outcome, count) in observation.outcomes { snapshots[outcome]?.increment(by: Int64(count)) }
        emptyStreak.set(to: Double(observation.report.emptyStreak))
        lastStepBar.set(to: Double(observation.report.bar))
        lastStepTimestamp.set(to: observation.answeredAt)
        retainedBars.set(to: Double(observation.retainedBars))
        record(clock: observation.clock, ages: observation.ages)
    }

    /// The offset gauges follow the last step (NaN when none of its books had an estimate);
    /// every judged age goes into the histogram.
    func record(clock: ClockObservation, ages: [Double?]) {
        let offsets = clock.offsets
        let stats = [offsets.min(), ClockObservation.median(offsets), offsets.max()]
        for ((_, gauge), value) in zip(clockOffsets, stats) { gauge.set(to: value ?? .nan) }
        for case let age? in ages { snapshotAge.record(.nanoseconds(Int64(min(max(0, age), 1e9) * 1_000_000_000))) }
    }

    /// Mirrors the source's connection state.
    func record(source status: SourceStatus) {
        sourceConnected.set(to: status.connected ? 1 : 0)
        let delta = reportedReconnects.withLock { reported -> Int in
            let delta = status.reconnects - reported
            reported = max(reported, status.reconnects)
            return delta
        }
        if delta > 0 { sourceReconnects.increment(by: Int64(delta)) }
    }

    /// The methods counted under their own name (`-`: a request the server refused before
    /// reading its method); any other token a client sends is counted as `other`, so clients
    /// cannot create label values (series) without bound.
    static let countedMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "-"]

    /// Counts one HTTP response under its route template.
    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        let method = Self.countedMethods.contains(method) ? method : "other"
        let key = HTTPCounterKey(route: route, method: method, status: status)
        let counter = httpCounters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "obf", metricName: "http_requests", unitName: "total",
                                                 helpText: "HTTP responses by route template, method and status."),
                labels: [("route", route), ("method", method), ("status", String(status))])
            counters[key] = counter
            return counter
        }
        counter.increment()
        httpDurations[route]?.record(duration)
    }

    /// The exposition text, with the process gauges refreshed first (read from `/proc` off the pool).
    func render() async -> [UInt8] {
        let process = await BlockingQueue.shared.run { ProcessStats.read() }
        residentMemory.set(to: Double(process.residentBytes))
        openFileDescriptors.set(to: Double(process.openFileDescriptors))
        var buffer: [UInt8] = []
        buffer.reserveCapacity(8 * 1024)
        registry.emit(into: &buffer)
        return buffer
    }
}
