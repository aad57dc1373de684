import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Hazelcast
import Locking
import Logging
import Sockets

/// One client connection to the test member: a thread (with TLS, after the handshake) reads
/// requests and answers them according to the member's current mode.
final class MemberConnection: Sendable {
    let id: Int
    private let descriptor: Int32
    private let tls: TLSContext?
    private let handshakeTimeout: Duration
    /// The stream once the connection thread has set it up (TLS: after the handshake).
    private let link = Locked(Link())
    private let localAddress: HazelcastAddress
    private let member: HazelcastTestMember
    private let logger: Logger
    /// Delayed answers leave in the order they were made (`responseDelay`).
    private let delayedWrites = DispatchQueue(label: "hz-test-member.delayed-writes")
    /// Entry events leave in the order they were published (per key: the order of its changes).
    private let eventWrites = DispatchQueue(label: "hz-test-member.event-writes")
    /// Answers held back until released, in the order they were made; nil while answers flow.
    private let heldAnswers = Locked<[[UInt8]]?>(nil)

    /// Descriptor ownership: until `stream` is set the connection thread owns `descriptor` and
    /// closes it with `isClosed` set under the lock; afterwards the stream owns it.
    private struct Link: Sendable {
        var stream: (any ByteStream)?
        var isShutDown = false
        var isClosed = false
    }

    init(
        id: Int, descriptor: Int32, member: HazelcastTestMember, logger: Logger,
        tls: TLSContext? = nil, handshakeTimeout: Duration = .seconds(5)
    ) {
        self.id = id
        self.descriptor = descriptor
        self.tls = tls
        self.handshakeTimeout = handshakeTimeout
        self.localAddress = SocketAddress.local(of: descriptor).map { HazelcastAddress(host: $0.host, port: $0.port) }
            ?? HazelcastAddress(host: "127.0.0.1", port: 0)
        self.member = member
        self.logger = logger
    }

    func start(handler: RequestHandler) {
        let thread = Thread { [self] in
            guard let stream = openStream() else {
                member.connectionClosed(self)
                return
            }
            readLoop(stream, handler: handler)
        }
        thread.name = "hz-test-member-connection-\(id)"
        thread.start()
    }

    /// Closes the connection from any thread (also during the TLS handshake).
    func shutdown() {
        link.withLock { link in
            link.isShutDown = true
            if let stream = link.stream {
                stream.shutdown()
            } else if !link.isClosed {
                Socket.shutdown(descriptor)
            }
        }
    }

    /// The plain stream, or the TLS stream after a successful handshake; nil (descriptor closed)
    /// when the handshake fails or the member stops meanwhile.
    private func openStream() -> (any ByteStream)? {
        let stream: any ByteStream
        if let tls {
            do {
                stream = try TLSStream.accept(
                    descriptor: descriptor, context: tls, timeout: handshakeTimeout, sendTimeout: .seconds(5),
                    peer: "client on connection \(id)")
            } catch {
                logger.debug("TLS handshake failed", metadata: ["connection": "\(id)", "error": "\(error)"])
                lingerAndClose()
                return nil
            }
        } else {
            stream = TCPStream(descriptor: descriptor, sendTimeout: .seconds(5))
        }
        let installed = link.withLock { link -> Bool in
            if link.isShutDown {
                link.isClosed = true
                return false
            }
            link.stream = stream
            return true
        }
        guard installed else {
            stream.close()
            return nil
        }
        return stream
    }

    /// After a failed handshake (whose alert is already sent): ends the sending side and reads
    /// what the client still sends (it may have written before reading the alert) until it
    /// closes, for at most a second. Closing with unread bytes would reset the connection, and
    /// the client could then see "connection reset" instead of the alert.
    private func lingerAndClose() {
        Socket.shutdownWrite(descriptor)
        let deadline = ContinuousClock.now + .seconds(1)
        var scratch = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) >= 0 || errno == EINTR else { break }
            let count = scratch.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { break }
        }
        closeDescriptor()
    }

    private func closeDescriptor() {
        link.withLock { link in
            guard !link.isClosed else { return }
            link.isClosed = true
            Socket.close(descriptor)
        }
    }

    /// Coalesced answers are written once they reach this many bytes.
    static let coalescedWriteSize = 16 * 1024

    private func readLoop(_ stream: any ByteStream, handler: RequestHandler) {
        defer {
            stream.close()
            member.connectionClosed(self)
        }
        var reader = MessageReader()
        var context = ConnectionContext(localAddress: localAddress, isAuthenticated: false, connection: self)
        var sawPreamble = false
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            // A hung member reads nothing: the client's writes fill the socket buffers.
            while member.mode == .hung {
                guard !link.withLock({ $0.isShutDown }) else { return }
                usleep(10_000)
            }
            guard let count = try? stream.read(into: buffer), count > 0 else { return }
            reader.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            if !sawPreamble {
                guard let preamble = reader.takeRawBytes(HazelcastConnection.protocolPreamble.count) else { continue }
                guard preamble == HazelcastConnection.protocolPreamble else {
                    logger.debug("closing a connection without the CP2 preamble", metadata: ["connection": "\(id)"])
                    return
                }
                sawPreamble = true
            }
            // The answers to the requests of one read are coalesced into writes of up to
            // `Self.coalescedWriteSize` bytes, as a member's output queue coalesces them: a batch
            // of per-partition requests is one round trip, and the first answers leave while
            // later ones are still being worked out.
            var answers: [UInt8] = []
            do {
                while let request = try reader.nextMessage() {
                    member.recordRequest(type: request.messageType)
                    guard answer(request, handler: handler, context: &context, into: &answers) else {
                        write(answers)
                        return
                    }
                    if answers.count >= Self.coalescedWriteSize {
                        write(answers)
                        answers.removeAll(keepingCapacity: true)
                    }
                }
            } catch {
                write(answers)
                logger.debug("closing a connection after invalid data", metadata: ["connection": "\(id)", "error": "\(error)"])
                return
            }
            if !answers.isEmpty { write(answers) }
        }
    }

    /// Appends the answer to `request` to `output`; returns false when the connection must close.
    private func answer(_ request: ClientMessage, handler: RequestHandler, context: inout ConnectionContext,
                        into output: inout [UInt8]) -> Bool {
        switch member.mode {
        case .silent, .hung:
            return true
        case .garbage:
            // A frame length of 2 cannot hold the 6-byte frame header.
            output.append(contentsOf: [0x02, 0x00, 0x00, 0x00, 0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x01])
            return true
        case .normal:
            if request.partitionId >= 0, member.stuckPartitions.contains(Int(request.partitionId)) {
                return true
            }
            switch handler.handle(request, context: &context) {
            case .close(let reason):
                logger.debug("closing a connection", metadata: ["connection": "\(id)", "reason": "\(reason)"])
                return false
            case .send(let messages):
                for message in messages { message.encode(into: &output) }
                return true
            }
        }
    }

    /// Queues an entry event for this connection (never blocks); only a member answering
    /// normally sends events.
    func sendEvent(_ event: ClientMessage) {
        guard member.mode == .normal, let stream = link.withLock({ $0.stream }) else { return }
        let bytes = event.encoded()
        eventWrites.async {
            try? stream.write(bytes)
        }
    }

    /// Holds every answer made from now on until `releaseHeldAnswers()`.
    func holdAnswers() {
        heldAnswers.withLock { held in
            if held == nil { held = [] }
        }
    }

    /// Writes the held answers in the order they were made and lets answers flow again. An
    /// answer made meanwhile waits for the lock, so it leaves after them.
    func releaseHeldAnswers() {
        let stream = link.withLock { $0.stream }
        heldAnswers.withLock { held in
            for bytes in held ?? [] { try? stream?.write(bytes) }
            held = nil
        }
    }

    private func write(_ bytes: [UInt8]) {
        guard !bytes.isEmpty, let stream = link.withLock({ $0.stream }) else { return }
        let isHeld = heldAnswers.withLock { held in
            held?.append(bytes)
            return held != nil
        }
        if isHeld { return }
        let delay = member.responseDelay
        guard delay > .zero else {
            try? stream.write(bytes)
            return
        }
        delayedWrites.asyncAfter(deadline: .now() + delay / .seconds(1)) {
            try? stream.write(bytes)
        }
    }
}
