/// What the engine knows of each asset's producer clock and of when its current push arrived,
/// per asset slot (reset with the slot when the asset is forgotten), so that a book's age never
/// trusts the producer's clock (features.md §1):
///
///     age = max(0, _pushed_at − timestamp) + (now − arrival)
///
/// on the service's monotonic clock. The arrival of a push is exact when the source saw it
/// (an entry event); otherwise it is `_pushed_at` minus the asset's clock offset (its own
/// estimate, else the median of every asset's, else no correction), clamped between the last read
/// of the asset that did not find it (found another document, or none) and the first read that
/// found it. A book
/// without `_pushed_at` is judged by `now − timestamp` on the wall clock.
public struct ProducerClocks: Sendable {
    /// One push of one asset: which it is (`_push_seq`, `_pushed_at` and the book's timestamp:
    /// reading the same document again is not a new push, a producer writing `_pushed_at` more
    /// coarsely than it pushes still makes a new one) and when it arrived, as far as the service knows.
    struct Push: Sendable, Equatable {
        var sequence: Int64?
        var pushedAt: Double
        var timestamp: Double
        /// Monotonic seconds: the push arrived no earlier than this (nil: no bound known).
        var earliest: Double?
        /// Monotonic seconds: the push arrived no later than this.
        var latest: Double

        func isSame(as snapshot: OrderBookSnapshot) -> Bool {
            sequence == snapshot.provenance.pushSequence && pushedAt == snapshot.provenance.pushedAt
                && timestamp == snapshot.timestamp
        }
    }

    struct Asset: Sendable {
        var push: Push?
        /// Monotonic seconds when the last read of the asset began (one that found a document,
        /// or found it absent): a push found later arrived after it.
        var lastRead: Double?
        var offsets = OffsetSamples()
    }

    /// The reads of one step, on the monotonic clock (seconds) and the wall clock.
    public struct ReadTimes: Sendable {
        /// Monotonic seconds when the read began and when it returned.
        public var started: Double
        public var finished: Double
        /// Now, on both clocks.
        public var monotonicNow: Double
        public var wallNow: Double

        public init(started: Double, finished: Double, monotonicNow: Double, wallNow: Double) {
            self.started = started
            self.finished = finished
            self.monotonicNow = monotonicNow
            self.wallNow = wallNow
        }

        /// The wall time of a monotonic instant.
        func wall(_ monotonic: Double) -> Double { wallNow - (monotonicNow - monotonic) }
    }

    public init() {}

    private(set) var assets: [Asset] = []

    mutating func reserve(slots count: Int) {
        if assets.count < count { assets.append(contentsOf: repeatElement(Asset(), count: count - assets.count)) }
    }

    mutating func reset(slot: Int) {
        guard assets.indices.contains(slot) else { return }
        assets[slot] = Asset()
    }

    /// The asset's own offset estimate (producer minus service, seconds); nil before any push
    /// was seen arriving.
    public func offset(slot: Int) -> Double? {
        assets.indices.contains(slot) ? assets[slot].offsets.estimate : nil
    }

    /// Takes a saved offset estimate for the asset (state file, replica), used until its
    /// producer is measured here.
    mutating func restore(offset: Double, slot: Int) {
        reserve(slots: slot + 1)
        assets[slot].offsets.restore(offset)
    }

    /// Records a read that covered the asset at `slot` without finding a valid book (it was
    /// absent, or invalid): a push found later arrived after it.
    public mutating func markRead(slot: Int, times: ReadTimes) {
        reserve(slots: slot + 1)
        assets[slot].lastRead = times.started
    }

    /// Records the document a step read for the asset at `slot`: a push not seen before is
    /// dated (by `arrival` when the source knows it, else between this step's read and the last
    /// read of the asset, which did not find it) and, when it was seen arriving, measures the offset.
    public mutating func observe(_ snapshot: OrderBookSnapshot, slot: Int, arrival: SnapshotArrival?, times: ReadTimes) {
        reserve(slots: slot + 1)
        defer { assets[slot].lastRead = times.started }
        guard let pushedAt = snapshot.provenance.pushedAt else {
            assets[slot].push = nil
            return
        }
        let known = arrival.map { (at: Double($0.at) / 1e9, exact: $0.exact) }
        if var push = assets[slot].push, push.isSame(as: snapshot) {
            // The same push read again: only a source that saw it arrive can say more.
            if let known, known.at < push.latest {
                push.latest = known.at
                if known.exact { push.earliest = known.at }
                assets[slot].push = push
            }
            return
        }
        var push = Push(sequence: snapshot.provenance.pushSequence, pushedAt: pushedAt, timestamp: snapshot.timestamp,
                        earliest: nil, latest: times.finished)
        if let known {
            // A source that keeps documents between steps knows better than the step's reads.
            push.latest = min(push.latest, known.at)
            if known.exact { push.earliest = push.latest }
        } else if let previous = assets[slot].lastRead {
            push.earliest = previous
        }
        assets[slot].push = push
        // Seen arriving (not found already there): the push measures the offset, taking the
        // latest time it can have arrived (the true offset is no lower).
        if push.earliest != nil { assets[slot].offsets.add(pushedAt - times.wall(push.latest)) }
    }

    /// The book's age in seconds as judged (see the type), with `fallbackOffset` for an asset
    /// without its own estimate.
    public func age(of snapshot: OrderBookSnapshot, slot: Int, fallbackOffset: Double?, times: ReadTimes) -> Double {
        guard let pushedAt = snapshot.provenance.pushedAt, assets.indices.contains(slot),
              let push = assets[slot].push else {
            return times.wallNow - snapshot.timestamp
        }
        let lag = max(0, pushedAt - snapshot.timestamp)
        let offset = assets[slot].offsets.estimate ?? fallbackOffset ?? 0
        var arrival = times.monotonicNow - (times.wallNow - (pushedAt - offset))
        if let earliest = push.earliest { arrival = max(arrival, earliest) }
        arrival = min(arrival, push.latest)
        return lag + max(0, times.monotonicNow - arrival)
    }

    /// The median of every asset's own offset estimate: what dates a book of an asset without one.
    func medianOffset() -> Double? {
        ClockObservation.median(assets.compactMap(\.offsets.estimate))
    }

    /// Dates the books of one read, then ages them: each with its asset's offset, or the median
    /// over all assets' estimates for an asset without its own (worked out only when one needs it). `slots[i]` is where book `i`'s
    /// asset is kept (nil: none, judged by the wall clock), `arrivals[i]` what its source knows
    /// of its arrival, `covered[i]` whether the read found its asset's document or its absence
    /// (not cut off by a deadline). Returns the age of every book and the offsets of those that
    /// carry `_pushed_at` and have an estimate (by index).
    public mutating func judge(_ books: [OrderBookSnapshot?], slots: [Int?], arrivals: [SnapshotArrival?], covered: [Bool],
                               times: ReadTimes) -> (ages: [Double?], offsets: [(index: Int, offset: Double)]) {
        var offsets: [(index: Int, offset: Double)] = []
        for (index, book) in books.enumerated() {
            guard let slot = slots[index] else { continue }
            guard let book else {
                if covered[index] { markRead(slot: slot, times: times) }
                continue
            }
            observe(book, slot: slot, arrival: arrivals[index], times: times)
            if book.provenance.pushedAt != nil, let offset = offset(slot: slot) { offsets.append((index, offset)) }
        }
        var fallback: Double??
        let ages = books.enumerated().map { index, book -> Double? in
            guard let book else { return nil }
            let slot = slots[index] ?? -1
            if book.provenance.pushedAt != nil, offset(slot: slot) == nil, fallback == nil { fallback = .some(medianOffset()) }
            return age(of: book, slot: slot, fallbackOffset: fallback ?? nil, times: times)
        }
        return (ages, offsets)
    }
}
