import OBFEngine

/// The checkpoint frame: the engine's rolling state (histories by slot order, macro history,
/// bookkeeping, clock offsets) that the next step builds on, every double bit for bit.
enum CheckpointCoding {
    static func encode(_ checkpoint: StepCheckpoint) -> [UInt8] {
        let rolling = checkpoint.rolling
        var out = ByteWriter(capacity: 256 + rolling.assets.count * (40 + 8 * (rolling.imbalanceLookback + rolling.depthLookback)))
        out.u8(RecordFormat.Kind.checkpoint.rawValue)
        out.u8(checkpoint.reason.rawValue)
        out.optionalI64(checkpoint.lastBar)
        out.varint(rolling.imbalanceLookback)
        out.varint(rolling.depthLookback)
        out.varint(rolling.maxBars)
        out.varint(rolling.emptyStreak)
        out.optionalF64(rolling.lastStepTime)
        window(rolling.macro.meanReferences, into: &out)
        out.optionalF64(rolling.macro.lastDepthVelocity)
        out.varint(rolling.assets.count)
        for asset in rolling.assets {
            out.string(asset.name)
            out.optionalF64(asset.history.reference)
            window(asset.history.imbalances, into: &out)
            window(asset.history.depths, into: &out)
        }
        let offsets = rolling.clockOffsets.sorted { $0.key < $1.key }
        out.varint(offsets.count)
        for (name, offset) in offsets {
            out.string(name)
            out.f64(offset)
        }
        return out.bytes
    }

    static func decode(_ input: inout ByteReader) throws(RecordFormatError) -> StepCheckpoint {
        guard let reason = CheckpointReason(rawValue: try input.u8()) else { throw RecordFormatError("unknown checkpoint reason") }
        let lastBar = try input.optionalI64()
        let imbalanceLookback = try input.varint()
        let depthLookback = try input.varint()
        let maxBars = try input.varint()
        let emptyStreak = try input.varint()
        let lastStepTime = try input.optionalF64()
        let meanReferences = try window(&input)
        let macro = MacroHistory(meanReferences: meanReferences, lastDepthVelocity: try input.optionalF64())
        let count = try input.varint()
        guard count <= input.remaining else { throw RecordFormatError("\(count) assets in a checkpoint") }
        var assets: [RollingState.Asset] = []
        assets.reserveCapacity(count)
        for _ in 0..<count {
            let name = try input.string()
            let history = AssetHistory(reference: try input.optionalF64(), imbalances: try window(&input),
                                       depths: try window(&input))
            assets.append(RollingState.Asset(name: name, history: history))
        }
        let offsetCount = try input.varint()
        guard offsetCount <= input.remaining else { throw RecordFormatError("\(offsetCount) clock offsets") }
        var offsets: [String: Double] = [:]
        for _ in 0..<offsetCount {
            let name = try input.string()
            offsets[name] = try input.f64()
        }
        let rolling = RollingState(imbalanceLookback: imbalanceLookback, depthLookback: depthLookback, maxBars: maxBars,
                                   assets: assets, macro: macro, emptyStreak: emptyStreak, lastStepTime: lastStepTime,
                                   clockOffsets: offsets)
        return StepCheckpoint(reason: reason, rolling: rolling, lastBar: lastBar)
    }

    private static func window(_ window: RollingWindow, into out: inout ByteWriter) {
        out.varint(window.capacity)
        out.varint(window.count)
        for value in window { out.f64(value) }
    }

    private static func window(_ input: inout ByteReader) throws(RecordFormatError) -> RollingWindow {
        let capacity = try input.varint()
        let count = try input.varint()
        guard capacity >= 1, count <= capacity, count * 8 <= input.remaining else {
            throw RecordFormatError("a rolling window of \(count) in \(capacity)")
        }
        var values: [Double] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try input.f64()) }
        return RollingWindow(capacity: capacity, values: values)
    }
}
