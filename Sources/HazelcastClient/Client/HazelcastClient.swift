import Foundation
import Logging
import Synchronization
import Locking

/// A client of a Hazelcast 4.x/5.x cluster over the Open Binary Client Protocol 2.x.
///
/// It keeps a main connection to a member of the configured list (failing over through the list),
/// reconnects by itself with capped exponential back-off after a loss until `shutdown()`, sends
/// heartbeats, and fails requests fast with `.notConnected` while no connection is up. With
/// `smartRouting` it also connects to the other members and sends requests to partition owners.
/// Call `shutdown()` when done: the background connection task holds the client until then.
public final class HazelcastClient: Sendable {
    public let configuration: HazelcastClientConfiguration
    let logger: Logger
    private let clientUUID = UUID()
    private let clientName: String
    private let broadcaster: EventBroadcaster
    private let connectionIds = Atomic<Int>(0)
    /// The OpenSSL context of every connection, when the configuration asks for TLS.
    private let tlsContext: TLSContext?
    let state = Locked(State())
    /// The requests of the newest `getAllValues` key list, reused while it does not change.
    private let lastGetAllPlan = Locked<GetAllPlan?>(nil)

    /// The Hazelcast version this client announces to members (the protocol level it implements).
    public static let clientVersion = "5.3.0"

    enum Phase { case idle, running, shutDown }

    struct State {
        var phase = Phase.idle
        var connection: Connection?
        var partitionCount = 0
        var memberUUID: UUID?
        var serverVersion: String?
        var everConnected = false
        var reconnectCount = 0
        var connectionLossCount = 0
        var loopTask: Task<Void, Never>?
        var waiters: [UInt64: CheckedContinuation<Void, any Error>] = [:]
        var nextWaiterId: UInt64 = 0
        /// With smart routing: the cluster view and the connections to the other members.
        var view = ClusterView()
        var memberConnections: [UUID: Connection] = [:]
    }

    /// Creates a client; nothing happens on the network until `start()` or `connect()`.
    /// `onEvent` is called (on an arbitrary thread, keep it short) for each connection state change.
    public init(
        configuration: HazelcastClientConfiguration,
        logger: Logger = Logger(label: "hazelcast.client"),
        onEvent: (@Sendable (HazelcastClientEvent) -> Void)? = nil
    ) throws(HazelcastError) {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        self.clientName = configuration.clientName ?? "swift-client-\(UUID().uuidString.prefix(8).lowercased())"
        self.broadcaster = EventBroadcaster(callback: onEvent)
        self.tlsContext = if let tls = configuration.tls { try TLSContext.client(tls) } else { nil }
    }

    // MARK: Lifecycle

    /// Starts connecting in the background and returns at once. Calling it again does nothing.
    public func start() {
        state.withLock { state in
            guard state.phase == .idle else { return }
            state.phase = .running
            state.loopTask = Task { [self] in await runConnectionLoop() }
        }
    }

    /// Starts the client if needed and waits until a connection is authenticated.
    /// Throws `.authenticationFailed` as soon as a member rejects the credentials or cluster name
    /// (the client keeps retrying in the background), `.timeout` after `timeout`, and
    /// `.clientShutdown` if the client is shut down meanwhile.
    public func connect(timeout: Duration? = nil) async throws {
        start()
        let waiterId = state.withLock { state -> UInt64 in
            state.nextWaiterId += 1
            return state.nextWaiterId
        }
        let timer = timeout.map { limit in
            Task { [self] in
                try? await Task.sleep(for: limit)
                guard !Task.isCancelled else { return }
                resumeWaiter(waiterId, with: .failure(HazelcastError.timeout("no connection to the cluster within \(limit)")))
            }
        }
        defer { timer?.cancel() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let immediate: Result<Void, any Error>? = state.withLock { state in
                    if state.phase == .shutDown { return .failure(HazelcastError.clientShutdown) }
                    if state.connection != nil { return .success(()) }
                    state.waiters[waiterId] = continuation
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            resumeWaiter(waiterId, with: .failure(CancellationError()))
        }
    }

    /// Closes the connection, stops reconnecting and fails waiting callers. Idempotent.
    public func shutdown() async {
        let (task, connection, waiters, wasRunning) = state.withLock { state in
            let wasRunning = state.phase != .shutDown
            state.phase = .shutDown
            let result = (state.loopTask, state.connection, Array(state.waiters.values), wasRunning)
            state.loopTask = nil
            state.connection = nil
            state.waiters = [:]
            return result
        }
        task?.cancel()
        connection?.close(reason: "client shut down")
        dropClusterView()
        for waiter in waiters { waiter.resume(throwing: HazelcastError.clientShutdown) }
        await task?.value
        if wasRunning {
            broadcaster.emit(.shutdown)
            broadcaster.finish()
        }
    }

    // MARK: State

    /// Whether an authenticated connection is up.
    public var isConnected: Bool { state.withLock { $0.connection.map { !$0.isClosed } ?? false } }
    /// Successful reconnections after a connection loss.
    public var reconnectCount: Int { state.withLock { $0.reconnectCount } }
    /// Connections lost (closed by the member, by a heartbeat timeout, or after invalid data).
    public var connectionLossCount: Int { state.withLock { $0.connectionLossCount } }
    /// Open connections: the main one plus, with smart routing, those to other members.
    public var connectedMemberCount: Int {
        state.withLock { state in
            guard let connection = state.connection, !connection.isClosed else { return 0 }
            return 1 + state.memberConnections.values.filter { !$0.isClosed }.count
        }
    }

    /// The member the client is connected to.
    public var connectedMember: HazelcastAddress? { state.withLock { $0.connection?.address } }
    /// The cluster's partition count, known after the first connection.
    public var partitionCount: Int? { state.withLock { $0.partitionCount > 0 ? $0.partitionCount : nil } }
    /// The Hazelcast version the connected member reported.
    public var serverVersion: String? { state.withLock { $0.connection == nil ? nil : $0.serverVersion } }

    /// A new stream of connection state changes; it ends after `shutdown()`.
    public func events() -> AsyncStream<HazelcastClientEvent> {
        broadcaster.subscribe()
    }

    // MARK: Map operations

    /// A handle on the map `name` (no network traffic).
    public func map(_ name: String) -> HazelcastMap {
        HazelcastMap(client: self, name: name)
    }

    /// The value of `key` in map `map`, nil when absent.
    public func get(map: String, key: HazelcastData, timeout: Duration? = nil) async throws -> HazelcastData? {
        let (connection, partition) = try route(key)
        let request = MapGetCodec.encodeRequest(MapKeyRequest(name: map, key: key), partitionId: partition)
        let response = try await connection.send(request, timeout: timeout ?? configuration.invocationTimeout, what: "Map.Get")
        return try MapGetCodec.decodeResponse(response)
    }

    /// The entries present for `keys`. Members run Map.GetAll per partition, so the keys are
    /// grouped by partition and one request per partition is sent: all requests for a connection
    /// go out in a single write (one connection, or one per owner member with smart routing) and
    /// the responses are awaited together. Any failed request fails the call.
    public func getAll(map: String, keys: [HazelcastData], timeout: Duration? = nil) async throws -> [HazelcastData: HazelcastData] {
        let values = try await getAllValues(map: map, keys: keys, timeout: timeout)
        var entries: [HazelcastData: HazelcastData] = [:]
        entries.reserveCapacity(values.count)
        for (key, value) in zip(keys, values) {
            if let value { entries[key] = value }
        }
        return entries
    }

    /// The values of `keys` in the order of `keys` (nil where absent), read as `getAll` does.
    public func getAllValues(map: String, keys: [HazelcastData], timeout: Duration? = nil) async throws -> [HazelcastData?] {
        let values = Locked([HazelcastData?](repeating: nil, count: keys.count))
        try await getAll(map: map, keys: keys, timeout: timeout) { position, value in
            values.withLock { $0[position] = value }
        }
        return values.withLock { $0 }
    }

    /// Reads `keys` as `getAll` does and calls `found` with the position in `keys` and the value
    /// of every key present, as soon as its partition's response arrives: on the connection's
    /// reader thread, while the member is still answering the other partitions, so work done
    /// there overlaps with the wait. `found` must not block; it may run for a call that then
    /// fails (a timeout, a lost connection). The requests for a key list are built once and
    /// reused while the list and the cluster's partition count stay the same.
    public func getAll(
        map: String, keys: [HazelcastData], timeout: Duration? = nil,
        found: @escaping @Sendable (Int, HazelcastData) -> Void
    ) async throws {
        guard !keys.isEmpty else { return }
        let (primary, partitionCount) = try activeConnection()
        let plan = getAllPlan(map: map, keys: keys, partitionCount: partitionCount)
        var batches: [(connection: Connection, requests: [[UInt8]])] = []
        let owners = connections(forPartitions: plan.groups.map(\.partition), primary: primary)
        for (group, connection) in zip(plan.groups, owners) {
            if let index = batches.firstIndex(where: { $0.connection === connection }) {
                batches[index].requests.append(group.request)
            } else {
                batches.append((connection, [group.request]))
            }
        }
        let limit = timeout ?? configuration.invocationTimeout
        let collector = GetAllCollector(plan: plan, found: found)
        let send: @Sendable (Connection, [[UInt8]]) async -> [Result<ClientMessage, any Error>] = { connection, requests in
            await connection.sendAll(encoded: requests, timeout: limit, what: "Map.GetAll", onResponse: collector.add)
        }
        let results: [Result<ClientMessage, any Error>]
        if batches.count == 1, let batch = batches.first {
            results = await send(batch.connection, batch.requests)
        } else {
            results = await withTaskGroup(of: [Result<ClientMessage, any Error>].self) { group in
                for batch in batches {
                    group.addTask { await send(batch.connection, batch.requests) }
                }
                var all: [Result<ClientMessage, any Error>] = []
                for await batchResults in group { all.append(contentsOf: batchResults) }
                return all
            }
        }
        for result in results { _ = try result.get() }
        try collector.check()
    }

    /// The cached plan for these keys, or a new one (which then replaces the cached one).
    private func getAllPlan(map: String, keys: [HazelcastData], partitionCount: Int) -> GetAllPlan {
        if let cached = lastGetAllPlan.withLock({ $0 }), cached.matches(map: map, keys: keys, partitionCount: partitionCount) {
            return cached
        }
        let plan = GetAllPlan(map: map, keys: keys, partitionCount: partitionCount)
        lastGetAllPlan.withLock { $0 = plan }
        return plan
    }

    /// Stores `value` under `key` and returns the previous value. `ttl` nil keeps the map's default.
    @discardableResult
    public func put(map: String, key: HazelcastData, value: HazelcastData, ttl: Duration? = nil, timeout: Duration? = nil) async throws -> HazelcastData? {
        let (connection, partition) = try route(key)
        let request = MapPutCodec.encodeRequest(
            MapWriteRequest(name: map, key: key, value: value, ttlMillis: Self.ttlMillis(ttl)), partitionId: partition)
        let response = try await connection.send(request, timeout: timeout ?? configuration.invocationTimeout, what: "Map.Put")
        return try MapPutCodec.decodeResponse(response)
    }

    /// Stores `value` under `key` without returning the previous value.
    public func set(map: String, key: HazelcastData, value: HazelcastData, ttl: Duration? = nil, timeout: Duration? = nil) async throws {
        let (connection, partition) = try route(key)
        let request = MapSetCodec.encodeRequest(
            MapWriteRequest(name: map, key: key, value: value, ttlMillis: Self.ttlMillis(ttl)), partitionId: partition)
        let response = try await connection.send(request, timeout: timeout ?? configuration.invocationTimeout, what: "Map.Set")
        try MapSetCodec.decodeResponse(response)
    }

    /// Removes `key` and returns the value it had.
    @discardableResult
    public func remove(map: String, key: HazelcastData, timeout: Duration? = nil) async throws -> HazelcastData? {
        let (connection, partition) = try route(key)
        let request = MapRemoveCodec.encodeRequest(MapKeyRequest(name: map, key: key), partitionId: partition)
        let response = try await connection.send(request, timeout: timeout ?? configuration.invocationTimeout, what: "Map.Remove")
        return try MapRemoveCodec.decodeResponse(response)
    }

    /// Removes `key` without returning its value.
    public func delete(map: String, key: HazelcastData, timeout: Duration? = nil) async throws {
        let (connection, partition) = try route(key)
        let request = MapDeleteCodec.encodeRequest(MapKeyRequest(name: map, key: key), partitionId: partition)
        let response = try await connection.send(request, timeout: timeout ?? configuration.invocationTimeout, what: "Map.Delete")
        try MapDeleteCodec.decodeResponse(response)
    }

    /// Announces the map proxy to the cluster (what official clients do on `getMap`; optional).
    public func createMapProxy(_ name: String, timeout: Duration? = nil) async throws {
        let (connection, _) = try activeConnection()
        let request = ClientCreateProxyCodec.encodeRequest(name: name, serviceName: ClientCreateProxyCodec.mapService)
        _ = try await connection.send(request, timeout: timeout ?? configuration.invocationTimeout, what: "Client.CreateProxy")
    }

    /// Sends Client.Ping and waits for the answer.
    public func ping(timeout: Duration? = nil) async throws {
        let (connection, _) = try activeConnection()
        _ = try await connection.send(ClientPingCodec.encodeRequest(), timeout: timeout ?? configuration.invocationTimeout, what: "Client.Ping")
    }

    /// Sends a prepared request on the current connection (for tests and diagnostics).
    package func invoke(_ request: ClientMessage, timeout: Duration? = nil, what: String = "request") async throws -> ClientMessage {
        let (connection, _) = try activeConnection()
        return try await connection.send(request, timeout: timeout ?? configuration.invocationTimeout, what: what)
    }

    private static func ttlMillis(_ ttl: Duration?) -> Int64 {
        guard let ttl else { return -1 }
        return Int64(ttl.seconds * 1000)
    }

    private func activeConnection() throws(HazelcastError) -> (Connection, Int) {
        let result: Result<(Connection, Int), HazelcastError> = state.withLock { state in
            if state.phase == .shutDown { return .failure(.clientShutdown) }
            guard let connection = state.connection, !connection.isClosed else { return .failure(.notConnected) }
            return .success((connection, state.partitionCount))
        }
        return try result.get()
    }

    private func route(_ key: HazelcastData) throws(HazelcastError) -> (Connection, Int32) {
        let (primary, partitionCount) = try activeConnection()
        let partition = key.partitionId(partitionCount: partitionCount)
        let connection = connections(forPartitions: [partition], primary: primary).first ?? primary
        return (connection, Int32(partition))
    }

    // MARK: Connecting

    private var isShutDown: Bool { state.withLock { $0.phase == .shutDown } }

    private func runConnectionLoop() async {
        var backoff = ReconnectBackoff(
            initial: configuration.reconnectInitialBackoff, maximum: configuration.reconnectMaxBackoff,
            multiplier: configuration.reconnectMultiplier, jitter: configuration.reconnectJitter)
        while !Task.isCancelled && !isShutDown {
            if let connection = await connectToAnyMember() {
                backoff.reset()
                let heartbeat = Task { [self] in await runHeartbeat(on: connection) }
                let routing = configuration.smartRouting ? Task { [self] in await runSmartRouting(primary: connection) } : nil
                let reason = await connection.waitUntilClosed()
                heartbeat.cancel()
                routing?.cancel()
                dropClusterView()
                connectionLost(connection, reason: reason)
                continue
            }
            guard !Task.isCancelled && !isShutDown else { break }
            let pause = backoff.next()
            logger.debug("no member reachable; retrying", metadata: ["retry_in": "\(pause)"])
            try? await Task.sleep(for: pause)
        }
    }

    private func connectToAnyMember() async -> Connection? {
        for address in configuration.members {
            guard !Task.isCancelled && !isShutDown else { return nil }
            do {
                let (connection, response) = try await openAuthenticated(address)
                if install(connection, response) { return connection }
                connection.close(reason: "client shut down")
                return nil
            } catch {
                guard !isShutDown else { return nil }
                let failure = (error as? HazelcastError) ?? .io("\(error)")
                logger.debug("connection attempt failed", metadata: ["member": "\(address)", "error": "\(failure)"])
                if case .authenticationFailed = failure {
                    logger.error("the member rejected the client", metadata: ["member": "\(address)", "error": "\(failure)"])
                    failWaiters(with: failure)
                }
                broadcaster.emit(.connectionAttemptFailed(member: address, error: failure))
            }
        }
        return nil
    }

    func openAuthenticated(_ address: HazelcastAddress) async throws -> (Connection, ClientAuthenticationCodec.Response) {
        let id = connectionIds.add(1, ordering: .relaxed).newValue
        let connection = try await Connection.open(
            to: address, id: id, connectTimeout: configuration.connectTimeout,
            writeTimeout: configuration.writeTimeout, tls: tlsContext, logger: logger)
        do {
            let request = ClientAuthenticationCodec.encodeRequest(.init(
                clusterName: configuration.clusterName, username: configuration.username, password: configuration.password,
                uuid: clientUUID, clientType: configuration.clientType, clientHazelcastVersion: Self.clientVersion,
                clientName: clientName, labels: configuration.labels))
            let message = try await connection.send(request, timeout: configuration.connectTimeout, what: "Client.Authentication")
            let response = try ClientAuthenticationCodec.decodeResponse(message)
            try checkAuthentication(response, address: address)
            return (connection, response)
        } catch {
            connection.close(reason: "authentication did not complete: \(error)")
            throw error
        }
    }

    private func checkAuthentication(_ response: ClientAuthenticationCodec.Response, address: HazelcastAddress) throws(HazelcastError) {
        typealias Status = ClientAuthenticationCodec.Status
        switch response.status {
        case Status.authenticated:
            break
        case Status.credentialsFailed:
            throw .authenticationFailed(
                "\(address) rejected cluster name '\(configuration.clusterName)' or the credentials (status 1)")
        case Status.serializationVersionMismatch:
            throw .authenticationFailed("\(address) uses another serialization version (status 2)")
        case Status.notAllowedInCluster:
            throw .authenticationFailed("\(address) does not allow this client in the cluster (status 3)")
        default:
            throw .authenticationFailed("\(address) answered with unknown authentication status \(response.status)")
        }
        guard response.partitionCount > 0 else {
            throw .protocol("\(address) reported partition count \(response.partitionCount)")
        }
    }

    /// Makes `connection` the current one; false when the client was shut down meanwhile.
    private func install(_ connection: Connection, _ response: ClientAuthenticationCodec.Response) -> Bool {
        let outcome = state.withLock { state -> (installed: Bool, isReconnect: Bool, previousPartitions: Int, waiters: [CheckedContinuation<Void, any Error>]) in
            guard state.phase == .running else { return (false, false, 0, []) }
            let previousPartitions = state.partitionCount
            state.connection = connection
            state.partitionCount = Int(response.partitionCount)
            state.memberUUID = response.memberUuid
            state.serverVersion = response.serverHazelcastVersion
            let isReconnect = state.everConnected
            if isReconnect { state.reconnectCount += 1 }
            state.everConnected = true
            let waiters = Array(state.waiters.values)
            state.waiters = [:]
            return (true, isReconnect, previousPartitions, waiters)
        }
        guard outcome.installed else { return false }
        if outcome.previousPartitions != 0 && outcome.previousPartitions != Int(response.partitionCount) {
            logger.warning("the cluster's partition count changed", metadata: [
                "previous": "\(outcome.previousPartitions)", "now": "\(response.partitionCount)",
            ])
        }
        logger.info(outcome.isReconnect ? "reconnected to Hazelcast" : "connected to Hazelcast", metadata: [
            "member": "\(connection.address)", "server_version": "\(response.serverHazelcastVersion)",
            "partitions": "\(response.partitionCount)",
        ])
        for waiter in outcome.waiters { waiter.resume() }
        broadcaster.emit(.connected(member: connection.address, isReconnect: outcome.isReconnect))
        return true
    }

    private func connectionLost(_ connection: Connection, reason: String) {
        let counted = state.withLock { state -> Bool in
            guard state.connection === connection else { return false }
            state.connection = nil
            guard state.phase == .running else { return false }
            state.connectionLossCount += 1
            return true
        }
        guard counted else { return }
        logger.warning("lost the Hazelcast connection", metadata: ["member": "\(connection.address)", "reason": "\(reason)"])
        broadcaster.emit(.disconnected(member: connection.address, reason: reason))
    }

    private func resumeWaiter(_ id: UInt64, with result: Result<Void, any Error>) {
        let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
        waiter?.resume(with: result)
    }

    private func failWaiters(with error: HazelcastError) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }

    // MARK: Heartbeat

    /// Pings when nothing was written for the heartbeat interval; closes the connection when
    /// nothing was read for the heartbeat timeout.
    func runHeartbeat(on connection: Connection) async {
        let interval = configuration.heartbeatInterval
        let timeout = configuration.heartbeatTimeout
        let tick = max(min(interval, timeout) / 2, .milliseconds(5))
        while !Task.isCancelled && !connection.isClosed {
            do { try await Task.sleep(for: tick) } catch { return }
            let now = MonotonicTime.nanoseconds()
            if MonotonicTime.elapsed(since: connection.lastReadNanoseconds, now: now) > timeout.nanoseconds {
                logger.warning("heartbeat timeout", metadata: ["member": "\(connection.address)", "silent_for": "\(timeout)"])
                connection.close(reason: "heartbeat timeout: nothing received for \(timeout)")
                return
            }
            if MonotonicTime.elapsed(since: connection.lastWriteNanoseconds, now: now) >= interval.nanoseconds {
                connection.sendWithoutResponse(ClientPingCodec.encodeRequest())
            }
        }
    }
}
