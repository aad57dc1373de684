import CZlib
import OBFEngine

/// One segment read from disk (raw or gzip-compressed): its header, its checkpoint, the gaps
/// before it and its steps, up to its last complete frame. A segment written when the writer
/// stopped with steps it could not write holds only its header and that gap.
public struct RecordSegment: Sendable {
    public var path: String
    public var header: SegmentHeader
    /// The state the first step builds on (nil only in a gap-only segment, which has no step).
    public var checkpoint: StepCheckpoint?
    public var gaps: [RecordGap]
    /// Why reading stopped before the end of the file, when it did (a torn tail: a `kill -9`
    /// or a full disk while the segment was written).
    public var tornTail: String?
    /// The bar and answer time of the first and last step (nil: no step).
    public var firstStep: (bar: Int64, time: Double)?
    public var lastStep: (bar: Int64, time: Double)?
    public var stepCount: Int { stepFrames.count }
    private let bytes: [UInt8]
    private let stepFrames: [Range<Int>]

    /// Reads the segment at `path`; throws when it is not a segment or its first two frames are unreadable.
    public init(path: String) throws(RecordFormatError) {
        self.path = path
        bytes = try Self.load(path)
        guard bytes.count >= RecordFormat.magic.count, Array(bytes[0..<RecordFormat.magic.count]) == RecordFormat.magic else {
            throw RecordFormatError("\(path): not an obf record segment")
        }
        var frames: [Range<Int>] = []
        var offset = RecordFormat.magic.count
        var torn: String?
        while offset < bytes.count {
            var prefix = ByteReader(bytes, from: offset)
            guard let length = try? Int(prefix.u32()), let crc = try? prefix.u32() else {
                torn = "a frame header cut short at byte \(offset)"
                break
            }
            let start = offset + 8
            guard length >= 1, length <= RecordFormat.maxFrame, start + length <= bytes.count else {
                torn = "a frame of \(length) bytes at byte \(offset) runs past the end (\(bytes.count) bytes)"
                break
            }
            let payload = start..<start + length
            guard RecordFormat.crc32(bytes, payload) == crc else {
                torn = "a frame at byte \(offset) fails its checksum"
                break
            }
            frames.append(payload)
            offset = payload.upperBound
        }
        tornTail = torn
        guard let first = frames.first else { throw RecordFormatError("\(path): no complete header") }
        var input = ByteReader(bytes, from: first.lowerBound, to: first.upperBound)
        guard try input.u8() == RecordFormat.Kind.header.rawValue else { throw RecordFormatError("\(path): no header") }
        header = try SegmentHeader.decode(&input)
        var checkpoint: StepCheckpoint?
        var gaps: [RecordGap] = []
        var steps: [Range<Int>] = []
        for frame in frames.dropFirst() {
            var reader = ByteReader(bytes, from: frame.lowerBound, to: frame.upperBound)
            switch RecordFormat.Kind(rawValue: try reader.u8()) {
            case .checkpoint? where checkpoint == nil && steps.isEmpty: checkpoint = try CheckpointCoding.decode(&reader)
            case .gap? where steps.isEmpty: gaps.append(try RecordGap.decode(&reader))
            case .step? where checkpoint != nil: steps.append(frame)
            default: throw RecordFormatError("\(path): an unexpected frame at byte \(frame.lowerBound)")
            }
        }
        self.checkpoint = checkpoint
        self.gaps = gaps
        stepFrames = steps
        let bytes = self.bytes
        firstStep = try steps.first.map { frame throws(RecordFormatError) in try Self.barAndTime(bytes, frame) }
        lastStep = try steps.last.map { frame throws(RecordFormatError) in try Self.barAndTime(bytes, frame) }
    }

    /// A step frame's bar and answer time, read without decoding the rest.
    private static func barAndTime(_ bytes: [UInt8], _ frame: Range<Int>) throws(RecordFormatError) -> (bar: Int64, time: Double) {
        var input = ByteReader(bytes, from: frame.lowerBound + 1, to: frame.upperBound)
        let bar = try input.i64()
        _ = try input.u8()
        _ = try input.f64()
        return (bar, try input.f64())
    }

    /// The segment's steps, decoded one at a time, in order.
    public func steps() -> SegmentSteps { SegmentSteps(segment: self) }

    /// The `index`th step; `decoder` must have read every step before it.
    fileprivate func step(_ index: Int, decoder: inout StepDecoder) throws(RecordFormatError) -> StoredStep {
        let frame = stepFrames[index]
        var input = ByteReader(bytes, from: frame.lowerBound + 1, to: frame.upperBound)
        return try decoder.decode(&input)
    }

    /// The whole file, decompressed when it is gzip (zlib reads a raw file as it is).
    static func load(_ path: String) throws(RecordFormatError) -> [UInt8] {
        guard let file = gzopen(path, "rb") else { throw RecordFormatError("\(path): cannot be opened") }
        defer { gzclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let read = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if read < 0 {
                // A compressed file cut short: keep what was read; the frames say where it ends.
                break
            }
            if read == 0 { break }
            bytes.append(contentsOf: chunk[0..<Int(read)])
        }
        return bytes
    }
}

/// A segment's steps in order (each step's asset names are known from the ones before it).
public struct SegmentSteps: Sendable {
    public let segment: RecordSegment
    private var decoder = StepDecoder()
    private var index = 0

    init(segment: RecordSegment) { self.segment = segment }

    public mutating func next() throws(RecordFormatError) -> StoredStep? {
        guard index < segment.stepCount else { return nil }
        defer { index += 1 }
        return try segment.step(index, decoder: &decoder)
    }
}
