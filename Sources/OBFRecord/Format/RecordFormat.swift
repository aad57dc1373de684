import CZlib
import OBFEngine

/// The record's file format, version 1 (README "Records and replay" describes it).
///
/// A segment file starts with the 8 bytes `OBFREC01`, then frames. A frame is a little-endian
/// `UInt32` payload length, the payload's CRC-32 (zlib's), and the payload, whose first byte is
/// its kind. Every segment's first frame is a `header`, its second a `checkpoint`; `gap` frames
/// say what was lost before the segment; `step` frames follow in the order the steps were
/// answered. A frame whose length runs past the end of the file or whose CRC does not match
/// is a torn tail: reading stops there.
public enum RecordFormat {
    public static let magic: [UInt8] = Array("OBFREC01".utf8)
    public static let version = 1
    /// A frame longer than this is corrupt (a 10 000-asset step of 50-level books is far below).
    static let maxFrame = 256 << 20

    /// The kind of a frame's payload.
    enum Kind: UInt8 {
        case header = 1
        case checkpoint = 2
        case step = 3
        case gap = 4
    }

    /// `payload` as a frame.
    static func frame(_ payload: [UInt8]) -> [UInt8] {
        var out = ByteWriter(capacity: payload.count + 8)
        out.u32(UInt32(payload.count))
        out.u32(crc32(payload))
        var bytes = out.bytes
        bytes.append(contentsOf: payload)
        return bytes
    }

    /// The CRC-32 of `bytes[range]` (all of them by default).
    static func crc32(_ bytes: [UInt8], _ range: Range<Int>? = nil) -> UInt32 {
        let range = range ?? bytes.indices
        return bytes.withUnsafeBufferPointer { buffer in
            UInt32(CZlib.crc32(0, buffer.baseAddress.map { $0 + range.lowerBound }, uInt(range.count)))
        }
    }
}

/// What a segment says of the process that wrote it: enough to set up an engine that computes
/// its steps exactly as they were computed.
public struct SegmentHeader: Sendable, Equatable {
    /// Who wrote it: the engine id (`--engine-id`) and the host and process.
    public var writer: String
    public var source: String
    /// Unix seconds when the segment was opened.
    public var openedAt: Double
    /// The engine configuration the segment's steps were computed with.
    public var engine: EngineConfiguration
    /// The configured assets (pinned in the engine).
    public var assets: [String]

    public init(writer: String, source: String, openedAt: Double = 0, engine: EngineConfiguration, assets: [String]) {
        self.writer = writer
        self.source = source
        self.openedAt = openedAt
        self.engine = engine
        self.assets = assets
    }

    func encoded() -> [UInt8] {
        var out = ByteWriter()
        out.u8(RecordFormat.Kind.header.rawValue)
        out.varint(RecordFormat.version)
        out.string(writer)
        out.string(source)
        out.f64(openedAt)
        out.varint(engine.imbalanceLookback)
        out.varint(engine.depthLookback)
        out.f64(engine.cascadeThreshold)
        out.f64(engine.referenceAlpha)
        out.varint(engine.maxBars)
        out.f64(engine.maxSnapshotAge)
        out.varint(engine.emptyStreakLimit)
        out.varint(engine.maxAssets)
        out.f64(engine.maxClockOffset)
        out.varint(assets.count)
        for asset in assets { out.string(asset) }
        return out.bytes
    }

    static func decode(_ input: inout ByteReader) throws(RecordFormatError) -> SegmentHeader {
        let version = try input.varint()
        guard version == RecordFormat.version else {
            throw RecordFormatError("record format version \(version) (this obf reads \(RecordFormat.version))")
        }
        let writer = try input.string()
        let source = try input.string()
        let openedAt = try input.f64()
        var engine = EngineConfiguration(
            imbalanceLookback: try input.varint(), depthLookback: try input.varint(), cascadeThreshold: try input.f64(),
            referenceAlpha: try input.f64(), maxBars: try input.varint(), maxSnapshotAge: try input.f64(),
            emptyStreakLimit: try input.varint())
        engine.maxAssets = try input.varint()
        engine.maxClockOffset = try input.f64()
        let count = try input.varint()
        guard count <= input.remaining else { throw RecordFormatError("\(count) configured assets") }
        var assets: [String] = []
        for _ in 0..<count { assets.append(try input.string()) }
        return SegmentHeader(writer: writer, source: source, openedAt: openedAt, engine: engine, assets: assets)
    }
}

/// Steps that were answered but are not in the record (the queue was full or the disk failed).
public struct RecordGap: Sendable, Equatable {
    public var steps: Int
    public var firstBar: Int64
    public var lastBar: Int64
    public var firstTime: Double
    public var lastTime: Double
    public var reason: String

    func encoded() -> [UInt8] {
        var out = ByteWriter()
        out.u8(RecordFormat.Kind.gap.rawValue)
        out.varint(steps)
        out.i64(firstBar)
        out.i64(lastBar)
        out.f64(firstTime)
        out.f64(lastTime)
        out.string(reason)
        return out.bytes
    }

    static func decode(_ input: inout ByteReader) throws(RecordFormatError) -> RecordGap {
        RecordGap(steps: try input.varint(), firstBar: try input.i64(), lastBar: try input.i64(),
                  firstTime: try input.f64(), lastTime: try input.f64(), reason: try input.string())
    }
}
