import CSystemShims
import Logging
#if canImport(Glibc)
import Glibc
import Platform
#endif
import Sockets

/// One thread's epoll loop and the connections it owns.
///
/// Created on its own thread and never shared: everything here is touched only from `run()`.
/// Other threads reach it through `handle`.
final class EventLoop {
    private static let maxEvents = 256
    private static let acceptBatch = 64
    private static let readChunk = 64 * 1024
    /// Refused connections (over the limit) kept lingering at once; more are closed at once.
    private static let maxRejectedLingering = 64

    let index: Int
    let context: ServerContext
    let handle: EventLoopHandle
    let limits: HTTPRequestParser.Limits
    /// One read buffer for all connections of the loop: bytes are copied out right after each read.
    let scratch: UnsafeMutableBufferPointer<UInt8>

    let requestNanos: UInt64
    let idleNanos: UInt64
    let lingerNanos: UInt64
    /// Input buffered beyond this is left in the socket until the connection catches up.
    let inputCap: Int
    private let sweepNanos: UInt64

    private(set) var now: UInt64
    private(set) var isShuttingDown = false
    private(set) var shutdownDeadline: UInt64 = .max
    private(set) var dateCache = HTTPDateCache()

    private var listenerFD: Int32
    private var listenerPausedUntil: UInt64?
    private var lastAcceptWarning: UInt64 = 0
    private var connections: [HTTPConnection?] = []
    private var connectionTotal = 0
    private var rejectedTotal = 0
    private var nextId: UInt32 = 0
    private var nextLoop = 0
    private var nextSweep: UInt64

    init(index: Int, context: ServerContext, listenerFD: Int32) {
        self.index = index
        self.context = context
        self.handle = context.handles[index]
        self.listenerFD = listenerFD
        let configuration = context.configuration
        limits = HTTPRequestParser.Limits(
            maxHeaderBytes: configuration.maxHeaderBytes,
            maxHeaderCount: configuration.maxHeaderCount,
            maxBodyBytes: configuration.maxBodyBytes)
        scratch = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: Self.readChunk)
        requestNanos = max(1, configuration.headerReadTimeout.nanoseconds)
        idleNanos = max(1, configuration.idleTimeout.nanoseconds)
        lingerNanos = min(2_000_000_000, requestNanos)
        inputCap = configuration.maxHeaderBytes + configuration.maxBodyBytes + Self.readChunk
        sweepNanos = min(max(min(requestNanos, idleNanos) / 10, 10_000_000), 1_000_000_000)
        now = MonotonicTime.nanoseconds()
        nextSweep = now + sweepNanos
        dateCache.refresh()
    }

    deinit {
        scratch.deallocate()
    }

    // MARK: - Loop

    func run() {
        let events = UnsafeMutableBufferPointer<epoll_event>.allocate(capacity: Self.maxEvents)
        defer { events.deallocate() }
        if listenerFD >= 0 { handle.epoll.add(listenerFD, events: Epoll.readable) }

        while true {
            let count = handle.epoll.wait(into: events, timeoutMilliseconds: waitTimeout())
            now = MonotonicTime.nanoseconds()
            dateCache.refresh()
            for event in events[0..<count] {
                dispatch(event)
            }
            if now >= nextSweep {
                sweep()
                nextSweep = now + sweepNanos
            }
            if isShuttingDown && (connectionTotal == 0 || now >= shutdownDeadline) { break }
        }
        finish()
    }

    private func waitTimeout() -> Int32 {
        if connectionTotal == 0 && listenerPausedUntil == nil && !isShuttingDown { return -1 }
        let current = MonotonicTime.nanoseconds()
        var wake = nextSweep
        if isShuttingDown { wake = min(wake, shutdownDeadline) }
        guard wake > current else { return 0 }
        return Int32(min((wake - current + 999_999) / 1_000_000, 1000))
    }

    private func dispatch(_ event: epoll_event) {
        let token = event.data.u64
        let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: token))
        let id = UInt32(truncatingIfNeeded: token >> 32)
        if id == 0 {
            if fd == handle.wakeFD {
                for message in handle.drain() { receive(message) }
            } else if fd == listenerFD {
                acceptConnections()
            }
            return
        }
        // The id guards against an event for a descriptor number that was closed and reused.
        guard let connection = connection(for: fd), connection.id == id else { return }
        connection.handle(events: event.events)
    }

    private func connection(for fd: Int32) -> HTTPConnection? {
        fd >= 0 && Int(fd) < connections.count ? connections[Int(fd)] : nil
    }

    private func receive(_ message: LoopMessage) {
        switch message {
        case .adopt(let fd, let rejected):
            adopt(fd, rejected: rejected)
        case .deferredResult(let fd, let connectionId, let response):
            guard let connection = connection(for: fd), UInt64(connection.id) == connectionId else { return }
            connection.complete(with: response)
        case .shutdown(let deadline):
            beginShutdown(deadline: deadline)
        }
    }

    // MARK: - Connections

    private func acceptConnections() {
        for _ in 0..<Self.acceptBatch {
            switch Socket.accept(listenerFD, nonBlocking: true) {
            case .accepted(let fd):
                let rejected = context.counter.current >= context.configuration.maxConnections
                if rejected {
                    adopt(fd, rejected: true)
                    continue
                }
                context.connectionOpened()
                let target = nextLoop
                nextLoop = (nextLoop + 1) % context.handles.count
                if target == index {
                    adopt(fd, rejected: false)
                } else if !context.handles[target].post(.adopt(fd: fd, rejected: false)) {
                    Socket.close(fd)
                    context.connectionClosed()
                }
            case .wouldBlock:
                return
            case .exhausted(let code):
                // Level-triggered: leaving the listener armed would spin until a descriptor frees up.
                handle.epoll.remove(listenerFD)
                listenerPausedUntil = now + 100_000_000
                warnAccept(code)
                return
            case .failed(let code):
                warnAccept(code)
                return
            }
        }
    }

    private func warnAccept(_ code: Int32) {
        guard now - lastAcceptWarning >= 1_000_000_000 || lastAcceptWarning == 0 else { return }
        lastAcceptWarning = now
        context.logger.warning("accept failed", metadata: [
            "errno": "\(code)", "error": "\(errnoMessage(code))",
        ])
    }

    private func adopt(_ fd: Int32, rejected: Bool) {
        // A refusal on the TLS port is a bare close: a plain-text 503 would be garbage to a TLS
        // client, and a handshake would spend the CPU the limit is there to save.
        if isShuttingDown || (rejected && (rejectedTotal >= Self.maxRejectedLingering || context.tls != nil)) {
            if rejected { context.handler.serverAnswered(status: 503, code: HTTPRequestRefusal.tooManyConnections.code) }
            Socket.close(fd)
            if !rejected { context.connectionClosed() }
            return
        }
        Socket.setNoDelay(fd)
        var session: TLSSession?
        if let tls = context.tls {
            session = TLSSession(context: tls.current, fd: fd)
            if session == nil {
                context.logger.error("cannot start a TLS session (out of memory?): connection closed")
                Socket.close(fd)
                context.connectionClosed()
                return
            }
        }
        nextId = nextId == UInt32.max ? 1 : nextId + 1
        let connection = HTTPConnection(fd: fd, id: nextId, counted: !rejected, tls: session, loop: self)
        guard handle.epoll.add(fd, events: Epoll.readable, token: connection.epollToken) else {
            Socket.close(fd)
            if !rejected { context.connectionClosed() }
            return
        }
        let slot = Int(fd)
        if slot >= connections.count {
            connections.append(contentsOf: repeatElement(nil, count: slot + 1 - connections.count))
        }
        connections[slot] = connection
        connectionTotal += 1
        if rejected {
            rejectedTotal += 1
            connection.answer(.tooManyConnections)
            connection.drive()
        }
    }

    /// Closes `connection` and forgets it; safe to call more than once.
    func close(_ connection: HTTPConnection) {
        guard !connection.isClosed else { return }
        connection.markClosed()
        handle.epoll.remove(connection.fd)
        Socket.close(connection.fd)
        connections[Int(connection.fd)] = nil
        connectionTotal -= 1
        if connection.counted {
            context.connectionClosed()
        } else {
            rejectedTotal -= 1
        }
    }

    private func sweep() {
        if let pausedUntil = listenerPausedUntil, now >= pausedUntil, listenerFD >= 0 {
            listenerPausedUntil = nil
            handle.epoll.add(listenerFD, events: Epoll.readable)
        }
        for case let connection? in connections {
            connection.checkDeadlines(now: now)
        }
    }

    // MARK: - Shutdown

    private func beginShutdown(deadline: UInt64) {
        guard !isShuttingDown else { return }
        isShuttingDown = true
        shutdownDeadline = deadline
        closeListener()
        for case let connection? in connections {
            connection.beginShutdown()
        }
    }

    private func closeListener() {
        guard listenerFD >= 0 else { return }
        if listenerPausedUntil == nil { handle.epoll.remove(listenerFD) }
        Socket.close(listenerFD)
        listenerFD = -1
        listenerPausedUntil = nil
    }

    private func finish() {
        closeListener()
        for case let connection? in connections {
            close(connection)
        }
        for message in handle.close() {
            if case .adopt(let fd, let rejected) = message {
                Socket.close(fd)
                if !rejected { context.connectionClosed() }
            }
        }
    }
}
