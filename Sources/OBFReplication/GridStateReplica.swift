import Foundation
import Hazelcast
import Locking
import Logging
import OBFEngine
import OBFMetrics
import ServiceLifecycle

/// The engine's state in a Hazelcast map (`--state-map`), shared by the replicas of one engine
/// (`--engine-id`).
///
/// Layout, all values JSON strings: `{engine}/head` names the current rolling state and is
/// replaced with a compare-and-set at every step (Map.ReplaceIfSame, Map.PutIfAbsent for the
/// first); `{engine}/state/{sequence}-{writer}` holds the rolling state and the keys of the
/// retained bars; `{engine}/bar/{bar}-{sequence}-{writer}` one bar's report. A step writes its
/// bar and the new rolling state under keys of its own, then sets the head: of two replicas
/// stepping at once exactly one sets it, and the other takes over its state. Keys a head no
/// longer names are deleted afterwards (best effort), by `run()`.
///
/// Its life: `start(waitingUpTo:)` connects before the first step; `run()`, as a service of the
/// service group, deletes the keys no head names any more until the graceful shutdown, then
/// closes the client.
public actor GridStateReplica: StateReplica, Service {
    public let mapName: String
    public let engineId: String
    let client: HazelcastClient
    let timeout: Duration
    /// For writing or reading a whole state (rare: after an outage, at a first start).
    var bulkTimeout: Duration { max(timeout * 20, .seconds(5)) }
    let logger: Logger
    let metrics: ReplicationMetrics
    /// This replica's random name in the keys it writes.
    let writer: String
    let published: Locked<ReplicationStatus>
    /// Keys no head names any more, for `run()` to delete: at most 1024 steps' worth wait (a map
    /// that does not answer cannot make them pile up; keys past that are left in the map).
    private let deletions = AsyncStream<[String]>.makeStream(bufferingPolicy: .bufferingOldest(1024))

    /// What this replica last wrote or took: the head's exact bytes (the compare-and-set's
    /// expected value), and what it names.
    struct Synced {
        var raw: HazelcastData
        var head: ReplicatedHead
        var bars: [ReplicatedRolling.Bar]
    }

    var synced: Synced?
    /// The engine holds steps (or a state) the map does not: written at the next `prepare`.
    var unreplicated = true
    /// A head this replica cannot read and may overwrite (garbage, or one naming missing keys).
    var overwritable: HazelcastData?
    var reachable = true
    /// Why the map is not reachable, while it is not.
    var problem = ""
    /// The format version of a newer replicated state in the map, which is never read or overwritten.
    var newerFormat: Int?

    public init(client: HazelcastClient, mapName: String, engineId: String, timeout: Duration,
                metrics: ReplicationMetrics = ReplicationMetrics(), logger: Logger) {
        self.client = client
        self.mapName = mapName
        self.engineId = engineId
        self.timeout = timeout
        self.metrics = metrics
        self.logger = logger
        writer = String(UUID().uuidString.prefix(8)).lowercased()
        published = Locked(ReplicationStatus(reachable: false, behind: true, detail: "not synchronized yet"))
    }

    /// Starts the client and waits up to `wait` for a connection (the state is then loaded by
    /// the engine's first `synchronize`).
    public func start(waitingUpTo wait: Duration) async {
        client.start()
        try? await client.connect(timeout: wait)
    }

    /// Whether the replica's client is connected to the cluster now.
    public nonisolated var isConnected: Bool { client.isConnected }

    /// The replication state for `/readyz` and the metrics.
    public nonisolated var status: ReplicationStatus { published.withLock { $0 } }

    /// Deletes the keys no head names any more until the graceful shutdown, then closes the client.
    public nonisolated func run() async {
        let client = self.client, map = mapName, timeout = self.timeout, deletions = self.deletions
        await withGracefulShutdownHandler {
            for await keys in deletions.stream {
                for key in keys { try? await client.delete(map: map, key: HazelcastData(string: key), timeout: timeout) }
            }
        } onGracefulShutdown: {
            deletions.continuation.finish()
        }
        await client.shutdown()
    }

    var headKey: HazelcastData { HazelcastData(string: "\(engineId)/head") }

    // MARK: StateReplica

    public func prepare() async -> ReplicaPreparation {
        guard client.isConnected else { return unreachable("not connected to the cluster") }
        let head: HazelcastData?
        do {
            head = try await client.get(map: mapName, key: headKey, timeout: timeout)
        } catch {
            return unreachable("\(error)")
        }
        markReachable()
        if let synced, head == synced.raw { return unreplicated ? .writeAll : .current }
        guard let head else {
            if synced != nil {
                logger.warning("the replicated state is gone from the map; writing this replica's", metadata: ["map": "\(mapName)"])
            }
            synced = nil
            // A head this replica meant to replace is gone too: the next write puts a new one.
            overwritable = nil
            return .writeAll
        }
        let decoded: ReplicatedHead
        do throws(ReplicatedStateError) {
            guard let text = Self.text(of: head) else { throw ReplicatedStateError(.corrupt("the head is not a string")) }
            decoded = try ReplicatedStateCodec.decodeHead(text)
        } catch {
            return unusable(head, error)
        }
        if unreplicated, synced != nil {
            // Local steps made while the map was out of reach, and meanwhile another replica
            // wrote a newer state: that one is kept, never overwritten, and taken over.
            metrics.conflicts.increment()
            logger.warning("the replicated state moved on while this replica stepped alone; taking it over", metadata: [
                "map": "\(mapName)", "replicated_sequence": "\(decoded.sequence)", "writer": "\(decoded.writer)",
            ])
        }
        do {
            guard let adoption = try await takeOver(head, decoded) else {
                return unusable(head, ReplicatedStateError(.corrupt("the state it names is missing or unreadable")))
            }
            return .adopt(adoption)
        } catch {
            // Unanswered (a timeout, a lost connection): the state may be fine, so it is never
            // replaced; this step goes on locally.
            return unreachable("\(error)")
        }
    }

    public func commit(_ step: ReplicatedStep) async -> ReplicaCommit {
        guard !unreplicated, let synced else {
            unreplicated = true
            publish()
            return .deferred
        }
        let sequence = synced.head.sequence + 1
        let barKey = self.barKey(step.report.bar, sequence: sequence)
        var bars = step.startedSequence ? [] : synced.bars
        bars.append(.init(bar: step.report.bar, key: barKey))
        let evicted = bars.count > step.rolling.maxBars ? Array(bars.prefix(bars.count - step.rolling.maxBars)) : []
        bars.removeFirst(evicted.count)
        let dropped = (step.startedSequence ? synced.bars : evicted).map(\.key)
        let outcome = await write(reports: [(barKey, step.report)], rolling: step.rolling, bars: bars,
                                  sequence: sequence, lastBar: step.report.bar, expected: synced.raw)
        return await settle(outcome, dropped: dropped + [synced.head.stateKey])
    }

    public func writeAll(_ state: EngineState, maxBars: Int) async -> ReplicaCommit {
        let sequence = (synced?.head.sequence ?? 0) + 1
        let reports = state.retainedReports
        var writes: [(String, StepReport)] = []
        var bars: [ReplicatedRolling.Bar] = []
        for report in reports.suffix(maxBars) {
            let key = barKey(report.bar, sequence: sequence)
            writes.append((key, report))
            bars.append(.init(bar: report.bar, key: key))
        }
        let rolling = RollingState(state, maxBars: maxBars)
        let expected = overwritable ?? synced?.raw
        let dropped = (synced?.bars.map(\.key) ?? []) + (synced.map { [$0.head.stateKey] } ?? [])
        let outcome = await write(reports: writes, rolling: rolling, bars: bars, sequence: sequence,
                                  lastBar: state.lastBar, expected: expected)
        if case .written = outcome {
            overwritable = nil
            logger.info("wrote this replica's whole state to the map", metadata: [
                "map": "\(mapName)", "engine": "\(engineId)", "bars": "\(bars.count)", "sequence": "\(sequence)",
            ])
        }
        return await settle(outcome, dropped: dropped)
    }

    // MARK: Writing

    enum WriteOutcome {
        case written(Synced)
        /// The head was not the expected one: another replica wrote first.
        case lost(keys: [String])
        case failed(String)
    }

    /// The key of `bar`'s report in the state of `sequence`.
    private func barKey(_ bar: Int64, sequence: Int64) -> String {
        "\(engineId)/bar/\(bar)-\(sequence)-\(writer)"
    }

    /// Writes the reports and the rolling state under new keys, then sets the head if it is
    /// still `expected` (absent when nil); the time it took is recorded.
    private func write(reports: [(key: String, report: StepReport)], rolling: RollingState, bars: [ReplicatedRolling.Bar],
                       sequence: Int64, lastBar: Int64?, expected: HazelcastData?) async -> WriteOutcome {
        let started = ContinuousClock.now
        defer { metrics.writes.record(ContinuousClock.now - started) }
        let stateKey = "\(engineId)/state/\(sequence)-\(writer)"
        let head = ReplicatedHead(sequence: sequence, stateKey: stateKey, lastBar: lastBar, writer: writer)
        let raw = HazelcastData(stringUTF8: ReplicatedStateCodec.encode(head))
        let rollingBytes = ReplicatedStateCodec.encode(ReplicatedRolling(sequence: sequence, rolling: rolling, bars: bars))
        var values = reports.map { ($0.key, ReplicatedStateCodec.encode($0.report)) }
        values.append((stateKey, rollingBytes))
        let written = values.map(\.0)
        do {
            try await setAll(values)
            let won: Bool
            if let expected {
                won = try await client.replaceIfSame(map: mapName, key: headKey, expected: expected, value: raw, timeout: timeout)
            } else {
                won = try await client.putIfAbsent(map: mapName, key: headKey, value: raw, timeout: timeout) == nil
            }
            return won ? .written(Synced(raw: raw, head: head, bars: bars)) : .lost(keys: written)
        } catch {
            // The head may or may not have been set: the next `prepare` finds out.
            return .failed("\(error)")
        }
    }

    /// Sets every value, all requests in flight together.
    private func setAll(_ values: [(String, [UInt8])]) async throws {
        let client = self.client, map = mapName, timeout = values.count > 2 ? bulkTimeout : self.timeout
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (key, bytes) in values {
                group.addTask {
                    try await client.set(map: map, key: HazelcastData(string: key),
                                         value: HazelcastData(stringUTF8: bytes), timeout: timeout)
                }
            }
            try await group.waitForAll()
        }
    }

    /// Turns a write's outcome into the engine's answer, deleting the keys no head names.
    private func settle(_ outcome: WriteOutcome, dropped: [String]) async -> ReplicaCommit {
        switch outcome {
        case .written(let new):
            synced = new
            unreplicated = false
            markReachable()
            metrics.commits.increment()
            delete(dropped)
            return .committed
        case .lost(let keys):
            delete(keys)
            metrics.conflicts.increment()
            guard let head = try? await client.get(map: mapName, key: headKey, timeout: timeout),
                  let text = Self.text(of: head), let decoded = try? ReplicatedStateCodec.decodeHead(text),
                  let adoption = try? await takeOver(head, decoded) else {
                unreplicated = true
                publish()
                return .deferred
            }
            return .superseded(adoption)
        case .failed(let reason):
            unreplicated = true
            _ = unreachable(reason)
            return .deferred
        }
    }

    /// Deletes keys no head names any more, in the background (best effort: `run()` does it).
    private func delete(_ keys: [String]) {
        guard !keys.isEmpty else { return }
        deletions.continuation.yield(keys)
    }

    // MARK: Reading

    /// The state `head` names, as the engine takes it over: the steps after this replica's own
    /// last bar when the map continues its bars, else the whole state. Nil when what the head
    /// names is missing or unreadable; throws when the map did not answer.
    private func takeOver(_ raw: HazelcastData, _ head: ReplicatedHead) async throws -> ReplicaAdoption? {
        guard let stateValue = try await client.get(map: mapName, key: HazelcastData(string: head.stateKey), timeout: timeout)
        else { return nil }
        let state: ReplicatedRolling
        do throws(ReplicatedStateError) {
            state = try ReplicatedStateCodec.decodeRolling(Self.text(of: stateValue) ?? [])
        } catch {
            return unreadable(error)
        }
        // Only an engine holding exactly what this replica last synced can go on from there.
        let continuing = unreplicated ? nil : synced.flatMap { Self.continuation(of: $0.bars, in: state.bars) }
        let needed = continuing.map { Array(state.bars[$0...]) } ?? state.bars
        let values = try await client.getAllValues(map: mapName, keys: needed.map { HazelcastData(string: $0.key) },
                                                   timeout: needed.count > 2 ? bulkTimeout : timeout)
        var reports: [StepReport] = []
        do throws(ReplicatedStateError) {
            for value in values {
                guard let value else { return nil }
                reports.append(try ReplicatedStateCodec.decodeReport(Self.text(of: value) ?? []))
            }
        } catch {
            return unreadable(error)
        }
        synced = Synced(raw: raw, head: head, bars: state.bars)
        unreplicated = false
        overwritable = nil
        metrics.takeovers.increment()
        publish()
        if continuing != nil { return .continuation(reports: reports, rolling: state.rolling) }
        return .whole(EngineState(rolling: state.rolling, reports: reports))
    }

    /// Logs what could not be decoded; nil (the state is unusable).
    private func unreadable(_ error: ReplicatedStateError) -> ReplicaAdoption? {
        logger.warning("the replicated state could not be read", metadata: ["map": "\(mapName)", "error": "\(error)"])
        return nil
    }

    /// The UTF-8 text of a String (or JSON) value, nil for any other value.
    static func text(of value: HazelcastData) -> [UInt8]? {
        (try? value.textBytes().utf8).map { Array($0) }
    }

    /// Where `next` goes on past `current`: the index in `next` after `current`'s last bar, when
    /// everything of `current` that `next` still retains is in `next` unchanged.
    static func continuation(of current: [ReplicatedRolling.Bar], in next: [ReplicatedRolling.Bar]) -> Int? {
        guard let last = current.last else { return 0 }
        guard let position = next.firstIndex(of: last) else { return nil }
        let shared = next[...position]
        guard shared.count <= current.count, Array(current.suffix(shared.count)) == Array(shared) else { return nil }
        return position + 1
    }

    // MARK: Status

    private func unusable(_ head: HazelcastData, _ error: ReplicatedStateError) -> ReplicaPreparation {
        if case .unsupportedVersion(let version) = error.problem {
            if newerFormat != version {
                logger.error("the replicated state has a newer format; not reading or overwriting it", metadata: [
                    "map": "\(mapName)", "format_version": "\(version)",
                    "supported": "\(ReplicatedStateCodec.formatVersion)",
                ])
            }
            newerFormat = version
            unreplicated = true
            publish()
            return .unavailable
        }
        newerFormat = nil
        if overwritable != head {
            logger.warning("the replicated state is unusable; replacing it with this replica's",
                           metadata: ["map": "\(mapName)", "reason": "\(error)"])
        }
        overwritable = head
        synced = nil
        return .writeAll
    }

    private func unreachable(_ reason: String) -> ReplicaPreparation {
        if reachable {
            reachable = false
            logger.warning("state map unreachable; steps are answered from the local state", metadata: [
                "map": "\(mapName)", "reason": "\(reason)",
            ])
        }
        problem = reason
        unreplicated = true
        publish()
        return .unavailable
    }

    private func markReachable() {
        if !reachable {
            reachable = true
            logger.info("state map reachable again", metadata: ["map": "\(mapName)"])
        }
        publish()
    }

    private func publish() {
        let detail: String? = if let newerFormat {
            "the replicated state has format version \(newerFormat); this build writes \(ReplicatedStateCodec.formatVersion)"
        } else if !reachable {
            "state map unreachable: \(problem)"
        } else if unreplicated {
            "local steps not yet replicated"
        } else {
            nil
        }
        published.withLock { $0 = ReplicationStatus(reachable: reachable, behind: unreplicated, detail: detail) }
        metrics.connected.record(reachable ? 1 : 0)
        metrics.behind.record(unreplicated ? 1 : 0)
    }
}

/// The replication state, for `/readyz` and the metrics.
public struct ReplicationStatus: Sendable, Equatable {
    public var reachable: Bool
    /// The engine holds steps the map does not.
    public var behind: Bool
    public var detail: String?
}
