import Foundation
import Hazelcast
import HazelcastTestMember
import TestTiming
import Testing

/// A member that stops reading (as a stopped process does): once the socket buffers are full,
/// writes cannot complete, yet no caller may wait past its own timeout.
@Suite("A member that stops reading")
struct HungMemberTests {
    static let mapName = "DOLPHIN_FEATURES"

    @Test func requestsEndAtTheirTimeoutWhileTheSocketIsFull() async throws {
        try await withConnectedClient(configure: { configuration in
            // A blocking write would now wait a minute: far from the bound below.
            configuration.writeTimeout = TestBounds.neverReached
            configuration.heartbeatTimeout = TestBounds.neverReached
        }) { client, member in
            let key = HazelcastData(string: "asset_BTCUSDT_ob")
            try await client.set(map: Self.mapName, key: key, value: HazelcastData(string: "before"))
            member.mode = .hung
            // 48 MiB of writes: far more than the socket buffers of both ends hold, and more
            // than the client queues.
            let big = HazelcastData(string: String(repeating: "x", count: 1 << 20))
            let clock = ContinuousClock()
            var worst = Duration.zero
            var failures = 0
            for index in 0..<48 {
                let started = clock.now
                do {
                    try await client.set(map: Self.mapName, key: HazelcastData(string: "big\(index)"), value: big,
                                         timeout: .milliseconds(100))
                } catch {
                    failures += 1
                }
                worst = max(worst, clock.now - started)
            }
            #expect(failures == 48)
            #expect(worst < TestBounds.promptly, "a write held its caller for \(worst)")
            // A read in the same state ends at its timeout too.
            let started = clock.now
            await #expect(throws: HazelcastError.self) {
                _ = try await client.get(map: Self.mapName, key: key, timeout: .milliseconds(100))
            }
            #expect(clock.now - started < TestBounds.promptly)
            // Once the member reads again, the connection is usable: what was queued is
            // written and the member answers.
            member.mode = .normal
            var value: HazelcastData?
            let resumed = clock.now
            while value == nil && clock.now - resumed < TestBounds.event {
                value = try? await client.get(map: Self.mapName, key: key, timeout: .seconds(1))
            }
            #expect(value == HazelcastData(string: "before"))
        }
    }
}
