import HazelcastClient
import Logging
import OBFEngine
import OBFSources

/// Builds the Hazelcast client configuration shared by `serve`, `push` and `probe`.
public enum HazelcastSettingsMapping {
    /// The client configuration for `settings`; logs a warning when TLS hostname verification is off.
    public static func clientConfiguration(_ settings: ServiceConfiguration.HazelcastSettings, logger: Logger)
        throws -> HazelcastClientConfiguration {
        let members = try settings.members.map { text throws(HazelcastError) in try HazelcastAddress(parsing: text) }
        try settings.validateTLS()
        if settings.tls && !settings.tlsVerifyHostname {
            logger.warning(
                "TLS hostname verification is off: a certificate from a trusted authority is accepted for any member",
                metadata: ["members": "\(settings.members.joined(separator: ","))"])
        }
        let tls = settings.tls
            ? HazelcastTLSConfiguration(
                caFile: settings.tlsCAFile, certificateFile: settings.tlsCertificateFile,
                privateKeyFile: settings.tlsKeyFile, verifyHostname: settings.tlsVerifyHostname)
            : nil
        return HazelcastClientConfiguration(
            members: members, clusterName: settings.clusterName,
            username: settings.username, password: settings.password,
            connectTimeout: .seconds(3),
            reconnectInitialBackoff: .milliseconds(200), reconnectMaxBackoff: .seconds(2), smartRouting: true,
            tls: tls)
    }
}

enum HazelcastSourceFactory {
    static func make(_ configuration: ServiceConfiguration, liveViewMetrics: LiveViewMetrics, logger: Logger) throws
        -> any SnapshotSource {
        let settings = configuration.hazelcast
        let listen = settings.readMode == .listen
            ? LiveViewSettings(assets: configuration.assets, resyncInterval: settings.resyncInterval, metrics: liveViewMetrics)
            : nil
        let source = try HazelcastSnapshotSource(
            configuration: HazelcastSettingsMapping.clientConfiguration(settings, logger: logger),
            mapName: settings.mapName, listen: listen, logger: logger)
        source.start()
        return source
    }
}
