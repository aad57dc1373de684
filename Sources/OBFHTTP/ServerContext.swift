import Logging
import Synchronization
import Sockets

/// The number of open connections, shared by the server and its loops.
final class ConnectionCounter: Sendable {
    private let value = Atomic<Int>(0)

    var current: Int {
        value.load(ordering: .relaxed)
    }

    func increment() -> Int {
        value.wrappingAdd(1, ordering: .relaxed).newValue
    }

    func decrement() -> Int {
        value.wrappingSubtract(1, ordering: .relaxed).newValue
    }
}

/// What every event loop of one server shares.
final class ServerContext: Sendable {
    let configuration: HTTPServerConfiguration
    let handler: any HTTPHandler
    let logger: Logger
    let handles: [EventLoopHandle]
    let counter: ConnectionCounter
    /// The certificate and key of new connections when the server speaks TLS.
    let tls: TLSCredentials?
    let tlsRefusals = TLSRefusalLog()
    /// The deferred handler work still running, which `HTTPServer.shutdown()` waits for.
    let deferredTasks = DeferredTasks()

    init(
        configuration: HTTPServerConfiguration,
        handler: any HTTPHandler,
        logger: Logger,
        handles: [EventLoopHandle],
        counter: ConnectionCounter,
        tls: TLSCredentials?
    ) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        self.handles = handles
        self.counter = counter
        self.tls = tls
    }

    func connectionOpened() {
        handler.connectionsChanged(to: counter.increment())
    }

    func connectionClosed() {
        handler.connectionsChanged(to: counter.decrement())
    }

    /// Counts a TLS connection closed before any request and logs it (rate-limited).
    func tlsRefused(_ reason: TLSRefusal, fd: Int32, detail: String?, now: UInt64) {
        handler.tlsRefused(reason)
        tlsRefusals.record(reason, peer: SocketAddress.peer(of: fd)?.description, detail: detail, now: now, logger: logger)
    }
}
