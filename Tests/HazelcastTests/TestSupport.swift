import Testing
import Foundation
import Hazelcast
import Locking
import HazelcastTestMember
import Logging
import TestTiming

/// Bytes from a hex string; whitespace is ignored.
func hexBytes(_ text: String) -> [UInt8] {
    let digits = text.filter { !$0.isWhitespace }.map { $0 }
    return stride(from: 0, to: digits.count - 1, by: 2).compactMap { index in
        UInt8(String(digits[index...index + 1]), radix: 16)
    }
}

/// Lower-case hex of bytes.
func hex(_ bytes: [UInt8]) -> String {
    bytes.map { byte in
        let digits = String(byte, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }.joined()
}

/// A logger that prints nothing unless HZ_TEST_LOG is set.
func testLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["HZ_TEST_LOG"] != nil ? .debug : .critical
    return logger
}

/// Client configuration for tests: a short back-off, so reconnections come quickly, and timeouts
/// that only a hang reaches (`TestBounds.unchecked`); a test of a timeout sets that one itself.
func testConfiguration(ports: [Int], clusterName: String = "dev") -> HazelcastClientConfiguration {
    HazelcastClientConfiguration(
        members: ports.map { HazelcastAddress(host: "127.0.0.1", port: $0) },
        clusterName: clusterName,
        connectTimeout: TestBounds.unchecked,
        invocationTimeout: TestBounds.unchecked,
        heartbeatInterval: .seconds(1),
        heartbeatTimeout: TestBounds.unchecked,
        reconnectInitialBackoff: .milliseconds(20),
        reconnectMaxBackoff: .milliseconds(200),
        reconnectMultiplier: 2,
        reconnectJitter: 0.2)
}

/// A started test member on a free port.
func startedMember(clusterName: String = "dev") throws -> (HazelcastTestMember, Int) {
    // A port below the ephemeral range: several tests stop and restart the member on it.
    try HazelcastTestMember.startedOnStablePort(clusterName: clusterName, logger: testLogger("test-member"))
}

/// Runs `body` with a connected client and a running member, then shuts both down.
func withConnectedClient(
    configure: (inout HazelcastClientConfiguration) -> Void = { _ in },
    _ body: (HazelcastClient, HazelcastTestMember) async throws -> Void
) async throws {
    let (member, port) = try startedMember()
    defer { member.stop() }
    var configuration = testConfiguration(ports: [port])
    configure(&configuration)
    let client = try HazelcastClient(configuration: configuration, logger: testLogger("client"))
    do {
        try await client.connect(timeout: TestBounds.unchecked)
        try await body(client, member)
    } catch {
        await client.shutdown()
        throw error
    }
    await client.shutdown()
    #expect(client.tasks.count == 0, "shutdown awaits every task the client started")
}

/// Collects events from a stream in the background.
final class EventRecorder: Sendable {
    private let events = MutexBox<[HazelcastClientEvent]>([])
    private let task: Task<Void, Never>

    init(_ stream: AsyncStream<HazelcastClientEvent>) {
        let events = self.events
        task = Task {
            for await event in stream { events.withLock { $0.append(event) } }
        }
    }

    var recorded: [HazelcastClientEvent] { events.withLock { $0 } }

    deinit { task.cancel() }
}

/// A shareable lock-protected value.
typealias MutexBox = Locked
