import Logging
import OBFEngine

/// A recorded step computed again from the record alone.
public struct ReplayedStep: Sendable {
    public var stored: StoredStep
    /// The answer computed again.
    public var report: StepReport
    /// True when the answer computed again has the recorded answer's digest.
    public var identical: Bool
    /// Set on the first step after the service started (with the state file it loaded, or
    /// none): its bar caches then held only the bars up to `lastBar` (nil: none), whatever the
    /// record holds before this step. Nil when the step continues the one before.
    public var resumed: Resumption?

    /// Where the service's bar caches stood when it started again.
    public struct Resumption: Sendable, Equatable {
        public var lastBar: Int64?
    }
}

/// Computes a segment's steps again: an engine set up as the segment's header says, given the
/// segment's checkpoint, then each step's recorded read, in order.
public struct SegmentReplay: Sendable {
    public let segment: RecordSegment
    public let engine: FeatureEngine
    private var steps: SegmentSteps
    private let source: RecordedSource
    private var started = false

    public init(segment: RecordSegment) async throws(RecordFormatError) {
        self.segment = segment
        let header = segment.header
        let source = RecordedSource()
        self.source = source
        steps = segment.steps()
        engine = FeatureEngine(configuration: header.engine, source: source, defaultAssets: header.assets,
                               stepDeadline: .seconds(3600), logger: Logger(label: "obf.replay") { _ in SwiftLogNoOpLogHandler() })
        guard let rolling = segment.checkpoint?.rolling else {
            throw RecordFormatError("\(segment.path): no checkpoint to compute its steps from")
        }
        do throws(StateRestoreError) {
            try await engine.restore(EngineState(rolling: rolling, reports: []))
        } catch {
            throw RecordFormatError("\(segment.path): its checkpoint does not fit its header: \(error)")
        }
    }

    /// The next step computed again, nil after the last.
    public mutating func next() async throws(RecordFormatError) -> ReplayedStep? {
        guard let stored = try nextStored() else { return nil }
        var step = try await compute(stored)
        if !started, let checkpoint = segment.checkpoint, [.start, .restored].contains(checkpoint.reason) {
            step.resumed = ReplayedStep.Resumption(lastBar: checkpoint.lastBar)
        }
        started = true
        return step
    }

    /// The next step as recorded, not yet computed: pass it to `compute` before the one after.
    public mutating func nextStored() throws(RecordFormatError) -> StoredStep? {
        try steps.next()
    }

    /// Computes `stored` (the step `nextStored` returned last) on the segment's engine.
    public func compute(_ stored: StoredStep) async throws(RecordFormatError) -> ReplayedStep {
        source.prepare(stored.sourceRead)
        let report: StepReport
        do throws(StepError) {
            report = try await engine.step(bar: stored.bar, assets: stored.assets,
                                           rollover: stored.rolloverRequested || stored.startedSequence)
        } catch {
            throw RecordFormatError("\(segment.path): bar \(stored.bar) refused on replay: \(error)")
        }
        return ReplayedStep(stored: stored, report: report, identical: StepDigest.of(report) == stored.digest,
                            resumed: nil)
    }
}
