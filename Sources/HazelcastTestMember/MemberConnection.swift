import Dispatch
import Foundation
import HazelcastClient
import Logging

/// One client connection to the test member: a thread reads requests and answers them
/// according to the member's current mode.
final class MemberConnection: Sendable {
    let id: Int
    private let stream: TCPStream
    private let localAddress: HazelcastAddress
    private let member: HazelcastTestMember
    private let logger: Logger

    init(id: Int, descriptor: Int32, member: HazelcastTestMember, logger: Logger) {
        self.id = id
        self.stream = TCPStream(descriptor: descriptor, sendTimeout: .seconds(5))
        self.localAddress = SocketAddress.local(of: descriptor) ?? HazelcastAddress(host: "127.0.0.1", port: 0)
        self.member = member
        self.logger = logger
    }

    func start(handler: RequestHandler) {
        let thread = Thread { [self] in
            readLoop(handler: handler)
        }
        thread.name = "hz-test-member-connection-\(id)"
        thread.start()
    }

    /// Closes the connection from any thread.
    func shutdown() {
        stream.shutdown()
    }

    private func readLoop(handler: RequestHandler) {
        defer {
            stream.close()
            member.connectionClosed(self)
        }
        var reader = MessageReader()
        var context = ConnectionContext(localAddress: localAddress, isAuthenticated: false)
        var sawPreamble = false
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            guard let count = try? stream.read(into: buffer), count > 0 else { return }
            reader.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            if !sawPreamble {
                guard let preamble = reader.takeRawBytes(Connection.protocolPreamble.count) else { continue }
                guard preamble == Connection.protocolPreamble else {
                    logger.debug("closing a connection without the CP2 preamble", metadata: ["connection": "\(id)"])
                    return
                }
                sawPreamble = true
            }
            do {
                while let request = try reader.nextMessage() {
                    member.recordRequest(type: request.messageType)
                    guard answer(request, handler: handler, context: &context) else { return }
                }
            } catch {
                logger.debug("closing a connection after invalid data", metadata: ["connection": "\(id)", "error": "\(error)"])
                return
            }
        }
    }

    /// Returns false when the connection must close.
    private func answer(_ request: ClientMessage, handler: RequestHandler, context: inout ConnectionContext) -> Bool {
        switch member.mode {
        case .silent:
            return true
        case .garbage:
            // A frame length of 2 cannot hold the 6-byte frame header.
            write([0x02, 0x00, 0x00, 0x00, 0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x01])
            return true
        case .normal:
            switch handler.handle(request, context: &context) {
            case .close(let reason):
                logger.debug("closing a connection", metadata: ["connection": "\(id)", "reason": "\(reason)"])
                return false
            case .send(let messages):
                var bytes: [UInt8] = []
                for message in messages { bytes.append(contentsOf: message.encoded()) }
                write(bytes)
                return true
            }
        }
    }

    private func write(_ bytes: [UInt8]) {
        let delay = member.responseDelay
        guard delay > .zero else {
            try? stream.write(bytes)
            return
        }
        let stream = self.stream
        DispatchQueue.global().asyncAfter(deadline: .now() + delay.seconds) {
            try? stream.write(bytes)
        }
    }
}
