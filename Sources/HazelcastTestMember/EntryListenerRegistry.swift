import Foundation
import Hazelcast
import Locking

/// The entry listeners registered with the members of one cluster, and the delivery of their
/// events. `MapStore` publishes each change while it holds its own lock, so the events of one
/// key are queued to every listener connection in the order of the changes.
final class EntryListenerRegistry: Sendable {
    struct Registration: Sendable {
        var id: UUID
        var request: MapAddEntryListenerCodec.Request
        var correlationId: Int64
        /// The member the listener registered with (a local-only listener hears only its partitions).
        var memberIndex: Int
        var connection: MemberConnection
    }

    private struct State {
        var registrations: [UUID: Registration] = [:]
        var droppedKeys: Set<HazelcastData> = []
        var droppedCount = 0
        var deliveredCount = 0
    }

    private let state = Locked(State())
    private let topology: ClusterTopology

    init(topology: ClusterTopology) {
        self.topology = topology
    }

    func add(_ registration: Registration) {
        state.withLock { $0.registrations[registration.id] = registration }
    }

    /// Removes a registration; false when there was none with that id.
    func remove(id: UUID) -> Bool {
        state.withLock { $0.registrations.removeValue(forKey: id) != nil }
    }

    /// Removes every registration made over `connection`.
    func removeAll(of connection: MemberConnection) {
        state.withLock { state in
            state.registrations = state.registrations.filter { $0.value.connection !== connection }
        }
    }

    /// Events of these keys are not sent (to test that a client heals lost events).
    var droppedKeys: Set<HazelcastData> {
        get { state.withLock { $0.droppedKeys } }
        set { state.withLock { $0.droppedKeys = newValue } }
    }

    /// Events not sent because their key was in `droppedKeys`, and events sent.
    var counts: (dropped: Int, delivered: Int) { state.withLock { ($0.droppedCount, $0.deliveredCount) } }

    /// Hands the event of one change to every listener of `map` that hears it. Called by
    /// `MapStore` under its lock; delivery only queues bytes, it never blocks.
    func publish(map: String, partition: Int, key: HazelcastData, type: EntryEventFlags,
                 value: HazelcastData?, oldValue: HazelcastData?) {
        let owner = topology.owner(ofPartition: partition)
        let targets = state.withLock { state -> [Registration] in
            let targets = state.registrations.values.filter { registration in
                registration.request.name == map && registration.request.flags.contains(type)
                    && (!registration.request.localOnly || registration.memberIndex == owner)
            }
            guard !targets.isEmpty else { return [] }
            if state.droppedKeys.contains(key) {
                state.droppedCount += targets.count
                return []
            }
            state.deliveredCount += targets.count
            return targets
        }
        guard !targets.isEmpty else { return }
        let member = topology.uuid(of: owner)
        for registration in targets {
            let includeValue = registration.request.includeValue
            let event = EntryEvent(
                type: type, key: key, value: includeValue ? value : nil, oldValue: includeValue ? oldValue : nil,
                member: member, partitionId: Int32(partition))
            registration.connection.sendEvent(MapAddEntryListenerCodec.encodeEvent(event, correlationId: registration.correlationId))
        }
    }
}
