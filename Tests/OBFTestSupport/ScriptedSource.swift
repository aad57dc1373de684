import Foundation
import OBFEngine
import Locking

/// A source whose answers a test sets: documents per asset (served until replaced),
/// a connection state, and an optional delay before answering.
public final class ScriptedSource: SnapshotSource {
    public let name = "scripted"
    private struct State {
        var documents: [String: RawSnapshot] = [:]
        var connected = true
        var delay: Duration = .zero
        var reads = 0
    }
    private let state = Locked(State())

    public init() {}

    /// Sets what the next reads return for `asset` (`nil`: missing).
    public func set(_ asset: String, _ snapshot: RawSnapshot?) {
        state.withLock { $0.documents[asset] = snapshot }
    }

    /// Sets a valid book for `asset`, stamped `timestamp` (default: now).
    public func setBook(_ asset: String, bid: [Double], ask: [Double], timestamp: Double = Date().timeIntervalSince1970) {
        set(asset, .parsed(OrderBookSnapshot(timestamp: timestamp, bidNotional: bid, askNotional: ask)))
    }

    public func removeAll() { state.withLock { $0.documents.removeAll() } }
    public func setConnected(_ connected: Bool) { state.withLock { $0.connected = connected } }
    public func setDelay(_ delay: Duration) { state.withLock { $0.delay = delay } }
    public var readCount: Int { state.withLock { $0.reads } }

    public func read(assets: [String], bar: Int64, deadline: ContinuousClock.Instant) async -> SourceRead {
        let (documents, delay) = state.withLock { state in
            state.reads += 1
            return (state.documents, state.delay)
        }
        if delay > .zero { try? await Task.sleep(for: delay) }
        return SourceRead(snapshots: documents.filter { assets.contains($0.key) })
    }

    public func status() -> SourceStatus {
        state.withLock { SourceStatus(connected: $0.connected, detail: $0.connected ? nil : "scripted outage") }
    }

    public func shutdown() async {}
}
