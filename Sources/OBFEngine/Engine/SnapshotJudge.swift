/// Decides, per requested asset, whether its snapshot is used, and if not why:
/// missing, invalid (with the reason) or stale (features.md §1). Public for `obf probe`,
/// which judges a map read as a step would.
public enum SnapshotJudge {
    public enum Verdict: Sendable {
        case ok(OrderBookSnapshot)
        case skipped(SnapshotOutcome)

        public var outcome: SnapshotOutcome {
            switch self {
            case .ok: .ok
            case .skipped(let outcome): outcome
            }
        }
    }

    public struct Judgement {
        /// One verdict per requested asset, in request order.
        public var verdicts: [Verdict]
        var invalidReasons: [(asset: String, reason: InvalidSnapshotReason)]
        /// The judged age of each requested asset's valid snapshot (nil: none), one per requested asset.
        public var assetAges: [Double?]
    }

    /// Judges `read`. With the wall clock, `wallAges` gives the age of each valid snapshot (nil
    /// where there is none), by the rule of features.md §1 (`ProducerClocks`); with the replay
    /// clock the age is the newest valid timestamp minus the snapshot's, deterministic.
    public static func judge(_ read: SourceRead, assets: [String], maxAge: Double,
                             wallAges: ([OrderBookSnapshot?]) -> [Double?]) -> Judgement {
        var verdicts: [Verdict] = []
        verdicts.reserveCapacity(assets.count)
        var reasons: [(asset: String, reason: InvalidSnapshotReason)] = []
        var valid: [OrderBookSnapshot?] = []
        valid.reserveCapacity(assets.count)
        var newest: Double?
        for asset in assets {
            let outcome: Result<OrderBookSnapshot, InvalidSnapshotReason>?
            switch read.snapshots[asset] {
            case nil: outcome = nil
            case .json(let bytes)?: outcome = SnapshotDecoder.decode(bytes)
            case .parsed(let snapshot)?: outcome = SnapshotDecoder.validate(snapshot).map { .failure($0) } ?? .success(snapshot)
            case .decoded(let result)?: outcome = result
            }
            switch outcome {
            case nil:
                verdicts.append(.skipped(.missing))
                valid.append(nil)
            case .success(let snapshot)?:
                verdicts.append(.ok(snapshot))
                valid.append(snapshot)
                newest = max(newest ?? snapshot.timestamp, snapshot.timestamp)
            case .failure(let reason)?:
                verdicts.append(.skipped(.invalid))
                valid.append(nil)
                reasons.append((asset, reason))
            }
        }
        let judgedAges: [Double?]
        switch read.clock {
        case .wall: judgedAges = wallAges(valid)
        case .newestSnapshot: judgedAges = valid.map { snapshot in snapshot.map { (newest ?? $0.timestamp) - $0.timestamp } }
        case .recorded: judgedAges = zip(assets, valid).map { asset, snapshot in snapshot.flatMap { _ in read.recordedAges[asset] } }
        }
        // Only a valid book has an age (nil elsewhere), so `assetAges` holds exactly the valid ones'.
        for index in verdicts.indices {
            guard case .ok = verdicts[index], let age = judgedAges[index], age > maxAge else { continue }
            verdicts[index] = .skipped(.stale)
        }
        return Judgement(verdicts: verdicts, invalidReasons: reasons, assetAges: judgedAges)
    }
}
