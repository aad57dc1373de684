import OBFEngine
import OBFService
import Platform
import SnapshotSources

/// The defaults the help texts show, read from the configurations that apply them (never restated).
enum Defaults {
    static let service = ServiceConfiguration()
    static let engine = service.engine
    static let hazelcast = service.hazelcast

    /// A number as a help text shows it: a whole number without a fraction.
    static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    static let resyncSeconds = text(hazelcast.resyncInterval.seconds)
    static let stepDeadlineMs = Int(service.stepDeadline / .milliseconds(1))
    static let maxSnapshotAgeS = text(engine.maxSnapshotAge)
    static let maxClockOffsetS = text(engine.maxClockOffset)
}

extension Defaults {
    // The commands' own defaults, which no configuration type holds.
    static let logLevel = "info"
    static let probeLogLevel = "warning"
    static let probeWatchMs = 1000
    /// `--http-threads 0`: one event-loop thread per core but one.
    static let httpThreads = 0
}
