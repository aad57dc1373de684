import Foundation
import Hazelcast
import HazelcastTestMember
import JSON
import OBFEngine
import OBFRecord
import OBFTestSupport
import SnapshotSources
import TestTiming
import Testing

/// `--record-dir` and `obf replay` on real processes: what the trader was answered, computed
/// again from the record alone, bit for bit.
@Suite struct RecordReplayTests {
    static let map = "DOLPHIN_FEATURES"

    /// An answered step: the bar, and the body of `POST /step/{bar}?include=features`.
    struct Answer {
        var bar: Int
        var body: JSONValue
    }

    /// A producer writing every asset's book to the member every 100 ms, each time a new one.
    final class Producer: Sendable {
        let member: HazelcastTestMember
        let assets: [String]
        private let task: Task<Void, Never>

        init(member: HazelcastTestMember, assets: [String]) {
            self.member = member
            self.assets = assets
            task = Task.detached {
                var sequence: Int64 = 0
                while !Task.isCancelled {
                    sequence += 1
                    for asset in assets { Producer.put(member, asset, sequence: sequence) }
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
        }

        static func put(_ member: HazelcastTestMember, _ asset: String, sequence: Int64) {
            let shift = Double(asset.unicodeScalars.reduce(0) { $0 + Int($1.value) } % 17)
            let wave = Double((sequence * 7) % 11)
            let document = ProducerDocument.json(
                timestamp: Date().timeIntervalSince1970,
                bid: [100_000 + 900 * wave + shift * 100, 80_000, 60_000 - 500 * wave, 40_000, 20_000],
                ask: [90_000 + 700 * Double(sequence % 5), 85_000 + shift * 50, 50_000, 30_000, 10_000 + wave],
                sequence: sequence)
            member.put(map: map, key: HazelcastSnapshotSource.mapKey(for: asset), value: HazelcastData(string: document))
        }

        func stop() { task.cancel() }
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("obf-replay-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func step(_ client: TestHTTPClient, _ bar: Int, rollover: Bool = false) async throws -> Answer {
        let response = try await client.request("POST", "/step/\(bar)?include=features" + (rollover ? "&rollover=true" : ""))
        #expect(response.status == 200, "bar \(bar): \(response.text)")
        #expect(response.json["replayed"]?.boolValue == false, "bar \(bar)")
        return Answer(bar: bar, body: response.json)
    }

    static func replay(_ arguments: [String]) async throws -> ProcessOutput {
        try await ExternalProcess.run(try ExternalProcess.obfBinary(), ["replay"] + arguments, timeout: TestBounds.event)
    }

    /// Every answer has its line, in order, with the same assets' features and macro.
    static func expectReplayed(_ output: ProcessOutput, equals answers: [Answer]) throws {
        let lines = output.stdout.split(separator: "\n").map { try? JSONValue.parse(String($0)).get() }
        try #require(lines.count == answers.count, "\(lines.count) lines for \(answers.count) answers; \(output.stderr)")
        for (line, answer) in zip(lines, answers) {
            let line = try #require(line)
            #expect(line["bar"]?.int64Value == Int64(answer.bar))
            #expect(line["assets"] == answer.body["features"], "bar \(answer.bar)")
            #expect(line["macro"] == answer.body["macro"], "bar \(answer.bar)")
        }
    }

    /// The number in `replayed N steps (...)` of the summary line, and the not-recorded count.
    static func summary(_ stderr: String) -> (steps: Int, identical: Int, notRecorded: Int)? {
        guard let line = stderr.split(separator: "\n").first(where: { $0.hasPrefix("replayed ") }) else { return nil }
        let words = line.split(separator: " ")
        func number(before word: String) -> Int? {
            words.firstIndex(where: { $0.hasPrefix(word) }).flatMap { Int(words[$0 - 1].filter(\.isNumber)) }
        }
        guard let steps = Int(words[1]), let identical = number(before: "identical"),
              let missing = number(before: "answered") else { return nil }
        return (steps, identical, missing)
    }

    @Test func aLiveRunWithBadBooksAKillAndARolloverIsReplayedBitForBit() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        let assets = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "DOGEUSDT", "ADAUSDT"]
        let producer = Producer(member: member, assets: ["BTCUSDT", "ETHUSDT", "SOLUSDT", "ADAUSDT"])
        defer { producer.stop() }
        // XRP: invalid; DOGE: written once, then never again (stale once 2 s old).
        member.put(map: Self.map, key: HazelcastSnapshotSource.mapKey(for: "XRPUSDT"), value: HazelcastData(string: "{\"timestamp\":"))
        Producer.put(member, "DOGEUSDT", sequence: 1)
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let record = "\(directory)/record"
        let arguments = ["--source", "hazelcast", "--hz-members", "127.0.0.1:\(port)", "--hz-read", "listen",
                         "--assets", assets.joined(separator: ","), "--record-dir", record,
                         "--state-file", "\(directory)/state.json"]
        let environment = ["OBF_MAX_SNAPSHOT_AGE_S": "2"]
        var answers: [Answer] = []

        // The first process: steps until DOGE is stale and ADA (removed) missing; stopped cleanly (state saved).
        let first = try await ServeProcess.start(arguments, environment: environment)
        var client = try TestHTTPClient(port: first.port)
        #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
        var bar = 0
        func stepUntil(_ asset: String, is outcome: String) async throws {
            let found = try await eventually {
                bar += 1
                let answer = try await Self.step(client, bar)
                answers.append(answer)
                return answer.body["skipped"]?[asset]?.stringValue == outcome
            }
            #expect(found, "\(asset) never \(outcome)")
        }
        try await stepUntil("DOGEUSDT", is: "stale")
        #expect(answers.last?.body["skipped"]?["XRPUSDT"]?.stringValue == "invalid")
        producer.stop()
        member.remove(map: Self.map, key: HazelcastSnapshotSource.mapKey(for: "ADAUSDT"))
        let producerAgain = Producer(member: member, assets: ["BTCUSDT", "ETHUSDT", "SOLUSDT"])
        defer { producerAgain.stop() }
        try await stepUntil("ADAUSDT", is: "missing")
        let savedBar = bar
        #expect(await first.stop() == 0)

        // The second: five steps, then kill -9 (its state file stays at `savedBar`).
        let second = try await ServeProcess.start(arguments, environment: environment)
        client = try TestHTTPClient(port: second.port)
        #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
        for _ in 1...5 {
            bar += 1
            answers.append(try await Self.step(client, bar))
        }
        // Killed once its five steps are on disk (the open segment is readable as it is written).
        #expect(try await blocking { eventuallyBlocking { Self.openSegmentSteps(in: record) == 5 } })
        await second.stop(signal: SIGKILL)

        // The third starts from the older state file, steps on, then rolls over to bar 2.
        let third = try await ServeProcess.start(arguments, environment: environment)
        client = try TestHTTPClient(port: third.port)
        #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
        #expect(third.log.contains("last_bar=\(savedBar)"))
        for _ in 1...3 {
            bar += 1
            answers.append(try await Self.step(client, bar))
        }
        answers.append(try await Self.step(client, 2, rollover: true))
        answers.append(try await Self.step(client, 3))
        #expect(await third.stop() == 0)

        let output = try await Self.replay(["--record-dir", record])
        #expect(output.status == 0, "\(output.stderr)")
        try Self.expectReplayed(output, equals: answers)
        let counts = try #require(Self.summary(output.stderr), "\(output.stderr)")
        #expect(counts.steps == answers.count && counts.identical == answers.count && counts.notRecorded == 0)

        // The same as CSV: one row per computed asset.
        let csv = try await Self.replay(["--record-dir", record, "--format", "csv"])
        let computed = answers.reduce(0) { $0 + ($1.body["computed"]?.int64Value.map(Int.init) ?? 0) }
        #expect(csv.status == 0 && csv.stdout.split(separator: "\n").count == computed + 1)

        // An audit of one decision of each kind.
        let staleBar = try #require(answers.first { $0.body["skipped"]?["DOGEUSDT"]?.stringValue == "stale" }?.bar)
        let stale = try await Self.replay(["--record-dir", record, "--explain", "DOGEUSDT@\(staleBar)"])
        #expect(stale.status == 0 && stale.stdout.contains("verdict: skipped, stale: judged age"), "\(stale.stdout)")
        #expect(stale.stdout.contains("push sequence 1"))
        let invalid = try await Self.replay(["--record-dir", record, "--explain", "XRPUSDT@\(staleBar)"])
        #expect(invalid.stdout.contains("timestamp unparseable") || invalid.stdout.contains("not valid JSON"), "\(invalid.stdout)")
        let live = try await Self.replay(["--record-dir", record, "--explain", "BTCUSDT@1"])
        let placement = try #require(answers.first?.body["features"]?["BTCUSDT"]?["placement"]?["depth_1pct_usd"]?.doubleValue)
        #expect(live.stdout.contains("verdict: computed") && live.stdout.contains("\"depth_1pct_usd\":\(placement)"),
                "\(live.stdout)")
        // By time: the newest step answered at or before it (here exactly the third step's time).
        let thirdLine = try JSONValue.parse(String(output.stdout.split(separator: "\n")[2])).get()
        // A microsecond later: the formatted time is never before the step (it may round down).
        let time = try #require(thirdLine["time"]?.doubleValue.flatMap { ISO8601Timestamp.format($0 + 1e-6, fractionDigits: 6) })
        let byTime = try await Self.replay(["--record-dir", record, "--explain", "ETHUSDT@\(time)"])
        #expect(byTime.stdout.hasPrefix("ETHUSDT at bar 3,"), "\(time): \(byTime.stdout)")
        // What cannot be read or asked: a clear error, never a replay of nothing.
        let missing = try await Self.replay(["--record-dir", "\(directory)/nothing-here"])
        #expect(missing.status == 2 && missing.stderr.contains("not a record directory"))
        let badBound = try await Self.replay(["--record-dir", record, "--from", "yesterday"])
        #expect(badBound.status == 64 && badBound.stderr.contains("--from"))
    }

    /// The steps of the raw (open) segment newest by name in `record`, nil when there is none.
    static func openSegmentSteps(in record: String) -> Int? {
        let days = (try? FileManager.default.contentsOfDirectory(atPath: record))?.sorted() ?? []
        guard let day = days.last,
              let name = (try? FileManager.default.contentsOfDirectory(atPath: "\(record)/\(day)"))?
                .filter({ $0.hasSuffix(RecordLayout.rawExtension) }).sorted().last else { return nil }
        return (try? RecordSegment(path: "\(record)/\(day)/\(name)"))?.stepCount
    }

    @Test func aFullDiskDropsRecordsNotStepsAndReplaySaysWhere() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let record = "\(directory)/record"
        // Every file the service writes stops at 24 KiB: a segment fills after some steps.
        let service = try await ServeProcess.start(["--assets", "BTCUSDT,ETHUSDT,SOLUSDT,BNBUSDT", "--record-dir", record],
                                                   fileSizeLimitKiB: 24)
        let client = try TestHTTPClient(port: service.port)
        var answers: [Answer] = []
        for bar in 1...120 { answers.append(try await Self.step(client, bar)) }
        let metrics = String(decoding: try await client.request("GET", "/metrics").body, as: UTF8.self)
        let dropped = try #require(MetricsText.value(metrics, "obf_record_dropped_total"))
        #expect(dropped >= 1)
        #expect(await service.stop() == 0)
        #expect(service.log.contains("steps dropped from the record"))

        let output = try await Self.replay(["--record-dir", record])
        #expect(output.status == 0, "\(output.stderr)")
        let counts = try #require(Self.summary(output.stderr), "\(output.stderr)")
        #expect(counts.steps == counts.identical)
        #expect(counts.notRecorded == Int(dropped))
        #expect(counts.steps + counts.notRecorded == answers.count, "\(output.stderr)\n\(service.log.suffix(3000))")
        #expect(output.stderr.contains("gap: "))
        // Every line replayed is the answer of its bar.
        let replayedBars = output.stdout.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)).get()["bar"]?.int64Value }
        let byBar = Dictionary(uniqueKeysWithValues: answers.map { (Int64($0.bar), $0) })
        for line in output.stdout.split(separator: "\n") {
            let value = try JSONValue.parse(String(line)).get()
            let answer = try #require(value["bar"]?.int64Value.flatMap { byBar[$0] })
            #expect(value["assets"] == answer.body["features"])
        }
        #expect(replayedBars == replayedBars.sorted())
    }

    @Test func twoReplicasAndAFailoverAreReplayedFromBothDirectories() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        let assets = ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
        let producer = Producer(member: member, assets: assets)
        defer { producer.stop() }
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let common = ["--source", "hazelcast", "--hz-members", "127.0.0.1:\(port)", "--assets", assets.joined(separator: ","),
                      "--state-map", "OBF_STATE"]
        let first = try await ServeProcess.start(common + ["--record-dir", "\(directory)/a"])
        let second = try await ServeProcess.start(common + ["--record-dir", "\(directory)/b"])
        let replicas = [try TestHTTPClient(port: first.port), try TestHTTPClient(port: second.port)]
        for client in replicas {
            #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
        }
        var answers: [Answer] = []
        for bar in 1...15 { answers.append(try await Self.step(replicas[0], bar)) }
        #expect(try await blocking { eventuallyBlocking { Self.openSegmentSteps(in: "\(directory)/a") == 15 } })
        await first.stop(signal: SIGKILL)
        // The trader moves to the second replica, which takes the state over and steps on.
        for bar in 16...30 { answers.append(try await Self.step(replicas[1], bar)) }
        #expect(await second.stop() == 0)

        let both = try await Self.replay(["--record-dir", "\(directory)/a", "--record-dir", "\(directory)/b"])
        #expect(both.status == 0, "\(both.stderr)")
        try Self.expectReplayed(both, equals: answers)
        // Each directory alone holds its own replica's steps, each computed again exactly.
        let onlyB = try await Self.replay(["--record-dir", "\(directory)/b"])
        #expect(onlyB.status == 0)
        try Self.expectReplayed(onlyB, equals: Array(answers[15...]))
        // A range: bars 10 to 20 across the takeover.
        let range = try await Self.replay(["--record-dir", "\(directory)/a", "--record-dir", "\(directory)/b",
                                           "--from", "10", "--to", "20"])
        try Self.expectReplayed(range, equals: Array(answers[9...19]))
    }
}
