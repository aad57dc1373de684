import Foundation
import OBFEngine
import Locking

/// The embedded default source: a seeded, deterministic synthetic book per asset,
/// advanced one observation per read, stamped with the wall clock.
public final class MockSource: SnapshotSource {
    public let name = "mock"
    private let seed: UInt64
    private let books = Locked<[String: MockBook]>([:])
    private let clock: @Sendable () -> Double

    public init(seed: UInt64, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.seed = seed
        self.clock = clock
    }

    public func read(assets: [String], bar: Int64, deadline: ContinuousClock.Instant) async -> SourceRead {
        var snapshots: [String: RawSnapshot] = [:]
        snapshots.reserveCapacity(assets.count)
        for (asset, values) in zip(assets, advance(assets)) {
            snapshots[asset] = .parsed(OrderBookSnapshot(
                timestamp: values.timestamp, bidNotional: values.bid, askNotional: values.ask, bidDepth: nil, askDepth: nil))
        }
        return SourceRead(snapshots: snapshots, clock: .wall)
    }

    /// The next synthetic snapshot of each asset as the producer's JSON document.
    public func documents(assets: [String], sequence: Int64) -> [(asset: String, json: String)] {
        zip(assets, advance(assets)).map { asset, values in
            (asset, ProducerDocument.json(timestamp: values.timestamp, bid: values.bid, ask: values.ask,
                                          sequence: sequence, asset: asset))
        }
    }

    /// Advances each asset's book by one observation stamped with the clock's time (a repeated
    /// asset advances twice, as two reads would).
    private func advance(_ assets: [String]) -> [OrderBookSnapshotValues] {
        let now = clock()
        return books.withLock { books in
            assets.map { asset in
                var book = books[asset] ?? MockBook(asset: asset, seed: seed)
                defer { books[asset] = book }
                return book.next(timestamp: now)
            }
        }
    }

    public func status() -> SourceStatus { SourceStatus(connected: true) }
    public func shutdown() async {}
}
