import Hazelcast
import Locking

/// The member's maps, kept per partition as a member's record stores are: an operation sent
/// with the wrong partition id sees that partition's store, exactly as on a real member.
/// Every change is published to the entry listeners while the lock is held, so the events of
/// one key leave in the order of its changes.
final class MapStore: Sendable {
    private let maps = Locked<[String: [Int: [HazelcastData: HazelcastData]]]>([:])
    let listeners: EntryListenerRegistry

    init(listeners: EntryListenerRegistry) {
        self.listeners = listeners
    }

    func get(map: String, partition: Int, key: HazelcastData) -> HazelcastData? {
        maps.withLock { $0[map]?[partition]?[key] }
    }

    /// The entries present for `keys` in one partition's store, in the order of `keys`.
    func entries(map: String, partition: Int, keys: [HazelcastData]) -> [(HazelcastData, HazelcastData)] {
        maps.withLock { maps in
            guard let store = maps[map]?[partition] else { return [] }
            return keys.compactMap { key in store[key].map { (key, $0) } }
        }
    }

    @discardableResult
    func put(map: String, partition: Int, key: HazelcastData, value: HazelcastData) -> HazelcastData? {
        maps.withLock { maps in
            let previous = maps[map, default: [:]][partition, default: [:]][key]
            maps[map, default: [:]][partition, default: [:]][key] = value
            listeners.publish(map: map, partition: partition, key: key, type: previous == nil ? .added : .updated,
                              value: value, oldValue: previous)
            return previous
        }
    }

    /// Stores `value` only when `key` is absent; returns the value already there.
    func putIfAbsent(map: String, partition: Int, key: HazelcastData, value: HazelcastData) -> HazelcastData? {
        maps.withLock { maps in
            if let existing = maps[map]?[partition]?[key] { return existing }
            maps[map, default: [:]][partition, default: [:]][key] = value
            listeners.publish(map: map, partition: partition, key: key, type: .added, value: value, oldValue: nil)
            return nil
        }
    }

    /// Replaces `key`'s value only while it equals `expected` byte for byte (as a member compares
    /// serialized values); returns whether it did.
    func replace(map: String, partition: Int, key: HazelcastData, ifSameAs expected: HazelcastData,
                 with value: HazelcastData) -> Bool {
        maps.withLock { maps in
            guard let current = maps[map]?[partition]?[key], current == expected else { return false }
            maps[map]?[partition]?[key] = value
            listeners.publish(map: map, partition: partition, key: key, type: .updated, value: value, oldValue: current)
            return true
        }
    }

    @discardableResult
    func remove(map: String, partition: Int, key: HazelcastData) -> HazelcastData? {
        maps.withLock { maps in
            let previous = maps[map]?[partition]?.removeValue(forKey: key)
            if let previous {
                listeners.publish(map: map, partition: partition, key: key, type: .removed, value: nil, oldValue: previous)
            }
            return previous
        }
    }

    /// Every entry of `map`, over all partitions.
    func entries(map: String) -> [HazelcastData: HazelcastData] {
        maps.withLock { maps in
            var result: [HazelcastData: HazelcastData] = [:]
            for partition in maps[map]?.values ?? [:].values {
                result.merge(partition) { current, _ in current }
            }
            return result
        }
    }

    func removeAll() {
        maps.withLock { $0 = [:] }
    }
}
