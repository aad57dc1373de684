import OBFRecord

/// The recorded steps of one record directory computed again, in the order they were answered,
/// segment after segment (each from its own checkpoint), skipping segments outside the range.
struct DirectoryReplay {
    private var pending: [RecordCatalog.Entry]
    private var current: SegmentReplay?
    private let from: ReplayBound?
    private let to: ReplayBound?
    /// What the segments opened so far say is missing or cut.
    private(set) var notes: [String] = []
    private(set) var gapSteps = 0
    private(set) var segments = 0

    init(catalog: RecordCatalog, from: ReplayBound?, to: ReplayBound?) {
        pending = catalog.entries
        self.from = from
        self.to = to
    }

    /// The next step in range (steps before the range are computed, for the state, and passed over).
    mutating func next() async throws -> ReplayedStep? {
        while true {
            if current == nil {
                guard let segment = try await openNext() else { return nil }
                current = try await SegmentReplay(segment: segment)
            }
            guard var replay = current else { return nil }
            let step = try await replay.next()
            current = replay
            guard let step else {
                current = nil
                continue
            }
            let (bar, time) = (step.stored.bar, step.stored.answeredAt)
            if let from, !from.admitsFrom(bar: bar, time: time) { continue }
            if let to, !to.admitsTo(bar: bar, time: time) {
                current = nil   // the rest of this segment is past the range too
                continue
            }
            return step
        }
    }

    /// Opens the next segment that may hold steps in range, noting its gaps and torn tail.
    private mutating func openNext() async throws -> RecordSegment? {
        while !pending.isEmpty {
            let entry = pending.removeFirst()
            if let summary = entry.summary, summary.steps > 0, !overlaps(first: summary.firstBar.flatMap { bar in summary.firstTime.map { (bar, $0) } },
                                                      last: summary.lastBar.flatMap { bar in summary.lastTime.map { (bar, $0) } }) {
                continue
            }
            let segment = try await RecordReplay.loadSegment(entry.path)
            segments += 1
            for gap in segment.gaps {
                gapSteps += gap.steps
                notes.append("gap: \(gap.steps) answered step(s) not recorded, bars \(gap.firstBar)...\(gap.lastBar) "
                    + "(\(ReplayBound.time(gap.firstTime)) to \(ReplayBound.time(gap.lastTime))): \(gap.reason); "
                    + "replay resumes exactly at the next checkpoint (\(segment.path))")
            }
            if let torn = segment.tornTail {
                notes.append("torn tail: \(segment.path) ends in an incomplete frame (\(torn)); its steps up to there are replayed")
            }
            guard overlaps(first: segment.firstStep, last: segment.lastStep) else { continue }
            return segment
        }
        return nil
    }

    /// False when a segment whose steps run from `first` to `last` has none in range (or none at all).
    private func overlaps(first: (bar: Int64, time: Double)?, last: (bar: Int64, time: Double)?) -> Bool {
        guard let first, let last else { return false }
        if let from, !from.admitsFrom(bar: last.bar, time: last.time) { return false }
        if let to, !to.admitsTo(bar: first.bar, time: first.time) { return false }
        return true
    }
}
