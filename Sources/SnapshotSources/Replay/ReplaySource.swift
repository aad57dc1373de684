import OBFEngine

/// Serves recorded snapshots: a step for bar N gets, per asset, the newest line with
/// `bar ≤ N`, and ages are judged against the newest timestamp served in that step.
public struct ReplaySource: SnapshotSource {
    public let name = "replay"
    public let file: ReplayFile

    public init(file: ReplayFile) {
        self.file = file
    }

    public func read(assets: [String], bar: Int64, deadline: ContinuousClock.Instant) async -> SourceRead {
        var snapshots: [String: RawSnapshot] = [:]
        for asset in assets {
            if let entry = file.documents[asset]?.newest(atOrBelow: bar) { snapshots[asset] = .decoded(entry.value.snapshot) }
        }
        return SourceRead(snapshots: snapshots, clock: .newestSnapshot)
    }

    public func status() -> SourceStatus { SourceStatus(connected: true) }
    public func shutdown() async {}
}
