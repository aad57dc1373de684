import Foundation
import HazelcastClient
import OBFEngine
import Platform

/// What `obf probe` found for one asset.
public struct ProbeFinding: Sendable, Equatable {
    public enum Verdict: String, Sendable {
        case ok, missing, stale, invalid
    }

    public var asset: String
    public var verdict: Verdict
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

    public init(asset: String, verdict: Verdict, ageSeconds: Double? = nil, clockAgeSeconds: Double? = nil,
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
/// It judges age as the service does in fetch mode: it reads the map, watches for `watch`, and
/// reads it again; a push that arrived between the reads measures its producer's clock offset,
/// and every book is dated as a service step would date it (a book whose push was not seen
/// arriving through its producer's offset, else the median of the others').
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
            let decoded = values.map(decode)
            let books = decoded.map { try? $0?.get().snapshot }
            let times = ProducerClocks.ReadTimes(started: started, finished: finished, monotonicNow: finished,
                                                 wallNow: Date().timeIntervalSince1970)
            let judged = clocks.judge(books, slots: slots, arrivals: arrivals, covered: covered, times: times)
            rounds -= 1
            if rounds == 0 {
                return assets.indices.map { index in
                    finding(asset: assets[index], decoded: decoded[index], age: judged.ages[index],
                            offset: clocks.offset(slot: index), maxAge: maxAge, now: times.wallNow)
                }
            }
            try await Task.sleep(for: watch)
        }
    }

    /// A map value decoded; nil when the asset has none.
    typealias Decoded = Result<(snapshot: OrderBookSnapshot, kind: HazelcastText.Kind), ProbeError>?

    struct ProbeError: Error {
        var detail: String
    }

    static func decode(_ value: HazelcastData?) -> Decoded {
        guard let value else { return nil }
        let text: (kind: HazelcastText.Kind, utf8: ArraySlice<UInt8>)
        do {
            text = try value.textBytes()
        } catch {
            return .failure(ProbeError(detail: "\(error)"))
        }
        switch text.utf8.withUnsafeBufferPointer({ SnapshotDecoder.decode($0) }) {
        case .failure(let reason): return .failure(ProbeError(detail: reason.rawValue))
        case .success(let snapshot): return .success((snapshot, text.kind))
        }
    }

    static func finding(asset: String, decoded: Decoded, age: Double?, offset: Double?, maxAge: Double,
                        now: Double) -> ProbeFinding {
        switch decoded {
        case nil:
            return ProbeFinding(asset: asset, verdict: .missing)
        case .failure(let error)?:
            return ProbeFinding(asset: asset, verdict: .invalid, detail: error.detail)
        case .success(let book)?:
            let age = age ?? now - book.snapshot.timestamp
            return ProbeFinding(asset: asset, verdict: age > maxAge ? .stale : .ok, ageSeconds: age,
                                clockAgeSeconds: now - book.snapshot.timestamp,
                                clockOffsetSeconds: book.snapshot.provenance.pushedAt == nil ? nil : offset,
                                detail: book.kind == .jsonValue ? "HazelcastJsonValue" : nil)
        }
    }
}
