import Hazelcast
import OBFEngine

/// Writes snapshots into a Hazelcast map exactly as the Python producer does:
/// `map.put("asset_{SYMBOL}_ob", json.dumps(payload))`, a String value.
public struct SnapshotPusher: Sendable {
    public let client: HazelcastClient
    public let map: String

    public init(client: HazelcastClient, map: String) {
        self.client = client
        self.map = map
    }

    /// Puts each `(asset, json)` document; returns how many were written.
    @discardableResult
    public func push(_ documents: [(asset: String, json: String)], timeout: Duration = .seconds(5)) async throws -> Int {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for document in documents {
                group.addTask {
                    _ = try await client.put(map: map, key: HazelcastSnapshotSource.mapKey(for: document.asset),
                                             value: HazelcastData(string: document.json), timeout: timeout)
                }
            }
            try await group.waitForAll()
        }
        return documents.count
    }
}
