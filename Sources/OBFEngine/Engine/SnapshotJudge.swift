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
        var decoded: [OrderBookSnapshot?] = []
        decoded.reserveCapacity(assets.count)
        var verdicts: [Verdict] = []
        verdicts.reserveCapacity(assets.count)
        var reasons: [(asset: String, reason: InvalidSnapshotReason)] = []
        for asset in assets {
            switch read.snapshots[asset] {
            case nil:
                decoded.append(nil)
                verdicts.append(.skipped(.missing))
            case .json(let bytes)?:
                switch SnapshotDecoder.decode(bytes) {
                case .success(let snapshot):
                    decoded.append(snapshot)
                    verdicts.append(.ok(snapshot))
                case .failure(let reason):
                    decoded.append(nil)
                    verdicts.append(.skipped(.invalid))
                    reasons.append((asset, reason))
                }
            case .parsed(let snapshot)?:
                if let reason = SnapshotDecoder.validate(snapshot) {
                    decoded.append(nil)
                    verdicts.append(.skipped(.invalid))
                    reasons.append((asset, reason))
                } else {
                    decoded.append(snapshot)
                    verdicts.append(.ok(snapshot))
                }
            case .invalid(let reason)?:
                decoded.append(nil)
                verdicts.append(.skipped(.invalid))
                reasons.append((asset, reason))
            }
        }
        let now: Double
        switch read.clock {
        case .wall: now = wallNow
        case .newestSnapshot: now = decoded.compactMap { $0?.timestamp }.max() ?? wallNow
        }
        for index in verdicts.indices {
            if case .ok(let snapshot) = verdicts[index], now - snapshot.timestamp > maxAge {
                verdicts[index] = .skipped(.stale)
            }
        }
        return Judgement(verdicts: verdicts, invalidReasons: reasons)
    }
}
