import Foundation

/// The members and partition owners reported by the cluster view listener.
struct ClusterView: Sendable {
    private(set) var membersVersion: Int32?
    private(set) var partitionsVersion: Int32?
    /// Member uuid → the address clients should use.
    private(set) var members: [UUID: HazelcastAddress] = [:]
    /// Owner member per partition id.
    private(set) var owners: [UUID?] = []

    /// Applies a MembersView event unless it is older than the current one; returns whether it applied.
    mutating func applyMembers(version: Int32, _ infos: [MemberInfo]) -> Bool {
        if let membersVersion, version < membersVersion { return false }
        membersVersion = version
        var members: [UUID: HazelcastAddress] = [:]
        for info in infos {
            guard let uuid = info.uuid else { continue }
            members[uuid] = info.clientAddress
        }
        self.members = members
        return true
    }

    /// Applies a PartitionsView event unless it is older than the current one.
    mutating func applyPartitions(version: Int32, _ table: [(UUID?, [Int32])], partitionCount: Int) {
        if let partitionsVersion, version < partitionsVersion { return }
        guard !table.isEmpty, partitionCount > 0 else { return }
        partitionsVersion = version
        var owners = [UUID?](repeating: nil, count: partitionCount)
        for (owner, partitions) in table {
            for partition in partitions where partition >= 0 && Int(partition) < partitionCount {
                owners[Int(partition)] = owner
            }
        }
        self.owners = owners
    }

    func owner(ofPartition partition: Int) -> UUID? {
        partition >= 0 && partition < owners.count ? owners[partition] : nil
    }
}
