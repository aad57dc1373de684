import CSystemShims
import Dispatch
import Locking
import Logging
#if canImport(Glibc)
import Glibc
import Platform
#endif
import Sockets

/// An HTTP/1.1 server: one listener, `eventLoopCount` epoll threads, handlers called inline or in a Task.
/// Its threads run until `shutdown()`.
public final class HTTPServer: Sendable {
    private enum State {
        case idle
        case running(ServerContext, [pthread_t])
        case stopping(waiters: [CheckedContinuation<Void, Never>])
        case stopped
    }

    private enum ShutdownStep {
        case done
        case wait
        case begin(ServerContext, [pthread_t])
    }

    private let configuration: HTTPServerConfiguration
    private let handler: any HTTPHandler
    private let logger: Logger
    private let counter = ConnectionCounter()
    private let state = Locked(State.idle)

    public init(configuration: HTTPServerConfiguration, handler: any HTTPHandler, logger: Logger) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
    }

    /// The number of open connections.
    public var connectionCount: Int {
        counter.current
    }

    /// Binds, listens and starts the event loops; returns the bound port (useful with port 0).
    public func start() throws -> Int {
        try state.withLock { state in
            guard case .idle = state else {
                throw HTTPServerSetupError(operation: "start", message: "the server was already started or stopped")
            }
            let port = try launch(into: &state)
            logger.debug("HTTP server listening", metadata: [
                "host": "\(configuration.host)", "port": "\(port)", "loops": "\(configuration.eventLoopCount)",
                "tls": "\(configuration.tls != nil)",
            ])
            return port
        }
    }

    private func launch(into state: inout State) throws -> Int {
        guard configuration.eventLoopCount >= 1, configuration.maxConnections >= 1,
              configuration.maxHeaderBytes >= 64, configuration.maxHeaderCount >= 1, configuration.maxBodyBytes >= 0
        else {
            throw HTTPServerSetupError(operation: "start", message: "invalid configuration")
        }
        let tls = try configuration.tls.map { configuration throws(HTTPServerSetupError) in
            try TLSCredentials(configuration: configuration)
        }
        let listener: ListeningSocket
        do throws(SocketError) {
            listener = try ListeningSocket.bind(
                host: configuration.host, port: configuration.port, backlog: 1024, nonBlocking: true)
        } catch {
            throw HTTPServerSetupError(error)
        }
        var handles: [EventLoopHandle] = []
        do {
            for _ in 0..<configuration.eventLoopCount {
                handles.append(try EventLoopHandle())
            }
        } catch {
            for handle in handles { _ = handle.close() }
            Socket.close(listener.descriptor)
            throw error
        }
        let context = ServerContext(
            configuration: configuration, handler: handler, logger: logger, handles: handles, counter: counter,
            tls: tls)
        var threads: [pthread_t] = []
        for index in handles.indices {
            let listenerFD = index == 0 ? listener.descriptor : -1
            do {
                threads.append(try Self.spawn(name: "obf-http-\(index)") {
                    EventLoop(index: index, context: context, listenerFD: listenerFD).run()
                })
            } catch {
                // Loops already running stop at once; the others never ran, so close their parts here.
                for handle in handles[..<index] { handle.post(.shutdown(deadline: 0)) }
                for handle in handles[index...] { _ = handle.close() }
                if index == 0 { Socket.close(listener.descriptor) }
                for thread in threads { pthread_join(thread, nil) }
                throw error
            }
        }
        state = .running(context, threads)
        return listener.port
    }

    /// Reads the TLS certificate and key files again: new connections are served with them, open
    /// ones keep theirs. When the files cannot serve (unreadable, a key of another certificate, an
    /// expired certificate), throws and the certificate in use stays. Returns the new certificate's
    /// end of validity. Reads files: call it off the concurrency pool.
    @discardableResult
    public func reloadTLS() throws(HTTPServerSetupError) -> String {
        let context: ServerContext? = state.withLock { state in
            if case .running(let context, _) = state { return context }
            return nil
        }
        guard let context else { throw HTTPServerSetupError(operation: "TLS reload", message: "the server is not running") }
        guard let tls = context.tls else {
            throw HTTPServerSetupError(operation: "TLS reload", message: "the server does not speak TLS")
        }
        return try tls.reload().notAfter
    }

    /// Graceful stop: stops accepting, lets in-flight requests finish (up to `shutdownGrace`),
    /// closes everything and joins the loop threads.
    ///
    /// Returns only once every deferred handler the server started has returned too. At the
    /// deadline the connections still busy are closed, which cancels their deferred work; a
    /// handler that ignores cancellation is still awaited, however long it takes.
    public func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let step: ShutdownStep = state.withLock { state in
                switch state {
                case .idle, .stopped:
                    state = .stopped
                    return .done
                case .running(let context, let threads):
                    state = .stopping(waiters: [continuation])
                    return .begin(context, threads)
                case .stopping(var waiters):
                    waiters.append(continuation)
                    state = .stopping(waiters: waiters)
                    return .wait
                }
            }
            switch step {
            case .done:
                continuation.resume()
            case .wait:
                break
            case .begin(let context, let threads):
                let deadline = MonotonicTime.nanoseconds() &+ configuration.shutdownGrace.nanoseconds
                for handle in context.handles { handle.post(.shutdown(deadline: deadline)) }
                // Joining blocks, so it runs on a thread of its own: neither the cooperative pool
                // nor Dispatch's width-limited global queues (which also fire `Task.sleep` timers).
                // Once the loops are gone no deferred task can start, and those left are cancelled.
                let join: @Sendable () -> Void = {
                    for thread in threads { pthread_join(thread, nil) }
                    context.deferredTasks.whenDrained { self.finishShutdown() }
                }
                if let joiner = try? Self.spawn(name: "obf-http-stop", join) {
                    pthread_detach(joiner)
                } else {
                    DispatchQueue.global().async(execute: join)
                }
            }
        }
    }

    private func finishShutdown() {
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            guard case .stopping(let waiters) = state else { return [] }
            state = .stopped
            return waiters
        }
        logger.debug("HTTP server stopped")
        for waiter in waiters { waiter.resume() }
    }

    // MARK: - Threads

    private final class ThreadBody: Sendable {
        let run: @Sendable () -> Void

        init(_ run: @escaping @Sendable () -> Void) {
            self.run = run
        }
    }

    private static func spawn(name: String, _ body: @escaping @Sendable () -> Void) throws -> pthread_t {
        let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<ThreadBody>.fromOpaque(argument).takeRetainedValue().run()
            return nil
        }, box)
        guard result == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(box).release()
            throw HTTPServerSetupError(operation: "pthread_create", errno: result)
        }
        _ = pthread_setname_np(thread, String(name.prefix(15)))
        return thread
    }
}
