import Hazelcast
import Logging

/// How to reach the cluster: the configuration of the `hazelcast` source, of the state map
/// (`--state-map`) and of `obf push` / `obf probe`, and their mapping to the client's configuration.
public struct HazelcastConfiguration: Sendable {
    public var members = ["127.0.0.1:5701"]
    public var clusterName = "dev"
    public var mapName = "DOLPHIN_FEATURES"
    public var username: String?
    public var password: String?
    /// Connect to the members over TLS (`--hz-tls`).
    public var tls = false
    /// PEM file of the authorities trusted for member certificates; nil: the system trust store.
    public var tlsCAFile: String?
    /// PEM client certificate and its key, for members that require mutual TLS.
    public var tlsCertificateFile: String?
    public var tlsKeyFile: String?
    /// Check that member certificates name the member host; the chain is verified regardless.
    public var tlsVerifyHostname = true
    /// Read at every step (`fetch`) or keep a live view fed by entry events (`listen`).
    public var readMode = HazelcastReadMode.fetch
    /// Interval of the live view's reconciliation with the map (`listen`).
    public var resyncInterval = Duration.seconds(30)

    public init() {}

    /// Checks the TLS options that cannot work together; the error names the flags.
    public func validateTLS() throws(HazelcastConfigurationError) {
        if !tls && (tlsCAFile != nil || tlsCertificateFile != nil || tlsKeyFile != nil || !tlsVerifyHostname) {
            throw HazelcastConfigurationError(
                "--hz-tls-ca, --hz-tls-cert, --hz-tls-key and --hz-tls-no-verify-hostname need --hz-tls")
        }
        guard (tlsCertificateFile == nil) == (tlsKeyFile == nil) else {
            throw HazelcastConfigurationError("--hz-tls-cert and --hz-tls-key must be given together")
        }
        for (flag, value) in [("--hz-tls-ca", tlsCAFile), ("--hz-tls-cert", tlsCertificateFile), ("--hz-tls-key", tlsKeyFile)] {
            if let value, value.isEmpty { throw HazelcastConfigurationError("\(flag) must not be empty") }
        }
    }

    /// The client configuration for this cluster configuration; logs a warning when TLS hostname verification is off.
    public func clientConfiguration(logger: Logger) throws -> HazelcastClientConfiguration {
        let addresses = try members.map { text throws(HazelcastError) in try HazelcastAddress(parsing: text) }
        try validateTLS()
        if tls && !tlsVerifyHostname {
            logger.warning(
                "TLS hostname verification is off: a certificate from a trusted authority is accepted for any member",
                metadata: ["members": "\(members.joined(separator: ","))"])
        }
        let tlsConfiguration = tls
            ? HazelcastTLSConfiguration(caFile: tlsCAFile, certificateFile: tlsCertificateFile,
                                        privateKeyFile: tlsKeyFile, verifyHostname: tlsVerifyHostname)
            : nil
        return HazelcastClientConfiguration(
            members: addresses, clusterName: clusterName, username: username, password: password,
            connectTimeout: .seconds(3),
            reconnectInitialBackoff: .milliseconds(200), reconnectMaxBackoff: .seconds(2), smartRouting: true,
            tls: tlsConfiguration)
    }
}

/// Cluster options that cannot be used together; the message names the flags.
public struct HazelcastConfigurationError: Error, CustomStringConvertible, Equatable {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
