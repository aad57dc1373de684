import Foundation
import Hazelcast
import HazelcastTestMember
import JSON
import Logging
import OBFEngine
import OBFService
import OBFTestSupport
import SnapshotSources
import TestTiming
import Testing

/// `--state-map`: replicas of one engine sharing its state through the test member.
@Suite struct ReplicationTests {
    static let map = "OBF_STATE"
    static let assets = ["BTCUSDT", "ETHUSDT", "SOLUSDT"]

    /// A replica's configuration: the state map on the member at `port`.
    static func replicated(port: Int, engine: String = "default") -> (inout ServiceConfiguration) -> Void {
        { configuration in
            configuration.hazelcast.members = ["127.0.0.1:\(port)"]
            configuration.stateMap = map
            configuration.engineId = engine
        }
    }

    /// The books of `asset` at `bar`: different at every bar, so every feature moves.
    static func book(_ asset: String, bar: Int) -> String {
        let shift = Double(asset.unicodeScalars.reduce(0) { $0 + Int($1.value) } % 17)
        let wave = Double((bar * 7) % 11)
        return ProducerDocument.json(
            timestamp: Date().timeIntervalSince1970, bid: [100_000 + 900 * wave + shift * 100, 80_000, 60_000 - 500 * wave],
            ask: [90_000 + 700 * Double(bar % 5), 85_000 + shift * 50, 50_000], sequence: Int64(bar))
    }

    static func putBooks(_ member: HazelcastTestMember, bar: Int) {
        for asset in assets {
            member.put(map: "DOLPHIN_FEATURES", key: HazelcastSnapshotSource.mapKey(for: asset),
                       value: HazelcastData(string: book(asset, bar: bar)))
        }
    }

    func metric(_ client: TestHTTPClient, _ series: String) async throws -> Double? {
        MetricsText.value(String(decoding: try await client.request("GET", "/metrics").body, as: UTF8.self), series)
    }

    @Test func theOtherReplicaTakesOverAKilledOneBitForBit() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        let common = ["--source", "hazelcast", "--hz-members", "127.0.0.1:\(port)", "--assets", Self.assets.joined(separator: ","),
                      "--max-snapshot-age-s", "600"]
        let first = try await ServeProcess.start(common + ["--state-map", Self.map])
        let second = try await ServeProcess.start(common + ["--state-map", Self.map])
        let reference = try await ServeProcess.start(common)
        // On a failure the processes are killed when the handles go (ChildProcess's deinit).
        let referenceClient = try TestHTTPClient(port: reference.port)
        // The trader's client: the replicas in order, moving to the next when one stops answering.
        let replicas = [try TestHTTPClient(port: first.port), try TestHTTPClient(port: second.port)]
        for client in replicas + [referenceClient] {
            #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
        }
        var active = 0
        func step(_ bar: Int) async throws -> TestHTTPResponse {
            while true {
                do {
                    return try await replicas[active].request("POST", "/step/\(bar)")
                } catch where active + 1 < replicas.count {
                    active += 1
                }
            }
        }
        let bars = 1...40
        for bar in bars {
            Self.putBooks(member, bar: bar)
            #expect(try await referenceClient.request("POST", "/step/\(bar)").json["computed"]?.int64Value == 3)
            if bar == 21 {
                // Killed in the middle of the run, with a step of this bar possibly in flight.
                let inFlight = Task { try? await replicas[0].request("POST", "/step/\(bar)") }
                try await Task.sleep(for: .milliseconds(1))
                await first.stop(signal: SIGKILL)
                _ = await inFlight.value
            }
            let answer = try await step(bar)
            #expect(answer.status == 200)
            #expect(answer.json["computed"]?.int64Value == 3, "bar \(bar): \(answer.text)")
        }
        #expect(active == 1)
        // Every feature of every bar, after the failover and before it, as the uninterrupted run.
        let survivor = replicas[1]
        for bar in bars {
            let expected = try await referenceClient.request("GET", "/bars/\(bar)").text
            #expect(try await survivor.request("GET", "/bars/\(bar)").text == expected, "bar \(bar)")
            for asset in Self.assets {
                let path = "/features/\(asset)/\(bar)"
                #expect(try await survivor.request("GET", path).text == (try await referenceClient.request("GET", path).text))
            }
        }
        #expect(try await metric(survivor, "obf_replication_takeovers_total") ?? 0 >= 1)
        #expect(await second.stop() == 0)
        #expect(await reference.stop() == 0)
    }

    @Test func aReplicaStartedLaterServesTheSameBars() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        try await RunningService.with(source: MockSource(seed: 3), assets: Self.assets,
                                      adjust: Self.replicated(port: port)) { stepping in
            let client = try stepping.client()
            for bar in 1...300 { #expect(try await client.request("POST", "/step/\(bar)").status == 200) }
            try await RunningService.with(source: MockSource(seed: 9), assets: Self.assets,
                                          adjust: Self.replicated(port: port)) { later in
                let lateClient = try later.client()
                for bar in [1, 2, 150, 299, 300, 301] {
                    let expected = try await client.request("GET", "/bars/\(bar)").text
                    #expect(try await lateClient.request("GET", "/bars/\(bar)").text == expected, "bar \(bar)")
                }
                // It goes on from there: its next step is the 301st, with the histories of 300.
                let next = try await lateClient.request("POST", "/step/301").json
                #expect(next["replayed"]?.boolValue == false)
                #expect(try await lateClient.request("GET", "/readyz").json["replication"]?.stringValue == "ok")
            }
        }
    }

    @Test func theSameBarSteppedOnBothGivesOneState() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        let adjust = { (configuration: inout ServiceConfiguration) in
            Self.replicated(port: port)(&configuration)
            configuration.source = .hazelcast
            configuration.hazelcast.members = ["127.0.0.1:\(port)"]
            configuration.engine.maxSnapshotAge = 600
        }
        let source = { () throws -> any SnapshotSource in
            var configuration = ServiceConfiguration()
            adjust(&configuration)
            return try SourceFactory.make(configuration, logger: Logger(label: "test"))
        }
        try await RunningService.with(source: try source(), assets: Self.assets, adjust: adjust) { one in
            try await RunningService.with(source: try source(), assets: Self.assets, adjust: adjust) { other in
                let clients = [try one.client(), try other.client()]
                for client in clients {
                    #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
                }
                for bar in 1...5 {
                    Self.putBooks(member, bar: bar)
                    #expect(try await clients[bar % 2].request("POST", "/step/\(bar)").json["computed"]?.int64Value == 3)
                }
                for bar in 6...10 {
                    Self.putBooks(member, bar: bar)
                    let answers = try await withThrowingTaskGroup(of: JSONValue.self) { group in
                        for client in clients { group.addTask { try await client.request("POST", "/step/\(bar)").json } }
                        return try await group.reduce(into: [JSONValue]()) { $0.append($1) }
                    }
                    let fresh = answers.filter { $0["replayed"]?.boolValue == false }
                    #expect(fresh.count == 1, "bar \(bar): \(answers)")
                    #expect(answers[0]["macro"] == answers[1]["macro"])
                    let bodies = [try await clients[0].request("GET", "/bars/\(bar)").text,
                                  try await clients[1].request("GET", "/bars/\(bar)").text]
                    #expect(bodies[0] == bodies[1], "bar \(bar)")
                }
                // Each time the replica that lost took the other's state over (after losing the
                // compare-and-set, or on finding the head moved before its own step).
                let takeovers = (try await metric(clients[0], "obf_replication_takeovers_total") ?? 0)
                    + (try await metric(clients[1], "obf_replication_takeovers_total") ?? 0)
                #expect(takeovers >= 5)
            }
        }
    }

    @Test func stepsGoOnWhileTheMapIsDownAndAreReconciledAfter() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        try await RunningService.with(source: MockSource(seed: 5), assets: Self.assets,
                                      adjust: Self.replicated(port: port)) { first in
            try await RunningService.with(source: MockSource(seed: 6), assets: Self.assets,
                                          adjust: Self.replicated(port: port)) { second in
                let a = try first.client(), b = try second.client()
                for bar in 1...3 { _ = try await a.request("POST", "/step/\(bar)") }
                member.stop()
                // Down: the features go on from the local state, and say so.
                for bar in 4...6 { #expect(try await a.request("POST", "/step/\(bar)").json["computed"]?.int64Value == 3) }
                let readiness = try await a.request("GET", "/readyz")
                #expect(readiness.status == 200)
                #expect(readiness.json["replication"]?.stringValue?.contains("unreachable") == true)
                #expect(try await metric(a, "obf_replication_behind") == 1)
                #expect(first.messages.filter { $0.contains("state map unreachable") }.count == 1)
                try member.start()
                // Back: the next step writes the newer local state first; the other replica takes it over.
                #expect(try await eventually {
                    _ = try await a.request("POST", "/step/7")
                    return try await a.request("GET", "/readyz").json["replication"]?.stringValue == "ok"
                })
                #expect(try await metric(a, "obf_replication_behind") == 0)
                // (A replica whose client has not reconnected yet would rightly step alone.)
                #expect(await eventually { second.service.replica?.isConnected == true })
                #expect(try await b.request("POST", "/step/7").json["replayed"]?.boolValue == true)
                for bar in [5, 7] {
                    #expect(try await b.request("GET", "/bars/\(bar)").text == (try await a.request("GET", "/bars/\(bar)").text))
                }
                // Both step alone while the map is down; the first back writes its state, and the
                // other refuses to overwrite that newer one: it takes it over, counted.
                member.stop()
                #expect(await eventually { first.service.replica?.isConnected == false
                    && second.service.replica?.isConnected == false })
                _ = try await a.request("POST", "/step/8")
                _ = try await b.request("POST", "/step/8")
                #expect(try await metric(b, "obf_replication_behind") == 1)
                try member.start()
                #expect(try await eventually {
                    _ = try await a.request("POST", "/step/9")
                    return try await a.request("GET", "/readyz").json["replication"]?.stringValue == "ok"
                })
                #expect(await eventually { second.service.replica?.isConnected == true })
                #expect(try await b.request("POST", "/step/9").json["replayed"]?.boolValue == true)
                #expect(try await metric(b, "obf_replication_conflicts_total") ?? 0 >= 1)
                #expect(try await b.request("GET", "/bars/8").text == (try await a.request("GET", "/bars/8").text))
            }
        }
    }

    @Test func aStateThatDoesNotAnswerIsNeverOverwritten() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        try await RunningService.with(source: MockSource(seed: 5), assets: Self.assets,
                                      adjust: Self.replicated(port: port)) { first in
            try await RunningService.with(source: MockSource(seed: 6), assets: Self.assets,
                                          adjust: Self.replicated(port: port)) { second in
                let a = try first.client(), b = try second.client()
                for bar in 1...3 { _ = try await a.request("POST", "/step/\(bar)") }
                // The other replica steps on: the head now names its state.
                _ = try await b.request("POST", "/step/4")
                let headKey = HazelcastData(string: "default/head")
                let head = try #require(member.entries(map: Self.map)[headKey])
                let stateKey = try #require(try JSONValue.parse(head.decodeText().text).get()["state"]?.stringValue)
                // That state does not answer (its partition is stuck); the head does.
                member.stuckPartitions = [HazelcastData(string: stateKey).partitionId(partitionCount: member.partitionCount)]
                #expect(try await a.request("POST", "/step/5").json["computed"]?.int64Value == 3)
                #expect(member.entries(map: Self.map)[headKey] == head)
                #expect(try await a.request("GET", "/readyz").json["replication"]?.stringValue?.contains("unreachable") == true)
                // Once it answers, the newer state is taken over, not replaced.
                member.stuckPartitions = []
                #expect(try await eventually {
                    _ = try await a.request("POST", "/step/6")
                    return try await a.request("GET", "/readyz").json["replication"]?.stringValue == "ok"
                })
                #expect(try await a.request("GET", "/bars/4").text == (try await b.request("GET", "/bars/4").text))
            }
        }
    }

    @Test func garbageOrANewerFormatInTheMapNeverCrashes() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        let head = HazelcastData(string: "garbage/head")
        member.put(map: Self.map, key: head, value: HazelcastData(string: "{not json"))
        try await RunningService.with(source: MockSource(seed: 1), assets: Self.assets,
                                      adjust: Self.replicated(port: port, engine: "garbage")) { running in
            let client = try running.client()
            #expect(try await client.request("POST", "/step/1").json["computed"]?.int64Value == 3)
            #expect(running.messages.contains { $0.contains("unusable; replacing it") })
            let written = try #require(member.entries(map: Self.map)[head]).decodeText().text
            #expect(written.hasPrefix(#"{"format":"obf-replicated-head""#))
        }
        let newerHead = HazelcastData(string: "newer/head")
        let newer = #"{"format":"obf-replicated-head","version":99,"sequence":4,"state":"newer/state/4-x","last_bar":9}"#
        member.put(map: Self.map, key: newerHead, value: HazelcastData(string: newer))
        try await RunningService.with(source: MockSource(seed: 1), assets: Self.assets,
                                      adjust: Self.replicated(port: port, engine: "newer")) { running in
            let client = try running.client()
            #expect(try await client.request("POST", "/step/1").json["computed"]?.int64Value == 3)
            #expect(try await client.request("POST", "/step/2").json["computed"]?.int64Value == 3)
            #expect(try await client.request("GET", "/readyz").json["replication"]?.stringValue?.contains("format version 99") == true)
            #expect(running.messages.filter { $0.contains("newer format") }.count == 1)
            // Never overwritten.
            #expect(try member.entries(map: Self.map)[newerHead]?.decodeText().text == newer)
        }
    }

    @Test func theMapsCopyOfOldBarsIsTrimmedLikeTheLocalOne() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        try await RunningService.with(source: MockSource(seed: 2), assets: Self.assets, adjust: { configuration in
            Self.replicated(port: port, engine: "trim")(&configuration)
            configuration.engine.maxBars = 5
        }) { running in
            let client = try running.client()
            for bar in 1...20 { #expect(try await client.request("POST", "/step/\(bar)").status == 200) }
            func keys(_ prefix: String) throws -> [String] {
                try member.entries(map: Self.map).keys.map { try $0.decodeText().text }.filter { $0.hasPrefix(prefix) }
            }
            // The keys no head names are deleted in the background.
            #expect(try await eventually { try keys("trim/bar/").count == 5 && keys("trim/state/").count == 1 })
            let bars = try keys("trim/bar/").compactMap { Int($0.dropFirst("trim/bar/".count).split(separator: "-")[0]) }
            #expect(bars.sorted() == Array(16...20))
            // A rollover drops them all but the new sequence's.
            #expect(try await client.request("POST", "/step/0?rollover=true").status == 200)
            #expect(try await eventually { try keys("trim/bar/").count == 1 })
        }
    }
}
