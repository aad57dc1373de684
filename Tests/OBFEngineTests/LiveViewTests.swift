import Foundation
import Hazelcast
import OBFEngine
@testable import SnapshotSources
import Testing

/// The live view's rules, without a network: which document wins, what a lost connection
/// takes away, and what a step may be served.
@Suite("Live view rules")
struct LiveViewTests {
    static let partitions = 4
    static func covered(by connection: Int?) -> EntryListenerCoverage {
        EntryListenerCoverage(connections: Array(repeating: connection, count: partitions))
    }

    static func document(sequence: Int64?, timestamp: Double = 1_700_000_000) -> HazelcastData {
        var text = ProducerDocument.json(timestamp: timestamp, bid: [100, 90], ask: [80, 70], sequence: sequence ?? 0)
        if sequence == nil { text = text.replacingOccurrences(of: ", \"_push_seq\": 0", with: "") }
        return HazelcastData(string: text)
    }

    static func event(_ asset: String, _ type: EntryEventFlags, _ value: HazelcastData?) -> EntryEvent {
        EntryEvent(type: type, key: HazelcastSnapshotSource.mapKey(for: asset), value: value, partitionId: 1)
    }

    @Test func eventsReplaceRemovalsDropAndOtherKeysAreIgnored() {
        let view = LiveView()
        view.apply(Self.event("BTCUSDT", .added, Self.document(sequence: 5)), connection: 1, wallNow: 0, monotonicNow: 1)
        view.apply(Self.event("BTCUSDT", .updated, Self.document(sequence: 3)), connection: 1, wallNow: 0, monotonicNow: 2)
        // Events arrive in order per key: the newest event is current, whatever its sequence.
        #expect(view.provenance(of: "BTCUSDT")?.pushSequence == 3)
        view.apply(EntryEvent(type: .added, key: HazelcastData(string: "state_v"), value: HazelcastData(string: "1")),
                   connection: 1, wallNow: 0, monotonicNow: 3)
        #expect(view.summary.entries == 1)
        view.apply(Self.event("BTCUSDT", .removed, nil), connection: 1, wallNow: 0, monotonicNow: 4)
        #expect(view.provenance(of: "BTCUSDT") == nil)
    }

    @Test func theLagIsMeasuredFromPushedAt() throws {
        let view = LiveView()
        let lag = view.apply(Self.event("BTCUSDT", .added, Self.document(sequence: 1, timestamp: 1000)),
                             connection: 1, wallNow: 1000.25, monotonicNow: 1)
        #expect(abs(try #require(lag) - 0.25) < 1e-6)
    }

    @Test func aStepLearnsWhenEachDocumentArrived() {
        let view = LiveView()
        view.apply(Self.event("BTCUSDT", .added, Self.document(sequence: 1)), connection: 1, wallNow: 0, monotonicNow: 7)
        _ = view.merge(read: [("ETHUSDT", 1)], found: ["ETHUSDT": Self.document(sequence: 1)],
                       coverage: Self.covered(by: 1), startedAt: 9, registrationsAtStart: 0)
        let read = view.read(assets: ["BTCUSDT", "ETHUSDT"], coverage: Self.covered(by: 1))
        // An event dates its push; a read only bounds it (it was already in the map).
        #expect(read.arrivals["BTCUSDT"] == SnapshotArrival(at: 7, exact: true))
        #expect(read.arrivals["ETHUSDT"] == SnapshotArrival(at: 9, exact: false))
    }

    @Test func onlyTheCoveringConnectionsDocumentsAreServed() {
        let view = LiveView()
        view.apply(Self.event("BTCUSDT", .added, Self.document(sequence: 1)), connection: 1, wallNow: 0, monotonicNow: 1)
        #expect(view.read(assets: ["BTCUSDT"], coverage: Self.covered(by: 1)).snapshots.count == 1)
        #expect(view.read(assets: ["BTCUSDT"], coverage: Self.covered(by: 2)).snapshots.isEmpty, "another connection covers it now")
        #expect(view.read(assets: ["BTCUSDT"], coverage: Self.covered(by: nil)).snapshots.isEmpty, "nobody covers it")
        view.connectionLost(1)
        #expect(view.provenance(of: "BTCUSDT") == nil)
    }

    @Test func aReadKeepsTheNewerDocumentAndCountsCorrections() {
        let view = LiveView()
        let assets = [("BTCUSDT", 1), ("ETHUSDT", 1), ("SOLUSDT", 1), ("BNBUSDT", 1)]
        for (asset, _) in assets {
            view.apply(Self.event(asset, .added, Self.document(sequence: 5)), connection: 1, wallNow: 0, monotonicNow: 10)
        }
        view.registered()
        let corrected = view.merge(read: assets, found: [
            "BTCUSDT": Self.document(sequence: 7),   // newer in the map: a lost event
            "ETHUSDT": Self.document(sequence: 5),   // the same document
            "SOLUSDT": Self.document(sequence: 4),   // older in the map: the view's is kept
        ], coverage: Self.covered(by: 1), startedAt: 20, registrationsAtStart: 1)   // BNBUSDT: removed from the map
        #expect(corrected == 2)
        #expect(view.provenance(of: "BTCUSDT")?.pushSequence == 7)
        #expect(view.provenance(of: "ETHUSDT")?.pushSequence == 5)
        #expect(view.provenance(of: "SOLUSDT")?.pushSequence == 5)
        #expect(view.provenance(of: "BNBUSDT") == nil)
        #expect(view.summary.filled)
    }

    @Test func withoutSequencesTheTimestampOrders() {
        let view = LiveView()
        view.apply(Self.event("BTCUSDT", .added, Self.document(sequence: nil, timestamp: 100)), connection: 1, wallNow: 0,
                   monotonicNow: 1)
        _ = view.merge(read: [("BTCUSDT", 1)], found: ["BTCUSDT": Self.document(sequence: nil, timestamp: 200)],
                       coverage: Self.covered(by: 1), startedAt: 5, registrationsAtStart: 0)
        let read = view.read(assets: ["BTCUSDT"], coverage: Self.covered(by: 1)).snapshots
        guard case .decoded(.success(let snapshot)) = read["BTCUSDT"] else {
            Issue.record("no snapshot served: \(read)")
            return
        }
        #expect(snapshot.timestamp == 200)
    }

    @Test func anEventThatArrivedDuringTheReadWins() {
        let view = LiveView()
        view.apply(Self.event("BTCUSDT", .added, Self.document(sequence: 9)), connection: 1, wallNow: 0, monotonicNow: 30)
        // The read began at 20, before the event; its older document must not replace it, and a
        // key it did not find (removed and written again meanwhile) is not dropped.
        _ = view.merge(read: [("BTCUSDT", 1), ("ETHUSDT", 1)], found: ["BTCUSDT": Self.document(sequence: 8)],
                       coverage: Self.covered(by: 1), startedAt: 20, registrationsAtStart: 0)
        #expect(view.provenance(of: "BTCUSDT")?.pushSequence == 9)
        view.apply(Self.event("ETHUSDT", .added, Self.document(sequence: 1)), connection: 1, wallNow: 0, monotonicNow: 40)
        _ = view.merge(read: [("ETHUSDT", 1)], found: [:], coverage: Self.covered(by: 1), startedAt: 35, registrationsAtStart: 0)
        #expect(view.provenance(of: "ETHUSDT")?.pushSequence == 1)
    }

    @Test func aReadUnderIncompleteCoverageDoesNotFillTheView() {
        let view = LiveView()
        view.registered()
        var partial = Array(repeating: Optional(1), count: Self.partitions)
        partial[3] = nil
        _ = view.merge(read: [("BTCUSDT", 3)], found: ["BTCUSDT": Self.document(sequence: 1)],
                       coverage: EntryListenerCoverage(connections: partial), startedAt: 1, registrationsAtStart: 1)
        #expect(!view.summary.filled)
        // Held, but vouched for by nobody: not served.
        #expect(view.read(assets: ["BTCUSDT"], coverage: Self.covered(by: 1)).snapshots.isEmpty)
        // A later read under full coverage confirms it.
        _ = view.merge(read: [("BTCUSDT", 3)], found: ["BTCUSDT": Self.document(sequence: 1)],
                       coverage: Self.covered(by: 1), startedAt: 2, registrationsAtStart: 1)
        #expect(view.summary.filled)
        #expect(view.read(assets: ["BTCUSDT"], coverage: Self.covered(by: 1)).snapshots.count == 1)
    }
}
