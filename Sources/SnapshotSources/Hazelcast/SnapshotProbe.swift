import Foundation
import Hazelcast
import OBFEngine
import Platform

/// What `obf probe` found for one asset.
public struct ProbeFinding: Sendable, Equatable {
    public var asset: String
    /// What a step would make of the asset's snapshot.
    public var verdict: SnapshotOutcome
    /// The snapshot's age as the service judges it (features.md §1: the producer's own lag plus
    /// the time since its push arrived, never trusting the producer's clock), when it is valid.
    public var ageSeconds: Double?
    /// Seconds since the snapshot's timestamp by this host's clock (what the age would be if
    /// the producer's clock were right), when it is valid.
    public var clockAgeSeconds: Double?
    /// The producer's clock minus this host's, as measured from the pushes seen arriving while
    /// the probe watched; nil when none arrived (a dead or slow producer, or no `_pushed_at`).
    public var clockOffsetSeconds: Double?
    /// The invalid reason, or nothing.
    public var detail: String?

    public init(asset: String, verdict: SnapshotOutcome, ageSeconds: Double? = nil, clockAgeSeconds: Double? = nil,
                clockOffsetSeconds: Double? = nil, detail: String? = nil) {
        self.asset = asset
        self.verdict = verdict
        self.ageSeconds = ageSeconds
        self.clockAgeSeconds = clockAgeSeconds
        self.clockOffsetSeconds = clockOffsetSeconds
        self.detail = detail
    }
}

/// The operator's check: for each asset, is there a snapshot, how old is it, is it valid.
///
/// It judges as the service does in fetch mode (`SnapshotJudge`, `ProducerClocks`): it reads
/// the map, watches for `watch`, and reads it again; a push that arrived between the reads
/// measures its producer's clock offset, and every book is dated as a service step would date
/// it (a book whose push was not seen arriving through its producer's offset, else the median
/// of the others').
public enum SnapshotProbe {
    public static func run(client: HazelcastClient, map: String, assets: [String], maxAge: Double,
                           watch: Duration = .seconds(1), timeout: Duration = .seconds(5)) async throws -> [ProbeFinding] {
        let keys = assets.map(HazelcastSnapshotSource.mapKey(for:))
        var clocks = ProducerClocks()
        let slots = Array(assets.indices).map { Optional($0) }
        let arrivals = [SnapshotArrival?](repeating: nil, count: assets.count)
        let covered = [Bool](repeating: true, count: assets.count)
        var rounds = watch > .zero ? 2 : 1
        while true {
            let started = Double(MonotonicTime.nanoseconds()) / 1e9
            let values = try await client.getAllValues(map: map, keys: keys, timeout: timeout)
            let finished = Double(MonotonicTime.nanoseconds()) / 1e9
            let documents = values.map(document)
            var snapshots: [String: RawSnapshot] = [:]
            for (asset, document) in zip(assets, documents) {
                if let document { snapshots[asset] = .decoded(document.decoded) }
            }
            let times = ProducerClocks.ReadTimes(started: started, finished: finished, monotonicNow: finished,
                                                 wallNow: Date().timeIntervalSince1970)
            let judgement = SnapshotJudge.judge(SourceRead(snapshots: snapshots), assets: assets, maxAge: maxAge) { valid in
                clocks.judge(valid, slots: slots, arrivals: arrivals, covered: covered, times: times).ages
            }
            rounds -= 1
            if rounds == 0 {
                return assets.indices.map { index in
                    finding(asset: assets[index], document: documents[index], outcome: judgement.verdicts[index].outcome,
                            age: judgement.assetAges[index], offset: clocks.offset(slot: index), now: times.wallNow)
                }
            }
            try await Task.sleep(for: watch)
        }
    }

    /// A map value decoded, with what the probe says of it beside the verdict: why it is
    /// invalid, or that it is a `HazelcastJsonValue`.
    struct Document {
        var decoded: Result<OrderBookSnapshot, InvalidSnapshotReason>
        var detail: String?
    }

    /// The asset's value decoded; nil when it has none.
    static func document(_ value: HazelcastData?) -> Document? {
        guard let value else { return nil }
        let text: (kind: HazelcastText.Kind, utf8: ArraySlice<UInt8>)
        do {
            text = try value.textBytes()
        } catch {
            return Document(decoded: .failure(.badEncoding), detail: "\(error)")
        }
        let decoded = text.utf8.withUnsafeBufferPointer { SnapshotDecoder.decode($0) }
        switch decoded {
        case .failure(let reason): return Document(decoded: decoded, detail: reason.rawValue)
        case .success: return Document(decoded: decoded, detail: text.kind == .jsonValue ? "HazelcastJsonValue" : nil)
        }
    }

    static func finding(asset: String, document: Document?, outcome: SnapshotOutcome, age: Double?, offset: Double?,
                        now: Double) -> ProbeFinding {
        guard let document, case .success(let snapshot) = document.decoded else {
            return ProbeFinding(asset: asset, verdict: outcome, detail: document?.detail)
        }
        return ProbeFinding(asset: asset, verdict: outcome, ageSeconds: age ?? now - snapshot.timestamp,
                            clockAgeSeconds: now - snapshot.timestamp,
                            clockOffsetSeconds: snapshot.provenance.pushedAt == nil ? nil : offset,
                            detail: document.detail)
    }
}
