import CSystemShims
import CZlib
import Dispatch
import Foundation
import Locking
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Closed segments' afterlife, never on the step path nor the writer's thread:
/// gzip-compress, list in the day's index, and delete days past the retention, on a thread of
/// its own at the lowest priority.
final class SegmentArchiver: Sendable {
    let directory: String
    let retainDays: Int?
    let logger: Logger
    private let jobs = Locked<[@Sendable () -> Void]>([])
    private let wake = DispatchSemaphore(value: 0)

    /// Starts the archiving thread (it lives as long as the process: one per record directory).
    init(directory: String, retainDays: Int?, logger: Logger) {
        self.directory = directory
        self.retainDays = retainDays
        self.logger = logger
        let thread = Thread { [self] in run() }
        thread.name = "obf-record-archive"
        thread.start()
    }

    /// The archiving thread: compression takes seconds of CPU, never from the threads that answer steps.
    private func run() {
        _ = obf_lower_thread_priority(19)
        while true {
            wake.wait()
            let batch = jobs.withLock { jobs -> [@Sendable () -> Void] in
                defer { jobs.removeAll() }
                return jobs
            }
            for job in batch { job() }
        }
    }

    private func enqueue(_ job: @escaping @Sendable () -> Void) {
        jobs.withLock { $0.append(job) }
        wake.signal()
    }

    /// Compresses and indexes the closed segment at `path`, then applies the retention.
    func archive(_ path: String, now: Double) {
        enqueue { [self] in
            archiveNow(path)
            applyRetention(now: now)
        }
    }

    /// Archives every raw segment a previous process left (its open one, cut by a restart or a
    /// `kill -9`), reading each to its last complete frame; never one `ownSegment` says this
    /// process opened (asked when the segment is about to be archived, so one opened after the
    /// directory was listed is seen as this process's).
    func recoverLeftovers(now: Double, ownSegment: @escaping @Sendable (String) -> Bool) {
        enqueue { [self] in
            for day in RecordFiles.list(directory) where day.count == 10 {
                for name in RecordFiles.list("\(directory)/\(day)") where name.hasSuffix(RecordLayout.rawExtension) {
                    let path = "\(directory)/\(day)/\(name)"
                    if !ownSegment(path) { archiveNow(path) }
                }
            }
            applyRetention(now: now)
        }
    }

    /// Waits for the archiving queued so far.
    func drain() {
        let done = DispatchSemaphore(value: 0)
        enqueue { done.signal() }
        done.wait()
    }

    private func archiveNow(_ path: String) {
        let summary: SegmentSummary
        do throws(RecordFormatError) {
            let segment = try RecordSegment(path: path)
            if let torn = segment.tornTail {
                logger.warning("record segment ends in a torn frame; read up to its last complete one",
                               metadata: ["segment": "\(path)", "detail": "\(torn)"])
            }
            summary = SegmentSummary(segment: Self.baseName(path) + ".gz", firstBar: segment.firstStep?.bar,
                                     lastBar: segment.lastStep?.bar, firstTime: segment.firstStep?.time,
                                     lastTime: segment.lastStep?.time, steps: segment.stepCount,
                                     bytes: Self.fileSize(path), tornTail: segment.tornTail != nil)
        } catch {
            logger.warning("record segment unreadable; left as it is", metadata: ["segment": "\(path)", "reason": "\(error)"])
            return
        }
        do throws(RecordIOError) {
            try compress(path)
        } catch {
            logger.warning("record segment not compressed; left raw", metadata: ["segment": "\(path)", "reason": "\(error)"])
            return
        }
        let day = String(path.dropLast(Self.baseName(path).count + 1))
        do throws(RecordIOError) {
            try RecordFiles.appendLine(summary.line, to: "\(day)/\(RecordLayout.indexName)")
        } catch {
            logger.warning("record segment not indexed; a replay reads it to learn its range",
                           metadata: ["segment": "\(path)", "reason": "\(error)"])
        }
    }

    /// `path` gzip-compressed to `path.gz` (written aside, flushed, renamed), then removed.
    private func compress(_ path: String) throws(RecordIOError) {
        let target = path + ".gz"
        let partial = target + ".partial"
        let input = open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw RecordIOError("open", path) }
        defer { close(input) }
        let output = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw RecordIOError("create", partial) }
        guard let gzip = gzdopen(dup(output), "wb6") else {
            close(output)
            throw RecordIOError("compress", partial)
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var failed = false
        while !failed {
            let count = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { failed = count < 0; break }
            let wrote = chunk.withUnsafeBytes { gzwrite(gzip, $0.baseAddress, UInt32(count)) }
            failed = wrote != Int32(count)
        }
        failed = gzclose(gzip) != Z_OK || failed
        failed = fsync(output) != 0 || failed
        close(output)
        guard !failed, rename(partial, target) == 0 else {
            unlink(partial)
            throw RecordIOError("compress", path)
        }
        unlink(path)
    }

    /// Deletes day directories older than `retainDays` (by their UTC date).
    private func applyRetention(now: Double) {
        guard let retainDays else { return }
        let oldestKept = RecordLayout.day(of: now - Double(retainDays) * 86_400)
        for day in RecordFiles.list(directory) where day.count == 10 && day < oldestKept {
            let path = "\(directory)/\(day)"
            for name in RecordFiles.list(path) { unlink("\(path)/\(name)") }
            if rmdir(path) == 0 {
                logger.info("record day deleted (retention)", metadata: ["day": "\(day)", "retain_days": "\(retainDays)"])
            }
        }
    }

    static func baseName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    static func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }
}
