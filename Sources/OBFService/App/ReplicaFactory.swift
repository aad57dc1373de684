import HazelcastClient
import Logging
import OBFReplication

/// Builds the state map replica (`--state-map`): its own client of the cluster of `--hz-members`.
enum ReplicaFactory {
    static func make(_ configuration: ServiceConfiguration, map: String, metrics: ReplicationMetrics, logger: Logger)
        -> GridStateReplica? {
        do {
            let client = try HazelcastClient(
                configuration: HazelcastSettingsMapping.clientConfiguration(configuration.hazelcast, logger: logger),
                logger: logger)
            return GridStateReplica(client: client, mapName: map, engineId: configuration.engineId,
                                    timeout: configuration.stepDeadline, metrics: metrics, logger: logger)
        } catch {
            logger.error("state map replication off: the cluster settings are unusable", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
