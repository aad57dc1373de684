import Logging
import OBFEngine

enum HazelcastSourceFactory {
    static func make(_ configuration: ServiceConfiguration, logger: Logger) throws -> any SnapshotSource {
        throw ConfigurationError.invalid("hazelcast source pending")
    }
}
