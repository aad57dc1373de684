import Foundation
import HTTPTestClient
import Locking

/// Certificates made by the `openssl` command in a temporary directory, once per test process:
/// a CA, two server certificates it issued (for a rotation), an expired one, a client certificate,
/// and another CA with a server and a client certificate of its own. Every server certificate
/// names localhost and 127.0.0.1; its common name tells which one a client was served.
public struct TestCertificates: Sendable {
    public let directory: String

    public var caFile: String { path("ca.pem") }
    public var otherCAFile: String { path("other-ca.pem") }
    /// Common name "obf-server-1".
    public var server: (certificate: String, key: String) { pair("server") }
    /// Common name "obf-server-2": the same CA, another key.
    public var rotated: (certificate: String, key: String) { pair("rotated") }
    /// Expired yesterday.
    public var expired: (certificate: String, key: String) { pair("expired") }
    /// A server certificate of the other CA.
    public var foreignServer: (certificate: String, key: String) { pair("foreign-server") }
    public var client: (certificate: String, key: String) { pair("client") }
    /// A client certificate of the other CA.
    public var foreignClient: (certificate: String, key: String) { pair("foreign-client") }

    private func path(_ name: String) -> String { directory + "/" + name }
    private func pair(_ name: String) -> (certificate: String, key: String) { (path(name + ".pem"), path(name + ".key")) }

    private static let made = Locked<TestCertificates?>(nil)

    /// The process' certificates, made on first use (on a thread of its own: it runs `openssl`).
    public static func shared() async throws -> TestCertificates {
        if let made = made.withLock({ $0 }) { return made }
        let certificates = try await blocking { try make() }
        return made.withLock { stored in
            if let stored { return stored }
            stored = certificates
            return certificates
        }
    }

    private static let script = """
        set -e
        key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
        ca() { key "$1"; openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 2 -subj "/CN=$2" \\
                 -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign; }
        issue() { # name, common name, CA, days, extensions
            key "$1"; openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2"
            printf '%s\\n' "$5" > "$1.ext"
            openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -out "$1.pem" \\
                -days "$4" -extfile "$1.ext" 2>/dev/null
        }
        SERVER='subjectAltName=DNS:localhost,IP:127.0.0.1
        extendedKeyUsage=serverAuth'
        CLIENT='extendedKeyUsage=clientAuth'
        ca ca obf-test-ca
        ca other-ca obf-other-ca
        issue server obf-server-1 ca 2 "$SERVER"
        issue rotated obf-server-2 ca 2 "$SERVER"
        issue expired obf-server-expired ca -1 "$SERVER"
        issue foreign-server obf-foreign-server other-ca 2 "$SERVER"
        issue client obf-client ca 2 "$CLIENT"
        issue foreign-client obf-foreign-client other-ca 2 "$CLIENT"
        """

    @available(*, noasync, message: "blocks its thread: call it in blocking { }")
    private static func make() throws -> TestCertificates {
        let directory = NSTemporaryDirectory() + "obf-tls-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            _ = try runTool(["sh", "-c", script], in: directory)
        } catch {
            throw TLSTestError(description: "openssl could not make the test certificates: \(error)")
        }
        return TestCertificates(directory: directory)
    }
}
