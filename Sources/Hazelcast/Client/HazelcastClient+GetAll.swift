import Locking

/// Map.GetAll: the batched read of many keys, one request per partition, all written together.
extension HazelcastClient {
    /// The entries present for `keys`. Members run Map.GetAll per partition, so the keys are
    /// grouped by partition and one request per partition is sent: all requests for a connection
    /// go out in a single write (one connection, or one per owner member with smart routing) and
    /// the responses are awaited together. Any failed request fails the call.
    public func getAll(map: String, keys: [HazelcastData], timeout: Duration? = nil) async throws -> [HazelcastData: HazelcastData] {
        let values = try await getAllValues(map: map, keys: keys, timeout: timeout)
        var entries: [HazelcastData: HazelcastData] = [:]
        entries.reserveCapacity(values.count)
        for (key, value) in zip(keys, values) {
            if let value { entries[key] = value }
        }
        return entries
    }

    /// The values of `keys` in the order of `keys` (nil where absent), read as `getAll` does.
    public func getAllValues(map: String, keys: [HazelcastData], timeout: Duration? = nil) async throws -> [HazelcastData?] {
        let values = Locked([HazelcastData?](repeating: nil, count: keys.count))
        try await getAll(map: map, keys: keys, timeout: timeout) { position, value in
            values.withLock { $0[position] = value }
        }
        return values.withLock { $0 }
    }

    /// Reads `keys` as `getAll` does and calls `found` with the position in `keys` and the value
    /// of every key present, as soon as its partition's response arrives: on the connection's
    /// reader thread, while the member is still answering the other partitions, so work done
    /// there overlaps with the wait. `found` must not block; it may run for a call that then
    /// fails (a timeout, a lost connection). The requests for a key list are built once and
    /// reused while the list and the cluster's partition count stay the same.
    public func getAll(
        map: String, keys: [HazelcastData], timeout: Duration? = nil,
        found: @escaping @Sendable (Int, HazelcastData) -> Void
    ) async throws {
        guard !keys.isEmpty else { return }
        let (primary, partitionCount) = try activeConnection()
        let plan = getAllPlan(map: map, keys: keys, partitionCount: partitionCount)
        var batches: [(connection: HazelcastConnection, requests: [[UInt8]])] = []
        let owners = connections(forPartitions: plan.groups.map(\.partition), primary: primary)
        for (group, connection) in zip(plan.groups, owners) {
            if let index = batches.firstIndex(where: { $0.connection === connection }) {
                batches[index].requests.append(group.request)
            } else {
                batches.append((connection, [group.request]))
            }
        }
        let limit = timeout ?? configuration.invocationTimeout
        let collector = GetAllCollector(plan: plan, found: found)
        let send: @Sendable (HazelcastConnection, [[UInt8]]) async -> [Result<ClientMessage, any Error>] = { connection, requests in
            await connection.sendAll(encoded: requests, timeout: limit, what: "Map.GetAll", onResponse: collector.add)
        }
        let results: [Result<ClientMessage, any Error>]
        if batches.count == 1, let batch = batches.first {
            results = await send(batch.connection, batch.requests)
        } else {
            results = await withTaskGroup(of: [Result<ClientMessage, any Error>].self) { group in
                for batch in batches {
                    group.addTask { await send(batch.connection, batch.requests) }
                }
                var all: [Result<ClientMessage, any Error>] = []
                for await batchResults in group { all.append(contentsOf: batchResults) }
                return all
            }
        }
        for result in results { _ = try result.get() }
        try collector.check()
    }

    /// The cached plan for these keys, or a new one (which then replaces the cached one).
    private func getAllPlan(map: String, keys: [HazelcastData], partitionCount: Int) -> GetAllPlan {
        if let cached = lastGetAllPlan.withLock({ $0 }), cached.matches(map: map, keys: keys, partitionCount: partitionCount) {
            return cached
        }
        let plan = GetAllPlan(map: map, keys: keys, partitionCount: partitionCount)
        lastGetAllPlan.withLock { $0 = plan }
        return plan
    }
}
