import Foundation
import Hazelcast
import Locking
import OBFEngine

/// The newest document of every asset as entry events and batched reads delivered it, held in
/// memory so that a step reads no network at all (`--hz-read listen`).
///
/// Every entry remembers the connection that delivered (or, for a read, covered) it. A step
/// serves an entry only while that connection still covers the entry's partition: the owning
/// member is connected and the listener is registered there. A lost connection drops what it
/// delivered, so nothing received before a gap is served after it unless a later event or read
/// confirmed it.
final class LiveView: Sendable {
    /// Entries beyond this many are not added (the map holds one key per asset of the producer).
    static let capacity = 20_000

    struct Entry: Sendable {
        var snapshot: RawSnapshot
        var provenance: SnapshotProvenance
        /// The snapshot's own timestamp, when it is valid.
        var timestamp: Double?
        var partition: Int
        /// The connection that vouches for the entry; nil when none covered it when it was read.
        var connection: Int?
        /// Monotonic time it arrived.
        var receivedAt: UInt64
        /// Whether an entry event delivered it (it arrived at `receivedAt`); else a batched read
        /// found it already in the map (it arrived no later than `receivedAt`).
        var delivered: Bool

        /// Whether `other` is a newer document than this one: by `_push_seq` when both have one,
        /// else by `timestamp`; a document that cannot be ordered replaces this one.
        func isOlder(than other: Entry) -> Bool {
            if let mine = provenance.pushSequence, let theirs = other.provenance.pushSequence { return mine < theirs }
            if let mine = timestamp, let theirs = other.timestamp { return mine < theirs }
            return true
        }

        /// Whether it is the same document as `other` (by sequence and timestamp).
        func isSameDocument(as other: Entry) -> Bool {
            provenance.pushSequence == other.provenance.pushSequence && timestamp == other.timestamp
                && snapshot == other.snapshot
        }
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Registrations acknowledged so far; a fill started before the newest one does not
        /// complete the view.
        var registrations = 0
        var filledThroughRegistration = 0
        var fillsCompleted = 0
        var droppedForCapacity = false
    }

    private let state = Locked(State())

    /// A map value as the engine takes it (the producer's JSON decoded into a snapshot, or why
    /// it could not be), with what the producer says of it and the snapshot's timestamp.
    static func decode(_ value: HazelcastData) -> (snapshot: RawSnapshot, provenance: SnapshotProvenance, timestamp: Double?) {
        guard let utf8 = try? value.textBytes().utf8 else { return (.decoded(.failure(.badEncoding)), SnapshotProvenance(), nil) }
        let (result, provenance) = utf8.withUnsafeBufferPointer { SnapshotDecoder.decodeWithProvenance($0) }
        let timestamp = try? result.get().timestamp
        return (.decoded(result), provenance, timestamp)
    }

    /// The asset a map key names (`asset_{SYMBOL}_ob`), nil for any other key.
    static func asset(ofKey key: HazelcastData) -> String? {
        guard let text = try? key.decodeText().text, text.hasPrefix("asset_"), text.hasSuffix("_ob") else { return nil }
        // Exactly the key a step would read (`HazelcastSnapshotSource.key(for:)`).
        let symbol = String(text.dropFirst(6).dropLast(3))
        return AssetSymbol.isValid(symbol) ? symbol : nil
    }

    // MARK: Events

    /// Applies one entry event; returns the lag (seconds from the producer's write, or the
    /// snapshot's timestamp, to now) of a document it stored.
    @discardableResult
    func apply(_ event: EntryEvent, connection: Int, wallNow: Double, monotonicNow: UInt64) -> Double? {
        guard let key = event.key, let asset = Self.asset(ofKey: key) else { return nil }
        let removal: EntryEventFlags = [.removed, .evicted, .expired]
        guard removal.isDisjoint(with: event.type) else {
            state.withLock { _ = $0.entries.removeValue(forKey: asset) }
            return nil
        }
        guard let value = event.value else { return nil }
        let (snapshot, provenance, timestamp) = Self.decode(value)
        let entry = Entry(snapshot: snapshot, provenance: provenance, timestamp: timestamp,
                          partition: Int(event.partitionId), connection: connection, receivedAt: monotonicNow,
                          delivered: true)
        // Events of one key arrive in order: the newest event is the current value.
        let stored = state.withLock { state -> Bool in
            guard state.entries[asset] != nil || state.entries.count < Self.capacity else {
                state.droppedForCapacity = true
                return false
            }
            state.entries[asset] = entry
            return true
        }
        guard stored, let written = provenance.pushedAt ?? timestamp else { return nil }
        return wallNow - written
    }

    /// The listener's registration on a connection was acknowledged: a refill is due.
    func registered() {
        state.withLock { $0.registrations += 1 }
    }

    /// A connection closed: what it delivered can no longer be vouched for.
    func connectionLost(_ connection: Int) {
        state.withLock { state in
            state.entries = state.entries.filter { $0.value.connection != connection }
        }
    }

    // MARK: Batched reads

    /// The registrations seen so far (taken when a read starts).
    var registrationCount: Int { state.withLock { $0.registrations } }

    /// Merges a batched read of `assets` (the values found, by asset) that started at
    /// `startedAt` under `coverage`: per asset the newer document wins; an asset the map no
    /// longer holds is dropped unless an event delivered it after the read began. Returns the
    /// entries corrected (replaced by a newer document, or dropped). The view counts as filled
    /// only after such a read under complete coverage.
    func merge(read assets: [(asset: String, partition: Int)], found: [String: HazelcastData],
               coverage: EntryListenerCoverage, startedAt: UInt64, registrationsAtStart: Int) -> Int {
        var incoming: [String: Entry] = [:]
        incoming.reserveCapacity(found.count)
        for (asset, partition) in assets {
            guard let value = found[asset] else { continue }
            let (snapshot, provenance, timestamp) = Self.decode(value)
            incoming[asset] = Entry(snapshot: snapshot, provenance: provenance, timestamp: timestamp, partition: partition,
                                    connection: coverage.connection(forPartition: partition), receivedAt: startedAt,
                                    delivered: false)
        }
        return state.withLock { state -> Int in
            var corrected = 0
            for (asset, _) in assets {
                let current = state.entries[asset]
                guard let read = incoming[asset] else {
                    if let current, current.receivedAt < startedAt {
                        state.entries[asset] = nil
                        corrected += 1
                    }
                    continue
                }
                guard let current else {
                    if state.entries.count < Self.capacity { state.entries[asset] = read } else { state.droppedForCapacity = true }
                    continue
                }
                if current.receivedAt >= startedAt && !current.isOlder(than: read) { continue }
                if current.isSameDocument(as: read) {
                    // Confirmed: now vouched for by the connection covering it.
                    if current.connection != read.connection { state.entries[asset]?.connection = read.connection }
                    continue
                }
                if current.isOlder(than: read) {
                    state.entries[asset] = read
                    corrected += 1
                }
            }
            // Only a read under full coverage fills the view: what it found for a partition
            // nobody covered is held but not served until an event or a later read vouches for it.
            if coverage.isComplete {
                state.fillsCompleted += 1
                state.filledThroughRegistration = max(state.filledThroughRegistration, registrationsAtStart)
            }
            return corrected
        }
    }

    // MARK: Steps

    /// The documents of `assets` that `coverage` still vouches for, with when they arrived; the
    /// others are missing.
    func read(assets: [String], coverage: EntryListenerCoverage) -> SourceRead {
        state.withLock { state in
            var read = SourceRead(snapshots: [:])
            read.snapshots.reserveCapacity(assets.count)
            read.arrivals.reserveCapacity(assets.count)
            for asset in assets {
                guard let entry = state.entries[asset], let connection = entry.connection,
                      coverage.connection(forPartition: entry.partition) == connection else { continue }
                read.snapshots[asset] = entry.snapshot
                read.arrivals[asset] = SnapshotArrival(at: entry.receivedAt, exact: entry.delivered)
            }
            return read
        }
    }

    /// What the producer said of the document the view holds for `asset` (nil when it holds none).
    func provenance(of asset: String) -> SnapshotProvenance? {
        state.withLock { $0.entries[asset]?.provenance }
    }

    /// Entries held, whether a fill completed after the newest registration, and whether the
    /// capacity has ever turned an asset away.
    var summary: (entries: Int, filled: Bool, full: Bool) {
        state.withLock { state in
            (state.entries.count, state.fillsCompleted > 0 && state.filledThroughRegistration >= state.registrations,
             state.droppedForCapacity)
        }
    }
}
