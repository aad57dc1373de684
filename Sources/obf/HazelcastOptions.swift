import ArgumentParser
import OBFService
import SnapshotSources

/// The Hazelcast connection flags shared by `serve`, `push` and `probe`.
struct HazelcastOptions: ParsableArguments {
    /// What every command's help says of the credentials, which have no flag.
    static let credentialsHelp = """
        Hazelcast credentials, for a cluster with security enabled, come only from the \
        environment: OBF_HZ_USERNAME and OBF_HZ_PASSWORD (never a flag, so they do not show in \
        'ps', and never logged); leave them unset for an open-source member.
        """

    @Option(help: "Comma-separated Hazelcast members host:port. [env: OBF_HZ_MEMBERS] (default: \(Defaults.hazelcast.members.joined(separator: ",")))")
    var hzMembers: String?
    @Option(help: "Hazelcast cluster name. [env: OBF_HZ_CLUSTER] (default: \(Defaults.hazelcast.clusterName))")
    var hzCluster: String?
    @Option(help: "Hazelcast map holding the snapshots. [env: OBF_HZ_MAP] (default: \(Defaults.hazelcast.mapName))")
    var hzMap: String?
    @Flag(help: "Connect to the Hazelcast members over TLS. [env: OBF_HZ_TLS]")
    var hzTls = false
    @Option(help: ArgumentHelp(
        "PEM file of the CAs trusted for member certificates. [env: OBF_HZ_TLS_CA] (default: the system trust store)",
        valueName: "FILE"))
    var hzTlsCa: String?
    @Option(help: ArgumentHelp("PEM client certificate for mutual TLS, with --hz-tls-key. [env: OBF_HZ_TLS_CERT]", valueName: "FILE"))
    var hzTlsCert: String?
    @Option(help: ArgumentHelp("PEM private key of --hz-tls-cert. [env: OBF_HZ_TLS_KEY]", valueName: "FILE"))
    var hzTlsKey: String?
    @Flag(help: "Do not check that member certificates name the member host; the chain is still verified. [env: OBF_HZ_TLS_VERIFY_HOSTNAME=false]")
    var hzTlsNoVerifyHostname = false

    /// The configuration, with username and password only ever from OBF_HZ_USERNAME / OBF_HZ_PASSWORD.
    /// TLS configuration that cannot work together are reported by `HazelcastConfiguration.clientConfiguration(logger:)`.
    func configuration(_ environment: Environment) throws -> HazelcastConfiguration {
        var configuration = HazelcastConfiguration()
        configuration.members = environment.list(hzMembers, "OBF_HZ_MEMBERS", default: configuration.members)
        configuration.clusterName = environment.string(hzCluster, "OBF_HZ_CLUSTER", default: configuration.clusterName)
        configuration.mapName = environment.string(hzMap, "OBF_HZ_MAP", default: configuration.mapName)
        configuration.username = environment.string(nil, "OBF_HZ_USERNAME")
        configuration.password = environment.string(nil, "OBF_HZ_PASSWORD")
        configuration.tls = try environment.bool(hzTls, "OBF_HZ_TLS")
        configuration.tlsCAFile = environment.string(hzTlsCa, "OBF_HZ_TLS_CA")
        configuration.tlsCertificateFile = environment.string(hzTlsCert, "OBF_HZ_TLS_CERT")
        configuration.tlsKeyFile = environment.string(hzTlsKey, "OBF_HZ_TLS_KEY")
        // On unless the flag is given or OBF_HZ_TLS_VERIFY_HOSTNAME is false.
        configuration.tlsVerifyHostname = try !hzTlsNoVerifyHostname
            && environment.bool(false, "OBF_HZ_TLS_VERIFY_HOSTNAME", default: true)
        return configuration
    }
}
