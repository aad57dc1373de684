import Foundation
import OBFEngine
import OBFRecord
import Platform

/// `obf replay`: every recorded step computed again from the record alone, in the order the
/// steps were answered (across the directories of every replica, by answer time), each checked
/// against the recorded digest of its answer.
public struct RecordReplay: Sendable {
    public var directories: [String]
    public var from: ReplayBound?
    public var to: ReplayBound?
    public var format: ReplayFormat

    public init(directories: [String], from: ReplayBound? = nil, to: ReplayBound? = nil, format: ReplayFormat = .jsonl) {
        self.directories = directories
        self.from = from
        self.to = to
        self.format = format
    }

    /// What a replay found.
    public struct Summary: Sendable {
        public var steps = 0
        public var assetSteps = 0
        public var identical = 0
        /// The first step whose answer differs from the record, described.
        public var firstDifference: String?
        public var segments = 0
        public var gapSteps = 0
        /// Gaps and torn tails, one line each.
        public var notes: [String] = []
    }

    /// Replays into `output` (flushed in chunks off the concurrency pool); `progress` is called
    /// now and then with the steps and asset-steps so far.
    public func run(output: OutputFile, progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> Summary {
        var cursors: [DirectoryReplay] = []
        for directory in directories {
            let catalog = try await BlockingQueue.shared.run { () throws(RecordFormatError) in try RecordCatalog(directory: directory) }
            cursors.append(DirectoryReplay(catalog: catalog, from: from, to: to))
        }
        var summary = Summary()
        var heads: [ReplayedStep?] = []
        for index in cursors.indices { heads.append(try await cursors[index].next()) }
        var buffer = ReplayOutput.header(format)
        buffer.reserveCapacity(1 << 21)
        while true {
            // The earliest answered of the directories' next steps.
            var chosen: Int?
            for (index, head) in heads.enumerated() {
                guard let head else { continue }
                if let best = chosen, let current = heads[best], current.stored.answeredAt <= head.stored.answeredAt { continue }
                chosen = index
            }
            guard let index = chosen, let step = heads[index] else { break }
            ReplayOutput.render(step, as: format, into: &buffer)
            summary.steps += 1
            summary.assetSteps += step.stored.assets.count
            if step.identical {
                summary.identical += 1
            } else if summary.firstDifference == nil {
                summary.firstDifference = "bar \(step.stored.bar) answered at \(ReplayBound.time(step.stored.answeredAt)) "
                    + "(\(cursors.count > 1 ? directories[index] + ": " : "")\(step.report.computed.count) computed, "
                    + "\(step.stored.computed) recorded) differs from the recorded answer"
            }
            if buffer.count >= 1 << 20 {
                try await output.write(buffer)
                buffer.removeAll(keepingCapacity: true)
                progress?(summary.steps, summary.assetSteps)
            }
            heads[index] = try await cursors[index].next()
        }
        try await output.write(buffer)
        for cursor in cursors {
            summary.segments += cursor.segments
            summary.gapSteps += cursor.gapSteps
            summary.notes += cursor.notes
        }
        return summary
    }

    static let loadSegment: @Sendable (String) async throws -> RecordSegment = { path in
        try await BlockingQueue.shared.run { () throws(RecordFormatError) in try RecordSegment(path: path) }
    }
}

/// Where replay output goes: a file or standard output, written off the concurrency pool.
public final class OutputFile: Sendable {
    private let descriptor: Int32
    private let owned: Bool
    /// One write at a time, in order.
    private let queue = BlockingQueue(label: "obf.replay-output")

    /// Standard output.
    public init() {
        descriptor = 1
        owned = false
    }

    /// `path`, created or truncated.
    public init(path: String) throws(RecordFormatError) {
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw RecordFormatError("\(path): \(String(cString: strerror(errno)))") }
        owned = true
    }

    deinit { if owned { close(descriptor) } }

    public func write(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        let descriptor = self.descriptor
        let failure = await queue.run { writeAll(bytes, to: descriptor).error }
        guard failure == 0 else { throw RecordFormatError("output: \(String(cString: strerror(failure)))") }
    }
}
