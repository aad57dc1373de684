import ArgumentParser
import OBFService

/// The Hazelcast connection flags shared by `serve`, `push` and `probe`.
struct HazelcastOptions: ParsableArguments {
    @Option(help: "Comma-separated Hazelcast members host:port. [env: OBF_HZ_MEMBERS] (default: 127.0.0.1:5701)")
    var hzMembers: String?
    @Option(help: "Hazelcast cluster name. [env: OBF_HZ_CLUSTER] (default: dev)")
    var hzCluster: String?
    @Option(help: "Hazelcast map holding the snapshots. [env: OBF_HZ_MAP] (default: DOLPHIN_FEATURES)")
    var hzMap: String?

    /// The settings, with username and password only ever from OBF_HZ_USERNAME / OBF_HZ_PASSWORD.
    func settings(_ environment: Environment) throws -> ServiceConfiguration.HazelcastSettings {
        var settings = ServiceConfiguration.HazelcastSettings()
        settings.members = environment.list(hzMembers, "OBF_HZ_MEMBERS", default: settings.members)
        settings.clusterName = environment.string(hzCluster, "OBF_HZ_CLUSTER", default: settings.clusterName)
        settings.mapName = environment.string(hzMap, "OBF_HZ_MAP", default: settings.mapName)
        settings.username = environment.string(nil, "OBF_HZ_USERNAME")
        settings.password = environment.string(nil, "OBF_HZ_PASSWORD")
        return settings
    }
}
