import Foundation
import HazelcastTestMember
import TestTiming
import Testing
import Hazelcast

@Suite("Reconnection, timeouts, heartbeats and faulty members")
struct ResilienceTests {
    static let mapName = "DOLPHIN_FEATURES"
    static let key = HazelcastData(string: "asset_BTCUSDT_ob")
    static let value = HazelcastData(string: #"{"bid":1}"#)

    @Test func keepsRetryingUntilTheMemberStarts() async throws {
        let (member, port) = try startedMember()
        member.stop()
        defer { member.stop() }
        var configuration = testConfiguration(ports: [port])
        configuration.invocationTimeout = TestBounds.neverReached
        let client = try HazelcastClient(configuration: configuration, logger: testLogger("client"))
        let events = EventRecorder(client.events())
        client.start()
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: HazelcastError.notConnected) { _ = try await client.get(map: Self.mapName, key: Self.key) }
        #expect(clock.now - start < TestBounds.promptly)
        #expect(await eventually { events.recorded.filter { if case .connectionAttemptFailed = $0 { true } else { false } }.count >= 2 })
        try member.start()
        try await client.connect(timeout: TestBounds.unchecked)
        #expect(client.isConnected)
        #expect(client.reconnectCount == 0)
        await client.shutdown()
    }

    @Test func connectTimesOutWithoutMember() async throws {
        let (member, port) = try startedMember()
        member.stop()
        let client = try HazelcastClient(configuration: testConfiguration(ports: [port]), logger: testLogger("client"))
        await #expect(throws: HazelcastError.self) { try await client.connect(timeout: .milliseconds(200)) }
        await client.shutdown()
    }

    @Test func reconnectsAfterTheMemberRestarts() async throws {
        try await withConnectedClient(configure: { $0.invocationTimeout = TestBounds.neverReached }) { client, member in
            let events = EventRecorder(client.events())
            try await client.set(map: Self.mapName, key: Self.key, value: Self.value)
            member.stop()
            #expect(await eventually { !client.isConnected })
            let clock = ContinuousClock()
            let start = clock.now
            await #expect(throws: HazelcastError.notConnected) { _ = try await client.get(map: Self.mapName, key: Self.key) }
            #expect(clock.now - start < TestBounds.promptly)
            try member.start()
            #expect(await eventually { client.isConnected })
            #expect(client.reconnectCount == 1)
            #expect(client.connectionLossCount == 1)
            #expect(try await client.get(map: Self.mapName, key: Self.key) == Self.value)
            // Events are delivered asynchronously; wait for the reconnection to show up.
            let address = HazelcastAddress(host: "127.0.0.1", port: member.port ?? 0)
            #expect(await eventually { events.recorded.contains(.connected(member: address, isReconnect: true)) })
            let recorded = events.recorded
            let disconnected = recorded.firstIndex { if case .disconnected = $0 { true } else { false } }
            let reconnected = recorded.firstIndex { $0 == .connected(member: address, isReconnect: true) }
            #expect(disconnected != nil && reconnected != nil)
            if let disconnected, let reconnected { #expect(disconnected < reconnected) }
        }
    }

    @Test func silentMemberTimesOutAtTheRequestTimeout() async throws {
        try await withConnectedClient(configure: { $0.invocationTimeout = TestBounds.neverReached }) { client, member in
            member.mode = .silent
            let clock = ContinuousClock()
            let start = clock.now
            do {
                _ = try await client.get(map: Self.mapName, key: Self.key, timeout: .milliseconds(300))
                Issue.record("expected a timeout")
            } catch HazelcastError.timeout {
                let elapsed = clock.now - start
                #expect(elapsed >= .milliseconds(280) && elapsed < TestBounds.promptly, "\(elapsed)")
            }
            member.mode = .normal
            try await client.set(map: Self.mapName, key: Self.key, value: Self.value)
            #expect(try await client.get(map: Self.mapName, key: Self.key) == Self.value)
        }
    }

    @Test func lateResponsesAreDropped() async throws {
        try await withConnectedClient { client, member in
            let other = HazelcastData(string: "other")
            member.put(map: Self.mapName, key: Self.key, value: Self.value)
            member.put(map: Self.mapName, key: other, value: HazelcastData(string: "other value"))
            // The answer is held until the request has timed out, however slow the machine.
            member.holdAnswers()
            do {
                _ = try await client.get(map: Self.mapName, key: Self.key, timeout: .milliseconds(50))
                Issue.record("expected a timeout")
            } catch HazelcastError.timeout {}
            // The late answer leaves first; the next answer on the connection follows it, so
            // once that is read the late one was read (and dropped) before it.
            member.releaseHeldAnswers()
            #expect(try await client.get(map: Self.mapName, key: other) == HazelcastData(string: "other value"))
            #expect(try await client.get(map: Self.mapName, key: other) == HazelcastData(string: "other value"))
            #expect(client.isConnected && client.connectionLossCount == 0)
        }
    }

    @Test func garbageDropsTheConnectionThenRecovers() async throws {
        try await withConnectedClient { client, member in
            member.put(map: Self.mapName, key: Self.key, value: Self.value)
            member.mode = .garbage
            await #expect(throws: HazelcastError.self) { _ = try await client.get(map: Self.mapName, key: Self.key) }
            #expect(await eventually { client.connectionLossCount == 1 })
            try await Task.sleep(for: .milliseconds(200))
            #expect(!client.isConnected)
            member.mode = .normal
            #expect(await eventually { client.isConnected })
            #expect(client.reconnectCount == 1)
            #expect(try await client.get(map: Self.mapName, key: Self.key) == Self.value)
        }
    }

    @Test func pingsWhenIdle() async throws {
        try await withConnectedClient(configure: { $0.heartbeatInterval = .milliseconds(100) }) { client, member in
            #expect(await eventually { member.pingCount >= 3 })
            #expect(client.isConnected && client.connectionLossCount == 0)
        }
    }

    @Test func closesAConnectionThatStaysSilentPastTheHeartbeatTimeout() async throws {
        try await withConnectedClient(configure: {
            $0.heartbeatInterval = .milliseconds(100)
            $0.heartbeatTimeout = .milliseconds(400)
            // Reconnection attempts made while the member is silent are never answered: each
            // gives up after this and the next one follows, until the member answers again.
            $0.connectTimeout = .seconds(1)
        }) { client, member in
            member.mode = .silent
            #expect(await eventually { client.connectionLossCount == 1 })
            member.mode = .normal
            #expect(await eventually { client.isConnected })
            #expect(client.reconnectCount == 1)
        }
    }
}
