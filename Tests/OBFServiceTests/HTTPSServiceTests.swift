import Foundation
import OBFTestSupport
import Testing
import TestTiming
import TLSTestSupport

/// `obf serve` over HTTPS: its flags and variables, the probe port, and Prometheus scraping it
/// with a client certificate.
@Suite struct HTTPSServiceTests {
    @Test func tlsSettingsThatCannotServeAreRefusedWithAClearMessage() async throws {
        let certificates = try await TestCertificates.shared()
        let binary = try ExternalProcess.obfBinary()
        let cases: [([String], String)] = [
            (["--tls-cert", certificates.server.certificate], "--tls-cert and --tls-key go together"),
            (["--tls-client-ca", certificates.caFile], "--tls-client-ca needs --tls-cert and --tls-key"),
            (["--tls-cert", certificates.expired.certificate, "--tls-key", certificates.expired.key], "has expired"),
            (["--tls-cert", certificates.server.certificate, "--tls-key", certificates.client.key], "mismatch"),
            (["--port", "18080", "--probe-port", "18080"], "--probe-port must differ from --port"),
        ]
        for (arguments, message) in cases {
            let result = try await ExternalProcess.run(binary, ["serve"] + arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect((result.stderr + result.stdout).contains(message), "\(arguments): \(result.stderr)")
        }
    }

    @Test func variablesServeMutualTLSWithAPlainProbePortOnLoopback() async throws {
        let certificates = try await TestCertificates.shared()
        let server = try await ServeProcess.start([], environment: [
            "OBF_TLS_CERT": certificates.server.certificate, "OBF_TLS_KEY": certificates.server.key,
            "OBF_TLS_CLIENT_CA": certificates.caFile, "OBF_PROBE_PORT": "0", "OBF_API_TOKEN": "tok-tls",
        ])
        #expect(server.log.contains("address=https://127.0.0.1:\(server.port)"))
        let probePort = try #require(server.probePort)
        let identity = TLSTestIdentity(caFile: certificates.caFile, certificateFile: certificates.client.certificate,
                                       keyFile: certificates.client.key)
        let (stepped, unauthorized) = try await blocking {
            let client = try TLSTestClient(port: server.port, identity: identity)
            let stepped = try client.request("POST", "/step/1", headers: [("Authorization", "Bearer tok-tls")]).status
            let unauthorized = try client.request("POST", "/step/2").status
            return (stepped, unauthorized)
        }
        #expect(stepped == 200)
        // The certificate is not instead of the token: both are asked for when both are set.
        #expect(unauthorized == 401)
        let probe = try TestHTTPClient(port: probePort)
        #expect(try await probe.request("GET", "/healthz").status == 200)
        #expect(try await probe.request("GET", "/readyz").status == 200)
        let metrics = try await probe.request("GET", "/metrics")
        #expect(metrics.status == 200)
        #expect(String(decoding: metrics.body, as: UTF8.self).contains(#"obf_tls_handshakes_total{resumed="false"} 1"#))
        // Nothing but the probes on the probe port.
        #expect(try await probe.request("POST", "/step/3", headers: [("Authorization", "Bearer tok-tls")]).status == 404)
        #expect(try await probe.request("GET", "/features/BTCUSDT/1").status == 404)
        #expect(await server.stop() == 0)
    }

    @Test func prometheusScrapesOverHTTPSWithAClientCertificate() async throws {
        guard let binary = PrometheusScrapeTests.requirePrometheus() else { return }
        let certificates = try await TestCertificates.shared()
        let server = try await ServeProcess.start([
            "--tls-cert", certificates.server.certificate, "--tls-key", certificates.server.key,
            "--tls-client-ca", certificates.caFile,
        ])
        // As docker/prometheus.yml has it.
        let prometheus = try await PrometheusProcess.start(binary: binary, targets: ["localhost:\(server.port)"], jobSettings: [
            "scheme: https",
            "tls_config:",
            "  ca_file: \(certificates.caFile)",
            "  cert_file: \(certificates.client.certificate)",
            "  key_file: \(certificates.client.key)",
            "  min_version: TLS12",
        ])
        let up = await eventually(timeout: PrometheusScrapeTests.patience) {
            (try? await PrometheusScrapeTests.value(prometheus.query(#"obf_tls_handshakes_total{job="obf",resumed="false"}"#)))
                .flatMap { $0 } ?? 0 >= 1
        }
        if !up { Issue.record("prometheus log: \(prometheus.log)") }
        #expect(up)
        #expect(try await PrometheusScrapeTests.value(prometheus.query(#"up{job="obf"}"#)) == 1)
        await prometheus.stop()
        #expect(await server.stop() == 0)
    }
}
