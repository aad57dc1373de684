/// Decides, per requested asset, whether its snapshot is used, and if not why:
/// missing, invalid (with the reason) or stale (features.md §1).
enum SnapshotJudge {
    enum Verdict {
        case ok(OrderBookSnapshot)
        case skipped(SnapshotOutcome)
    }

    struct Judgement {
        /// One verdict per requested asset, in request order.
        var verdicts: [Verdict]
        var invalidReasons: [(asset: String, reason: InvalidSnapshotReason)]
    }

    static func judge(_ read: SourceRead, assets: [String], maxAge: Double, wallNow: Double) -> Judgement {
        var verdicts: [Verdict] = []
        verdicts.reserveCapacity(assets.count)
        var reasons: [(asset: String, reason: InvalidSnapshotReason)] = []
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
            case .success(let snapshot)?:
                verdicts.append(.ok(snapshot))
                newest = max(newest ?? snapshot.timestamp, snapshot.timestamp)
            case .failure(let reason)?:
                verdicts.append(.skipped(.invalid))
                reasons.append((asset, reason))
            }
        }
        let now: Double
        switch read.clock {
        case .wall: now = wallNow
        case .newestSnapshot: now = newest ?? wallNow
        }
        for index in verdicts.indices {
            if case .ok(let snapshot) = verdicts[index], now - snapshot.timestamp > maxAge {
                verdicts[index] = .skipped(.stale)
            }
        }
        return Judgement(verdicts: verdicts, invalidReasons: reasons)
    }
}
