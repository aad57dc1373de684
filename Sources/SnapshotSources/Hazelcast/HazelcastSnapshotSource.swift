import Hazelcast
import Logging
import OBFEngine
import Locking

/// The production source: the newest snapshot of every asset from a Hazelcast map.
///
/// In `fetch` mode all assets of a step are read in one batched `Map.GetAll` round trip; assets
/// whose partition has not answered by the step's deadline (or whose answer failed) are
/// missing, the others are used. In `listen` mode a live view kept by entry events answers the
/// step from memory (`LiveViewFeed`), with no network I/O on the step path.
public final class HazelcastSnapshotSource: SnapshotSource {
    public let name = "hazelcast"
    public let client: HazelcastClient
    public let mapName: String
    private let liveView: LiveViewFeed?
    private let logger: Logger
    private let readFailures = RateLimitedLog(interval: 10)
    /// The map keys of the newest asset list (the same list is read step after step).
    private let keys = Locked<(assets: [String], keys: [HazelcastData])>(([], []))
    private let lastProblem: LastProblem

    /// Builds the source and its client; call `start()` to begin connecting. With `listen`, the
    /// source keeps a live view of the map (`--hz-read listen`).
    public init(configuration: HazelcastClientConfiguration, mapName: String, listen: LiveViewConfiguration? = nil,
                logger: Logger) throws {
        self.mapName = mapName
        self.logger = logger
        let lastProblem = LastProblem()
        self.lastProblem = lastProblem
        let connectionLog = ConnectionLog(logger: logger, lastProblem: lastProblem)
        let client = try HazelcastClient(configuration: configuration, logger: logger,
                                         onEvent: { connectionLog.record($0) })
        self.client = client
        liveView = listen.map { LiveViewFeed(client: client, mapName: mapName, configuration: $0, logger: logger) }
    }

    /// Starts connecting in the background; the service answers meanwhile.
    public func start() {
        liveView?.start()
        client.start()
    }

    /// The map key the producer writes an asset under.
    public static func key(for asset: String) -> String { "asset_\(asset)_ob" }

    /// That key as the map stores it (a String).
    public static func mapKey(for asset: String) -> HazelcastData { HazelcastData(string: key(for: asset)) }

    public func read(assets: [String], bar: Int64, deadline: ContinuousClock.Instant) async -> SourceRead {
        await read(assets: assets, bar: bar, deadline: deadline, progress: ReadProgress())
    }

    /// Each value is decoded and recorded in `progress` as soon as its partition's answer
    /// arrives, while the member is still answering the others. When a partition has not
    /// answered by `deadline` (or its answer failed), the assets of the partitions that did are
    /// returned and the others are missing.
    public func read(assets: [String], bar: Int64, deadline: ContinuousClock.Instant, progress: ReadProgress) async -> SourceRead {
        if let liveView { return liveView.read(assets: assets) }
        guard client.isConnected else { return SourceRead(snapshots: [:]) }
        let requested = keys.withLock { last in
            if last.assets != assets {
                last = (assets, assets.map(Self.mapKey(for:)))
            }
            return last.keys
        }
        let timeout = deadline - .now
        guard timeout > .zero else { return SourceRead(snapshots: [:]) }
        do {
            try await client.getAll(map: mapName, keys: requested, timeout: timeout) { position, value in
                progress.record(Self.snapshot(from: value), for: assets[position])
            }
        } catch {
            let read = progress.current
            readFailures.warn(key: "getAll", logger: logger, "hazelcast read incomplete; assets not read counted missing",
                              metadata: ["error": "\(Self.cause(of: error, waited: timeout))", "bar": "\(bar)",
                                         "read": "\(read.snapshots.count)", "requested": "\(assets.count)"])
            return read
        }
        // Every partition answered: an asset without a value is not in the map.
        var read = progress.current
        read.absent = Set(assets.filter { read.snapshots[$0] == nil })
        return read
    }

    /// Why a read ended incomplete, for the log. A read cut off by the step's deadline ends
    /// either at its own timeout or by the cancellation of the step's read, whichever fires
    /// first: both say that the deadline passed, never a bare `CancellationError()`.
    public static func cause(of error: any Error, waited: Duration) -> String {
        let timedOut = if case .timeout? = error as? HazelcastError { true } else { false }
        guard timedOut || error is CancellationError else { return "\(error)" }
        let milliseconds = Int((waited / .milliseconds(1)).rounded())
        return "the step deadline passed after \(milliseconds) ms with partitions still unanswered"
    }

    /// In `listen` mode, what the producer said (`_push_seq`, `_pushed_at`) of the document the
    /// live view holds for `asset`; nil when it holds none (or in `fetch` mode).
    public func viewedProvenance(of asset: String) -> SnapshotProvenance? {
        liveView?.view.provenance(of: asset)
    }

    /// A map value as the engine takes it: the producer's JSON decoded into a snapshot, or why
    /// it could not be.
    static func snapshot(from value: HazelcastData) -> RawSnapshot {
        LiveView.decode(value).snapshot
    }

    /// In `listen` mode connected means the view is complete: the listener is registered on
    /// every member and the view was filled after the newest registration.
    public func status() -> SourceStatus {
        guard client.isConnected else {
            return SourceStatus(connected: false, reconnects: client.reconnectCount, detail: lastProblem.value ?? "connecting")
        }
        let incomplete = liveView?.readiness()
        return SourceStatus(connected: incomplete == nil, reconnects: client.reconnectCount, detail: incomplete)
    }

    public func shutdown() async {
        await liveView?.shutdown()
        await client.shutdown()
    }
}

/// The newest reason the source is not connected, for `/readyz`.
final class LastProblem: Sendable {
    private let text = Locked<String?>(nil)
    var value: String? { text.withLock { $0 } }
    func set(_ value: String?) { text.withLock { $0 = value } }
}

/// Logs connection changes once per episode: one line when the connection is lost,
/// one when it is back; failed attempts in between only at debug level.
final class ConnectionLog: Sendable {
    private let logger: Logger
    private let lastProblem: LastProblem
    private let reportedUnreachable = Locked<Bool>(false)

    init(logger: Logger, lastProblem: LastProblem) {
        self.logger = logger
        self.lastProblem = lastProblem
    }

    func record(_ event: HazelcastClientEvent) {
        switch event {
        case .connected(let member, let isReconnect):
            lastProblem.set(nil)
            reportedUnreachable.withLock { $0 = false }
            logger.info(isReconnect ? "hazelcast connection restored" : "hazelcast connected",
                        metadata: ["member": "\(member)"])
        case .disconnected(let member, let reason):
            lastProblem.set("connection to \(member) lost: \(reason)")
            logger.warning("hazelcast connection lost; reconnecting",
                           metadata: ["member": "\(member)", "reason": "\(reason)"])
        case .connectionAttemptFailed(let member, let error):
            lastProblem.set("cannot connect to \(member): \(error)")
            let first = reportedUnreachable.withLock { reported in
                defer { reported = true }
                return !reported
            }
            if first {
                logger.warning("hazelcast not reachable; retrying with back-off",
                               metadata: ["member": "\(member)", "error": "\(error)"])
            } else {
                logger.debug("hazelcast connection attempt failed", metadata: ["member": "\(member)", "error": "\(error)"])
            }
        case .shutdown:
            lastProblem.set("shut down")
        }
    }
}
