import Sockets

/// One client connection, owned by (and only touched on the thread of) its event loop.
///
/// On a TLS port the bytes go through its `TLSSession`: the connection starts in `.handshaking`
/// and reads requests only once the handshake is complete.
final class HTTPConnection {
    enum Phase {
        /// TLS only: the handshake is in progress (bounded by the request timeout).
        case handshaking
        /// Reading and answering requests.
        case reading
        /// A deferred handler is running; further bytes are buffered, not parsed.
        case awaitingDeferred
        /// The final response is sent and the write side shut; input is drained until EOF.
        case lingering
    }

    /// Output above this stops the parsing of pipelined requests until the client reads.
    private static let outputHighWater = 64 * 1024
    /// Buffers above this are released rather than kept for reuse.
    private static let keptCapacity = 128 * 1024

    let fd: Int32
    let id: UInt32
    /// False for a connection refused for the limit: it is not in the open-connection count.
    let counted: Bool
    unowned let loop: EventLoop
    /// The TLS session on a TLS port; nil for plain HTTP.
    private let tls: TLSSession?

    private(set) var phase: Phase
    private(set) var isClosed = false
    private var parser: HTTPRequestParser
    private var input: [UInt8] = []
    private var inputStart = 0
    private var output: [UInt8] = []
    private var outputStart = 0
    private var closeAfterFlush = false
    private var peerClosed = false
    private var registeredEvents: UInt32 = Epoll.readable
    /// The deferred handler's work while `phase` is `.awaitingDeferred`; cancelled if the
    /// connection closes first. A clean EOF from the client (a half-close) does not cancel it.
    private var deferredTask: Task<Void, Never>?

    private var pendingHeadOnly = false
    private var pendingKeepAlive = true
    private var pendingHTTP10 = false

    /// When the first byte of the request being read was taken, if one is in progress.
    private var requestStartedAt: UInt64?
    /// The first byte was seen to be a TLS handshake record.
    private var sawHandshakeRecord = false
    /// What the handshake waits for (`Epoll.readable` or `Epoll.writable`).
    private var handshakeInterest: UInt32 = Epoll.readable
    /// A TLS read needs the socket writable first (a post-handshake message to answer).
    private var readWaitsForWritable = false
    /// The last read or write; while the phase is `.handshaking`, when the connection was
    /// accepted (nothing is read or written before the handshake ends), which the handshake
    /// must end within the request timeout of.
    private var lastActivity: UInt64
    private var lastWriteProgress: UInt64
    private var lingerDeadline: UInt64 = 0

    init(fd: Int32, id: UInt32, counted: Bool, tls: TLSSession?, loop: EventLoop) {
        self.fd = fd
        self.id = id
        self.counted = counted
        self.tls = tls
        self.loop = loop
        self.phase = tls == nil ? .reading : .handshaking
        self.parser = HTTPRequestParser(limits: loop.limits)
        self.lastActivity = loop.now
        self.lastWriteProgress = loop.now
    }

    var epollToken: UInt64 {
        UInt64(UInt32(bitPattern: fd)) | UInt64(id) << 32
    }

    private var hasPendingOutput: Bool { outputStart < output.count }
    private var hasBufferedInput: Bool { inputStart < input.count }

    /// Nothing in progress: no request partly read, nothing to write.
    var isIdle: Bool {
        phase == .reading && requestStartedAt == nil && !hasBufferedInput && !hasPendingOutput
            && parser.isAtRequestBoundary
    }

    // MARK: - Events

    func handle(events: UInt32) {
        if events & (Epoll.error | Epoll.hangUp) != 0 {
            // Both directions are gone (or the peer reset): nothing more can be delivered.
            loop.close(self)
            return
        }
        if phase == .handshaking {
            continueHandshake()
            return
        }
        if events & Epoll.readable != 0 || (readWaitsForWritable && events & Epoll.writable != 0) {
            readWaitsForWritable = false
            readable()
            if isClosed { return }
        }
        if events & Epoll.writable != 0 {
            drive()
        }
    }

    // MARK: - TLS

    private func continueHandshake() {
        guard let tls else { return }
        if !sawHandshakeRecord {
            switch TLSFirstBytes.peek(fd) {
            case .nothing:
                return
            case .closed:
                // A port check or a client gone before speaking: nothing to count.
                loop.close(self)
                return
            case .plainHTTP:
                refuse(.plainHTTP, detail: nil)
                return
            case .tls, .other:
                sawHandshakeRecord = true
            }
        }
        switch tls.handshake() {
        case .done:
            phase = .reading
            lastActivity = loop.now
            loop.context.handler.tlsHandshakeCompleted(resumed: tls.isResumed)
            // The request may have come with the client's last handshake message.
            readable()
            // Nothing read yet: the interest is still the handshake's.
            updateInterest()
        case .wantRead:
            setHandshakeInterest(Epoll.readable)
        case .wantWrite:
            setHandshakeInterest(Epoll.writable)
        case .closed:
            refuse(.handshakeFailed, detail: "the client closed the connection")
        case .failed(let reason):
            refuse(.handshakeFailed, detail: reason)
        }
    }

    private func setHandshakeInterest(_ events: UInt32) {
        handshakeInterest = events
        updateInterest()
    }

    private func refuse(_ reason: TLSRefusal, detail: String?) {
        loop.context.tlsRefused(reason, fd: fd, detail: detail, now: loop.now)
        loop.close(self)
    }

    /// Reads decrypted bytes into the loop's buffer, a whole record per call while room for one is left.
    private func readTLS(_ tls: TLSSession) -> Socket.IOResult {
        var filled = 0
        while loop.scratch.count - filled >= TLSSession.maxRecordPayload {
            switch tls.read(into: UnsafeMutableBufferPointer(rebasing: loop.scratch[filled...])) {
            case .bytes(let count):
                filled += count
            case .step(.done), .step(.wantRead):
                return filled > 0 ? .bytes(filled) : .wouldBlock
            case .step(.wantWrite):
                readWaitsForWritable = true
                return filled > 0 ? .bytes(filled) : .wouldBlock
            case .step(.closed):
                guard filled > 0 else { return .closed }
                peerClosed = true
                return .bytes(filled)
            case .step(.failed):
                // A malformed or forged record: this connection is over, whatever came before it.
                return .failed(0)
            }
        }
        return .bytes(filled)
    }

    private func readable() {
        if phase == .lingering {
            drainLingering()
            return
        }
        let result = if let tls { readTLS(tls) } else { Socket.read(fd, into: loop.scratch) }
        switch result {
        case .bytes(let count):
            input.append(contentsOf: UnsafeBufferPointer(rebasing: loop.scratch[0..<count]))
            lastActivity = loop.now
        case .wouldBlock:
            return
        case .closed:
            peerClosed = true
        case .failed:
            loop.close(self)
            return
        }
        drive()
    }

    /// Parses and answers what is buffered, writes, and repeats while writing frees room.
    func drive() {
        while !isClosed {
            let heldBackByOutput = process()
            guard flush() else { return }
            // Pipelined requests held back for output go on once the output is written out.
            if !heldBackByOutput || hasPendingOutput { break }
        }
        if isClosed { return }
        if peerClosed && phase == .reading && !closeAfterFlush && !hasPendingOutput {
            // The client sent EOF and every complete request is answered.
            loop.close(self)
            return
        }
        updateInterest()
    }

    private func drainLingering() {
        while true {
            switch Socket.read(fd, into: loop.scratch) {
            case .bytes:
                continue
            case .wouldBlock:
                return
            case .closed, .failed:
                loop.close(self)
                return
            }
        }
    }

    // MARK: - Requests

    /// Parses and answers buffered requests; true when it stopped only because output is piling up.
    private func process() -> Bool {
        guard phase == .reading, !closeAfterFlush else { return false }
        while output.count - outputStart < Self.outputHighWater {
            if !hasBufferedInput && parser.isAtRequestBoundary {
                requestStartedAt = nil
                compactInput()
                return false
            }
            if requestStartedAt == nil { requestStartedAt = loop.now }
            var start = inputStart
            let event = input.withUnsafeBufferPointer { parser.parse($0, from: &start) }
            inputStart = start
            switch event {
            case .needMore:
                compactInput()
                return false
            case .continueExpected:
                ASCII.append(HTTPResponseSerializer.continueLine, to: &output)
            case .request(let request, let keepAlive):
                requestStartedAt = nil
                dispatch(request, keepAlive: keepAlive)
                if phase != .reading || closeAfterFlush {
                    compactInput()
                    return false
                }
            case .failure(let failure):
                answer(failure)
                return false
            }
        }
        compactInput()
        return true
    }

    private func dispatch(_ request: HTTPRequest, keepAlive: Bool) {
        let keepAlive = keepAlive && !loop.isShuttingDown
        switch loop.context.handler.handle(request) {
        case .response(let response):
            write(response, headOnly: request.isHead, keepAlive: keepAlive, http10: request.version == .http10)
        case .deferred(let work):
            phase = .awaitingDeferred
            pendingHeadOnly = request.isHead
            pendingKeepAlive = keepAlive
            pendingHTTP10 = request.version == .http10
            let handle = loop.handle
            let (fd, id) = (fd, UInt64(id))
            deferredTask = loop.context.deferredTasks.start {
                let response = await work()
                // Cancelled only once the connection is closed: nobody is left to answer.
                guard !Task.isCancelled else { return }
                handle.post(.deferredResult(fd: fd, connectionId: id, response: response))
            }
        }
    }

    /// Takes the result of the deferred handler. A connection runs one at a time and reads
    /// nothing meanwhile, so a result addressed to this connection is the one it awaits.
    func complete(with response: HTTPResponse) {
        guard phase == .awaitingDeferred else { return }
        phase = .reading
        deferredTask = nil
        write(response, headOnly: pendingHeadOnly, keepAlive: pendingKeepAlive && !loop.isShuttingDown, http10: pendingHTTP10)
        drive()
    }

    /// Answers without the handler, then closes.
    func answer(_ failure: HTTPRequestRefusal) {
        loop.context.handler.serverAnswered(status: failure.status, code: failure.code)
        loop.context.logger.debug("answered without handler", metadata: [
            "status": "\(failure.status)", "code": "\(failure.code)", "reason": "\(failure.message)",
        ])
        requestStartedAt = nil
        write(loop.context.handler.response(to: failure), headOnly: false, keepAlive: false, http10: false)
    }

    private func write(_ response: HTTPResponse, headOnly: Bool, keepAlive: Bool, http10: Bool) {
        let stays = HTTPResponseSerializer.append(
            response, headOnly: headOnly, keepAlive: keepAlive, http10: http10,
            dateLine: loop.dateCache.line, to: &output)
        if !stays { closeAfterFlush = true }
    }

    // MARK: - Buffers

    private func compactInput() {
        if inputStart == input.count {
            if input.capacity > Self.keptCapacity {
                input = []
            } else {
                input.removeAll(keepingCapacity: true)
            }
            inputStart = 0
        } else if inputStart >= 16 * 1024 && inputStart * 2 >= input.count {
            input.removeSubrange(0..<inputStart)
            inputStart = 0
        }
    }

    /// Sends what is pending; false when the connection was closed meanwhile.
    private func flush() -> Bool {
        while hasPendingOutput {
            let result = output.withUnsafeBytes { bytes in
                let pending = UnsafeRawBufferPointer(rebasing: bytes[outputStart...])
                return if let tls { tls.write(pending) } else { Socket.send(fd, pending) }
            }
            switch result {
            case .bytes(let count):
                outputStart += count
                lastWriteProgress = loop.now
                lastActivity = loop.now
            case .wouldBlock:
                return true
            case .closed, .failed:
                loop.close(self)
                return false
            }
        }
        if output.capacity > Self.keptCapacity {
            output = []
        } else {
            output.removeAll(keepingCapacity: true)
        }
        outputStart = 0
        if closeAfterFlush && phase == .reading {
            startLingering()
        }
        return !isClosed
    }

    private func startLingering() {
        tls?.close()
        Socket.shutdownWrite(fd)
        if peerClosed {
            loop.close(self)
            return
        }
        phase = .lingering
        input = []
        inputStart = 0
        lingerDeadline = min(loop.now + loop.lingerNanos, loop.shutdownDeadline)
        updateInterest()
    }

    private func updateInterest() {
        guard !isClosed else { return }
        var events: UInt32 = 0
        switch phase {
        case .handshaking:
            events = handshakeInterest
        case .lingering:
            events = Epoll.readable
        case .reading, .awaitingDeferred:
            if !peerClosed && input.count - inputStart < loop.inputCap { events |= Epoll.readable }
            if hasPendingOutput || readWaitsForWritable { events |= Epoll.writable }
        }
        if events != registeredEvents {
            registeredEvents = events
            loop.handle.epoll.modify(fd, events: events, token: epollToken)
        }
    }

    // MARK: - Time

    /// Applies the read, idle, write and linger deadlines.
    func checkDeadlines(now: UInt64) {
        switch phase {
        case .handshaking:
            if now - lastActivity >= loop.requestNanos { refuse(.handshakeTimeout, detail: nil) }
        case .lingering:
            if now >= lingerDeadline { loop.close(self) }
        case .awaitingDeferred:
            if hasPendingOutput && now - lastWriteProgress >= loop.idleNanos { loop.close(self) }
        case .reading:
            if hasPendingOutput {
                // A final response (error, `Connection: close`) gets the shorter request deadline.
                let patience = closeAfterFlush ? min(loop.requestNanos, loop.idleNanos) : loop.idleNanos
                if now - lastWriteProgress >= patience { loop.close(self) }
            } else if let started = requestStartedAt {
                if now - started >= loop.requestNanos {
                    answer(.requestTimeout)
                    drive()
                }
            } else if !hasBufferedInput && now - lastActivity >= loop.idleNanos {
                loop.close(self)
            }
        }
    }

    /// The server is stopping: an idle connection closes now, a busy one after its response.
    func beginShutdown() {
        if isIdle || phase == .handshaking {
            loop.close(self)
        } else if phase == .reading && requestStartedAt == nil && !hasBufferedInput {
            closeAfterFlush = true
            drive()
        } else if phase == .lingering {
            lingerDeadline = min(lingerDeadline, loop.shutdownDeadline)
        }
    }

    /// Called by `EventLoop.close(_:)`, whatever the reason: deferred work still running is
    /// cancelled, since its response can no longer be delivered.
    func markClosed() {
        isClosed = true
        // Best effort: close_notify tells the client the end is no truncation, and keeps its session resumable.
        tls?.close()
        deferredTask?.cancel()
        deferredTask = nil
    }
}
