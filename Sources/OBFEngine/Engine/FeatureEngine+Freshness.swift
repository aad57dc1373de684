import Logging

extension FeatureEngine {
    /// The step's read times on both clocks; `started` and `finished` are monotonic nanoseconds.
    func readTimes(started: UInt64, finished: UInt64) -> ProducerClocks.ReadTimes {
        ProducerClocks.ReadTimes(started: Double(started) / 1e9, finished: Double(finished) / 1e9,
                                 monotonicNow: Double(monotonicClock()) / 1e9, wallNow: wallClock())
    }

    /// Judges the step's read (features.md §1): every valid book's push is dated first, then
    /// aged with its asset's clock offset, or the median of every asset's offset for an asset
    /// without its own estimate. Warns (rate-limited) when an offset passes `maxClockOffset`.
    func judge(_ read: SourceRead, assets: [String], slots: [Int?],
               times: ProducerClocks.ReadTimes) -> (judgement: SnapshotJudge.Judgement, clock: ClockObservation) {
        var offsets: [(asset: String, offset: Double)] = []
        let judgement = SnapshotJudge.judge(read, assets: assets, maxAge: configuration.maxSnapshotAge) { valid in
            let covered = assets.map { read.snapshots[$0] != nil || read.absent.contains($0) }
            let judged = clocks.judge(valid, slots: slots, arrivals: assets.map { read.arrivals[$0] }, covered: covered,
                                      times: times)
            offsets = judged.offsets.map { (assets[$0.index], $0.offset) }
            return judged.ages
        }
        warnOfClockOffsets(offsets)
        return (judgement, ClockObservation(offsets: offsets.map(\.offset)))
    }

    /// The producers' clock offset estimates by asset name (for the state file and the replica).
    func clockOffsets() -> [String: Double] {
        var offsets: [String: Double] = [:]
        for (slot, name) in store.assetNames.enumerated() {
            if let offset = clocks.offset(slot: slot) { offsets[name] = offset }
        }
        return offsets
    }

    /// Takes saved offset estimates (a restart, or another replica's steps taken over), so that a
    /// book not seen arriving is dated as the writer would have dated it.
    func restoreClockOffsets(_ offsets: [String: Double]) {
        guard !offsets.isEmpty else { return }
        for (slot, name) in store.assetNames.enumerated() {
            if let offset = offsets[name] { clocks.restore(offset: offset, slot: slot) }
        }
    }

    /// One warning per minute at most while any producer's clock is off by more than
    /// `maxClockOffset`, naming the largest offset and a few of the assets.
    private func warnOfClockOffsets(_ offsets: [(asset: String, offset: Double)]) {
        let limit = configuration.maxClockOffset
        let beyond = offsets.filter { abs($0.offset) > limit }.sorted { abs($0.offset) > abs($1.offset) }
        guard let largest = beyond.first else { return }
        let named = beyond.prefix(3).map { "\($0.asset) \(Self.signed($0.offset)) s" }.joined(separator: ", ")
        clockWarnings.warn(
            key: "clock offset", logger: logger,
            "producer clock off by \(Self.signed(largest.offset)) s from the service's; books are aged by their arrival here, not by the producer's clock",
            metadata: ["offset_s": "\(Self.signed(largest.offset))", "assets": "\(named)", "books": "\(beyond.count)",
                       "max_clock_offset_s": "\(limit)"],
            now: wallClock())
    }

    /// Seconds with a sign and millisecond precision, for the log.
    static func signed(_ seconds: Double) -> String {
        let rounded = (seconds * 1000).rounded() / 1000
        return rounded >= 0 ? "+\(rounded)" : "\(rounded)"
    }
}
