import Foundation
import Hazelcast
import Locking

/// The members of a test cluster (their uuids and listening ports) and who owns which partition.
/// A standalone member is a topology of one.
final class ClusterTopology: Sendable {
    struct Entry: Sendable {
        var uuid: UUID
        var host: String
        var port: Int?
    }

    /// A client's cluster view listener, sent the new view whenever a member (re)starts.
    struct ViewListener: Sendable {
        var connection: MemberConnection
        var correlationId: Int64
        var memberIndex: Int
        /// The address the client used to reach the member it registered with.
        var address: HazelcastAddress
        var version: MemberVersion
    }

    let partitionCount: Int
    private let entries: Locked<[Entry]>
    private let listeners = Locked<(version: Int32, all: [ViewListener])>((1, []))

    init(hosts: [String], partitionCount: Int) {
        self.partitionCount = partitionCount
        entries = Locked(hosts.map { Entry(uuid: UUID(), host: $0, port: nil) })
    }

    /// Registers a cluster view listener and returns the view's events for it.
    func addViewListener(_ listener: ViewListener) -> [ClientMessage] {
        let version = listeners.withLock { state in
            state.all.append(listener)
            return state.version
        }
        return viewEvents(for: listener, version: version)
    }

    /// Forgets the listeners registered over `connection`.
    func removeViewListeners(of connection: MemberConnection) {
        listeners.withLock { $0.all.removeAll { $0.connection === connection } }
    }

    /// The MembersView and PartitionsView events of the current view, at `version`.
    private func viewEvents(for listener: ViewListener, version: Int32) -> [ClientMessage] {
        let members = memberInfos(selfIndex: listener.memberIndex, selfAddress: listener.address, version: listener.version)
        return [
            ClientAddClusterViewListenerCodec.encodeMembersView(
                version: version, members: members, correlationId: listener.correlationId),
            ClientAddClusterViewListenerCodec.encodePartitionsView(
                version: version, owners: partitionOwners(), correlationId: listener.correlationId),
        ]
    }

    var memberCount: Int { entries.withLock { $0.count } }

    /// Records that member `index` listens on `port`; a (re)started member gets a new uuid, as a
    /// restarted Hazelcast member does.
    func started(index: Int, port: Int) {
        entries.withLock { entries in
            entries[index].port = port
            entries[index].uuid = UUID()
        }
        // As a cluster announces a member that joins: a newer view to every listener.
        let (version, targets) = listeners.withLock { state -> (Int32, [ViewListener]) in
            state.version += 1
            return (state.version, state.all)
        }
        for listener in targets {
            for event in viewEvents(for: listener, version: version) { listener.connection.sendEvent(event) }
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
