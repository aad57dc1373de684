import Foundation
import HazelcastTestMember
import TestTiming
import Testing
import Hazelcast

@Suite("Client and test member over TCP")
struct ClientMemberTests {
    static let mapName = "DOLPHIN_FEATURES"

    @Test func putSetGetRemoveDeleteRoundTrip() async throws {
        try await withConnectedClient { client, member in
            let btc = HazelcastData(string: "asset_BTCUSDT_ob")
            let eth = HazelcastData(string: "asset_ETHUSDT_ob")
            let first = HazelcastData(string: #"{"bid":1}"#)
            let second = HazelcastData(string: #"{"bid":2}"#)
            #expect(client.isConnected)
            #expect(client.partitionCount == 271)
            #expect(client.serverVersion == HazelcastTestMember.serverVersion)
            try await client.createMapProxy(Self.mapName)

            #expect(try await client.put(map: Self.mapName, key: btc, value: first) == nil)
            #expect(try await client.put(map: Self.mapName, key: btc, value: second) == first)
            try await client.set(map: Self.mapName, key: eth, value: first)
            #expect(try await client.get(map: Self.mapName, key: btc) == second)
            #expect(try await client.get(map: Self.mapName, key: eth) == first)
            #expect(member.entries(map: Self.mapName) == [btc: second, eth: first])

            #expect(try await client.remove(map: Self.mapName, key: btc) == second)
            #expect(try await client.get(map: Self.mapName, key: btc) == nil)
            try await client.delete(map: Self.mapName, key: eth)
            #expect(try await client.get(map: Self.mapName, key: eth) == nil)
            #expect(member.entries(map: Self.mapName).isEmpty)
            try await client.ping()
        }
    }

    @Test func getAllReturnsPresentEntriesAcrossPartitions() async throws {
        try await withConnectedClient { client, member in
            var expected: [HazelcastData: HazelcastData] = [:]
            for index in 0..<60 {
                let key = HazelcastData(string: "asset_COIN\(index)USDT_ob")
                let value = HazelcastData(string: #"{"i":\#(index)}"#)
                expected[key] = value
                try await client.set(map: Self.mapName, key: key, value: value)
            }
            let missing = (0..<5).map { HazelcastData(string: "asset_NONE\($0)_ob") }
            let partitions = Set(expected.keys.map { $0.partitionId(partitionCount: 271) })
            #expect(partitions.count > 10)
            let requestsBefore = member.requestCount(messageType: MapGetAllCodec.requestType)
            let result = try await client.getAll(map: Self.mapName, keys: Array(expected.keys) + missing + Array(expected.keys.prefix(3)))
            #expect(result == expected)
            let requestsSent = member.requestCount(messageType: MapGetAllCodec.requestType) - requestsBefore
            #expect(requestsSent == Set(Array(expected.keys) + missing).map { $0.partitionId(partitionCount: 271) }.uniqued().count)
            #expect(try await client.getAll(map: Self.mapName, keys: []) == [:])
        }
    }

    /// 2000 values of 2 kB (4 MB of answers, many frames per partition) arrive whole; how fast
    /// is the benchmark's business.
    @Test func largeGetAllArrivesWhole() async throws {
        try await withConnectedClient { client, member in
            let keys = (0..<2_000).map { HazelcastData(string: "asset_A\($0)USDT_ob") }
            let value = { (index: Int) in HazelcastData(string: "\(index):" + String(repeating: "x", count: 2_000)) }
            for (index, key) in keys.enumerated() { member.put(map: Self.mapName, key: key, value: value(index)) }
            let values = try await client.getAll(map: Self.mapName, keys: keys, timeout: .seconds(30))
            #expect(values.count == keys.count)
            #expect(keys.indices.allSatisfy { values[keys[$0]] == value($0) })
        }
    }

    @Test func memberRejectsGetAllWithoutPartitionLikeARealMember() async throws {
        try await withConnectedClient { client, member in
            let key = HazelcastData(string: "asset_BTCUSDT_ob")
            member.put(map: Self.mapName, key: key, value: HazelcastData(string: "v"))
            let request = MapGetAllCodec.encodeRequest(name: Self.mapName, keys: [key], partitionId: -1)
            await #expect(throws: HazelcastError.server(code: 23, className: "java.lang.IllegalArgumentException",
                                                        message: "Partition ID cannot be negative!")) {
                _ = try await client.invoke(request)
            }
            // Sent to another partition, the key is not seen (members filter keys by partition).
            let wrong = MapGetAllCodec.encodeRequest(name: Self.mapName, keys: [key], partitionId: 5)
            let response = try await client.invoke(wrong)
            #expect(try MapGetAllCodec.decodeResponse(response).isEmpty)
        }
    }

    @Test func stringAndJsonValuesDecode() async throws {
        try await withConnectedClient { client, member in
            let json = #"{"asset":"ETHUSDT","bids":[[2250.1,10.0]]}"#
            member.put(map: Self.mapName, key: HazelcastData(string: "s"), value: HazelcastData(string: json))
            member.put(map: Self.mapName, key: HazelcastData(string: "j"), value: HazelcastData(jsonValue: json))
            let values = try await client.getAll(map: Self.mapName, keys: [HazelcastData(string: "s"), HazelcastData(string: "j")])
            #expect(try values[HazelcastData(string: "s")]?.decodeText() == HazelcastText(kind: .string, text: json))
            #expect(try values[HazelcastData(string: "j")]?.decodeText() == HazelcastText(kind: .jsonValue, text: json))
        }
    }

    @Test func manyRequestsInFlightOnOneConnection() async throws {
        try await withConnectedClient { client, member in
            for index in 0..<40 {
                member.put(map: Self.mapName, key: HazelcastData(string: "k\(index)"), value: HazelcastData(string: "v\(index)"))
            }
            member.responseDelay = .seconds(2)
            let clock = ContinuousClock()
            let start = clock.now
            try await withThrowingTaskGroup(of: (Int, HazelcastData?).self) { group in
                for index in 0..<40 {
                    group.addTask { (index, try await client.get(map: Self.mapName, key: HazelcastData(string: "k\(index)"))) }
                }
                for try await (index, value) in group {
                    #expect(value == HazelcastData(string: "v\(index)"))
                }
            }
            // Sequential requests would take 40 × 2 s; half of that leaves any machine's slowness room.
            let elapsed = clock.now - start
            #expect(elapsed < .seconds(40), "\(elapsed)")
        }
    }

    @Test func errorResponseSurfacesServerMessage() async throws {
        try await withConnectedClient { client, _ in
            let unknown = ClientMessage.request(type: 0x7F_FF00).finished()
            do {
                _ = try await client.invoke(unknown)
                Issue.record("expected an error")
            } catch HazelcastError.server(let code, let className, let message) {
                #expect(code == 61)
                #expect(className == "java.lang.UnsupportedOperationException")
                #expect(message?.contains("0x7fff00") == true)
            }
            // The connection stays usable.
            try await client.ping()
        }
    }

    @Test func wrongClusterNameFailsAuthentication() async throws {
        let (member, port) = try startedMember(clusterName: "prod")
        defer { member.stop() }
        let client = try HazelcastClient(configuration: testConfiguration(ports: [port], clusterName: "dev"), logger: testLogger("client"))
        do {
            try await client.connect(timeout: TestBounds.unchecked)
            Issue.record("expected authentication to fail")
        } catch HazelcastError.authenticationFailed(let reason) {
            #expect(reason.contains("dev"))
        }
        #expect(!client.isConnected)
        await #expect(throws: HazelcastError.notConnected) {
            _ = try await client.get(map: Self.mapName, key: HazelcastData(string: "k"))
        }
        await client.shutdown()
    }

    @Test func credentialsAreChecked() async throws {
        let member = HazelcastTestMember(username: "trader", password: "s3cret", logger: testLogger("member"))
        let port = try member.start()
        defer { member.stop() }
        var good = testConfiguration(ports: [port])
        good.username = "trader"
        good.password = "s3cret"
        let client = try HazelcastClient(configuration: good, logger: testLogger("client"))
        try await client.connect(timeout: TestBounds.unchecked)
        await client.shutdown()
        var bad = good
        bad.password = "wrong"
        let rejected = try HazelcastClient(configuration: bad, logger: testLogger("client"))
        await #expect(throws: HazelcastError.self) { try await rejected.connect(timeout: TestBounds.unchecked) }
        await rejected.shutdown()
    }

    @Test func credentialsAreRejectedByAMemberWithoutSecurity() async throws {
        let (member, port) = try startedMember()
        defer { member.stop() }
        var configuration = testConfiguration(ports: [port])
        configuration.username = "trader"
        configuration.password = "s3cret"
        let client = try HazelcastClient(configuration: configuration, logger: testLogger("client"))
        await #expect(throws: HazelcastError.self) { try await client.connect(timeout: TestBounds.unchecked) }
        await client.shutdown()
    }

    @Test func shutdownFailsRequestsAndWaiters() async throws {
        let (member, port) = try startedMember()
        defer { member.stop() }
        let client = try HazelcastClient(configuration: testConfiguration(ports: [port]), logger: testLogger("client"))
        let events = EventRecorder(client.events())
        try await client.connect(timeout: TestBounds.unchecked)
        await client.shutdown()
        await client.shutdown()
        #expect(!client.isConnected)
        await #expect(throws: HazelcastError.clientShutdown) {
            _ = try await client.get(map: Self.mapName, key: HazelcastData(string: "k"))
        }
        await #expect(throws: HazelcastError.clientShutdown) { try await client.connect() }
        #expect(await eventually { events.recorded.last == .shutdown })
        #expect(await eventually { member.openConnectionCount == 0 })
    }

    @Test func failsOverToTheNextMemberInTheList() async throws {
        let (dead, deadPort) = try startedMember()
        dead.stop()
        let (member, port) = try startedMember()
        defer { member.stop() }
        let client = try HazelcastClient(configuration: testConfiguration(ports: [deadPort, port]), logger: testLogger("client"))
        try await client.connect(timeout: TestBounds.unchecked)
        #expect(client.connectedMember?.port == port)
        await client.shutdown()
    }
}

extension Sequence where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
