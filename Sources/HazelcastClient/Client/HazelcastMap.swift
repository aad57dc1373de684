/// A named map of a `HazelcastClient`; a lightweight value forwarding to the client.
public struct HazelcastMap: Sendable {
    public let client: HazelcastClient
    public let name: String

    public func get(_ key: HazelcastData, timeout: Duration? = nil) async throws -> HazelcastData? {
        try await client.get(map: name, key: key, timeout: timeout)
    }

    public func getAll(_ keys: [HazelcastData], timeout: Duration? = nil) async throws -> [HazelcastData: HazelcastData] {
        try await client.getAll(map: name, keys: keys, timeout: timeout)
    }

    @discardableResult
    public func put(_ key: HazelcastData, _ value: HazelcastData, ttl: Duration? = nil, timeout: Duration? = nil) async throws -> HazelcastData? {
        try await client.put(map: name, key: key, value: value, ttl: ttl, timeout: timeout)
    }

    public func set(_ key: HazelcastData, _ value: HazelcastData, ttl: Duration? = nil, timeout: Duration? = nil) async throws {
        try await client.set(map: name, key: key, value: value, ttl: ttl, timeout: timeout)
    }

    @discardableResult
    public func remove(_ key: HazelcastData, timeout: Duration? = nil) async throws -> HazelcastData? {
        try await client.remove(map: name, key: key, timeout: timeout)
    }

    public func delete(_ key: HazelcastData, timeout: Duration? = nil) async throws {
        try await client.delete(map: name, key: key, timeout: timeout)
    }
}
