import Foundation
import Logging

/// Entry listeners: registered on every connection the client holds and again on every new one.
extension HazelcastClient {
    /// Adds an entry listener on `map`. With smart routing it is registered on every member
    /// connection with `localOnly` (each member sends the events of its own partitions), else
    /// once on the main connection for the whole map; either way again on every new connection.
    /// `handler` runs on connection reader threads (see `EntryListenerNotice`).
    public func addEntryListener(
        map: String, includeValue: Bool = true, flags: EntryEventFlags = .entryChanges,
        handler: @escaping @Sendable (EntryListenerNotice) -> Void
    ) -> EntryListener {
        let listener = EntryListener(map: map, includeValue: includeValue, flags: flags, handler: handler)
        let connections = state.withLock { state -> [HazelcastConnection] in
            state.listeners[ObjectIdentifier(listener)] = listener
            guard let primary = state.connection else { return [] }
            return [primary] + (configuration.smartRouting ? Array(state.memberConnections.values) : [])
        }
        for connection in connections {
            tasks.spawn { [self] in await register(listener, on: connection) }
        }
        return listener
    }

    /// Removes the listener: no more notices, and the registrations are undone on the members (best effort).
    public func removeEntryListener(_ listener: EntryListener, timeout: Duration? = nil) async {
        _ = state.withLock { $0.listeners.removeValue(forKey: ObjectIdentifier(listener)) }
        let limit = timeout ?? configuration.connectTimeout
        for registration in listener.removeAll() {
            if let correlationId = registration.correlationId { registration.connection.removeEventHandler(for: correlationId) }
            guard let id = registration.registrationId, !registration.connection.isClosed else { continue }
            _ = try? await registration.connection.send(
                MapRemoveEntryListenerCodec.encodeRequest(name: listener.map, registration: id),
                timeout: limit, what: "Map.RemoveEntryListener")
        }
    }

    /// Which connection covers each partition for `listener` now: with smart routing the
    /// owner's connection when the listener is registered there, else nobody (the other members
    /// only send the events of their own partitions); without, the main connection for all.
    public func coverage(of listener: EntryListener) -> EntryListenerCoverage {
        let acknowledged = listener.acknowledgedConnections
        return state.withLock { state in
            guard let primary = state.connection, !primary.isClosed, state.partitionCount > 0 else {
                return EntryListenerCoverage(connections: [])
            }
            func covering(_ connection: HazelcastConnection?) -> Int? {
                guard let connection, acknowledged.contains(connection.id) else { return nil }
                return connection.id
            }
            guard configuration.smartRouting else {
                return EntryListenerCoverage(connections: Array(repeating: covering(primary), count: state.partitionCount))
            }
            return EntryListenerCoverage(connections: (0..<state.partitionCount).map { partition in
                guard let owner = state.view.owner(ofPartition: partition) else { return nil }
                return covering(owner == state.memberUUID ? primary : state.memberConnections[owner])
            })
        }
    }

    /// Registers every listener on a connection that was just installed.
    func registerListeners(on connection: HazelcastConnection) {
        let listeners = state.withLock { Array($0.listeners.values) }
        for listener in listeners {
            tasks.spawn { [self] in await register(listener, on: connection) }
        }
    }

    /// Registers `listener` on `connection`, retrying while the connection is open, then reports
    /// the registration and (once the connection closes) its end.
    private func register(_ listener: EntryListener, on connection: HazelcastConnection) async {
        guard listener.claim(connection) else { return }
        let isPrimary = state.withLock { $0.connection === connection }
        let request = MapAddEntryListenerCodec.encodeRequest(.init(
            name: listener.map, includeValue: listener.includeValue, flags: listener.flags,
            localOnly: configuration.smartRouting))
        let handler = listener.handler
        let connectionId = connection.id
        let logger = self.logger
        let onEvent: @Sendable (ClientMessage) -> Void = { message in
            do {
                if let event = try MapAddEntryListenerCodec.decodeEvent(message) {
                    handler(.event(event, connection: connectionId))
                }
            } catch {
                logger.warning("ignoring an invalid entry event", metadata: ["error": "\(error)"])
            }
        }
        var attempt = 0
        while !connection.isClosed && !listener.isRemoved && !Task.isCancelled {
            attempt += 1
            do {
                let response = try await connection.send(
                    request, timeout: configuration.connectTimeout, what: "Map.AddEntryListener", eventHandler: onEvent)
                let registrationId = try MapAddEntryListenerCodec.decodeResponse(response)
                guard listener.acknowledge(connection, registrationId: registrationId, correlationId: response.correlationId) else {
                    connection.removeEventHandler(for: response.correlationId)
                    return
                }
                logger.debug("entry listener registered", metadata: [
                    "map": "\(listener.map)", "member": "\(connection.address)", "main_connection": "\(isPrimary)",
                ])
                handler(.registered(connection: connectionId, member: connection.address))
                let reason = await connection.waitUntilClosed()
                if listener.release(connection) {
                    handler(.unregistered(connection: connectionId, member: connection.address, reason: reason))
                }
                return
            } catch {
                guard !connection.isClosed else { break }
                if attempt == 1 {
                    logger.warning("entry listener not registered; retrying", metadata: [
                        "map": "\(listener.map)", "member": "\(connection.address)", "error": "\(error)",
                    ])
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        listener.release(connection)
    }
}
