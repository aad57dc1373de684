import CSystemShims
import Dispatch
import Foundation
import Locking
import Logging
import OBFEngine
import Platform

/// The step record (`--record-dir`): takes every answered step from the engine without ever
/// making it wait, and writes it on a thread of its own.
///
/// The queue holds at most `capacity` steps. A step that finds it full, or that the disk
/// refuses, is counted as dropped, and so is every step after it until one carries a
/// checkpoint (the recorder asks for one at once); that step opens a new segment whose `gap`
/// frame says which steps are missing. One warning per episode, one notice when it ends.
public final class RecordWriter: StepListener, Sendable {
    /// What the writer needs to describe its segments.
    public struct Configuration: Sendable {
        public var directory: String
        public var retainDays: Int?
        public var capacity: Int
        /// A segment is closed at the first step after it reaches this many bytes (or a new UTC hour).
        public var segmentBytes: Int
        /// The segment header without its opening time.
        public var header: SegmentHeader

        public init(directory: String, retainDays: Int? = nil, capacity: Int = 256, segmentBytes: Int = 256 << 20,
                    header: SegmentHeader) {
            self.directory = directory
            self.retainDays = retainDays
            self.capacity = capacity
            self.segmentBytes = segmentBytes
            self.header = header
        }
    }

    private struct Queued: Sendable {
        var step: PublishedStep
        var gap: RecordGap?
    }

    private struct Shared: Sendable {
        var queue: [Queued] = []
        /// Steps lost since the last one written (nil: none).
        var gap: RecordGap?
        var needsCheckpoint = false
        var segmentEnds = Double.infinity
        var stopping = false
    }

    let configuration: Configuration
    let logger: Logger
    let metrics: RecordMetrics
    let archiver: SegmentArchiver
    private let shared = Locked(Shared())
    /// Every segment this writer created (named before the file is made), which the recovery
    /// of an earlier process's segments must leave alone.
    private let opened = Locked<Set<String>>([])
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    /// Creates the directory when missing, archives what an earlier process left, and starts the writer thread.
    public init(configuration: Configuration, logger: Logger, metrics: RecordMetrics = RecordMetrics(),
                now: Double = Date().timeIntervalSince1970) throws {
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        do throws(RecordIOError) { try RecordFiles.makeDirectory(configuration.directory) } catch { throw error }
        archiver = SegmentArchiver(directory: configuration.directory, retainDays: configuration.retainDays, logger: logger)
        let opened = self.opened
        archiver.recoverLeftovers(now: now) { path in opened.withLock { $0.contains(path) } }
        let thread = Thread { [self] in run() }
        thread.name = "obf-record"
        thread.start()
    }

    // MARK: the step path (never blocks beyond one short lock)

    /// The record starts every segment, and resumes after every gap, with a checkpoint.
    public var takesCheckpoints: Bool { true }

    public func wantsCheckpoint(at now: Double) -> Bool {
        shared.withLock { $0.gap != nil || $0.needsCheckpoint || now >= $0.segmentEnds }
    }

    public func stepPublished(_ step: PublishedStep) {
        let (accepted, depth, firstDrop) = shared.withLock { shared -> (Bool, Int, Bool) in
            let full = shared.stopping || shared.queue.count >= configuration.capacity
            if full || (shared.gap != nil && step.checkpoint == nil) {
                let first = shared.gap == nil
                Self.extend(&shared.gap, with: step, reason: full ? "the record queue was full" : "waiting for a checkpoint")
                return (false, shared.queue.count, first)
            }
            shared.queue.append(Queued(step: step, gap: shared.gap))
            shared.gap = nil
            if step.checkpoint != nil {
                shared.needsCheckpoint = false
                shared.segmentEnds = RecordLayout.nextHour(after: step.answeredAt)
            }
            return (true, shared.queue.count, false)
        }
        metrics.queued.record(depth)
        if accepted {
            wake.signal()
        } else {
            metrics.dropped.increment()
            if firstDrop {
                logger.warning("step record falling behind: steps dropped from the record until it catches up",
                               metadata: ["bar": "\(step.bar)", "queued": "\(depth)"])
            }
        }
    }

    /// `shutdown()` awaited without blocking the caller's thread.
    public func close() async {
        await BlockingQueue.shared.run { self.shutdown() }
    }

    /// Writes what is queued, closes the open segment and stops the thread; later steps are
    /// dropped. Blocks until then, or `limit` at most (a disk that hangs must not hold the
    /// shutdown): call it off the Swift concurrency pool (or use `close()`).
    public func shutdown(limit: DispatchTimeInterval = .seconds(10)) {
        let (already, queued) = shared.withLock { shared -> (Bool, Int) in
            defer { shared.stopping = true }
            return (shared.stopping, shared.queue.count)
        }
        guard !already else { return }
        wake.signal()
        guard finished.wait(timeout: .now() + limit) == .success else {
            logger.error("step record: the disk did not take the last steps in time; they may be missing from the record",
                         metadata: ["queued": "\(queued)"])
            return
        }
        archiver.drain()
    }

    /// Counts the steps of `older` (lost before those of `gap`) into `gap`.
    private static func merge(_ older: RecordGap, into gap: inout RecordGap?) {
        guard var newer = gap else {
            gap = older
            return
        }
        newer.steps += older.steps
        newer.firstBar = older.firstBar
        newer.firstTime = older.firstTime
        gap = newer
    }

    private static func extend(_ gap: inout RecordGap?, with step: PublishedStep, reason: String) {
        if var open = gap {
            open.steps += 1
            if step.answeredAt >= open.lastTime {
                open.lastBar = step.bar
                open.lastTime = step.answeredAt
            }
            gap = open
        } else {
            gap = RecordGap(steps: 1, firstBar: step.bar, lastBar: step.bar, firstTime: step.answeredAt,
                            lastTime: step.answeredAt, reason: reason)
        }
    }

    // MARK: the writer thread

    private func run() {
        // Below the threads that answer steps: the writer takes what CPU they leave (nice 10,
        // not idle-only, so a busy host still writes the record, only later).
        _ = obf_lower_thread_priority(10)
        var writer = SegmentWriterState()
        while true {
            wake.wait()
            let (batch, stopping) = shared.withLock { shared -> ([Queued], Bool) in
                defer { shared.queue.removeAll(keepingCapacity: true) }
                return (shared.queue, shared.stopping)
            }
            if !batch.isEmpty { metrics.queued.record(0) }
            for item in batch { write(item, with: &writer) }
            if stopping {
                close(&writer)
                writeTrailingGap()
                finished.signal()
                return
            }
        }
    }

    private func write(_ item: Queued, with writer: inout SegmentWriterState) {
        if let checkpoint = item.step.checkpoint {
            close(&writer)
            do throws(RecordIOError) {
                try open(&writer, checkpoint: checkpoint, gap: item.gap, at: item.step.answeredAt)
                if let gap = item.gap {
                    logger.notice("step record caught up", metadata: [
                        "dropped": "\(gap.steps)", "from_bar": "\(gap.firstBar)", "to_bar": "\(gap.lastBar)",
                    ])
                }
            } catch {
                lose(item.step, prior: item.gap, because: error)
                return
            }
        }
        guard let segment = writer.segment else {
            lose(item.step, prior: item.gap, because: nil)
            return
        }
        let frame = RecordFormat.frame(writer.encoder.encode(item.step))
        do throws(RecordIOError) {
            try segment.append(frame)
            metrics.written.increment(by: frame.count)
            if segment.size >= configuration.segmentBytes { shared.withLock { $0.needsCheckpoint = true } }
        } catch {
            close(&writer)
            lose(item.step, prior: nil, because: error)
        }
    }

    /// Counts `step` (and a gap it carried) as lost and asks for a checkpoint.
    private func lose(_ step: PublishedStep, prior: RecordGap?, because error: RecordIOError?) {
        let first = shared.withLock { shared -> Bool in
            let first = shared.gap == nil
            if let prior { Self.merge(prior, into: &shared.gap) }
            Self.extend(&shared.gap, with: step, reason: error.map { "\($0)" } ?? "no open segment")
            return first
        }
        metrics.dropped.increment()
        if first, let error {
            logger.warning("step record not written: steps dropped from the record until the disk takes them again",
                           metadata: ["bar": "\(step.bar)", "error": "\(error)"])
        }
    }

    /// Steps lost at the end (no later step brought a checkpoint): a segment of the header and
    /// that gap, so that a replay says where the record stops vouching. Best effort.
    private func writeTrailingGap() {
        guard let gap = shared.withLock({ $0.gap }) else { return }
        let time = gap.lastTime
        do throws(RecordIOError) {
            let path = try newSegmentPath(at: time)
            let segment = try SegmentAppender(path: path)
            try segment.append(segmentStart(at: time, checkpoint: nil, gap: gap))
            archiver.archive(path, now: time)
            logger.warning("step record stopped with answered steps not recorded",
                           metadata: ["dropped": "\(gap.steps)", "from_bar": "\(gap.firstBar)", "to_bar": "\(gap.lastBar)"])
        } catch {
            logger.warning("step record stopped with answered steps not recorded, and no room to say so",
                           metadata: ["dropped": "\(gap.steps)", "error": "\(error)"])
        }
    }

    /// A free name for a segment opened at `time`, in its day's directory (made when missing).
    private func newSegmentPath(at time: Double) throws(RecordIOError) -> String {
        let day = "\(configuration.directory)/\(RecordLayout.day(of: time))"
        try RecordFiles.makeDirectory(day)
        let base = "\(day)/\(RecordLayout.segmentName(openedAt: time, writer: configuration.header.writer))"
        var path = base
        var attempt = 1
        while RecordFiles.exists(path) || RecordFiles.exists(path + ".gz") {
            attempt += 1
            path = String(base.dropLast(RecordLayout.rawExtension.count)) + "-\(attempt)\(RecordLayout.rawExtension)"
        }
        opened.withLock { _ = $0.insert(path) }
        return path
    }

    /// A segment's first bytes: the magic, its header (opened at `time`), its checkpoint and the
    /// gap before it (a gap-only segment has no checkpoint).
    private func segmentStart(at time: Double, checkpoint: StepCheckpoint?, gap: RecordGap?) -> [UInt8] {
        var header = configuration.header
        header.openedAt = time
        var start = RecordFormat.magic + RecordFormat.frame(header.encoded())
        if let checkpoint { start += RecordFormat.frame(CheckpointCoding.encode(checkpoint)) }
        if let gap { start += RecordFormat.frame(gap.encoded()) }
        return start
    }

    private func open(_ writer: inout SegmentWriterState, checkpoint: StepCheckpoint, gap: RecordGap?,
                      at time: Double) throws(RecordIOError) {
        let path = try newSegmentPath(at: time)
        let segment = try SegmentAppender(path: path)
        let start = segmentStart(at: time, checkpoint: checkpoint, gap: gap)
        do throws(RecordIOError) {
            try segment.append(start)
        } catch {
            _ = unlink(path)
            throw error
        }
        metrics.written.increment(by: start.count)
        writer = SegmentWriterState(segment: segment)
    }

    /// Hands the open segment to the archiver. No fsync here: the writer never waits for the
    /// disk's flush (the archiver flushes the compressed copy before it removes the raw one).
    private func close(_ writer: inout SegmentWriterState) {
        guard let segment = writer.segment else { return }
        writer = SegmentWriterState()
        archiver.archive(segment.path, now: Date().timeIntervalSince1970)
    }
}

/// The writer thread's open segment and its name table.
private struct SegmentWriterState {
    var segment: SegmentAppender?
    var encoder = StepEncoder()
}
