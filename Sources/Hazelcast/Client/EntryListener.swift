import Foundation
import Locking

/// What an entry listener hears, on the reader thread of the connection concerned (keep the
/// handler short and never block in it): the events, in the order the member sent them (so in
/// order per key), and when its registration on a connection starts or ends. Events sent while
/// a connection was down are not replayed; `registered` is the point from which a connection's
/// events are complete again.
public enum EntryListenerNotice: Sendable {
    case event(EntryEvent, connection: Int)
    /// The member acknowledged the registration on this connection.
    case registered(connection: Int, member: HazelcastAddress)
    /// The connection closed; its events stopped.
    case unregistered(connection: Int, member: HazelcastAddress, reason: String)
}

/// An entry listener on one map, kept registered by its client on every member connection
/// (with smart routing each member sends the events of the partitions it owns) and registered
/// again on every new connection, until `HazelcastClient.removeEntryListener`.
public final class EntryListener: Sendable {
    public let map: String
    public let includeValue: Bool
    public let flags: EntryEventFlags
    let handler: @Sendable (EntryListenerNotice) -> Void
    private let state = Locked(State())

    struct Registration: Sendable {
        var connection: HazelcastConnection
        /// Set once the member acknowledged the registration.
        var registrationId: UUID?
        var correlationId: Int64?
    }

    private struct State {
        var registrations: [Int: Registration] = [:]
        var isRemoved = false
    }

    init(map: String, includeValue: Bool, flags: EntryEventFlags, handler: @escaping @Sendable (EntryListenerNotice) -> Void) {
        self.map = map
        self.includeValue = includeValue
        self.flags = flags
        self.handler = handler
    }

    /// Claims `connection` for a registration; false when one is under way or done there already.
    func claim(_ connection: HazelcastConnection) -> Bool {
        state.withLock { state in
            guard !state.isRemoved, state.registrations[connection.id] == nil else { return false }
            state.registrations[connection.id] = Registration(connection: connection)
            return true
        }
    }

    /// Records the member's acknowledgement; false when the listener was removed meanwhile.
    func acknowledge(_ connection: HazelcastConnection, registrationId: UUID?, correlationId: Int64) -> Bool {
        state.withLock { state in
            guard !state.isRemoved, state.registrations[connection.id] != nil else { return false }
            state.registrations[connection.id]?.registrationId = registrationId ?? UUID()
            state.registrations[connection.id]?.correlationId = correlationId
            return true
        }
    }

    /// Forgets the registration on `connection` (closed, or failed); returns whether it had been acknowledged.
    @discardableResult
    func release(_ connection: HazelcastConnection) -> Bool {
        state.withLock { state in
            state.registrations.removeValue(forKey: connection.id)?.registrationId != nil
        }
    }

    /// The ids of the connections whose registration the member acknowledged and that are open.
    var acknowledgedConnections: Set<Int> {
        state.withLock { state in
            Set(state.registrations.values.filter { $0.registrationId != nil && !$0.connection.isClosed }.map(\.connection.id))
        }
    }

    /// Marks the listener removed and returns its registrations, to be undone on the members.
    func removeAll() -> [Registration] {
        state.withLock { state in
            state.isRemoved = true
            defer { state.registrations = [:] }
            return Array(state.registrations.values)
        }
    }

    var isRemoved: Bool { state.withLock { $0.isRemoved } }
}

/// Which connection delivers the events of each partition to a listener right now.
public struct EntryListenerCoverage: Sendable, Equatable {
    /// Per partition id: the id of the connection whose registration covers it, nil when none.
    public let connections: [Int?]

    public init(connections: [Int?]) {
        self.connections = connections
    }

    /// The connection covering `partition`, nil when its events reach nobody now.
    public func connection(forPartition partition: Int) -> Int? {
        partition >= 0 && partition < connections.count ? connections[partition] : nil
    }

    /// Whether every partition's events reach the listener (false before the partition count is known).
    public var isComplete: Bool { !connections.isEmpty && connections.allSatisfy { $0 != nil } }
}
