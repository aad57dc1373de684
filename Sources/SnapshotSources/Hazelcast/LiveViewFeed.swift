import Foundation
import Hazelcast
import Locking
import Logging
import OBFEngine
import Platform

/// How the `hazelcast` source reads the map (`--hz-read`).
public enum HazelcastReadMode: String, Sendable, CaseIterable {
    /// One batched Map.GetAll per step.
    case fetch
    /// A live view kept by entry events; a step reads memory only.
    case listen
}

/// Why the live view read every asset from the map.
public enum LiveViewReadReason: String, Sendable, CaseIterable {
    /// After the listener was (re)registered on a connection.
    case registration
    /// The periodic reconciliation (`--hz-resync-s`).
    case interval
    /// A step named assets the view was not reading yet.
    case newAssets = "new_assets"
}

/// Configuration of the live view.
public struct LiveViewConfiguration: Sendable {
    /// Assets read into the view from the start (the configured ones); assets a step names are added.
    public var assets: [String]
    /// The interval of the background reconciliation.
    public var resyncInterval: Duration
    /// The time limit of one batched read of every asset.
    public var readTimeout: Duration
    public var metrics: LiveViewMetrics

    public init(assets: [String], resyncInterval: Duration = .seconds(30), readTimeout: Duration = .seconds(5),
                metrics: LiveViewMetrics = LiveViewMetrics()) {
        self.assets = assets
        self.resyncInterval = resyncInterval
        self.readTimeout = readTimeout
        self.metrics = metrics
    }
}

/// Keeps a `LiveView` current: an entry listener on the map feeds it, and a background task
/// reads every asset after each (re)registration, for assets a step names for the first time,
/// and every `resyncInterval`.
final class LiveViewFeed: Sendable {
    /// Assets watched beyond this many are served from events only.
    static let maxWatchedAssets = LiveView.capacity

    let view = LiveView()
    private let client: HazelcastClient
    private let mapName: String
    private let configuration: LiveViewConfiguration
    private let logger: Logger
    private let listener: EntryListener
    private let triggers: AsyncStream<LiveViewReadReason>
    private let trigger: AsyncStream<LiveViewReadReason>.Continuation
    private let watched: Locked<Watched>
    private let task = Locked<Task<Void, Never>?>(nil)
    private let readFailures = RateLimitedLog(interval: 10)

    private struct Watched {
        var assets: [String] = []
        var known: Set<String> = []
        var keys: [HazelcastData] = []

        mutating func add(_ names: some Sequence<String>) -> Bool {
            var added = false
            for name in names where known.count < LiveViewFeed.maxWatchedAssets && known.insert(name).inserted {
                assets.append(name)
                keys.append(HazelcastSnapshotSource.mapKey(for: name))
                added = true
            }
            return added
        }
    }

    init(client: HazelcastClient, mapName: String, configuration: LiveViewConfiguration, logger: Logger) {
        self.client = client
        self.mapName = mapName
        self.configuration = configuration
        self.logger = logger
        var watched = Watched()
        _ = watched.add(configuration.assets)
        self.watched = Locked(watched)
        (triggers, trigger) = AsyncStream.makeStream(of: LiveViewReadReason.self, bufferingPolicy: .bufferingNewest(8))
        let view = self.view
        let metrics = configuration.metrics
        let trigger = self.trigger
        listener = client.addEntryListener(map: mapName) { notice in
            switch notice {
            case .event(let event, let connection):
                let lag = view.apply(event, connection: connection, wallNow: Date().timeIntervalSince1970,
                                     monotonicNow: MonotonicTime.nanoseconds())
                metrics.eventReceived(lag: lag)
            case .registered:
                view.registered()
                trigger.yield(.registration)
            case .unregistered(let connection, _, _):
                view.connectionLost(connection)
            }
        }
    }

    /// Starts the background reads.
    func start() {
        let started = task.withLock { task -> Bool in
            guard task == nil else { return false }
            task = Task { [self] in await runReads() }
            return true
        }
        if started {
            logger.info("hazelcast live view: entry listener on every member, steps read memory", metadata: [
                "map": "\(mapName)", "resync_interval": "\(configuration.resyncInterval)",
            ])
        }
    }

    /// The documents of `assets` the view can vouch for; assets not watched yet are added and read.
    func read(assets: [String]) -> SourceRead {
        let added = watched.withLock { $0.known.isSuperset(of: assets) ? false : $0.add(assets) }
        if added { trigger.yield(.newAssets) }
        return view.read(assets: assets, coverage: client.coverage(of: listener))
    }

    /// Whether the view is complete: the listener covers every partition and a read of every
    /// asset completed after the newest registration; else why not.
    func readiness() -> String? {
        let coverage = client.coverage(of: listener)
        let summary = view.summary
        // Asked at every scrape and `/readyz`: the entries gauge follows the events between reads.
        configuration.metrics.entries(summary.entries)
        if !coverage.isComplete {
            let covered = coverage.connections.filter { $0 != nil }.count
            return "entry listener covers \(covered) of \(coverage.connections.count) partitions"
        }
        return summary.filled ? nil : "live view not yet filled after the listener registration"
    }

    func shutdown() async {
        trigger.finish()
        let running = task.withLock { $0 }
        running?.cancel()
        await client.removeEntryListener(listener, timeout: .seconds(1))
        await running?.value
    }

    // MARK: Reads of every asset

    /// Reads everything whenever a trigger comes, until the triggers end (`shutdown`). The
    /// interval's ticks and the retries are child tasks of this one, so they end with it.
    private func runReads() async {
        let interval = configuration.resyncInterval
        let trigger = self.trigger
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while (try? await Task.sleep(for: interval)) != nil { trigger.yield(.interval) }
            }
            // One retry at a time, backing off from 250 ms to the interval while reads keep failing
            // (a member down for minutes would otherwise cost a full read four times a second).
            let firstRetry = Duration.milliseconds(250)
            var retryDelay = firstRetry
            let retryPending = Locked(false)
            for await reason in triggers {
                guard !Task.isCancelled else { break }
                if await readEverything(reason: reason) {
                    retryDelay = firstRetry
                    continue
                }
                guard !Task.isCancelled else { break }
                // Try again sooner than the next interval: the view may be incomplete.
                guard retryPending.withLock({ pending in defer { pending = true }; return !pending }) else { continue }
                let delay = retryDelay
                group.addTask {
                    let slept = (try? await Task.sleep(for: delay)) != nil
                    retryPending.withLock { $0 = false }
                    if slept { trigger.yield(reason) }
                }
                retryDelay = min(retryDelay * 2, max(interval, firstRetry))
            }
            group.cancelAll()
        }
    }

    /// One batched read of every watched asset, merged into the view; false when it failed or
    /// when the listener did not cover every partition as it began (the partition table may
    /// not have arrived yet): it is then read again soon.
    private func readEverything(reason: LiveViewReadReason) async -> Bool {
        guard client.isConnected, let partitionCount = client.partitionCount else { return false }
        let (assets, keys) = watched.withLock { ($0.assets, $0.keys) }
        guard !assets.isEmpty else { return true }
        let registrations = view.registrationCount
        let coverage = client.coverage(of: listener)
        let startedAt = MonotonicTime.nanoseconds()
        let found = Locked<[String: HazelcastData]>([:])
        do {
            try await client.getAll(map: mapName, keys: keys, timeout: configuration.readTimeout) { position, value in
                found.withLock { $0[assets[position]] = value }
            }
        } catch {
            readFailures.warn(key: "read", logger: logger, "live view read failed; retrying",
                              metadata: ["reason": "\(reason.rawValue)", "error": "\(error)"])
            return false
        }
        let partitions = zip(assets, keys).map { ($0, $1.partitionId(partitionCount: partitionCount)) }
        let corrected = view.merge(read: partitions, found: found.withLock { $0 }, coverage: coverage,
                                   startedAt: startedAt, registrationsAtStart: registrations)
        configuration.metrics.readCompleted(reason, corrections: corrected)
        configuration.metrics.entries(view.summary.entries)
        if corrected > 0 && reason == .interval {
            logger.notice("live view reconciled", metadata: ["corrected": "\(corrected)", "assets": "\(assets.count)"])
        }
        return coverage.isComplete
    }
}
