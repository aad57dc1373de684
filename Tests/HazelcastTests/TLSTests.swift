import Foundation
import Hazelcast
import HazelcastTestMember
import Sockets
import TestTiming
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("TLS between the client and the test member")
struct TLSTests {
    static let mapName = "DOLPHIN_FEATURES"
    static let key = HazelcastData(string: "asset_BTCUSDT_ob")
    static let value = HazelcastData(string: #"{"bid":1}"#)

    let certificates: TestCertificates

    init() async throws {
        certificates = try await TestCertificates.shared()
    }

    // MARK: Accepted

    @Test func trustedMemberOverIPAddressRoundTrips() async throws {
        let (member, port) = try tlsMember(certificates.server)
        defer { member.stop() }
        let client = try HazelcastClient(
            configuration: tlsConfiguration(port: port, tls: .init(caFile: certificates.caFile)), logger: testLogger("client"))
        try await client.connect(timeout: TestBounds.unchecked)
        try await expectRoundTrip(client, member: member)
        // Large enough for many TLS records and a full socket buffer on the way.
        let large = HazelcastData(bytes: (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try await client.set(map: Self.mapName, key: Self.key, value: large)
        #expect(try await client.get(map: Self.mapName, key: Self.key) == large)
        await client.shutdown()
    }

    @Test func trustedMemberByDNSNameRoundTrips() async throws {
        let (member, port) = try tlsMember(certificates.server)
        defer { member.stop() }
        let client = try HazelcastClient(
            configuration: tlsConfiguration(port: port, tls: .init(caFile: certificates.caFile, serverName: "localhost")),
            logger: testLogger("client"))
        try await client.connect(timeout: TestBounds.unchecked)
        try await expectRoundTrip(client, member: member)
        await client.shutdown()
    }

    @Test func concurrentRequestsShareOneTLSConnection() async throws {
        let (member, port) = try tlsMember(certificates.server)
        defer { member.stop() }
        let client = try HazelcastClient(
            configuration: tlsConfiguration(port: port, tls: .init(caFile: certificates.caFile)), logger: testLogger("client"))
        try await client.connect(timeout: TestBounds.unchecked)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let key = HazelcastData(string: "key-\(index)")
                    for round in 0..<20 {
                        let value = HazelcastData(string: "value-\(index)-\(round)")
                        try await client.set(map: Self.mapName, key: key, value: value)
                        #expect(try await client.get(map: Self.mapName, key: key) == value)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(member.acceptedConnectionCount == 1)
        await client.shutdown()
    }

    @Test func mutualTLSWithTheRightClientCertificate() async throws {
        let (member, port) = try tlsMember(certificates.server, clientCAFile: certificates.caFile)
        defer { member.stop() }
        let tls = HazelcastTLSConfiguration(
            caFile: certificates.caFile, certificateFile: certificates.client.certificate,
            privateKeyFile: certificates.client.key)
        let client = try HazelcastClient(configuration: tlsConfiguration(port: port, tls: tls), logger: testLogger("client"))
        try await client.connect(timeout: TestBounds.unchecked)
        try await expectRoundTrip(client, member: member)
        await client.shutdown()
    }

    @Test func reconnectsOverTLSAfterTheMemberRestarts() async throws {
        let (member, port) = try tlsMember(certificates.server)
        defer { member.stop() }
        let client = try HazelcastClient(
            configuration: tlsConfiguration(port: port, tls: .init(caFile: certificates.caFile)), logger: testLogger("client"))
        try await client.connect(timeout: TestBounds.unchecked)
        try await client.set(map: Self.mapName, key: Self.key, value: Self.value)
        member.stop()
        #expect(await eventually { !client.isConnected })
        try member.start()
        #expect(await eventually { client.isConnected })
        #expect(try await client.get(map: Self.mapName, key: Self.key) == Self.value)
        #expect(client.reconnectCount == 1)
        await client.shutdown()
    }

    // MARK: Refused

    @Test func untrustedAuthorityIsRefused() async throws {
        try await expectRefused(
            member: certificates.server, client: .init(caFile: certificates.otherCAFile),
            reason: "certificate verify failed: unable to get local issuer certificate",
            replacement: (certificates.otherServer, nil))
    }

    @Test func expiredCertificateIsRefused() async throws {
        try await expectRefused(
            member: certificates.expired, client: .init(caFile: certificates.caFile),
            reason: "certificate verify failed: certificate has expired",
            replacement: (certificates.server, nil))
    }

    @Test func wrongIPAddressIsRefused() async throws {
        try await expectRefused(
            member: certificates.wrongHost, client: .init(caFile: certificates.caFile),
            reason: "certificate verify failed: IP address mismatch",
            replacement: (certificates.server, nil))
    }

    @Test func wrongHostNameIsRefused() async throws {
        try await expectRefused(
            member: certificates.wrongHost, client: .init(caFile: certificates.caFile, serverName: "localhost"),
            reason: "certificate verify failed: hostname mismatch",
            replacement: (certificates.server, nil))
    }

    @Test func wrongHostIsAcceptedWithoutHostnameVerification() async throws {
        let (member, port) = try tlsMember(certificates.wrongHost)
        defer { member.stop() }
        for serverName in [nil, "localhost"] {
            let tls = HazelcastTLSConfiguration(caFile: certificates.caFile, verifyHostname: false, serverName: serverName)
            let client = try HazelcastClient(configuration: tlsConfiguration(port: port, tls: tls), logger: testLogger("client"))
            try await client.connect(timeout: TestBounds.unchecked)
            try await expectRoundTrip(client, member: member)
            await client.shutdown()
            member.clear()
        }
    }

    @Test func chainIsVerifiedEvenWithoutHostnameVerification() async throws {
        try await expectRefused(
            member: certificates.server, client: .init(caFile: certificates.otherCAFile, verifyHostname: false),
            reason: "unable to get local issuer certificate",
            replacement: (certificates.otherServer, nil))
    }

    @Test func mutualTLSWithoutClientCertificateIsRefused() async throws {
        try await expectRefused(
            member: certificates.server, clientCAFile: certificates.caFile, client: .init(caFile: certificates.caFile),
            reason: "certificate required",
            replacement: (certificates.server, nil))
    }

    @Test func mutualTLSWithClientCertificateFromAnotherAuthorityIsRefused() async throws {
        let tls = HazelcastTLSConfiguration(
            caFile: certificates.caFile, certificateFile: certificates.wrongClient.certificate,
            privateKeyFile: certificates.wrongClient.key)
        try await expectRefused(
            member: certificates.server, clientCAFile: certificates.caFile, client: tls, reason: "unknown ca",
            replacement: (certificates.server, certificates.otherCAFile))
    }

    @Test func plainMemberIsRefused() async throws {
        let (member, port) = try startedMember()
        defer { member.stop() }
        let client = try HazelcastClient(
            configuration: tlsConfiguration(port: port, tls: .init(caFile: certificates.caFile)), logger: testLogger("client"))
        let events = EventRecorder(client.events())
        await #expect(throws: HazelcastError.self) { try await client.connect(timeout: .milliseconds(300)) }
        #expect(await eventually { !failures(events).isEmpty })
        #expect(failures(events).allSatisfy { "\($0)".contains("TLS handshake with 127.0.0.1:\(port) failed") })
        #expect(!client.isConnected)
        await client.shutdown()
    }

    @Test func handshakeIsBoundedByTheConnectTimeout() async throws {
        // A socket that accepts TCP connections (in the kernel's backlog) but never answers.
        let listener = try ListeningSocket.bind(host: "127.0.0.1", port: 0, backlog: 16, nonBlocking: false)
        defer { listener.close() }
        let port = listener.port
        var configuration = tlsConfiguration(port: port, tls: .init(caFile: certificates.caFile))
        configuration.connectTimeout = .milliseconds(300)
        let client = try HazelcastClient(configuration: configuration, logger: testLogger("client"))
        let events = EventRecorder(client.events())
        client.start()
        #expect(await eventually { !failures(events).isEmpty })
        let first = failures(events).first
        #expect(first == .timeout("TLS handshake with 127.0.0.1:\(port) after 0.3 seconds"))
        #expect(!client.isConnected)
        await client.shutdown()
    }

    // MARK: Configuration errors

    @Test func unreadableFilesFailAtCreation() {
        let missing = certificates.directory + "/missing.pem"
        #expect(throws: HazelcastError.self) {
            _ = try HazelcastClient(configuration: tlsConfiguration(port: 1, tls: .init(caFile: missing)))
        }
        #expect(throws: HazelcastError.self) {
            _ = try HazelcastClient(configuration: tlsConfiguration(port: 1, tls: .init(
                caFile: certificates.caFile, certificateFile: certificates.client.certificate,
                privateKeyFile: certificates.server.key)))
        }
        #expect(throws: HazelcastError.self) {
            _ = try HazelcastClient(configuration: tlsConfiguration(port: 1, tls: .init(
                caFile: certificates.caFile, certificateFile: certificates.client.certificate)))
        }
        do {
            _ = try HazelcastClient(configuration: tlsConfiguration(port: 1, tls: .init(caFile: missing)))
            Issue.record("a missing CA file was accepted")
        } catch {
            #expect("\(error)".contains("CA file '\(missing)' is not readable"))
        }
    }

    @Test func memberWithUnreadableCertificateFailsToStart() {
        let member = HazelcastTestMember(
            tls: TestMemberTLS(certificateFile: certificates.directory + "/missing.pem", privateKeyFile: certificates.server.key),
            logger: testLogger("test-member"))
        #expect(throws: HazelcastError.self) { try member.start() }
        #expect(!member.isRunning)
    }

    // MARK: Support

    /// A started TLS member on `port`, or (nil) on a random free port below the ephemeral range,
    /// where no outgoing connection can take the port while the member is stopped or replaced.
    private func tlsMember(
        _ identity: (certificate: String, key: String), clientCAFile: String? = nil, port: Int? = nil
    ) throws -> (HazelcastTestMember, Int) {
        let tls = TestMemberTLS(certificateFile: identity.certificate, privateKeyFile: identity.key, clientCAFile: clientCAFile)
        guard let port else { return try HazelcastTestMember.startedOnStablePort(tls: tls, logger: testLogger("test-member")) }
        let member = HazelcastTestMember(port: port, tls: tls, logger: testLogger("test-member"))
        return (member, try member.start())
    }

    private func tlsConfiguration(port: Int, tls: HazelcastTLSConfiguration) -> HazelcastClientConfiguration {
        var configuration = testConfiguration(ports: [port])
        configuration.tls = tls
        return configuration
    }

    private func expectRoundTrip(_ client: HazelcastClient, member: HazelcastTestMember) async throws {
        #expect(try await client.put(map: Self.mapName, key: Self.key, value: Self.value) == nil)
        #expect(try await client.get(map: Self.mapName, key: Self.key) == Self.value)
        #expect(member.entries(map: Self.mapName)[Self.key] == Self.value)
    }

    private func failures(_ events: EventRecorder) -> [HazelcastError] {
        events.recorded.compactMap { event in
            if case .connectionAttemptFailed(_, let error) = event { error } else { nil }
        }
    }

    /// A member presenting `identity` (requiring client certificates from `clientCAFile` when set)
    /// and a client with `tls` refuse each other: every attempt fails with an error containing
    /// `reason`, the client stays up and not connected and fails requests with `.notConnected`;
    /// then the same client connects to `replacement`, a member that suits it, on that port.
    private func expectRefused(
        member identity: (certificate: String, key: String), clientCAFile: String? = nil,
        client tls: HazelcastTLSConfiguration, reason: String,
        replacement: (identity: (certificate: String, key: String), clientCAFile: String?),
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let (member, port) = try tlsMember(identity, clientCAFile: clientCAFile)
        let client = try HazelcastClient(configuration: tlsConfiguration(port: port, tls: tls), logger: testLogger("client"))
        let events = EventRecorder(client.events())
        client.start()
        #expect(await eventually { failures(events).count >= 2 }, sourceLocation: sourceLocation)
        let seen = failures(events)
        #expect(seen.allSatisfy { "\($0)".contains(reason) }, "\(seen)", sourceLocation: sourceLocation)
        #expect(!client.isConnected, sourceLocation: sourceLocation)
        await #expect(throws: HazelcastError.notConnected, sourceLocation: sourceLocation) {
            _ = try await client.get(map: Self.mapName, key: Self.key)
        }
        member.stop()

        let (good, _) = try tlsMember(replacement.identity, clientCAFile: replacement.clientCAFile, port: port)
        defer { good.stop() }
        try await client.connect(timeout: TestBounds.unchecked)
        try await expectRoundTrip(client, member: good)
        #expect(client.reconnectCount == 0, sourceLocation: sourceLocation)
        await client.shutdown()
    }
}
