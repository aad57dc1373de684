import CoreMetrics

/// One metric as the exposition shows it: its name, its `# HELP` text and, for a timer, its
/// histogram buckets. Each module declares its own beside the code that updates them.
public struct MetricDefinition: Sendable {
    public let name: String
    public let help: String
    /// The histogram buckets of a timer; empty for a counter or a gauge.
    public let buckets: [Duration]

    public init(_ name: String, help: String, buckets: [Duration] = []) {
        self.name = name
        self.help = help
        self.buckets = buckets
    }

    /// The buckets of timed calls (steps, reads, writes, HTTP handling): 100 µs to 1 s.
    public static let durationBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1),
    ]
}

extension MetricDefinition {
    /// This metric as a counter made by `factory`, which is given the definition first.
    public func counter(_ dimensions: [(String, String)] = [], factory: any MetricDefinitionFactory) -> Counter {
        factory.define(self)
        return Counter(label: name, dimensions: dimensions, factory: factory)
    }

    /// This metric as a gauge made by `factory`, which is given the definition first.
    public func gauge(_ dimensions: [(String, String)] = [], factory: any MetricDefinitionFactory) -> Gauge {
        factory.define(self)
        return Gauge(label: name, dimensions: dimensions, factory: factory)
    }

    /// This metric as a timer (a histogram of `buckets`) made by `factory`, which is given the definition first.
    public func timer(_ dimensions: [(String, String)] = [], factory: any MetricDefinitionFactory) -> CoreMetrics.Timer {
        factory.define(self)
        return CoreMetrics.Timer(label: name, dimensions: dimensions, factory: factory)
    }
}
