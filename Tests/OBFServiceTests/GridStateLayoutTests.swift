import OBFEngine
@testable import OBFReplication
import Testing

/// The pieces of the replicated layout that need no cluster.
@Suite("Replicated state layout")
struct GridStateLayoutTests {
    typealias Bar = ReplicatedRolling.Bar

    static func bars(_ numbers: ClosedRange<Int>, tag: String = "a") -> [Bar] {
        numbers.map { Bar(bar: Int64($0), key: "e/bar/\($0)-\(tag)") }
    }

    @Test func aContinuationGoesOnFromTheLastSharedBar() {
        // Two more bars, none evicted.
        #expect(GridStateReplica.continuation(of: Self.bars(1...3), in: Self.bars(1...5)) == 3)
        // Bars evicted at the front meanwhile (max_bars): still a continuation.
        #expect(GridStateReplica.continuation(of: Self.bars(1...5), in: Self.bars(4...8)) == 2)
        // Nothing new.
        #expect(GridStateReplica.continuation(of: Self.bars(1...3), in: Self.bars(1...3)) == 3)
        // From nothing: all of it.
        #expect(GridStateReplica.continuation(of: [], in: Self.bars(1...3)) == 0)
        // Another writer's keys for the same bars (a fork), a rollover, or bars gone past ours.
        #expect(GridStateReplica.continuation(of: Self.bars(1...3), in: Self.bars(1...3, tag: "b") + Self.bars(4...4)) == nil)
        #expect(GridStateReplica.continuation(of: Self.bars(1...3), in: Self.bars(0...0, tag: "r")) == nil)
        #expect(GridStateReplica.continuation(of: Self.bars(1...3), in: Self.bars(5...9)) == nil)
    }

    @Test func codecsRoundTripExactly() throws {
        let head = ReplicatedHead(sequence: 42, stateKey: "e/state/42-w", lastBar: 7, writer: "w")
        #expect(try ReplicatedStateCodec.decodeHead(ReplicatedStateCodec.encode(head)) == head)
        let features = AssetFeatures(depth1pctUSD: 2_750_000, depthQuality: 0.9279475982532751, fillProbability: 0.6046356753355095,
                                     spreadProxyBps: 11.555555555555555, imbalance: 0.09090909090909091,
                                     depthAsymmetry: 0.05263157894736842, imbalanceMA5: 0.05525846702317291,
                                     imbalancePersistence: 1, withdrawalVelocity: -0.07272727272727272)
        let report = StepReport(bar: 7, replayed: false, requested: 2, computed: [("BTCUSDT", features)],
                                skipped: [("SOLUSDT", .missing)], emptyStreak: 0, durationMs: 0.25, macro: nil)
        #expect(try ReplicatedStateCodec.decodeReport(ReplicatedStateCodec.encode(report)) == report)
        let configuration = EngineConfiguration()
        var history = AssetHistory(configuration: configuration)
        history.reference = 2_740_020
        history.imbalances.append(0.1)
        history.depths.append(2_750_000)
        let rolling = ReplicatedRolling(sequence: 42, rolling: RollingState(
            imbalanceLookback: 10, depthLookback: 10, maxBars: 500, assets: [.init(name: "BTCUSDT", history: history)],
            macro: MacroHistory(configuration: configuration), emptyStreak: 1, lastStepTime: 1_700_000_000.5,
            clockOffsets: ["BTCUSDT": 3_599.875, "ETHUSDT": -20.125]),
            bars: Self.bars(5...7))
        #expect(try ReplicatedStateCodec.decodeRolling(ReplicatedStateCodec.encode(rolling)) == rolling)
        #expect(throws: ReplicatedStateError(.unsupportedVersion(2))) {
            try ReplicatedStateCodec.decodeHead(Array(#"{"format":"obf-replicated-head","version":2,"sequence":1,"state":"x"}"#.utf8))
        }
    }

    /// A whole state taken over, or written whole, keeps the producers' clock offsets, as a
    /// continuation and the state file do: the replica dates books it never saw arriving as the
    /// writer did.
    @Test func theWholeStateKeepsTheClockOffsets() {
        let configuration = EngineConfiguration()
        let offsets = ["BTCUSDT": 3_599.875, "ETHUSDT": -20.125]
        let rolling = RollingState(
            imbalanceLookback: 10, depthLookback: 10, maxBars: 500,
            assets: [.init(name: "BTCUSDT", history: AssetHistory(configuration: configuration))],
            macro: MacroHistory(configuration: configuration), emptyStreak: 0, lastStepTime: nil, clockOffsets: offsets)
        let whole = EngineState(rolling: rolling, reports: [])
        #expect(whole.clockOffsets == offsets)
        #expect(RollingState(whole, maxBars: 500).clockOffsets == offsets)
    }
}
