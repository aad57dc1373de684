import JSON
import OBFEngine
import OBFRecord

/// `obf replay --explain ASSET@BAR|TIME`: for one asset at one recorded step, the document the
/// step read, why the asset was computed or skipped, the rolling values it started from and
/// every feature it answered.
public struct StepExplanation: Sendable {
    public var asset: String
    public var at: ReplayBound

    /// `ASSET@BAR` or `ASSET@TIME`.
    public init?(_ text: String) {
        let parts = text.split(separator: "@", maxSplits: 1).map(String.init)
        guard parts.count == 2, AssetSymbol.isValid(parts[0]), let at = ReplayBound(parts[1]) else { return nil }
        asset = parts[0]
        self.at = at
    }

    /// The explanation of every matching step (a bar is matched in every bar sequence of the
    /// record; a time by the newest step answered at or before it), as text; empty when none.
    public func explain(directories: [String]) async throws -> String {
        // The matching steps' segments are kept as read, to be replayed up to the step.
        var targets: [(segment: RecordSegment, index: Int)] = []
        var newest: (segment: RecordSegment, index: Int, time: Double)?
        for directory in directories {
            let catalog = try await offPool { () throws(RecordFormatError) in try RecordCatalog(directory: directory) }
            for entry in catalog.entries {
                if let summary = entry.summary, !mayHold(summary) { continue }
                let segment = try await RecordReplay.loadSegment(entry.path)
                var steps = segment.steps()
                var index = 0
                while let stored = try steps.next() {
                    switch at {
                    case .bar(let bar):
                        if stored.bar == bar && stored.assets.contains(asset) { targets.append((segment, index)) }
                    case .time(let time):
                        if stored.answeredAt <= time && stored.answeredAt > (newest?.time ?? -.infinity) {
                            newest = (segment, index, stored.answeredAt)
                        }
                    }
                    index += 1
                }
            }
        }
        if let newest { targets.append((newest.segment, newest.index)) }
        var text = ""
        for target in targets { text += try await explain(target.segment, index: target.index) + "\n" }
        return text
    }

    private func mayHold(_ summary: SegmentSummary) -> Bool {
        switch at {
        case .bar(let bar): (summary.firstBar ?? .max) <= bar && bar <= (summary.lastBar ?? .min)
        case .time(let time): (summary.firstTime ?? .infinity) <= time
        }
    }

    /// `segment` replayed up to its `index`th step, and that step explained.
    private func explain(_ segment: RecordSegment, index: Int) async throws -> String {
        var replay = try await SegmentReplay(segment: segment)
        var position = 0
        while let stored = try replay.nextStored() {
            if position == index {
                let before = await replay.engine.exportState()
                let step = try await replay.compute(stored)
                return describe(step, before: before, segment: segment)
            }
            _ = try await replay.compute(stored)
            position += 1
        }
        return "\(asset): the step is no longer in \(segment.path)"
    }

    private func describe(_ step: ReplayedStep, before: EngineState, segment: RecordSegment) -> String {
        let stored = step.stored
        let limit = segment.header.engine.maxSnapshotAge
        var lines = ["\(asset) at bar \(stored.bar), the step answered at \(ReplayBound.time(stored.answeredAt))"
            + " (\(stored.answeredAt)) by \(segment.header.writer)"]
        lines.append("  segment: \(segment.path) (checkpoint: \(segment.checkpoint?.reason.name ?? "none"))")
        lines.append("  step: \(stored.assets.count) requested, \(stored.computed) computed, empty streak \(stored.emptyStreak), "
            + "rollover \(stored.startedSequence ? "yes (a new bar sequence)" : "no"), read at \(ReplayBound.time(stored.readAt))"
            + (stored.readCut ? ", the read was cut at the step deadline" : ""))
        guard let position = stored.assets.firstIndex(of: asset) else {
            lines.append("  \(asset) was not requested at this step")
            return lines.joined(separator: "\n")
        }
        let age = stored.ages[position]
        let ageText = age.map { "judged age \($0) s (limit \(limit) s)" } ?? "no judged age"
        switch stored.documents[position] {
        case .notRead:
            lines.append("  document: none: not read " + (stored.readCut ? "by the step deadline" : "(its member did not answer)"))
        case .absent:
            lines.append("  document: none: not in the map")
        case .invalid(let reason):
            lines.append("  document: invalid as the source read it: \(reason.rawValue) (its bytes were not kept)")
        case .json(let bytes):
            lines.append("  document (\(bytes.count) bytes as read): \(String(decoding: bytes.prefix(4096), as: UTF8.self))")
            if case .success(let book) = SnapshotDecoder.decode(bytes) { lines.append(describe(book, ageText)) }
        case .book(let book, _):
            lines.append("  document: decoded on arrival; \(book.bidNotional.count) bands")
            lines.append(describe(book, ageText))
        }
        if let computed = step.report.computed.first(where: { $0.asset == asset }) {
            lines.append("  verdict: computed")
            if let history = before.assets.first(where: { $0.name == asset })?.history {
                lines.append("  rolling values before the step: depth reference \(history.reference.map { "\($0)" } ?? "none (first valid book)"), "
                    + "imbalances \(Array(history.imbalances)), depths \(Array(history.depths))")
            } else {
                lines.append("  rolling values before the step: none (the asset's first step)")
            }
            var json = JSONWriter(capacity: 512)
            json.beginObject()
            json.key("placement"); json.placement(computed.features)
            json.key("signal"); json.signal(computed.features)
            json.endObject()
            lines.append("  answered: \(String(decoding: json.bytes, as: UTF8.self))")
        } else if let skipped = step.report.skipped.first(where: { $0.asset == asset }) {
            let why = switch skipped.outcome {
            case .stale: "stale: \(ageText)"
            case .invalid: "invalid"
            case .missing: "missing"
            case .ok: "ok"
            }
            lines.append("  verdict: skipped, \(why); the look-up answered the newest earlier bar (fallback) or neutral defaults")
        }
        var macro = JSONWriter(capacity: 256)
        if let features = step.report.macro { macro.macro(features) } else { macro.null() }
        lines.append("  macro of the step: \(String(decoding: macro.bytes, as: UTF8.self))")
        lines.append("  recomputed from the record: " + (step.identical ? "identical to the recorded answer" : "DIFFERS from the recorded answer"))
        return lines.joined(separator: "\n")
    }

    private func describe(_ book: OrderBookSnapshot, _ ageText: String) -> String {
        var text = "  book: timestamp \(ReplayBound.time(book.timestamp)) (\(book.timestamp)), \(ageText)"
        if let sequence = book.provenance.pushSequence { text += ", push sequence \(sequence)" }
        if let pushedAt = book.provenance.pushedAt { text += ", pushed at \(ReplayBound.time(pushedAt))" }
        return text
    }
}
