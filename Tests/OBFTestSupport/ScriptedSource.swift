import Foundation
import OBFEngine
import Locking

/// A source whose answers a test sets: documents per asset (served until replaced; a live book
/// is stamped anew at each read),
/// a connection state, and an optional delay before answering, or a hold until the test releases
/// it. Assets marked late are read only after the delay or the hold; the others are recorded as
/// read at once (in the step's progress).
public final class ScriptedSource: SnapshotSource {
    public let name = "scripted"
    private struct State {
        var documents: [String: RawSnapshot] = [:]
        /// Books stamped at each read (live books), rather than with a fixed timestamp.
        var live: Set<String> = []
        var connected = true
        var delay: Duration = .zero
        var late: Set<String> = []
        var held = false
        var reads = 0
    }
    private let state = Locked(State())

    public init() {}

    /// Sets what the next reads return for `asset` (`nil`: missing).
    public func set(_ asset: String, _ snapshot: RawSnapshot?) {
        state.withLock { state in
            state.documents[asset] = snapshot
            state.live.remove(asset)
        }
    }

    /// Sets a valid book for `asset`, stamped `timestamp`; without one, the book is live: stamped
    /// at every read, so a slow (loaded) test never sees it turn stale.
    public func setBook(_ asset: String, bid: [Double], ask: [Double], timestamp: Double? = nil) {
        set(asset, .parsed(OrderBookSnapshot(timestamp: timestamp ?? Date().timeIntervalSince1970,
                                             bidNotional: bid, askNotional: ask)))
        if timestamp == nil { state.withLock { _ = $0.live.insert(asset) } }
    }

    public func removeAll() { state.withLock { $0.documents.removeAll() } }
    public func setConnected(_ connected: Bool) { state.withLock { $0.connected = connected } }
    public func setDelay(_ delay: Duration) { state.withLock { $0.delay = delay } }
    /// Marks assets whose snapshots arrive only after the delay (the others are read at once).
    public func setLate(_ assets: Set<String>) { state.withLock { $0.late = assets } }
    public var readCount: Int { state.withLock { $0.reads } }
    /// Reads from now on wait for `release()` (or their cancellation, at the step's deadline)
    /// before they answer: a slow read that ends when the test says so, not after a time.
    public func hold() { state.withLock { $0.held = true } }
    /// Lets the held reads answer, and the later ones at once.
    public func release() { state.withLock { $0.held = false } }
    private var isHeld: Bool { state.withLock { $0.held } }

    public func read(assets: [String], bar: Int64, deadline: ContinuousClock.Instant) async -> SourceRead {
        await read(assets: assets, bar: bar, deadline: deadline, progress: ReadProgress())
    }

    public func read(assets: [String], bar: Int64, deadline: ContinuousClock.Instant, progress: ReadProgress) async -> SourceRead {
        let (documents, delay, late) = state.withLock { state in
            state.reads += 1
            var documents = state.documents.filter { assets.contains($0.key) }
            let now = Date().timeIntervalSince1970
            for asset in state.live {
                if case .parsed(var book)? = documents[asset] {
                    book.timestamp = now
                    documents[asset] = .parsed(book)
                }
            }
            return (documents, state.delay, state.late)
        }
        for (asset, snapshot) in documents where !late.contains(asset) { progress.record(snapshot, for: asset) }
        do {
            if delay > .zero { try await Task.sleep(for: delay) }
            while isHeld { try await Task.sleep(for: .milliseconds(5)) }
        } catch {
            // Cancelled: the late assets were never read.
            return SourceRead(snapshots: documents.filter { !late.contains($0.key) })
        }
        // A whole read: the assets it has no document for are absent.
        return SourceRead(snapshots: documents, absent: Set(assets.filter { documents[$0] == nil }))
    }

    public func status() -> SourceStatus {
        state.withLock { SourceStatus(connected: $0.connected, detail: $0.connected ? nil : "scripted outage") }
    }

    public func shutdown() async {}
}
