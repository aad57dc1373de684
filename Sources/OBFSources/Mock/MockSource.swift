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
        let now = clock()
        let snapshots = books.withLock { books in
            var snapshots: [String: RawSnapshot] = [:]
            snapshots.reserveCapacity(assets.count)
            for asset in assets {
                var book = books[asset] ?? MockBook(asset: asset, seed: seed)
                let values = book.next(timestamp: now)
                books[asset] = book
                snapshots[asset] = .parsed(OrderBookSnapshot(
                    timestamp: values.timestamp, bidNotional: values.bid, askNotional: values.ask,
                    bidDepth: nil, askDepth: nil))
            }
            return snapshots
        }
        return SourceRead(snapshots: snapshots, clock: .wall)
    }

    /// The next synthetic snapshot of each asset as the producer's JSON document.
    public func documents(assets: [String], sequence: Int64) -> [(asset: String, json: String)] {
        let now = clock()
        return books.withLock { books in
            assets.map { asset in
                var book = books[asset] ?? MockBook(asset: asset, seed: seed)
                let values = book.next(timestamp: now)
                books[asset] = book
                return (asset, ProducerDocument.json(timestamp: values.timestamp, bid: values.bid, ask: values.ask,
                                                    sequence: sequence, asset: asset))
            }
        }
    }

    public func status() -> SourceStatus { SourceStatus(connected: true) }
    public func shutdown() async {}
}
