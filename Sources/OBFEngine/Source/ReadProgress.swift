import Locking

/// What a source has read so far in the current step. A source that reads asset by asset
/// records each snapshot here as it arrives; if its read has not returned by the step's
/// deadline, the engine goes on with what was recorded — an asset read before the deadline
/// counts even when the rest of the read overruns.
public final class ReadProgress: Sendable {
    private let read: Locked<SourceRead>

    public init(clock: StalenessClock = .wall) {
        read = Locked(SourceRead(snapshots: [:], clock: clock))
    }

    /// Records the snapshot of `asset` (a later one for the same asset replaces it).
    public func record(_ snapshot: RawSnapshot, for asset: String) {
        read.withLock { $0.snapshots[asset] = snapshot }
    }

    /// Everything recorded so far.
    public var current: SourceRead {
        read.withLock { $0 }
    }
}
