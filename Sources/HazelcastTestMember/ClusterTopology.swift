import Foundation
import HazelcastClient
import Locking

/// The members of a test cluster (their uuids and listening ports) and who owns which partition.
/// A standalone member is a topology of one.
final class ClusterTopology: Sendable {
    struct Entry: Sendable {
        var uuid: UUID
        var host: String
        var port: Int?
    }

    let partitionCount: Int
    private let entries: Locked<[Entry]>

    init(hosts: [String], partitionCount: Int) {
        self.partitionCount = partitionCount
        entries = Locked(hosts.map { Entry(uuid: UUID(), host: $0, port: nil) })
    }

    var memberCount: Int { entries.withLock { $0.count } }

    /// Records that member `index` listens on `port`; a (re)started member gets a new uuid, as a
    /// restarted Hazelcast member does.
    func started(index: Int, port: Int) {
        entries.withLock { entries in
            entries[index].port = port
            entries[index].uuid = UUID()
        }
    }

    func uuid(of index: Int) -> UUID {
        entries.withLock { $0[index].uuid }
    }

    /// Partition `p` belongs to member `p % memberCount`.
    func owner(ofPartition partition: Int) -> Int {
        partition % max(1, memberCount)
    }

    /// Every member as a MemberInfo; member `index` is listed with `selfAddress`, the address the
    /// client used to reach it.
    func memberInfos(selfIndex index: Int, selfAddress: HazelcastAddress, version: MemberVersion) -> [MemberInfo] {
        entries.withLock { entries in
            entries.enumerated().map { position, entry in
                let address = position == index ? selfAddress : HazelcastAddress(host: entry.host, port: entry.port ?? 0)
                return MemberInfo(uuid: entry.uuid, address: address, version: version,
                                  addressMap: [(EndpointQualifier(type: EndpointQualifier.memberProtocol), address)])
            }
        }
    }

    /// Partition ids per member uuid.
    func partitionOwners() -> [(UUID, [Int32])] {
        let uuids = entries.withLock { $0.map(\.uuid) }
        return uuids.enumerated().map { index, uuid in
            (uuid, (0..<partitionCount).filter { owner(ofPartition: $0) == index }.map { Int32($0) })
        }
    }
}
