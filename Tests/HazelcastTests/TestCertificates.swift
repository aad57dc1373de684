import Foundation

/// Certificates for the TLS tests, made once per test process by the `openssl` command in a
/// temporary directory (removed at exit). EC P-256 keys, unencrypted PEM.
///
/// - `ca`: the trusted authority; `otherCA`: an unrelated one.
/// - `server`: issued by `ca` for DNS `localhost` and IP `127.0.0.1` / `::1`; `otherServer`:
///   the same, issued by `otherCA`.
/// - `expired`: like `server`, valid only on 1–2 January 2020 (OpenSSL 3.0's `x509` cannot
///   backdate, so `openssl ca -startdate/-enddate` issues it).
/// - `wrongHost`: issued by `ca` for DNS `wrong.example.com` only.
/// - `client`: a client certificate issued by `ca`; `wrongClient`: one issued by `otherCA`.
struct TestCertificates: Sendable {
    let directory: String

    var caFile: String { path("ca.pem") }
    var otherCAFile: String { path("other-ca.pem") }
    var server: (certificate: String, key: String) { pair("server") }
    var otherServer: (certificate: String, key: String) { pair("other-server") }
    var expired: (certificate: String, key: String) { pair("expired") }
    var wrongHost: (certificate: String, key: String) { pair("wrong-host") }
    var client: (certificate: String, key: String) { pair("client") }
    var wrongClient: (certificate: String, key: String) { pair("wrong-client") }

    private func path(_ name: String) -> String { "\(directory)/\(name)" }
    private func pair(_ name: String) -> (certificate: String, key: String) { (path("\(name).pem"), path("\(name).key")) }

    /// The certificates, generated on first use. The `openssl` runs block, so they run on a
    /// thread of their own: a test waiting for them never holds a thread of the concurrency
    /// pool (which would stall every other test of the process meanwhile).
    static func shared() async throws -> TestCertificates {
        try await generation.value()
    }

    private static let directoryPath = NSTemporaryDirectory() + "obf-tls-tests-\(UUID().uuidString)"

    private static let generation = Generation()

    /// Generates the certificates once, off the concurrency pool.
    private actor Generation {
        private var task: Task<TestCertificates, any Error>?

        func value() async throws -> TestCertificates {
            let task = self.task ?? Task {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<TestCertificates, any Error>) in
                    Thread {
                        continuation.resume(with: Result {
                            let certificates = try generate(in: TestCertificates.directoryPath)
                            atexit { try? FileManager.default.removeItem(atPath: TestCertificates.directoryPath) }
                            return certificates
                        })
                    }.start()
                }
            }
            self.task = task
            return try await task.value
        }
    }

    /// A failed `openssl` run, with its arguments and output.
    struct CommandFailed: Error, CustomStringConvertible {
        let description: String
    }

    private static let configuration = """
        [req]
        distinguished_name = dn
        prompt = no
        [dn]
        CN = unused
        [ca_ext]
        basicConstraints = critical, CA:TRUE
        keyUsage = critical, keyCertSign, cRLSign
        subjectKeyIdentifier = hash
        [server_ext]
        basicConstraints = critical, CA:FALSE
        keyUsage = critical, digitalSignature
        extendedKeyUsage = serverAuth
        subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
        [wrong_host_ext]
        basicConstraints = critical, CA:FALSE
        keyUsage = critical, digitalSignature
        extendedKeyUsage = serverAuth
        subjectAltName = DNS:wrong.example.com
        [client_ext]
        basicConstraints = critical, CA:FALSE
        keyUsage = critical, digitalSignature
        extendedKeyUsage = clientAuth
        [ca]
        default_ca = test_ca
        [test_ca]
        database = index.txt
        new_certs_dir = issued
        serial = serial
        default_md = sha256
        policy = any_name
        unique_subject = no
        copy_extensions = none
        [any_name]
        commonName = supplied

        """

    private static func generate(in directory: String) throws -> TestCertificates {
        let files = FileManager.default
        try files.createDirectory(atPath: directory + "/issued", withIntermediateDirectories: true)
        try configuration.write(toFile: directory + "/openssl.cnf", atomically: true, encoding: .utf8)
        try "".write(toFile: directory + "/index.txt", atomically: true, encoding: .utf8)
        try "1000\n".write(toFile: directory + "/serial", atomically: true, encoding: .utf8)
        let run = { (arguments: [String]) throws in try openssl(arguments, in: directory) }
        let newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-noenc"]

        for (name, subject) in [("ca", "obf test CA"), ("other-ca", "obf other CA")] {
            try run(["req", "-x509", "-config", "openssl.cnf"] + newKey + [
                "-keyout", "\(name).key", "-out", "\(name).pem", "-days", "3650", "-subj", "/CN=\(subject)",
                "-extensions", "ca_ext",
            ])
        }
        let leaves: [(name: String, subject: String, extensions: String, issuer: String, validity: [String])] = [
            ("server", "localhost", "server_ext", "ca", ["-days", "30"]),
            ("other-server", "localhost", "server_ext", "other-ca", ["-days", "30"]),
            ("expired", "localhost", "server_ext", "ca", ["-startdate", "20200101000000Z", "-enddate", "20200102000000Z"]),
            ("wrong-host", "wrong.example.com", "wrong_host_ext", "ca", ["-days", "30"]),
            ("client", "obf test client", "client_ext", "ca", ["-days", "30"]),
            ("wrong-client", "obf other client", "client_ext", "other-ca", ["-days", "30"]),
        ]
        for leaf in leaves {
            try run(["req", "-new", "-config", "openssl.cnf"] + newKey + [
                "-keyout", "\(leaf.name).key", "-out", "\(leaf.name).csr", "-subj", "/CN=\(leaf.subject)",
            ])
            try run(["ca", "-config", "openssl.cnf", "-batch", "-notext", "-in", "\(leaf.name).csr",
                     "-out", "\(leaf.name).pem", "-cert", "\(leaf.issuer).pem", "-keyfile", "\(leaf.issuer).key",
                     "-extensions", "\(leaf.extensions)"] + leaf.validity)
        }
        return TestCertificates(directory: directory)
    }

    private static func openssl(_ arguments: [String], in directory: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailed(description: "openssl \(arguments.joined(separator: " ")) exited with \(process.terminationStatus): \(text)")
        }
    }
}
