import Foundation
import Logging
import Synchronization
import Locking
import Platform

/// A client of a Hazelcast 4.x/5.x cluster over the Open Binary Client Protocol 2.x.
///
/// It keeps a main connection to a member of the configured list (failing over through the list),
/// reconnects by itself with capped exponential back-off after a loss until `shutdown()`, sends
/// heartbeats, and fails requests fast with `.notConnected` while no connection is up. With
/// `smartRouting` it also connects to the other members and sends requests to partition owners.
/// Call `shutdown()` when done: the background connection task holds the client until then.
/// Every task the client starts (the connection loop, heartbeats, smart routing, listener
/// registrations, the `connect` timer) belongs to its `tasks`, which `shutdown()` cancels and awaits.
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
    /// The requests of the newest `getAll` key list, reused while it does not change.
    let lastGetAllPlan = Locked<GetAllPlan?>(nil)
    /// Every task the client starts; `shutdown()` cancels and awaits them all.
    package let tasks = OwnedTasks()

    /// The Hazelcast version this client announces to members (the protocol level it implements).
    public static let clientVersion = "5.3.0"

    enum Phase { case idle, running, shutDown }

    struct State {
        var phase = Phase.idle
        var connection: HazelcastConnection?
        var partitionCount = 0
        var memberUUID: UUID?
        var serverVersion: String?
        var everConnected = false
        var reconnectCount = 0
        var connectionLossCount = 0
        var waiters: [UInt64: CheckedContinuation<Void, any Error>] = [:]
        var nextWaiterId: UInt64 = 0
        /// With smart routing: the cluster view and the connections to the other members.
        var view = ClusterView()
        var memberConnections: [UUID: HazelcastConnection] = [:]
        /// Entry listeners, registered on every connection.
        var listeners: [ObjectIdentifier: EntryListener] = [:]
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
            tasks.spawn { [self] in await runConnectionLoop() }
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
        let timer = timeout.flatMap { limit in
            tasks.spawn { [self] in
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
        let (connection, waiters, wasRunning) = state.withLock { state in
            let wasRunning = state.phase != .shutDown
            state.phase = .shutDown
            let result = (state.connection, Array(state.waiters.values), wasRunning)
            state.connection = nil
            state.waiters = [:]
            return result
        }
        tasks.cancelAll()
        connection?.close(reason: "client shut down")
        dropClusterView()
        for waiter in waiters { waiter.resume(throwing: HazelcastError.clientShutdown) }
        await tasks.waitAll()
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

    /// The value of `key` in map `map`, nil when absent.
    public func get(map: String, key: HazelcastData, timeout: Duration? = nil) async throws -> HazelcastData? {
        let (connection, partition) = try route(key)
        let request = MapGetCodec.encodeRequest(MapKeyRequest(name: map, key: key), partitionId: partition)
        let response = try await connection.send(request, timeout: timeout ?? configuration.invocationTimeout, what: "Map.Get")
        return try MapGetCodec.decodeResponse(response)
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

    /// Stores `value` under `key` only when the key is absent; returns the value already there
    /// (nil when this call stored `value`).
    public func putIfAbsent(map: String, key: HazelcastData, value: HazelcastData, timeout: Duration? = nil) async throws
        -> HazelcastData? {
        let (connection, partition) = try route(key)
        let request = MapPutIfAbsentCodec.encodeRequest(MapWriteRequest(name: map, key: key, value: value), partitionId: partition)
        let response = try await connection.send(request, timeout: timeout ?? configuration.invocationTimeout, what: "Map.PutIfAbsent")
        return try MapPutIfAbsentCodec.decodeResponse(response)
    }

    /// Replaces `key`'s value with `value` only while it equals `expected` (byte for byte, as
    /// the member compares them): a compare-and-set. Returns whether it replaced it.
    public func replaceIfSame(map: String, key: HazelcastData, expected: HazelcastData, value: HazelcastData,
                              timeout: Duration? = nil) async throws -> Bool {
        let (connection, partition) = try route(key)
        let request = MapReplaceIfSameCodec.encodeRequest(
            MapReplaceIfSameRequest(name: map, key: key, expected: expected, value: value), partitionId: partition)
        let response = try await connection.send(request, timeout: timeout ?? configuration.invocationTimeout, what: "Map.ReplaceIfSame")
        return try MapReplaceIfSameCodec.decodeResponse(response)
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
        return Int64(ttl / .milliseconds(1))
    }

    func activeConnection() throws(HazelcastError) -> (HazelcastConnection, Int) {
        let result: Result<(HazelcastConnection, Int), HazelcastError> = state.withLock { state in
            if state.phase == .shutDown { return .failure(.clientShutdown) }
            guard let connection = state.connection, !connection.isClosed else { return .failure(.notConnected) }
            return .success((connection, state.partitionCount))
        }
        return try result.get()
    }

    private func route(_ key: HazelcastData) throws(HazelcastError) -> (HazelcastConnection, Int32) {
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
                let routing = configuration.smartRouting ? tasks.spawn { [self] in await runSmartRouting(primary: connection) } : nil
                let reason = await heartbeatUntilClosed(connection)
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

    private func connectToAnyMember() async -> HazelcastConnection? {
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

    func openAuthenticated(_ address: HazelcastAddress) async throws -> (HazelcastConnection, ClientAuthenticationCodec.Response) {
        let id = connectionIds.add(1, ordering: .relaxed).newValue
        let connection = try await HazelcastConnection.open(
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
    private func install(_ connection: HazelcastConnection, _ response: ClientAuthenticationCodec.Response) -> Bool {
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
        registerListeners(on: connection)
        broadcaster.emit(.connected(member: connection.address, isReconnect: outcome.isReconnect))
        return true
    }

    private func connectionLost(_ connection: HazelcastConnection, reason: String) {
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

    /// Sends heartbeats on `connection` until it closes; returns why it closed.
    func heartbeatUntilClosed(_ connection: HazelcastConnection) async -> String {
        let heartbeat = tasks.spawn { [self] in await runHeartbeat(on: connection) }
        let reason = await connection.waitUntilClosed()
        heartbeat?.cancel()
        return reason
    }

    /// Pings when nothing was written for the heartbeat interval; closes the connection when
    /// nothing was read for the heartbeat timeout.
    func runHeartbeat(on connection: HazelcastConnection) async {
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
