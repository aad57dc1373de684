import Foundation
import HazelcastTestMember
import Locking
import TestTiming
import Testing
import Hazelcast

/// The batched read the service makes every step: values in key order, requests built once per
/// key list, values handed over as their partition's response arrives.
@Suite("Batched Map.GetAll")
struct GetAllTests {
    static let mapName = "DOLPHIN_FEATURES"

    static func key(_ index: Int) -> HazelcastData { HazelcastData(string: "asset_K\(index)USDT_ob") }
    static func value(_ index: Int, _ version: Int = 0) -> HazelcastData { HazelcastData(string: #"{"k":\#(index),"v":\#(version)}"#) }

    @Test func valuesFollowTheKeyOrderWithRepeatsAndAbsentKeys() async throws {
        try await withConnectedClient { client, member in
            for index in 0..<40 { member.put(map: Self.mapName, key: Self.key(index), value: Self.value(index)) }
            let absent = HazelcastData(string: "asset_NONE_ob")
            let keys = [Self.key(3), absent, Self.key(17), Self.key(3)] + (20..<40).map(Self.key)
            let values = try await client.getAllValues(map: Self.mapName, keys: keys)
            #expect(values.count == keys.count)
            #expect(values[0] == Self.value(3))
            #expect(values[1] == nil)
            #expect(values[2] == Self.value(17))
            #expect(values[3] == Self.value(3))
            let rest: [HazelcastData?] = (20..<40).map { Self.value($0) }
            #expect(Array(values[4...]) == rest)

            let seen = Locked<[Int: HazelcastData]>([:])
            try await client.getAll(map: Self.mapName, keys: keys) { position, value in
                seen.withLock { seen in
                    #expect(seen[position] == nil, "position \(position) handed over twice")
                    seen[position] = value
                }
            }
            #expect(seen.withLock { $0 } == Dictionary(uniqueKeysWithValues: values.enumerated().compactMap { position, value in
                value.map { (position, $0) }
            }))
        }
    }

    @Test func repeatedReadsSeeNewValuesAndStillSendOneRequestPerPartition() async throws {
        try await withConnectedClient { client, member in
            let keys = (0..<120).map(Self.key)
            for index in keys.indices { member.put(map: Self.mapName, key: keys[index], value: Self.value(index)) }
            let partitions = Set(keys.map { $0.partitionId(partitionCount: 271) }).count
            for version in 1...3 {
                let before = member.requestCount(messageType: MapGetAllCodec.requestType)
                let values = try await client.getAllValues(map: Self.mapName, keys: keys)
                let expected: [HazelcastData?] = keys.indices.map { Self.value($0, version - 1) }
                #expect(values == expected)
                #expect(member.requestCount(messageType: MapGetAllCodec.requestType) - before == partitions)
                for index in keys.indices { member.put(map: Self.mapName, key: keys[index], value: Self.value(index, version)) }
            }
        }
    }

    @Test func aChangedKeyListIsReadAsItIs() async throws {
        try await withConnectedClient { client, member in
            for index in 0..<30 { member.put(map: Self.mapName, key: Self.key(index), value: Self.value(index)) }
            let first = (0..<10).map(Self.key)
            let firstValues: [HazelcastData?] = (0..<10).map { Self.value($0) }
            let second = (5..<30).reversed().map(Self.key)
            let secondValues: [HazelcastData?] = (5..<30).reversed().map { Self.value($0) }
            let firstRead = try await client.getAllValues(map: Self.mapName, keys: first)
            #expect(firstRead == firstValues)
            let secondRead = try await client.getAllValues(map: Self.mapName, keys: second)
            #expect(secondRead == secondValues)
            let firstAgain = try await client.getAllValues(map: Self.mapName, keys: first)
            #expect(firstAgain == firstValues)
            let otherMap = try await client.getAllValues(map: "OTHER_MAP", keys: first)
            #expect(otherMap == [HazelcastData?](repeating: nil, count: 10))
            let noKeys = try await client.getAllValues(map: Self.mapName, keys: [])
            #expect(noKeys.isEmpty)
        }
    }

    @Test func aSilentMemberFailsTheWholeReadAtItsTimeout() async throws {
        try await withConnectedClient(configure: { $0.invocationTimeout = TestBounds.neverReached }) { client, member in
            let keys = (0..<50).map(Self.key)
            for index in keys.indices { member.put(map: Self.mapName, key: keys[index], value: Self.value(index)) }
            _ = try await client.getAllValues(map: Self.mapName, keys: keys)
            member.mode = .silent
            let started = ContinuousClock.now
            await #expect(throws: HazelcastError.self) {
                try await client.getAll(map: Self.mapName, keys: keys, timeout: .milliseconds(200)) { _, _ in }
            }
            let elapsed = ContinuousClock.now - started
            #expect(elapsed >= .milliseconds(190) && elapsed < TestBounds.promptly, "\(elapsed)")
            member.mode = .normal
            let expected: [HazelcastData?] = keys.indices.map { Self.value($0) }
            let afterSilence = try await client.getAllValues(map: Self.mapName, keys: keys)
            #expect(afterSilence == expected)
        }
    }
}
