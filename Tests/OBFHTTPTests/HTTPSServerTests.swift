import Foundation
import HTTPTestClient
import Locking
import Logging
@testable import OBFHTTP
import Testing
import TestTiming
import TLSTestSupport

/// HTTPS on the epoll server: real handshakes on loopback with certificates made by the tests.
@Suite("HTTPS")
struct HTTPSServerTests {
    /// A TLS server presenting `pair` (the test server by default), with `clientCA` for mutual TLS.
    private func withTLSServer(
        _ certificates: TestCertificates,
        pair: (certificate: String, key: String)? = nil,
        clientCA: String? = nil,
        _ configure: @escaping (inout HTTPServerConfiguration) -> Void = { _ in },
        _ body: (TestServer) async throws -> Void
    ) async throws {
        let pair = pair ?? certificates.server
        try await withTestServer({ configuration in
            configuration.tls = TLSServerConfiguration(certificateFile: pair.certificate, privateKeyFile: pair.key,
                                                       clientCAFile: clientCA)
            configure(&configuration)
        }, body)
    }

    private func trusting(_ certificates: TestCertificates) -> TLSTestIdentity {
        TLSTestIdentity(caFile: certificates.caFile)
    }

    @Test func servesKeepAliveRequestsOverTLS13WithALPN() async throws {
        let certificates = try await TestCertificates.shared()
        try await withTLSServer(certificates) { server in
            try await blocking {
                let client = try TLSTestClient(port: server.port, identity: trusting(certificates))
                #expect(client.protocolVersion == "TLSv1.3")
                #expect(client.alpnProtocol == "http/1.1")
                #expect(client.peerCommonName == "obf-server-1")
                for index in 0..<3 {
                    let response = try client.request("POST", "/echo", body: Array("body \(index)".utf8))
                    #expect(response.status == 200)
                    #expect(response.json["body"] as? String == "body \(index)")
                }
                let big = try client.request("GET", "/big?bytes=300000")
                #expect(big.body.count == 300_000)
            }
            #expect(server.recorder.count(of: .tlsHandshake(resumed: false)) == 1)
        }
    }

    @Test func tls12IsServedAndOlderVersionsAreRefused() async throws {
        let certificates = try await TestCertificates.shared()
        try await withTLSServer(certificates) { server in
            try await blocking {
                var tls12 = trusting(certificates)
                tls12.onlyVersion = .tls12
                let client = try TLSTestClient(port: server.port, identity: tls12)
                #expect(client.protocolVersion == "TLSv1.2")
                #expect(try client.request("GET", "/ok").status == 200)
                var tls11 = trusting(certificates)
                tls11.onlyVersion = .tls11
                #expect(throws: TLSTestError.self) { try TLSTestClient(port: server.port, identity: tls11) }
            }
            #expect(await eventually { server.recorder.count(of: .tlsRefused(.handshakeFailed)) == 1 })
        }
    }

    @Test func aClientOfferingOnlyOtherProtocolsIsRefused() async throws {
        let certificates = try await TestCertificates.shared()
        try await withTLSServer(certificates) { server in
            try await blocking {
                var h2 = trusting(certificates)
                h2.alpn = ["h2"]
                #expect(throws: TLSTestError.self) { try TLSTestClient(port: server.port, identity: h2) }
                var none = trusting(certificates)
                none.alpn = nil
                let client = try TLSTestClient(port: server.port, identity: none)
                #expect(client.alpnProtocol == "")
                #expect(try client.request("GET", "/ok").status == 200)
            }
        }
    }

    @Test func aSessionIsResumed() async throws {
        let certificates = try await TestCertificates.shared()
        try await withTLSServer(certificates) { server in
            for version in [TLSTestVersion.tls13, .tls12] {
                try await blocking {
                    var identity = trusting(certificates)
                    identity.onlyVersion = version
                    let first = try TLSTestClient(port: server.port, identity: identity)
                    // TLS 1.3 sends its tickets after the handshake: a response has read them.
                    #expect(try first.request("GET", "/ok").status == 200)
                    let session = try #require(first.session)
                    let second = try TLSTestClient(port: server.port, identity: identity, session: session)
                    #expect(second.isResumed)
                    #expect(try second.request("GET", "/ok").status == 200)
                }
            }
            #expect(server.recorder.count(of: .tlsHandshake(resumed: true)) == 2)
        }
    }

    @Test func certificatesThatCannotServeAreRefusedAtStart() async throws {
        let certificates = try await TestCertificates.shared()
        var logger = Logger(label: "obf.http.test")
        logger.logLevel = .critical
        let cases: [(TLSServerConfiguration, String)] = [
            (TLSServerConfiguration(certificateFile: certificates.expired.certificate,
                                    privateKeyFile: certificates.expired.key), "expired"),
            (TLSServerConfiguration(certificateFile: certificates.server.certificate,
                                    privateKeyFile: certificates.rotated.key), "mismatch"),
            (TLSServerConfiguration(certificateFile: certificates.directory + "/missing.pem",
                                    privateKeyFile: certificates.server.key), "not readable"),
            (TLSServerConfiguration(certificateFile: certificates.server.certificate,
                                    privateKeyFile: certificates.server.key,
                                    clientCAFile: certificates.server.key), "client CA"),
        ]
        for (tls, expected) in cases {
            let server = HTTPServer(configuration: HTTPServerConfiguration(port: 0, eventLoopCount: 1, tls: tls),
                                    handler: EchoHandler(recorder: TestRecorder()), logger: logger)
            #expect(performing: { _ = try server.start() }, throws: { error in
                "\(error)".contains(expected)
            })
        }
    }

    @Test func aCertificateOfAnotherAuthorityIsNotTrusted() async throws {
        let certificates = try await TestCertificates.shared()
        try await withTLSServer(certificates, pair: certificates.foreignServer) { server in
            try await blocking {
                #expect(performing: { try TLSTestClient(port: server.port, identity: trusting(certificates)) },
                        throws: { "\($0)".contains("certificate verify failed") })
                let other = TLSTestIdentity(caFile: certificates.otherCAFile)
                let client = try TLSTestClient(port: server.port, identity: other)
                #expect(try client.request("GET", "/ok").status == 200)
            }
        }
    }

    @Test func mutualTLSRefusesAClientWithoutACertificateOfTheCA() async throws {
        let certificates = try await TestCertificates.shared()
        try await withTLSServer(certificates, clientCA: certificates.caFile) { server in
            try await blocking {
                // TLS 1.3: the client learns of the refusal at its first read.
                #expect(throws: TLSTestError.self) {
                    _ = try TLSTestClient(port: server.port, identity: trusting(certificates)).request("GET", "/ok")
                }
                let foreign = TLSTestIdentity(caFile: certificates.caFile, certificateFile: certificates.foreignClient.certificate,
                                              keyFile: certificates.foreignClient.key)
                #expect(throws: TLSTestError.self) {
                    _ = try TLSTestClient(port: server.port, identity: foreign).request("GET", "/ok")
                }
                let known = TLSTestIdentity(caFile: certificates.caFile, certificateFile: certificates.client.certificate,
                                            keyFile: certificates.client.key)
                let client = try TLSTestClient(port: server.port, identity: known)
                #expect(try client.request("GET", "/ok").status == 200)
            }
            #expect(await eventually { server.recorder.count(of: .tlsRefused(.handshakeFailed)) == 2 })
        }
    }

    @Test func aStalledHandshakeIsClosedAtTheRequestTimeoutWhileOthersGoOn() async throws {
        let certificates = try await TestCertificates.shared()
        try await withTLSServer(certificates, { $0.headerReadTimeout = .milliseconds(300) }) { server in
            try await blocking {
                let silent = try TestHTTPClient(port: server.port)
                let partial = try TestHTTPClient(port: server.port)
                // The start of a ClientHello record that never ends.
                try partial.send([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00])
                let client = try TLSTestClient(port: server.port, identity: trusting(certificates))
                #expect(try client.request("GET", "/ok").status == 200)
                #expect(silent.isClosedByServer())
                #expect(partial.isClosedByServer())
            }
            #expect(await eventually { server.recorder.count(of: .tlsRefused(.handshakeTimeout)) == 2 })
            #expect(await eventually { server.server.connectionCount == 0 })
        }
    }

    @Test func garbageRecordsCloseThatConnectionOnly() async throws {
        let certificates = try await TestCertificates.shared()
        try await withTLSServer(certificates) { server in
            try await blocking {
                let bystander = try TLSTestClient(port: server.port, identity: trusting(certificates))
                #expect(try bystander.request("GET", "/ok").status == 200)
                let garbage: [[UInt8]] = [
                    // A handshake record carrying a message of no known type.
                    [0x16, 0x03, 0x01, 0x00, 0x04, 0xEE, 0x00, 0x00, 0x00],
                    // A handshake record announcing more than a record may hold.
                    [0x16, 0x03, 0x01, 0xFF, 0xFF] + [UInt8](repeating: 0x5A, count: 64),
                    // Binary noise that is no record at all.
                    [0x00, 0xFF, 0x13, 0x37, 0x42, 0x00, 0x00, 0x10],
                ]
                for bytes in garbage {
                    let client = try TestHTTPClient(port: server.port)
                    try client.send(bytes)
                    _ = try? client.readToEOF()
                }
                // A forged application-data record on an established connection.
                let established = try TLSTestClient(port: server.port, identity: trusting(certificates))
                #expect(try established.request("GET", "/ok").status == 200)
                try established.writeAroundTLS([0x17, 0x03, 0x03, 0x00, 0x20] + [UInt8](repeating: 0xAB, count: 32))
                #expect(established.isClosedByServer())
                #expect(try bystander.request("GET", "/ok").status == 200)
                // Only the bystander is left open.
                #expect(eventuallyBlocking { server.server.connectionCount == 1 })
            }
            #expect(await eventually { server.recorder.count(of: .tlsRefused(.handshakeFailed)) == 3 })
        }
    }

    /// The limits of the plain server hold inside TLS too: a stalled request, oversized headers and body.
    @Test func requestLimitsHoldOverTLS() async throws {
        let certificates = try await TestCertificates.shared()
        try await withTLSServer(certificates, {
            $0.headerReadTimeout = .milliseconds(300)
            $0.maxHeaderBytes = 1024
            $0.maxBodyBytes = 100
        }) { server in
            try await blocking {
                let identity = trusting(certificates)
                let stalled = try TLSTestClient(port: server.port, identity: identity)
                try stalled.write(Array("GET /ok HTTP/1.1\r\nHost: te".utf8))
                #expect(try stalled.readResponse().status == 408)
                #expect(stalled.isClosedByServer())
                let headers = try TLSTestClient(port: server.port, identity: identity)
                #expect(try headers.request("GET", "/ok", headers: [("X-Big", String(repeating: "v", count: 2000))]).status == 431)
                let body = try TLSTestClient(port: server.port, identity: identity)
                #expect(try body.request("POST", "/ok", body: [UInt8](repeating: 0x61, count: 101)).status == 413)
                let normal = try TLSTestClient(port: server.port, identity: identity)
                #expect(try normal.request("GET", "/ok").status == 200)
            }
        }
    }

    @Test func plainHTTPOnTheTLSPortIsClosedAndCounted() async throws {
        let certificates = try await TestCertificates.shared()
        try await withTLSServer(certificates) { server in
            try await blocking {
                for _ in 0..<5 {
                    let client = try TestHTTPClient(port: server.port)
                    try? client.send("GET /ok HTTP/1.1\r\nHost: test\r\n\r\n")
                    #expect(client.isClosedByServer())
                }
            }
            #expect(await eventually { server.recorder.count(of: .tlsRefused(.plainHTTP)) == 5 })
            #expect(await eventually { server.server.connectionCount == 0 })
        }
    }

    @Test func refusalsAreLoggedOncePerInterval() {
        let log = TLSRefusalLog(interval: .seconds(10))
        let lines = Locked<[String]>([])
        let logger = Logger(label: "test") { _ in CollectingLogHandler(lines: lines) }
        for _ in 0..<100 {
            log.record(.plainHTTP, peer: "127.0.0.1:1", detail: nil, now: 1_000, logger: logger)
        }
        log.record(.handshakeFailed, peer: nil, detail: "noise", now: 2_000, logger: logger)
        log.record(.plainHTTP, peer: nil, detail: nil, now: 1_000 + 10_000_000_000, logger: logger)
        let logged = lines.withLock { $0 }
        #expect(logged.count == 3)
        #expect(logged.last?.contains("unlogged_since_last=99") == true)
    }

    @Test func theConnectionCapCountsTLSConnections() async throws {
        let certificates = try await TestCertificates.shared()
        try await withTLSServer(certificates, { $0.maxConnections = 4 }) { server in
            try await blocking {
                var clients: [TLSTestClient] = []
                for _ in 0..<4 {
                    let client = try TLSTestClient(port: server.port, identity: trusting(certificates))
                    #expect(try client.request("GET", "/ok").status == 200)
                    clients.append(client)
                }
                #expect(server.server.connectionCount == 4)
                let extra = try TestHTTPClient(port: server.port)
                #expect(extra.isClosedByServer())
                #expect(server.recorder.answers.contains { $0 == (503, "too_many_connections") })
                clients.removeAll()
                #expect(eventuallyBlocking { server.server.connectionCount == 0 })
                let again = try TLSTestClient(port: server.port, identity: trusting(certificates))
                #expect(try again.request("GET", "/ok").status == 200)
            }
        }
    }

    @Test func curlGetsAnswersOverTLS() async throws {
        let certificates = try await TestCertificates.shared()
        try await withTLSServer(certificates) { server in
            let output = try await blocking {
                try runTool(["curl", "--max-time", "60", "--cacert", certificates.caFile, "-s",
                             "-w", " %{http_code} %{http_version}",
                             "https://localhost:\(server.port)/ok", "https://localhost:\(server.port)/ok"])
            }
            #expect(output.hasSuffix(" 200 1.1"))
            #expect(output.components(separatedBy: " 200 1.1").count == 3)
            // Verification is curl's default: without the CA the certificate is refused.
            let refused = try await blocking {
                try? runTool(["curl", "--max-time", "60", "-s", "https://localhost:\(server.port)/ok"])
            }
            #expect(refused == nil)
            // Two requests on one keep-alive connection: one handshake.
            #expect(server.recorder.count(of: .tlsHandshake(resumed: false)) >= 1)
        }
    }

    @Test func aReloadServesNewConnectionsWithTheNewCertificateWithoutFailingARequest() async throws {
        let certificates = try await TestCertificates.shared()
        let directory = certificates.directory + "/rotation-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let live = (certificate: directory + "/live.pem", key: directory + "/live.key")
        func install(_ pair: (certificate: String, key: String)) throws {
            for (from, to) in [(pair.certificate, live.certificate), (pair.key, live.key)] {
                try? FileManager.default.removeItem(atPath: to)
                try FileManager.default.copyItem(atPath: from, toPath: to)
            }
        }
        try install(certificates.server)
        try await withTLSServer(certificates, pair: live) { server in
            let identity = trusting(certificates)
            let opened = try await blocking { try TLSTestClient(port: server.port, identity: identity) }
            let stop = Locked(false)
            let tally = Locked(RotationTally())
            // Load: four clients, each opening connection after connection with three requests on each.
            let workers = (0..<4).map { _ in
                Task {
                    try await blocking {
                        while !stop.withLock({ $0 }) {
                            do {
                                let client = try TLSTestClient(port: server.port, identity: identity)
                                for _ in 0..<3 {
                                    let status = try client.request("GET", "/ok").status
                                    if status != 200 { throw TLSTestError(description: "status \(status)") }
                                }
                                tally.withLock { $0.requests += 3; $0.names.insert(client.peerCommonName) }
                            } catch {
                                tally.withLock { $0.failures.append("\(error)") }
                            }
                        }
                    }
                }
            }
            #expect(await eventually { tally.withLock { $0.requests } >= 60 })
            try install(certificates.rotated)
            #expect(try server.server.reloadTLS().isEmpty == false)
            #expect(await eventually { tally.withLock { $0.names.contains("obf-server-2") } })
            // A pair that cannot serve is refused; the rotated one stays.
            try FileManager.default.removeItem(atPath: live.key)
            try FileManager.default.copyItem(atPath: certificates.server.key, toPath: live.key)
            #expect(throws: HTTPServerSetupError.self) { try server.server.reloadTLS() }
            let before = tally.withLock { $0.requests }
            #expect(await eventually { tally.withLock { $0.requests } >= before + 60 })
            stop.withLock { $0 = true }
            for worker in workers { try await worker.value }
            let after = try await blocking {
                try TLSTestClient(port: server.port, identity: identity).peerCommonName
            }
            #expect(after == "obf-server-2")
            // The connection opened before the rotation goes on with its certificate.
            let old = try await blocking { (opened.peerCommonName, try opened.request("GET", "/ok").status) }
            #expect(old.0 == "obf-server-1")
            #expect(old.1 == 200)
            #expect(tally.withLock { $0.failures } == [])
        }
    }
}

/// What the clients of the rotation test saw.
private struct RotationTally: Sendable {
    var requests = 0
    var failures: [String] = []
    /// The common names of the certificates they were served.
    var names: Set<String> = []
}

/// Collects formatted log lines (message and metadata).
private struct CollectingLogHandler: LogHandler {
    let lines: Locked<[String]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        lines.withLock { $0.append("\(event.message) \(fields.joined(separator: " "))") }
    }
}
