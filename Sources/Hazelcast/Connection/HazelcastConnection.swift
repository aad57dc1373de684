import Foundation
import Logging
import Synchronization
import Locking
import Platform

/// One TCP connection to a member. A dedicated thread connects and then reads with blocking
/// calls, and another writes what requests queue (`OutboundQueue`): no caller ever blocks on the
/// socket, never on the Swift cooperative pool. Requests are correlated by id so many can be in
/// flight, and each ends at its own timeout even when the member stops reading.
package final class HazelcastConnection: Sendable {
    package let id: Int
    package let address: HazelcastAddress
    private let stream: any ByteStream
    private let logger: Logger
    private let correlationIds = Atomic<Int64>(0)
    private let lastRead: Atomic<UInt64>
    private let lastWrite: Atomic<UInt64>
    private let state = Locked(State())
    private let outbound = OutboundQueue()

    private struct State {
        var closeReason: String?
        var pending: [Int64: PendingRequest] = [:]
        var eventHandlers: [Int64: @Sendable (ClientMessage) -> Void] = [:]
        var closeWaiters: [CheckedContinuation<String, Never>] = []
    }

    /// The bytes a client sends first on every connection.
    package static let protocolPreamble: [UInt8] = Array("CP2".utf8)

    package init(id: Int, address: HazelcastAddress, stream: any ByteStream, logger: Logger) {
        self.id = id
        self.address = address
        self.stream = stream
        self.logger = logger
        let now = MonotonicTime.nanoseconds()
        lastRead = Atomic(now)
        lastWrite = Atomic(now)
    }

    // MARK: Opening

    /// Connects on a new thread (which then becomes the reader), with `tls` runs the TLS
    /// handshake (within `connectTimeout` too), sends the `CP2` preamble and returns the
    /// connection. Cancelling the caller abandons the attempt.
    package static func open(
        to address: HazelcastAddress, id: Int, connectTimeout: Duration, writeTimeout: Duration,
        tls: TLSContext? = nil, logger: Logger
    ) async throws -> HazelcastConnection {
        let attempt = OpenAttempt()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                attempt.setContinuation(continuation)
                let thread = Thread {
                    let connection: HazelcastConnection
                    do {
                        let stream: any ByteStream = if let tls {
                            try TLSStream.connect(
                                host: address.host, port: address.port, context: tls,
                                timeout: connectTimeout, sendTimeout: writeTimeout)
                        } else {
                            try TCPStream.connect(
                                host: address.host, port: address.port, timeout: connectTimeout, sendTimeout: writeTimeout)
                        }
                        connection = HazelcastConnection(id: id, address: address, stream: stream, logger: logger)
                        try stream.write(protocolPreamble)
                    } catch {
                        attempt.finish(.failure(error))
                        return
                    }
                    guard attempt.finish(.success(connection)) else {
                        connection.close(reason: "connection attempt abandoned")
                        connection.stream.close()
                        return
                    }
                    connection.startWriter()
                    connection.readLoop()
                }
                thread.name = "hz-connection-\(id)"
                thread.start()
            }
        } onCancel: {
            attempt.finish(.failure(CancellationError()))
        }
        return try attempt.take()
    }

    // MARK: State

    package var isClosed: Bool { state.withLock { $0.closeReason != nil } }
    /// Monotonic time of the last bytes received.
    package var lastReadNanoseconds: UInt64 { lastRead.load(ordering: .relaxed) }
    /// Monotonic time of the last bytes written.
    package var lastWriteNanoseconds: UInt64 { lastWrite.load(ordering: .relaxed) }

    /// Closes the connection: wakes the reader, fails pending requests, wakes `waitUntilClosed`.
    package func close(reason: String) {
        let (requests, waiters) = state.withLock { state -> ([PendingRequest], [CheckedContinuation<String, Never>]) in
            guard state.closeReason == nil else { return ([], []) }
            state.closeReason = reason
            let requests = Array(state.pending.values)
            let waiters = state.closeWaiters
            state.pending = [:]
            state.eventHandlers = [:]
            state.closeWaiters = []
            return (requests, waiters)
        }
        outbound.close()
        stream.shutdown()
        for request in requests { request.complete(.failure(HazelcastError.connectionLost(reason))) }
        for waiter in waiters { waiter.resume(returning: reason) }
    }

    /// Returns the close reason once the connection is closed.
    package func waitUntilClosed() async -> String {
        await withCheckedContinuation { continuation in
            let reason: String? = state.withLock { state in
                if let reason = state.closeReason { return reason }
                state.closeWaiters.append(continuation)
                return nil
            }
            if let reason { continuation.resume(returning: reason) }
        }
    }

    // MARK: Requests

    /// Sends one request and waits for its response; an error response throws `.server`.
    package func send(
        _ message: ClientMessage, timeout: Duration, what: String,
        eventHandler: (@Sendable (ClientMessage) -> Void)? = nil
    ) async throws -> ClientMessage {
        let results = await sendAll([message], timeout: timeout, what: what, eventHandler: eventHandler)
        guard let first = results.first else { throw HazelcastError.protocol("no result for \(what)") }
        return try first.get()
    }

    /// Sends several requests in one write and waits for all responses (each may fail on its own);
    /// the caller is woken once, when the last request is complete.
    package func sendAll(
        _ messages: [ClientMessage], timeout: Duration, what: String,
        eventHandler: (@Sendable (ClientMessage) -> Void)? = nil
    ) async -> [Result<ClientMessage, any Error>] {
        await submit(count: messages.count, byteCount: messages.reduce(0) { $0 + $1.encodedSize }, timeout: timeout,
                     what: what, eventHandler: eventHandler, onResponse: nil) { index, bytes in
            messages[index].encode(into: &bytes)
        }
    }

    /// `sendAll` for requests already in their wire form (unfragmented, as `ClientMessage.encoded()`
    /// writes them); each gets a fresh correlation id on the way out. `onResponse` sees each
    /// successful response on the reader thread as it arrives, before the request counts as done.
    package func sendAll(
        encoded requests: [[UInt8]], timeout: Duration, what: String,
        eventHandler: (@Sendable (ClientMessage) -> Void)? = nil,
        onResponse: (@Sendable (ClientMessage) -> Void)? = nil
    ) async -> [Result<ClientMessage, any Error>] {
        await submit(count: requests.count, byteCount: requests.reduce(0) { $0 + $1.count }, timeout: timeout,
                     what: what, eventHandler: eventHandler, onResponse: onResponse) { index, bytes in
            bytes.append(contentsOf: requests[index])
        }
    }

    /// Writes `count` requests, each appended to one buffer by `append` and given a fresh
    /// correlation id there, registers them as one batch and waits for it.
    private func submit(
        count: Int, byteCount: Int, timeout: Duration, what: String,
        eventHandler: (@Sendable (ClientMessage) -> Void)?, onResponse: (@Sendable (ClientMessage) -> Void)?,
        append: (Int, inout [UInt8]) -> Void
    ) async -> [Result<ClientMessage, any Error>] {
        let batch = ResponseBatch(count: count, onResponse: onResponse)
        var correlationIds: [Int64] = []
        correlationIds.reserveCapacity(count)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(byteCount)
        for index in 0..<count {
            let correlationId = self.correlationIds.add(1, ordering: .relaxed).newValue
            let start = bytes.count
            append(index, &bytes)
            ClientMessage.patchCorrelationId(correlationId, inMessageAt: start, of: &bytes)
            correlationIds.append(correlationId)
        }
        let registered = correlationIds
        let closedReason: String? = state.withLock { state in
            if let reason = state.closeReason { return reason }
            for (index, correlationId) in registered.enumerated() {
                state.pending[correlationId] = PendingRequest(batch: batch, index: index)
                if let eventHandler { state.eventHandlers[correlationId] = eventHandler }
            }
            return nil
        }
        if let closedReason {
            return registered.map { _ in .failure(HazelcastError.connectionLost(closedReason)) }
        }
        guard outbound.enqueue(bytes) else {
            fail(registered, with: HazelcastError.io("\(what) not sent: \(OutboundQueue.limit) bytes wait to be written to "
                + "\(address); the member does not read"))
            return await batch.results()
        }
        // The timeout is a child task: the answers (or a cancellation) end it, and `submit`
        // returns only after it has ended.
        return await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                try? await Task.sleep(for: timeout)
                guard !Task.isCancelled else { return }
                fail(registered, with: HazelcastError.timeout("\(what) got no response within \(timeout)"))
            }
            let results = await withTaskCancellationHandler {
                await batch.results()
            } onCancel: {
                fail(registered, with: CancellationError())
            }
            group.cancelAll()
            return results
        }
    }

    /// Stops handing the events of the registration made by request `correlationId` to its handler.
    package func removeEventHandler(for correlationId: Int64) {
        _ = state.withLock { $0.eventHandlers.removeValue(forKey: correlationId) }
    }

    /// Sends a request whose response is not awaited (a heartbeat ping); the response is dropped.
    package func sendWithoutResponse(_ message: ClientMessage) {
        var bytes = message.encoded()
        ClientMessage.patchCorrelationId(correlationIds.add(1, ordering: .relaxed).newValue, inMessageAt: 0, of: &bytes)
        guard !isClosed else { return }
        _ = outbound.enqueue(bytes)
    }

    /// Starts the writer thread; a failed write closes the connection.
    private func startWriter() {
        let stream = self.stream
        outbound.startWriter(
            name: "hz-connection-\(id)-writer",
            write: { bytes in try stream.write(bytes) },
            onWritten: { [weak self] in self?.lastWrite.store(MonotonicTime.nanoseconds(), ordering: .relaxed) },
            onFailure: { [weak self] error in self?.close(reason: "write failed: \(error)") })
    }

    private func fail(_ correlationIds: [Int64], with error: any Error) {
        let requests = state.withLock { state in
            correlationIds.compactMap { correlationId -> PendingRequest? in
                state.eventHandlers[correlationId] = nil
                return state.pending.removeValue(forKey: correlationId)
            }
        }
        for request in requests { request.complete(.failure(error)) }
    }

    // MARK: Reading

    private func readLoop() {
        var reader = MessageReader()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer {
            buffer.deallocate()
            stream.close()
        }
        while true {
            let count: Int
            do {
                count = try stream.read(into: buffer)
            } catch {
                close(reason: "read failed: \(error)")
                return
            }
            guard count > 0 else {
                close(reason: "the member closed the connection")
                return
            }
            lastRead.store(MonotonicTime.nanoseconds(), ordering: .relaxed)
            reader.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            do {
                while let message = try reader.nextMessage() {
                    dispatch(message)
                }
            } catch {
                logger.warning("closing connection: invalid data from member", metadata: [
                    "member": "\(address)", "connection": "\(id)", "error": "\(error)",
                ])
                close(reason: "\(error)")
                return
            }
        }
    }

    private func dispatch(_ message: ClientMessage) {
        let correlationId = message.correlationId
        if message.isEvent || message.initialFlags & FrameFlags.backupEvent != 0 {
            let handler = state.withLock { $0.eventHandlers[correlationId] }
            handler?(message)
            return
        }
        let request = state.withLock { $0.pending.removeValue(forKey: correlationId) }
        guard let request else {
            logger.trace("dropping a response nobody waits for", metadata: [
                "correlation_id": "\(correlationId)", "message_type": "\(message.messageType)",
            ])
            return
        }
        if message.messageType == ErrorCodec.messageType {
            request.complete(.failure(ErrorCodec.error(from: message)))
        } else {
            request.complete(.success(message))
        }
    }
}

/// A request waiting for its response: its place in the batch it was sent with.
private struct PendingRequest: Sendable {
    let batch: ResponseBatch
    let index: Int

    func complete(_ result: Result<ClientMessage, any Error>) {
        batch.complete(index, with: result)
    }
}

/// The hand-over between an opening thread and the task waiting for it; whichever of success,
/// failure or cancellation comes first wins. The result itself passes through the lock (the
/// waiting task takes it with `take()` once resumed), so everything the opening thread wrote
/// before `finish` happens-before the task's use of the connection, for ThreadSanitizer too.
private final class OpenAttempt: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Void, Never>?
        var result: Result<HazelcastConnection, any Error>?
        var done = false
    }

    private let state = Locked(State())

    func setContinuation(_ continuation: CheckedContinuation<Void, Never>) {
        let alreadyDone = state.withLock { state -> Bool in
            if state.done { return true }
            state.continuation = continuation
            return false
        }
        if alreadyDone { continuation.resume() }
    }

    /// Returns whether this result reached the waiting task.
    @discardableResult
    func finish(_ result: Result<HazelcastConnection, any Error>) -> Bool {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.done else { return nil }
            state.done = true
            state.result = result
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume()
        return continuation != nil
    }

    /// The result, once the waiting task was resumed.
    func take() throws -> HazelcastConnection {
        let result = state.withLock { $0.result } ?? .failure(CancellationError())
        return try result.get()
    }
}
