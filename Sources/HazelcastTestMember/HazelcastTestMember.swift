import Dispatch
import Foundation
import Hazelcast
import Logging
import Locking
import Sockets

/// An in-memory stand-in for one Hazelcast 5.x member, for tests and demos (never for production).
///
/// It speaks enough of the client protocol for this project's client and for the official
/// Python client (smart or unisocket): authentication, cluster view (itself owning all
/// partitions), backup listener, proxies, statistics, ping, and Map get/getAll/put/set/remove/
/// delete, with per-partition semantics like a real member. Faults can be switched on while it
/// runs: `mode`, `responseDelay`, `holdAnswers()`, `stuckPartitions`, and `stop()` followed by `start()` on the
/// same port.
public final class HazelcastTestMember: Sendable {
    public let clusterName: String
    public let host: String
    public let partitionCount: Int
    private let credentials: (username: String, password: String)?
    private let logger: Logger
    private let store: MapStore
    private let topology: ClusterTopology
    private let memberIndex: Int
    /// Fixed for the member's lifetime, as a cluster keeps its id across member restarts.
    private let clusterId: UUID
    private let tls: TestMemberTLS?
    private let state: Locked<State>
    private let configuration = Locked(Configuration())
    private let counters = Locked<[Int32: Int]>([:])

    private struct Configuration {
        var mode = TestMemberMode.normal
        var delay = Duration.zero
        var stuckPartitions: Set<Int> = []
    }

    private struct State {
        var requestedPort: Int
        var boundPort: Int?
        var listener: ListeningSocket?
        var acceptDone: DispatchSemaphore?
        var connections: [Int: MemberConnection] = [:]
        var nextConnectionId = 0
        var acceptedCount = 0
    }

    /// `port` 0 picks a free port on the first `start()`; later starts reuse the bound port.
    /// With `username`/`password` set, clients must present them. With `tls`, every connection
    /// starts with a TLS handshake (the certificate files are read by `start()`).
    public convenience init(
        clusterName: String = "dev", host: String = "127.0.0.1", port: Int = 0, partitionCount: Int = 271,
        username: String? = nil, password: String? = nil, tls: TestMemberTLS? = nil,
        logger: Logger = Logger(label: "hazelcast.test-member")
    ) {
        self.init(
            clusterName: clusterName, host: host, port: port, partitionCount: partitionCount,
            credentials: username.flatMap { user in password.map { (user, $0) } }, logger: logger,
            topology: ClusterTopology(hosts: [host], partitionCount: partitionCount), memberIndex: 0, clusterId: UUID(),
            tls: tls)
    }

    init(
        clusterName: String, host: String, port: Int, partitionCount: Int,
        credentials: (username: String, password: String)?, logger: Logger, store: MapStore? = nil,
        topology: ClusterTopology, memberIndex: Int, clusterId: UUID, tls: TestMemberTLS? = nil
    ) {
        self.clusterName = clusterName
        self.host = host
        self.partitionCount = partitionCount
        self.credentials = credentials
        self.logger = logger
        self.store = store ?? MapStore(listeners: EntryListenerRegistry(topology: topology))
        self.topology = topology
        self.memberIndex = memberIndex
        self.clusterId = clusterId
        self.tls = tls
        state = Locked(State(requestedPort: port))
    }

    /// The member version reported to clients.
    public static let serverVersion = "5.3.0"

    /// Starts listening (again) and returns the bound port. A running member is left alone.
    @discardableResult
    public func start() throws -> Int {
        let port = state.withLock { $0.boundPort ?? $0.requestedPort }
        if let running = state.withLock({ $0.listener?.port }) { return running }
        let tlsContext = try tls.map { tls throws(HazelcastError) in
            try TLSContext.server(
                certificateFile: tls.certificateFile, privateKeyFile: tls.privateKeyFile, clientCAFile: tls.clientCAFile)
        }
        let listener: ListeningSocket
        do throws(SocketError) {
            listener = try ListeningSocket.bind(host: host, port: port, backlog: 128, nonBlocking: false)
        } catch {
            throw HazelcastError(error)
        }
        let done = DispatchSemaphore(value: 0)
        topology.started(index: memberIndex, port: listener.port)
        state.withLock { state in
            state.listener = listener
            state.boundPort = listener.port
            state.acceptDone = done
        }
        let handler = RequestHandler(
            clusterName: clusterName, credentials: credentials, partitionCount: partitionCount,
            topology: topology, memberIndex: memberIndex, clusterId: clusterId,
            serverVersion: Self.serverVersion, store: store)
        let thread = Thread { [self] in
            acceptLoop(listener, handler: handler, tls: tlsContext)
            done.signal()
        }
        thread.name = "hz-test-member-accept"
        thread.start()
        logger.debug("test member listening", metadata: ["host": "\(host)", "port": "\(listener.port)"])
        return listener.port
    }

    /// Stops listening and closes every connection; the stored entries survive a restart.
    public func stop() {
        let (listener, done, connections) = state.withLock { state in
            let result = (state.listener, state.acceptDone, Array(state.connections.values))
            state.listener = nil
            state.acceptDone = nil
            return result
        }
        // Only `stop` closes the listener, after its accept thread is gone: closed earlier, the
        // shutdown below could reach another socket that reused the descriptor number.
        listener?.shutdown()
        done?.wait()
        listener?.close()
        for connection in connections { connection.shutdown() }
    }

    /// The bound port, once started.
    public var port: Int? { state.withLock { $0.boundPort } }

    /// Whether the member is listening.
    public var isRunning: Bool { state.withLock { $0.listener != nil } }

    /// How requests are answered; takes effect for the next request.
    public var mode: TestMemberMode {
        get { configuration.withLock { $0.mode } }
        set { configuration.withLock { $0.mode = newValue } }
    }

    /// A pause before each response is written.
    public var responseDelay: Duration {
        get { configuration.withLock { $0.delay } }
        set { configuration.withLock { $0.delay = newValue } }
    }

    /// Holds back the answers to the requests of the connections open now until
    /// `releaseHeldAnswers()`: a response delay that ends when a test says so, not after a
    /// time that a loaded machine could outlast.
    public func holdAnswers() {
        for connection in state.withLock({ Array($0.connections.values) }) { connection.holdAnswers() }
    }

    /// Sends the held answers, in the order they were made, ahead of any later answer.
    public func releaseHeldAnswers() {
        for connection in state.withLock({ Array($0.connections.values) }) { connection.releaseHeldAnswers() }
    }

    /// Partitions whose requests are read but never answered, as when a member's partition
    /// thread is stuck; the other partitions are answered as usual.
    public var stuckPartitions: Set<Int> {
        get { configuration.withLock { $0.stuckPartitions } }
        set { configuration.withLock { $0.stuckPartitions = newValue } }
    }

    /// Entries of `map` (over all partitions), for assertions.
    public func entries(map: String) -> [HazelcastData: HazelcastData] {
        store.entries(map: map)
    }

    /// Stores an entry directly, in the key's partition.
    public func put(map: String, key: HazelcastData, value: HazelcastData) {
        store.put(map: map, partition: key.partitionId(partitionCount: partitionCount), key: key, value: value)
    }

    /// Removes `key` directly from its partition (listeners hear a REMOVED event).
    public func remove(map: String, key: HazelcastData) {
        store.remove(map: map, partition: key.partitionId(partitionCount: partitionCount), key: key)
    }

    /// Entry events of these keys are not sent to any listener (shared by a test cluster's
    /// members), as when events are lost; the map itself changes as usual.
    public var droppedEventKeys: Set<HazelcastData> {
        get { store.listeners.droppedKeys }
        set { store.listeners.droppedKeys = newValue }
    }

    /// Entry events sent to listeners, and those withheld by `droppedEventKeys`, since creation.
    public var entryEventCounts: (delivered: Int, dropped: Int) {
        let counts = store.listeners.counts
        return (counts.delivered, counts.dropped)
    }

    /// Removes every entry of every map.
    public func clear() {
        store.removeAll()
    }

    /// Connections accepted since creation.
    public var acceptedConnectionCount: Int { state.withLock { $0.acceptedCount } }

    /// Connections currently open.
    public var openConnectionCount: Int { state.withLock { $0.connections.count } }

    /// Requests of the given message type received since creation (e.g. 0x000B00 for Client.Ping).
    public func requestCount(messageType: Int32) -> Int {
        counters.withLock { $0[messageType] ?? 0 }
    }

    /// Client.Ping requests received since creation.
    public var pingCount: Int { requestCount(messageType: ClientPingCodec.requestType) }

    // MARK: Internals

    func recordRequest(type: Int32) {
        counters.withLock { $0[type, default: 0] += 1 }
    }

    func connectionClosed(_ connection: MemberConnection) {
        store.listeners.removeAll(of: connection)
        topology.removeViewListeners(of: connection)
        state.withLock { _ = $0.connections.removeValue(forKey: connection.id) }
    }

    private func acceptLoop(_ listener: ListeningSocket, handler: RequestHandler, tls: TLSContext?) {
        while case .accepted(let fd) = listener.accept() {
            let connection: MemberConnection? = state.withLock { state in
                guard state.listener?.descriptor == listener.descriptor else { return nil }
                state.nextConnectionId += 1
                state.acceptedCount += 1
                let connection = MemberConnection(
                    id: state.nextConnectionId, descriptor: fd, member: self, logger: logger,
                    tls: tls, handshakeTimeout: self.tls?.handshakeTimeout ?? .seconds(5))
                state.connections[connection.id] = connection
                return connection
            }
            guard let connection else {
                Socket.close(fd)
                return
            }
            connection.start(handler: handler)
        }
    }
}
