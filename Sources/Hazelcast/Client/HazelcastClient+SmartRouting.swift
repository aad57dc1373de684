import Foundation
import Logging

/// Smart routing: with `configuration.smartRouting`, the client listens to the cluster view on its
/// main connection, opens a connection to every other member, and sends each partition's requests
/// to the partition's owner (falling back to the main connection when the owner's is not up).
extension HazelcastClient {
    /// Registers the cluster view listener on `primary`, then keeps connections to the other
    /// members until `primary` closes or the task is cancelled.
    func runSmartRouting(primary: HazelcastConnection) async {
        let (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let handler: @Sendable (ClientMessage) -> Void = { [weak self] message in
            self?.handleClusterViewEvent(message, primary: primary)
            wake.yield()
        }
        do {
            _ = try await primary.send(
                ClientAddClusterViewListenerCodec.encodeRequest(), timeout: configuration.connectTimeout,
                what: "Client.AddClusterViewListener", eventHandler: handler)
        } catch {
            if !primary.isClosed {
                logger.warning("cluster view listener not registered; all requests use one connection",
                               metadata: ["member": "\(primary.address)", "error": "\(error)"])
            }
            return
        }
        defer { wake.finish() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    wake.yield()
                }
            }
            for await _ in wakeups {
                guard !Task.isCancelled && !primary.isClosed else { break }
                await connectMissingMembers(primary: primary)
            }
            group.cancelAll()
        }
    }

    /// Applies a MembersView or PartitionsView event received on `primary`.
    private func handleClusterViewEvent(_ message: ClientMessage, primary: HazelcastConnection) {
        let event: ClientAddClusterViewListenerCodec.Event?
        do {
            event = try ClientAddClusterViewListenerCodec.decodeEvent(message)
        } catch {
            logger.warning("ignoring an invalid cluster view event", metadata: ["error": "\(error)"])
            return
        }
        let departed: [HazelcastConnection] = state.withLock { state in
            guard state.connection === primary, let event else { return [] }
            switch event {
            case .members(let version, let members):
                guard state.view.applyMembers(version: version, members) else { return [] }
                let gone = state.memberConnections.filter { state.view.members[$0.key] == nil }
                for uuid in gone.keys { state.memberConnections[uuid] = nil }
                return Array(gone.values)
            case .partitions(let version, let owners):
                state.view.applyPartitions(version: version, owners, partitionCount: state.partitionCount)
                return []
            }
        }
        for connection in departed { connection.close(reason: "the member left the cluster") }
    }

    /// Opens authenticated connections to members of the view that have none.
    private func connectMissingMembers(primary: HazelcastConnection) async {
        let targets = state.withLock { state -> [(UUID, HazelcastAddress)] in
            guard state.phase == .running, state.connection === primary else { return [] }
            return state.view.members.filter { uuid, _ in
                uuid != state.memberUUID && (state.memberConnections[uuid]?.isClosed ?? true)
            }.map { ($0.key, $0.value) }
        }
        for (uuid, address) in targets {
            guard !Task.isCancelled && !primary.isClosed else { return }
            do {
                let (connection, response) = try await openAuthenticated(address)
                guard response.memberUuid == uuid else {
                    connection.close(reason: "the member at \(address) is not \(uuid)")
                    continue
                }
                let installed = state.withLock { state -> Bool in
                    guard state.phase == .running, state.connection === primary, state.view.members[uuid] != nil else {
                        return false
                    }
                    state.memberConnections[uuid] = connection
                    return true
                }
                guard installed else {
                    connection.close(reason: "the connection is no longer needed")
                    continue
                }
                logger.debug("connected to another member", metadata: ["member": "\(address)"])
                registerListeners(on: connection)
                tasks.spawn { [self] in
                    let reason = await heartbeatUntilClosed(connection)
                    state.withLock { state in
                        if state.memberConnections[uuid] === connection { state.memberConnections[uuid] = nil }
                    }
                    logger.debug("member connection closed", metadata: ["member": "\(address)", "reason": "\(reason)"])
                }
            } catch {
                logger.debug("cannot connect to member", metadata: ["member": "\(address)", "error": "\(error)"])
            }
        }
    }

    /// The connection serving each of `partitions`, in their order: the owner's when smart
    /// routing has one, else `primary`.
    func connections(forPartitions partitions: [Int], primary: HazelcastConnection) -> [HazelcastConnection] {
        state.withLock { state in
            guard configuration.smartRouting, !state.memberConnections.isEmpty else {
                return Array(repeating: primary, count: partitions.count)
            }
            return partitions.map { partition in
                if let owner = state.view.owner(ofPartition: partition), owner != state.memberUUID,
                   let connection = state.memberConnections[owner], !connection.isClosed {
                    return connection
                }
                return primary
            }
        }
    }

    /// Forgets the cluster view and closes the other members' connections (after the main one is lost).
    func dropClusterView() {
        let connections = state.withLock { state -> [HazelcastConnection] in
            defer {
                state.memberConnections = [:]
                state.view = ClusterView()
            }
            return Array(state.memberConnections.values)
        }
        for connection in connections { connection.close(reason: "the main cluster connection was lost") }
    }
}
