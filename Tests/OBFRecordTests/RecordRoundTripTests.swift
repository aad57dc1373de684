import Foundation
import Logging
import OBFEngine
@testable import OBFRecord
import OBFTestSupport
import SnapshotSources
import TestTiming
import Testing

/// The record written by an engine and computed again from it alone.
@Suite struct RecordRoundTripTests {
    static let assets = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT", "DOGEUSDT"]
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    static func header(_ configuration: EngineConfiguration) -> SegmentHeader {
        SegmentHeader(writer: "test", source: "scripted", engine: configuration, assets: assets)
    }

    /// An engine over `source` whose steps `RecordWriter` records in `directory`.
    static func recordingEngine(_ directory: String, source: ScriptedSource, header: SegmentHeader? = nil,
                                retainDays: Int? = nil) throws -> (FeatureEngine, RecordWriter) {
        let configuration = EngineConfiguration()
        let recording = RecordWriter.Configuration(directory: directory, retainDays: retainDays,
                                                   header: header ?? Self.header(configuration))
        let writer = try RecordWriter(configuration: recording, logger: logger)
        let engine = FeatureEngine(configuration: configuration, source: source, defaultAssets: assets, logger: logger,
                                   listeners: [writer])
        return (engine, writer)
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("obf-record-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Every kind of document a source hands the engine, changing with the bar.
    static func script(_ source: ScriptedSource, bar: Int) {
        let wave = Double((bar * 7) % 11)
        let now = Date().timeIntervalSince1970
        source.set("BTCUSDT", .json(Array(ProducerDocument.json(
            timestamp: now, bid: [100_000 + 900 * wave, 80_000, 60_000], ask: [90_000, 85_000 - 300 * wave, 50_000],
            sequence: Int64(bar)).utf8)))
        source.set("ETHUSDT", .parsed(OrderBookSnapshot(timestamp: now, bidNotional: [5_000 + 10 * wave, 4_000],
                                                        askNotional: [4_500, 4_100 + 20 * wave])))
        source.set("SOLUSDT", .decoded(.success(OrderBookSnapshot(
            timestamp: now, bidNotional: [700, 600 + wave, 500], askNotional: [650 + wave, 640, 300],
            bidDepth: [1, 2, 3], askDepth: [1, 2, 3], provenance: SnapshotProvenance(pushSequence: Int64(bar), pushedAt: now)))))
        // Invalid every third bar, missing every fifth, else valid.
        source.set("XRPUSDT", bar % 3 == 0 ? .json(Array("{\"timestamp\":".utf8)) : bar % 5 == 0 ? nil
            : .json(Array(ProducerDocument.json(timestamp: now, bid: [10 + wave], ask: [11], sequence: Int64(bar)).utf8)))
        source.set("ADAUSDT", .decoded(.failure(.lengthMismatch)))
        // A book stamped an hour ago: stale.
        source.set("DOGEUSDT", .parsed(OrderBookSnapshot(timestamp: now - 3600, bidNotional: [1], askNotional: [2])))
    }

    @Test func everyStepIsComputedAgainBitForBitAcrossARestartAndARollover() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = ScriptedSource()
        var answered: [StepReport] = []

        // A first process: 12 steps, its state saved after the 8th.
        let (engine, writer) = try Self.recordingEngine(directory, source: source)
        var saved: EngineState?
        for bar in 1...12 {
            Self.script(source, bar: bar)
            answered.append(try await engine.step(bar: Int64(bar)))
            if bar == 8 { saved = await engine.exportState() }
        }
        #expect(try await engine.step(bar: 12).replayed)   // a repeat is not a new step: not recorded
        await writer.close()

        // A second process from the older state (bar 8): bars 13...20, then a rollover to bar 3.
        let (second, restarted) = try Self.recordingEngine(directory, source: source)
        try await second.restore(try #require(saved))
        for bar in 13...20 {
            Self.script(source, bar: bar)
            answered.append(try await second.step(bar: Int64(bar)))
        }
        for bar in 3...6 {
            Self.script(source, bar: bar + 100)
            answered.append(try await second.step(bar: Int64(bar), rollover: bar == 3))
        }
        await restarted.close()

        let catalog = try RecordCatalog(directory: directory)
        var replayed: [ReplayedStep] = []
        var reasons: [CheckpointReason] = []
        for entry in catalog.entries {
            var replay = try await SegmentReplay(segment: try RecordSegment(path: entry.path))
            reasons.append(try #require(replay.segment.checkpoint?.reason))
            #expect(replay.segment.tornTail == nil)
            while let step = try await replay.next() { replayed.append(step) }
        }
        #expect(reasons == [.start, .restored, .rollover])
        #expect(catalog.entries.allSatisfy { $0.path.hasSuffix(".obfrec.gz") && $0.summary != nil })
        try #require(replayed.count == answered.count)
        for (step, answer) in zip(replayed, answered) {
            #expect(step.identical, "bar \(answer.bar)")
            #expect(step.report.bar == answer.bar)
            #expect(step.report.computed.map(\.asset) == answer.computed.map(\.asset))
            #expect(step.report.computed.map(\.features) == answer.computed.map(\.features), "bar \(answer.bar)")
            #expect(step.report.skipped.map(\.asset) == answer.skipped.map(\.asset))
            #expect(step.report.skipped.map(\.outcome) == answer.skipped.map(\.outcome))
            #expect(step.report.macro == answer.macro)
            #expect(step.report.emptyStreak == answer.emptyStreak)
        }
        // Each kind of outcome was on the record.
        let outcomes = Set(answered.flatMap { $0.skipped.map(\.outcome) })
        #expect(outcomes == [.invalid, .missing, .stale])
        #expect(replayed.last?.stored.startedSequence == false && replayed[answered.count - 4].stored.startedSequence)
    }

    @Test func aTornTailIsDetectedAndNeverMisread() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = ScriptedSource()
        let (engine, writer) = try Self.recordingEngine(directory, source: source)
        for bar in 1...6 {
            Self.script(source, bar: bar)
            _ = try await engine.step(bar: Int64(bar))
        }
        await writer.close()
        let compressed = try #require(try RecordCatalog(directory: directory).entries.first?.path)
        // The segment as the writer left it before it was compressed.
        let raw = try RecordSegment.load(compressed)
        let whole6 = try RecordSegment(path: try write(raw, in: directory))
        #expect(whole6.stepCount == 6 && whole6.tornTail == nil)
        // Cut anywhere inside the last frame: the five steps before it, and a torn tail.
        for cut in [1, 7, 8, 9, 100, 500] {
            let segment = try RecordSegment(path: try write(Array(raw.dropLast(cut)), in: directory))
            #expect(segment.stepCount == 5, "cut \(cut)")
            #expect(segment.tornTail != nil, "cut \(cut)")
        }
        // One byte changed inside the last frame: its checksum fails; garbage after it is not read.
        var flipped = raw
        flipped[raw.count - 20] ^= 0x40
        let damaged = try RecordSegment(path: try write(flipped, in: directory))
        #expect(damaged.stepCount == 5 && damaged.tornTail?.contains("checksum") == true)
        let garbage = try RecordSegment(path: try write(raw + [0x10, 0, 0, 0, 1, 2, 3, 4, 5], in: directory))
        #expect(garbage.stepCount == 6 && garbage.tornTail != nil)
        var replay = try await SegmentReplay(segment: garbage)
        var identical = 0
        while let step = try await replay.next() { identical += step.identical ? 1 : 0 }
        #expect(identical == 6)
    }

    @Test func aRecordThatDoesNotComputeToItsAnswersFailsTheReplayNamingTheFirstStep() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = EngineConfiguration()
        // A header that misstates the engine: a replay computes other depth references from bar 2 on.
        var header = Self.header(configuration)
        header.engine.referenceAlpha = 0.5
        let source = ScriptedSource()
        let (engine, writer) = try Self.recordingEngine(directory, source: source, header: header)
        for bar in 1...4 {
            Self.script(source, bar: bar)
            _ = try await engine.step(bar: Int64(bar))
        }
        await writer.close()
        let output = try await ExternalProcess.run(try ExternalProcess.obfBinary(), ["replay", "--record-dir", directory],
                                                   timeout: TestBounds.event)
        #expect(output.status == 1, "\(output.stderr)")
        #expect(output.stderr.contains("first difference: bar 2 answered at"), "\(output.stderr)")
        #expect(output.stderr.contains("1 identical, 3 different"), "\(output.stderr)")
        #expect(output.stdout.split(separator: "\n").count == 4)
    }

    @Test func daysPastTheRetentionAreDeletedWhenASegmentCloses() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let now = Date().timeIntervalSince1970
        let old = RecordLayout.day(of: now - 3 * 86_400)
        let kept = RecordLayout.day(of: now - 86_400 / 2)
        for day in [old, kept] {
            try FileManager.default.createDirectory(atPath: "\(directory)/\(day)", withIntermediateDirectories: true)
            try Data("{}\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/\(day)/\(RecordLayout.indexName)"))
        }
        let source = ScriptedSource()
        let (engine, writer) = try Self.recordingEngine(directory, source: source, retainDays: 2)
        Self.script(source, bar: 1)
        _ = try await engine.step(bar: 1)
        await writer.close()
        let days = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(!days.contains(old))
        #expect(days.contains(kept) && days.contains(RecordLayout.day(of: Date().timeIntervalSince1970)))
    }

    private func write(_ bytes: [UInt8], in directory: String) throws -> String {
        let path = "\(directory)/cut-\(UUID().uuidString).obfrec"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}
