import Locking
import OBFEngine

/// A source that answers each read with what a recorded step read (set before the step).
final class RecordedSource: SnapshotSource {
    let name = "record"
    private let next = Locked(SourceRead(snapshots: [:], clock: .recorded))

    /// What the coming read returns.
    func prepare(_ read: SourceRead) {
        next.withLock { $0 = read }
    }

    func read(assets: [String], bar: Int64, deadline: ContinuousClock.Instant) async -> SourceRead {
        next.withLock { $0 }
    }

    func status() -> SourceStatus { SourceStatus(connected: true) }

    func shutdown() async {}
}
