import Foundation
import Hazelcast
import Logging

/// Several `HazelcastTestMember`s forming one cluster: each lists all members in its cluster view
/// and partition `p` is owned by member `p % count`. They share one store, as a real cluster
/// serves every key whichever member a request reaches.
public final class HazelcastTestCluster: Sendable {
    public let members: [HazelcastTestMember]
    private let topology: ClusterTopology

    /// With `tls`, every member serves TLS with the same certificate.
    public init(
        memberCount: Int, clusterName: String = "dev", host: String = "127.0.0.1", partitionCount: Int = 271,
        tls: TestMemberTLS? = nil, logger: Logger = Logger(label: "hazelcast.test-cluster")
    ) {
        let topology = ClusterTopology(hosts: Array(repeating: host, count: memberCount), partitionCount: partitionCount)
        self.topology = topology
        let store = MapStore(listeners: EntryListenerRegistry(topology: topology))
        let clusterId = UUID()
        members = (0..<memberCount).map { index in
            HazelcastTestMember(
                clusterName: clusterName, host: host, port: 0, partitionCount: partitionCount, credentials: nil,
                logger: logger, store: store, topology: topology, memberIndex: index, clusterId: clusterId,
                tls: tls)
        }
    }

    /// Starts every member; returns their ports in member order.
    @discardableResult
    public func start() throws -> [Int] {
        try members.map { try $0.start() }
    }

    public func stop() {
        for member in members { member.stop() }
    }

    /// The index of the member owning `partition` (the owners the members announce).
    public func owner(ofPartition partition: Int) -> Int {
        topology.owner(ofPartition: partition)
    }
}
