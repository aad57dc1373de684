import HazelcastClient
import Logging
import OBFEngine
import Locking

/// The production source: the newest snapshot of every asset from a Hazelcast map,
/// all assets of a step in one batched `Map.GetAll` round trip.
public final class HazelcastSnapshotSource: SnapshotSource {
    public let name = "hazelcast"
    public let client: HazelcastClient
    public let mapName: String
    private let logger: Logger
    private let readFailures = RateLimitedLog(interval: 10)
    private let keys = Locked<[String: HazelcastData]>([:])
    private let lastProblem: LastProblem

    /// Builds the source and its client; call `start()` to begin connecting.
    public init(configuration: HazelcastClientConfiguration, mapName: String, logger: Logger) throws {
        self.mapName = mapName
        self.logger = logger
        let lastProblem = LastProblem()
        self.lastProblem = lastProblem
        let connectionLog = ConnectionLog(logger: logger, lastProblem: lastProblem)
        client = try HazelcastClient(configuration: configuration, logger: logger,
                                     onEvent: { connectionLog.record($0) })
    }

    /// Starts connecting in the background; the service answers meanwhile.
    public func start() {
        client.start()
    }

    /// The map key the producer writes an asset under.
    public static func key(for asset: String) -> String { "asset_\(asset)_ob" }

    public func read(assets: [String], bar: Int64, deadline: ContinuousClock.Instant) async -> SourceRead {
        guard client.isConnected else { return SourceRead(snapshots: [:]) }
        let requested = keys.withLock { cache in
            assets.map { asset in
                if let key = cache[asset] { return key }
                let key = HazelcastData(string: Self.key(for: asset))
                cache[asset] = key
                return key
            }
        }
        let timeout = deadline - .now
        guard timeout > .zero else { return SourceRead(snapshots: [:]) }
        let entries: [HazelcastData: HazelcastData]
        do {
            entries = try await client.getAll(map: mapName, keys: requested, timeout: timeout)
        } catch {
            readFailures.warn(key: "getAll", logger: logger, "hazelcast read failed; assets counted missing",
                              metadata: ["error": "\(error)", "bar": "\(bar)"])
            return SourceRead(snapshots: [:])
        }
        var snapshots: [String: RawSnapshot] = [:]
        snapshots.reserveCapacity(entries.count)
        for (index, asset) in assets.enumerated() {
            guard let value = entries[requested[index]] else { continue }
            switch Result(catching: { () throws(HazelcastDataError) in try value.decodeText() }) {
            case .success(let text): snapshots[asset] = .json(Array(text.text.utf8))
            case .failure: snapshots[asset] = .invalid(.badEncoding)
            }
        }
        return SourceRead(snapshots: snapshots, clock: .wall)
    }

    public func status() -> SourceStatus {
        let connected = client.isConnected
        return SourceStatus(connected: connected, reconnects: client.reconnectCount,
                            detail: connected ? nil : lastProblem.value ?? "connecting")
    }

    public func shutdown() async {
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
    private let failingSince = Locked<Bool>(false)

    init(logger: Logger, lastProblem: LastProblem) {
        self.logger = logger
        self.lastProblem = lastProblem
    }

    func record(_ event: HazelcastClientEvent) {
        switch event {
        case .connected(let member, let isReconnect):
            lastProblem.set(nil)
            failingSince.withLock { $0 = false }
            logger.info(isReconnect ? "hazelcast connection restored" : "hazelcast connected",
                        metadata: ["member": "\(member)"])
        case .disconnected(let member, let reason):
            lastProblem.set("connection to \(member) lost: \(reason)")
            logger.warning("hazelcast connection lost; reconnecting",
                           metadata: ["member": "\(member)", "reason": "\(reason)"])
        case .connectionAttemptFailed(let member, let error):
            lastProblem.set("cannot connect to \(member): \(error)")
            let first = failingSince.withLock { failing in
                defer { failing = true }
                return !failing
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
