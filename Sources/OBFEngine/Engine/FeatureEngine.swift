import Foundation
import Logging
import Platform

/// Why a step was refused.
public enum StepError: Error, Equatable, Sendable {
    /// `bar` is below the last stepped bar and no rollover was asked for.
    case barRegression(requested: Int64, last: Int64)
    /// The caller was cancelled while the step waited for the one before it; it never began.
    case cancelled
}

/// A saved state that does not fit the running configuration.
public struct StateRestoreError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// The feature engine: steps are serialised through this actor; look-ups go to
/// `store`, which only ever holds what the last finished step published.
public actor FeatureEngine {
    public nonisolated let store: FeatureStore
    public nonisolated let configuration: EngineConfiguration
    public nonisolated let defaultAssets: [String]
    let source: any SnapshotSource
    let stepDeadline: Duration
    let wallClock: @Sendable () -> Double
    /// Monotonic nanoseconds: what "time since a push arrived" is measured on.
    let monotonicClock: @Sendable () -> UInt64
    let logger: Logger
    let snapshotWarnings: RateLimitedLog
    /// The empty-streak warning: at most one line per 10 s of an outage (a step every 50 ms
    /// would otherwise log 20 a second), with how many were held back.
    let emptyStreakWarnings = RateLimitedLog(interval: 10)
    /// The producer clock warning: at most one line a minute.
    let clockWarnings = RateLimitedLog(interval: 60)
    /// Where every new step is written before it is answered (`--state-map`), when configured.
    let replica: (any StateReplica)?
    /// What sees every new step once it is published (metrics, the state file, the record).
    let listeners: [any StepListener]
    /// The listeners that keep checkpoints (the record).
    let checkpointTakers: [any StepListener]
    /// Why the next step must carry a checkpoint (nil: it continues the last one).
    var pendingCheckpoint: CheckpointReason? = .start

    var calculator: FeatureCalculator
    /// Per asset slot: the producers' clock offsets and when their current pushes arrived.
    var clocks = ProducerClocks()
    let gate = StepGate()

    public init(configuration: EngineConfiguration, source: any SnapshotSource, defaultAssets: [String],
                stepDeadline: Duration = .milliseconds(250), logger: Logger,
                wallClock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
                monotonicClock: (@Sendable () -> UInt64)? = nil,
                replica: (any StateReplica)? = nil, listeners: [any StepListener] = []) {
        self.configuration = configuration
        self.replica = replica
        self.listeners = listeners
        checkpointTakers = listeners.filter(\.takesCheckpoints)
        self.source = source
        self.defaultAssets = defaultAssets
        self.stepDeadline = stepDeadline
        self.logger = logger
        self.wallClock = wallClock
        self.monotonicClock = monotonicClock ?? { MonotonicTime.nanoseconds() }
        snapshotWarnings = RateLimitedLog(interval: 10)
        store = FeatureStore(maxBars: configuration.maxBars, maxAssets: configuration.maxAssets, knownAssets: defaultAssets)
        calculator = FeatureCalculator(configuration: configuration)
    }

    /// Steps `bar` over `assets` (the configured ones when `nil`).
    ///
    /// The same bar as the last one returns the stored report with `replayed = true` and
    /// touches nothing; a lower bar throws `barRegression` unless `rollover` is set, which
    /// clears the bar caches and keeps the depth references and histories.
    ///
    /// Steps run one at a time, in the order they are called. Cancelling the caller cancels a
    /// step only while it waits for the one before it (it throws `cancelled` and never began):
    /// a begun step commits state every caller shares, so it runs to its end.
    public func step(bar: Int64, assets: [String]? = nil, rollover: Bool = false) async throws(StepError) -> StepReport {
        guard await gate.enter() else { throw .cancelled }
        defer { gate.leave() }
        // A task of its own, awaited here, so that the caller's cancellation does not reach the read.
        let outcome = await Task { await self.stepInTurn(bar: bar, assets: assets, rollover: rollover) }.value
        return try outcome.get()
    }

    /// The step once it holds the gate: decided again as long as another replica's step
    /// supersedes it (`replicatedDecisions`); a decision that does not replicate always answers.
    private func stepInTurn(bar: Int64, assets: [String]?, rollover: Bool) async -> Result<StepReport, StepError> {
        if let replica { await synchronize(with: replica) }
        var decisions = 0
        while true {
            do throws(StepError) {
                if let answer = try await decideAndRun(bar: bar, assets: assets ?? defaultAssets, rollover: rollover,
                                                       replicate: decisions < replicatedDecisions) {
                    return .success(answer)
                }
            } catch {
                return .failure(error)
            }
            decisions += 1
        }
    }

    /// Applies the step rules to the current state and runs a new step if one is due; nil when
    /// another replica's step superseded it (the state was replaced: decide again).
    private func decideAndRun(bar: Int64, assets: [String], rollover: Bool, replicate: Bool)
        async throws(StepError) -> StepReport? {
        let status = store.status()
        var startsSequence = false
        if let last = status.lastBar {
            if bar == last, var stored = store.lastReport {
                stored.replayed = true
                return stored
            }
            if bar < last {
                guard rollover else { throw .barRegression(requested: bar, last: last) }
                startsSequence = true
            }
        }
        let checkpoint = checkpointIfDue(startsSequence: startsSequence, lastBar: status.lastBar)
        let step = await compute(bar: bar, assets: assets, previousStreak: status.emptyStreak)
        let finishedAt = wallClock()
        if replicate, let replica {
            let change = ReplicatedStep(report: step.report, rolling: rollingState(emptyStreak: step.report.emptyStreak,
                                                                                  lastStepTime: finishedAt),
                                        startedSequence: startsSequence)
            if case .superseded(let adoption) = await replica.commit(change) {
                logger.notice("another replica stepped first; answering from its state", metadata: ["bar": "\(bar)"])
                adopt(adoption)
                return nil
            }
        }
        if startsSequence {
            logger.notice("rollover: new bar sequence", metadata: ["bar": "\(bar)", "previous_bar": "\(status.lastBar ?? -1)"])
            store.clearBars()
        }
        store.publish(report: step.report, slots: step.computedSlots, at: finishedAt)
        let published = PublishedStep(
            bar: bar, rolloverRequested: rollover, startedSequence: startsSequence, assets: assets, read: step.read,
            readCut: step.readCut, readSeconds: step.readSeconds, ages: step.ages, outcomes: step.outcomes,
            clock: step.clock, readAt: step.readAt, answeredAt: finishedAt, report: step.report,
            retainedBars: store.status().retainedBars, checkpoint: checkpoint)
        for listener in listeners { listener.stepPublished(published) }
        if !checkpointTakers.isEmpty { pendingCheckpoint = nil }
        return step.report
    }

    /// A computed step, not yet published.
    private struct ComputedStep {
        var report: StepReport
        var computedSlots: [Int]
        var readSeconds: Double
        var outcomes: [SnapshotOutcome: Int]
        var clock: ClockObservation
        /// What was read, whether the deadline cut it, each asset's judged age and when (for the record).
        var read: SourceRead
        var readCut: Bool
        var ages: [Double?]
        var readAt: Double
    }

    /// Reads the source and computes a step (updating the histories); publishes nothing.
    private func compute(bar: Int64, assets: [String], previousStreak: Int) async -> ComputedStep {
        let started = ContinuousClock.now
        let readStarted = monotonicClock()
        let source = self.source
        let progress = ReadProgress()
        let whole = await withDeadline(started + stepDeadline) {
            await source.read(assets: assets, bar: bar, deadline: started + self.stepDeadline, progress: progress)
        }
        let read = whole ?? progress.current
        let readSeconds = (ContinuousClock.now - started).seconds
        let readFinished = monotonicClock()

        let registered = store.slots(forStep: assets)
        for slot in registered.recycled {
            calculator.reset(slot: slot)
            clocks.reset(slot: slot)
        }
        let times = readTimes(started: readStarted, finished: readFinished)
        let (judged, clock) = judge(read, assets: assets, slots: registered.slots, times: times)
        for (asset, reason) in judged.invalidReasons {
            snapshotWarnings.warn(key: "\(asset) \(reason.rawValue)", logger: logger,
                                  "invalid snapshot skipped", metadata: ["asset": "\(asset)", "reason": "\(reason.rawValue)"])
        }

        // An asset the registry had no room for (not possible with a valid --max-assets) counts
        // as never seen in the macro mean and is missing.
        let requestedSlots = registered.slots.map { $0 ?? FeatureCalculator.unknownSlot }
        var computed: [(asset: String, features: AssetFeatures)] = []
        var computedSlots: [Int] = []
        var skipped: [(asset: String, outcome: SnapshotOutcome)] = []
        computed.reserveCapacity(assets.count)
        computedSlots.reserveCapacity(assets.count)
        calculator.reserve(slots: store.assetCount)
        var outcomes: [SnapshotOutcome: Int] = [:]
        for (index, asset) in assets.enumerated() {
            let verdict = registered.slots[index] == nil ? .skipped(.missing) : judged.verdicts[index]
            outcomes[verdict.outcome, default: 0] += 1
            switch verdict {
            case .ok(let snapshot):
                computed.append((asset, calculator.update(slot: requestedSlots[index], with: snapshot)))
                computedSlots.append(requestedSlots[index])
            case .skipped(let outcome):
                skipped.append((asset, outcome))
            }
        }
        let macro = calculator.macroStep(computed: computed.map(\.features), requestedSlots: requestedSlots)
        let streak = computed.isEmpty ? previousStreak + 1 : 0
        logEmptyStreak(streak, previous: previousStreak, bar: bar)
        let report = StepReport(bar: bar, replayed: false, requested: assets.count, computed: computed,
                                skipped: skipped, emptyStreak: streak,
                                durationMs: ((ContinuousClock.now - started).seconds * 1_000_000).rounded() / 1000,
                                macro: macro)
        return ComputedStep(report: report, computedSlots: computedSlots, readSeconds: readSeconds, outcomes: outcomes,
                            clock: clock, read: read, readCut: whole == nil, ages: judged.assetAges, readAt: times.wallNow)
    }

    /// Warns while the empty streak is at or above the limit (rate-limited), and says once when
    /// a step computes again after such an outage.
    private func logEmptyStreak(_ streak: Int, previous: Int, bar: Int64) {
        let limit = configuration.emptyStreakLimit
        if streak >= limit {
            emptyStreakWarnings.warn(key: "empty streak", logger: logger,
                                     "no order-book snapshots for \(streak) bars; features degraded",
                                     metadata: ["bar": "\(bar)", "source": "\(source.name)"], now: wallClock())
        } else if streak == 0 && previous >= limit {
            let suppressed = emptyStreakWarnings.forget(key: "empty streak")
            var metadata: Logger.Metadata = ["bar": "\(bar)", "empty_bars": "\(previous)"]
            if suppressed > 0 { metadata["suppressed"] = "\(suppressed)" }
            logger.notice("order-book snapshots back; features live again", metadata: metadata)
        }
    }

    /// A consistent copy of the whole engine state (between steps), for the state file.
    public func exportState() -> EngineState {
        var state = store.export(histories: calculator.assets, macro: calculator.macro, configuration: configuration)
        state.clockOffsets = clockOffsets()
        return state
    }

    /// Replaces the engine's state with a saved one; call before the first step.
    /// Throws when the saved lookbacks differ from the configured ones (the histories would not mean the same).
    public func restore(_ saved: EngineState) throws(StateRestoreError) {
        guard saved.imbalanceLookback == configuration.imbalanceLookback,
              saved.depthLookback == configuration.depthLookback else {
            throw StateRestoreError(message: "saved lookbacks \(saved.imbalanceLookback)/\(saved.depthLookback) differ from "
                + "the configured \(configuration.imbalanceLookback)/\(configuration.depthLookback)")
        }
        let histories = store.restore(saved)
        calculator = FeatureCalculator(configuration: configuration, assets: histories, macro: saved.macro)
        clocks = ProducerClocks()
        restoreClockOffsets(saved.clockOffsets)
        _ = store.slots(forStep: defaultAssets, pin: true)
        pendingCheckpoint = .restored
    }

    /// The checkpoint the coming step carries, when a listener takes checkpoints and the step does
    /// not simply continue the last one (taken before the step changes anything).
    private func checkpointIfDue(startsSequence: Bool, lastBar: Int64?) -> StepCheckpoint? {
        guard !checkpointTakers.isEmpty else { return nil }
        let now = wallClock()
        let reason: CheckpointReason? = pendingCheckpoint ?? (startsSequence ? .rollover : nil)
            ?? (checkpointTakers.contains { $0.wantsCheckpoint(at: now) } ? .requested : nil)
        guard let reason else { return nil }
        return StepCheckpoint(reason: reason, rolling: rollingState(emptyStreak: store.status().emptyStreak,
                                                                    lastStepTime: store.lastStepTime),
                              lastBar: lastBar)
    }
}

