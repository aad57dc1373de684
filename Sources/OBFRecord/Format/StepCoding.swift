import OBFEngine

/// The step frame. Asset names are written once per segment: a name's first use in a segment
/// carries it, later uses its number.
struct StepEncoder {
    private var names: [String: Int] = [:]

    mutating func encode(_ step: PublishedStep) -> [UInt8] {
        var out = ByteWriter(capacity: 64 + step.assets.count * 240)
        out.u8(RecordFormat.Kind.step.rawValue)
        out.i64(step.bar)
        out.u8((step.rolloverRequested ? 1 : 0) | (step.startedSequence ? 2 : 0) | (step.readCut ? 4 : 0))
        out.f64(step.readAt)
        out.f64(step.answeredAt)
        out.f64(step.report.durationMs)
        out.varint(step.report.emptyStreak)
        out.varint(step.report.computed.count)
        out.u64(StepDigest.of(step.report))
        out.varint(step.assets.count)
        for (index, asset) in step.assets.enumerated() {
            name(asset, into: &out)
            let age = index < step.ages.count ? step.ages[index] : nil
            switch step.read.snapshots[asset] {
            case nil:
                out.u8(step.read.absent.contains(asset) ? DocumentKind.absent.rawValue : DocumentKind.notRead.rawValue)
            case .json(let bytes)?:
                out.u8(DocumentKind.json.rawValue)
                out.blob(bytes)
                out.optionalF64(age)
            case .decoded(.success(let book))?:
                out.u8(DocumentKind.decoded.rawValue)
                Self.book(book, into: &out)
                out.optionalF64(age)
            case .parsed(let book)?:
                out.u8(DocumentKind.parsed.rawValue)
                Self.book(book, into: &out)
                out.optionalF64(age)
            case .decoded(.failure(let reason))?:
                out.u8(DocumentKind.invalid.rawValue)
                out.u8(UInt8(InvalidSnapshotReason.allCases.firstIndex(of: reason) ?? 0))
            }
        }
        return out.bytes
    }

    private mutating func name(_ asset: String, into out: inout ByteWriter) {
        if let number = names[asset] {
            out.varint(number)
        } else {
            out.varint(names.count)
            out.string(asset)
            names[asset] = names.count
        }
    }

    static func book(_ book: OrderBookSnapshot, into out: inout ByteWriter) {
        out.f64(book.timestamp)
        out.doubles(book.bidNotional)
        out.doubles(book.askNotional)
        let flags: UInt8 = (book.bidDepth != nil ? 1 : 0) | (book.askDepth != nil ? 2 : 0)
            | (book.provenance.pushSequence != nil ? 4 : 0) | (book.provenance.pushedAt != nil ? 8 : 0)
        out.u8(flags)
        if let depth = book.bidDepth { out.doubles(depth) }
        if let depth = book.askDepth { out.doubles(depth) }
        if let sequence = book.provenance.pushSequence { out.i64(sequence) }
        if let pushedAt = book.provenance.pushedAt { out.f64(pushedAt) }
    }
}

/// The kind of what a step read for an asset.
enum DocumentKind: UInt8 {
    case notRead = 0, absent = 1, json = 2, decoded = 3, parsed = 4, invalid = 5
}

/// Reads step frames; keeps the segment's asset names.
struct StepDecoder: Sendable {
    private var names: [String] = []
    static let maxBands = 1024

    mutating func decode(_ input: inout ByteReader) throws(RecordFormatError) -> StoredStep {
        let bar = try input.i64()
        let flags = try input.u8()
        let readAt = try input.f64()
        let answeredAt = try input.f64()
        let durationMs = try input.f64()
        let emptyStreak = try input.varint()
        let computed = try input.varint()
        let digest = try input.u64()
        let count = try input.varint()
        guard count <= input.remaining else { throw RecordFormatError("\(count) assets in a step") }
        var assets: [String] = []
        var documents: [StoredDocument] = []
        var ages: [Double?] = []
        assets.reserveCapacity(count)
        documents.reserveCapacity(count)
        ages.reserveCapacity(count)
        for _ in 0..<count {
            assets.append(try name(&input))
            guard let kind = DocumentKind(rawValue: try input.u8()) else { throw RecordFormatError("unknown document kind") }
            switch kind {
            case .notRead: documents.append(.notRead); ages.append(nil)
            case .absent: documents.append(.absent); ages.append(nil)
            case .json:
                documents.append(.json(try input.blob()))
                ages.append(try input.optionalF64())
            case .decoded, .parsed:
                documents.append(.book(try Self.book(&input), parsed: kind == .parsed))
                ages.append(try input.optionalF64())
            case .invalid:
                let index = Int(try input.u8())
                guard index < InvalidSnapshotReason.allCases.count else { throw RecordFormatError("unknown invalid reason") }
                documents.append(.invalid(InvalidSnapshotReason.allCases[index]))
                ages.append(nil)
            }
        }
        return StoredStep(bar: bar, rolloverRequested: flags & 1 != 0, startedSequence: flags & 2 != 0,
                          readCut: flags & 4 != 0, readAt: readAt, answeredAt: answeredAt, durationMs: durationMs,
                          emptyStreak: emptyStreak, computed: computed, digest: digest, assets: assets,
                          documents: documents, ages: ages)
    }

    private mutating func name(_ input: inout ByteReader) throws(RecordFormatError) -> String {
        let number = try input.varint()
        if number < names.count { return names[number] }
        guard number == names.count else { throw RecordFormatError("asset number \(number) before it was named") }
        let name = try input.string()
        names.append(name)
        return name
    }

    static func book(_ input: inout ByteReader) throws(RecordFormatError) -> OrderBookSnapshot {
        let timestamp = try input.f64()
        let bid = try input.doubles(max: maxBands)
        let ask = try input.doubles(max: maxBands)
        let flags = try input.u8()
        let bidDepth = flags & 1 != 0 ? try input.doubles(max: maxBands) : nil
        let askDepth = flags & 2 != 0 ? try input.doubles(max: maxBands) : nil
        let sequence = flags & 4 != 0 ? try input.i64() : nil
        let pushedAt = flags & 8 != 0 ? try input.f64() : nil
        return OrderBookSnapshot(timestamp: timestamp, bidNotional: bid, askNotional: ask, bidDepth: bidDepth,
                                 askDepth: askDepth,
                                 provenance: SnapshotProvenance(pushSequence: sequence, pushedAt: pushedAt))
    }
}
