import Hazelcast
import Logging
import SnapshotSources

extension GridStateReplica {
    /// The replica of engine `engineId` in map `mapName`, with a client of its own to the cluster
    /// of `configuration` (the source's cluster). `timeout` bounds each call of a step.
    public init(configuration: HazelcastConfiguration, mapName: String, engineId: String, timeout: Duration,
                metrics: ReplicationMetrics, logger: Logger) throws {
        let client = try HazelcastClient(configuration: configuration.clientConfiguration(logger: logger), logger: logger)
        self.init(client: client, mapName: mapName, engineId: engineId, timeout: timeout, metrics: metrics,
                  logger: logger)
    }
}
