// obf-bench: in-process benchmarks of the feature engine (run by bench/run.sh, never by the tests).
//
//   obf-bench [--calc-assets N] [--calc-steps N] [--engine-steps N] [--mem-assets N]
//             [--mem-steps-1 N] [--mem-steps-2 N]
//   obf-bench hazelcast --members HOST:PORT[,...] --assets N|A,B,... [--rounds R] [--warmup W]
//             [--cluster NAME] [--map NAME]
//
// Prints one line per figure as `name key=value ...` so scripts can pick the values out:
//   calculator  FeatureCalculator.update(slot:with:) + macroStep over pre-generated snapshots
//   engine      FeatureEngine.step over MockSource (source read, judging, features, publish)
//   decode      SnapshotDecoder over producer documents of mock books (JSON scan, numbers, timestamp)
//   memory      resident memory (/proc/self/statm) of a FeatureEngine + MockSource after N steps
//   hazelcast   (the `hazelcast` mode only) reading every asset's snapshot from a member, per
//               round: one batched getAll of all N keys `asset_{SYMBOL}_ob`, and a sequential
//               loop of N Map.Get calls (one per asset, the way the original design read them),
//               through the same client, connection and data; p50/p99 of each and the ratio
//
// Build it in release: `swift build -c release --product obf-bench`.

import Foundation
import Hazelcast
import Logging
import OBFEngine
import SnapshotSources
import Platform

// MARK: - options

struct Options {
    var calcAssets = 500
    var calcSteps = 2_000
    var engineSteps = 2_000
    var memAssets = 50
    var memSteps1 = 10_000
    var memSteps2 = 100_000
    var decodeDocuments = 200_000

    init(_ arguments: [String]) {
        var index = 1
        func value(_ name: String) -> Int {
            index += 1
            guard index < arguments.count, let number = Int(arguments[index]), number > 0 else {
                Self.fail("\(name) needs a positive integer")
            }
            return number
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--calc-assets": calcAssets = value("--calc-assets")
            case "--calc-steps": calcSteps = value("--calc-steps")
            case "--engine-steps": engineSteps = value("--engine-steps")
            case "--mem-assets": memAssets = value("--mem-assets")
            case "--mem-steps-1": memSteps1 = value("--mem-steps-1")
            case "--mem-steps-2": memSteps2 = value("--mem-steps-2")
            case "--decode-documents": decodeDocuments = value("--decode-documents")
            case "-h", "--help":
                print("usage: obf-bench [--calc-assets N] [--calc-steps N] [--engine-steps N] "
                    + "[--mem-assets N] [--mem-steps-1 N] [--mem-steps-2 N] [--decode-documents N]\n"
                    + "       obf-bench hazelcast --help")
                exit(0)
            case let other: Self.fail("unknown argument '\(other)'")
            }
            index += 1
        }
        guard memSteps2 > memSteps1 else { Self.fail("--mem-steps-2 must be above --mem-steps-1") }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("obf-bench: \(message)\n".utf8))
        exit(2)
    }
}

// MARK: - helpers

func assetNames(_ count: Int) -> [String] {
    // The four named assets first (they carry the contract's biases), then A5, A6, ...
    let named = ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT"]
    return (0..<count).map { $0 < named.count ? named[$0] : "A\($0 + 1)" }
}

func nanoseconds(_ duration: Duration) -> Double {
    let parts = duration.components
    return Double(parts.seconds) * 1e9 + Double(parts.attoseconds) * 1e-9
}

/// Resident set size in KiB, from /proc/self/statm (field 2 is resident pages).
func residentKiB() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return -1 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return -1 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
}

func fmt(_ value: Double, _ digits: Int = 1) -> String {
    String(format: "%.\(digits)f", value)
}

func quietLogger() -> Logger {
    var logger = Logger(label: "obf-bench")
    logger.logLevel = .critical
    return logger
}

/// Pre-generates `variants` snapshots per asset from the mock source (so the timed loop only computes).
func pregenerate(assets: [String], variants: Int) async -> [[OrderBookSnapshot]] {
    let source = MockSource(seed: 7)
    var pools: [[OrderBookSnapshot]] = []
    for variant in 0..<variants {
        let read = await source.read(assets: assets, bar: Int64(variant), deadline: .now + .seconds(60))
        pools.append(assets.map { asset in
            guard case .parsed(let snapshot)? = read.snapshots[asset] else {
                Options.fail("mock source gave no parsed snapshot for \(asset)")
            }
            return snapshot
        })
    }
    return pools
}

/// Steps `engine` over bars `first..<first+count`; returns the wall time.
func runSteps(_ engine: FeatureEngine, from first: Int64, count: Int) async -> Duration {
    let clock = ContinuousClock()
    let started = clock.now
    for bar in first..<(first + Int64(count)) {
        do {
            let report = try await engine.step(bar: bar)
            if report.computed.count != report.requested {
                Options.fail("step \(bar) computed \(report.computed.count) of \(report.requested) assets")
            }
        } catch {
            Options.fail("step \(bar) failed: \(error)")
        }
    }
    return clock.now - started
}

// MARK: - benchmarks

/// FeatureCalculator.update(slot:with:) for every asset plus one macroStep, per step.
func benchCalculator(assets count: Int, steps: Int) async {
    let names = assetNames(count)
    let variants = 64
    let pools = await pregenerate(assets: names, variants: variants)
    var calculator = FeatureCalculator(configuration: EngineConfiguration())
    calculator.reserve(slots: count)
    let slots = Array(0..<count)
    var computed: [AssetFeatures] = []
    computed.reserveCapacity(count)
    var checksum = 0.0
    let clock = ContinuousClock()

    func step(_ index: Int, timeMacro: Bool) -> Duration {
        computed.removeAll(keepingCapacity: true)
        let pool = pools[index % variants]
        for slot in 0..<count {
            let features = calculator.update(slot: slot, with: pool[slot])
            checksum += features.withdrawalVelocity
            computed.append(features)
        }
        let macroStarted = clock.now
        if let macro = calculator.macroStep(computed: computed, requestedSlots: slots) {
            checksum += macro.depthVelocity
        }
        return timeMacro ? clock.now - macroStarted : .zero
    }

    for index in 0..<min(200, steps) { _ = step(index, timeMacro: false) }  // warm-up (fills the histories)
    var macroTime = Duration.zero
    let started = clock.now
    for index in 0..<steps { macroTime += step(index, timeMacro: true) }
    let total = clock.now - started

    let assetSteps = Double(count * steps)
    let totalNs = nanoseconds(total) / assetSteps
    let macroNs = nanoseconds(macroTime) / assetSteps
    print("calculator assets=\(count) steps=\(steps) ns_per_asset_step=\(fmt(totalNs)) "
        + "update_ns_per_asset=\(fmt(totalNs - macroNs)) macro_ns_per_asset=\(fmt(macroNs)) "
        + "us_per_step=\(fmt(nanoseconds(total) / Double(steps) / 1000, 2)) checksum=\(fmt(checksum, 6))")
}

/// The full FeatureEngine.step over MockSource.
func benchEngine(assets count: Int, steps: Int) async {
    let engine = FeatureEngine(configuration: EngineConfiguration(), source: MockSource(seed: 1),
                               defaultAssets: assetNames(count), logger: quietLogger())
    _ = await runSteps(engine, from: 0, count: min(200, steps))  // warm-up
    let total = await runSteps(engine, from: 1_000, count: steps)
    let perStep = nanoseconds(total) / Double(steps)
    print("engine assets=\(count) steps=\(steps) us_per_step=\(fmt(perStep / 1000, 2)) "
        + "ns_per_asset_step=\(fmt(perStep / Double(count)))")
}

/// SnapshotDecoder.decode over 64 different producer documents, `count` decodes in all.
func benchDecode(documents count: Int) async {
    let pools = await pregenerate(assets: ["BTCUSDT"], variants: 64)
    let documents = pools.enumerated().map { index, pool in
        Array(ProducerDocument.json(pool[0], sequence: Int64(index), asset: "BTCUSDT").utf8)
    }
    var checksum = 0.0
    let clock = ContinuousClock()
    let started = clock.now
    for index in 0..<count {
        guard case .success(let snapshot) = SnapshotDecoder.decode(documents[index % documents.count]) else {
            Options.fail("a producer document did not decode")
        }
        checksum += snapshot.bidNotional[0]
    }
    let perDocument = nanoseconds(clock.now - started) / Double(count)
    let bytes = documents.map(\.count).reduce(0, +) / documents.count
    print("decode documents=\(count) bytes_per_document=\(bytes) ns_per_document=\(fmt(perDocument)) "
        + "mb_per_s=\(fmt(Double(bytes) / perDocument * 1000, 1)) checksum=\(fmt(checksum, 3))")
}

/// Resident memory of a FeatureEngine + MockSource after `first` and after `second` steps.
func benchMemory(assets count: Int, first: Int, second: Int) async {
    let baseline = residentKiB()
    let engine = FeatureEngine(configuration: EngineConfiguration(), source: MockSource(seed: 1),
                               defaultAssets: assetNames(count), logger: quietLogger())
    let firstTime = await runSteps(engine, from: 0, count: first)
    let afterFirst = residentKiB()
    let secondTime = await runSteps(engine, from: Int64(first), count: second - first)
    let afterSecond = residentKiB()
    let status = engine.store.status()
    let ratio = afterFirst > 0 ? Double(afterSecond) / Double(afterFirst) : .nan
    print("memory assets=\(count) baseline_kib=\(baseline) steps_1=\(first) rss_kib_1=\(afterFirst) "
        + "steps_2=\(second) rss_kib_2=\(afterSecond) ratio=\(fmt(ratio, 3)) retained_bars=\(status.retainedBars) "
        + "us_per_step=\(fmt(nanoseconds(firstTime + secondTime) / Double(second) / 1000, 2))")
}

// MARK: - hazelcast: batched getAll beside one Map.Get per asset

struct HazelcastBenchOptions {
    var members = "127.0.0.1:5701"
    var cluster = "dev"
    var map = "DOLPHIN_FEATURES"
    var assets: [String] = []
    var rounds = 200
    var warmup = 20

    /// `arguments` after `hazelcast`. `--assets N` means A1…AN (the names bench/run.sh pushes).
    init(_ arguments: ArraySlice<String>) {
        var rest = arguments
        func value(_ name: String) -> String {
            guard let next = rest.popFirst() else { Options.fail("\(name) needs a value") }
            return next
        }
        func positive(_ name: String) -> Int {
            guard let number = Int(value(name)), number > 0 else { Options.fail("\(name) needs a positive integer") }
            return number
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--members": members = value(argument)
            case "--cluster": cluster = value(argument)
            case "--map": map = value(argument)
            case "--rounds": rounds = positive(argument)
            case "--warmup":
                guard let number = Int(value(argument)), number >= 0 else { Options.fail("--warmup needs an integer >= 0") }
                warmup = number
            case "--assets":
                let text = value(argument)
                if let count = Int(text) {
                    guard count > 0 else { Options.fail("--assets needs a positive count or a list") }
                    assets = (1...count).map { "A\($0)" }
                } else {
                    assets = text.split(separator: ",").map(String.init)
                }
            case "-h", "--help":
                print("usage: obf-bench hazelcast --members HOST:PORT[,...] --assets N|A,B,... [--rounds R] "
                    + "[--warmup W] [--cluster NAME] [--map NAME]")
                exit(0)
            default: Options.fail("unknown argument '\(argument)'")
            }
        }
        guard !assets.isEmpty else { Options.fail("hazelcast needs --assets") }
    }
}

/// Nearest-rank percentile of sorted values (as bench/step_latency.py computes it).
func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(sorted.count - 1, max(0, rank))]
}

func benchHazelcast(_ options: HazelcastBenchOptions) async {
    let members: [HazelcastAddress]
    do {
        members = try HazelcastAddress.parseList(options.members)
    } catch {
        Options.fail("--members: \(error)")
    }
    let client: HazelcastClient
    do {
        client = try HazelcastClient(
            configuration: HazelcastClientConfiguration(members: members, clusterName: options.cluster),
            logger: quietLogger())
        try await client.connect(timeout: .seconds(10))
    } catch {
        Options.fail("cannot connect to \(options.members): \(error)")
    }
    let keys = options.assets.map { HazelcastData(string: HazelcastSnapshotSource.key(for: $0)) }
    let timeout = Duration.seconds(10)
    let clock = ContinuousClock()

    func batched() async -> Duration {
        let started = clock.now
        do {
            let entries = try await client.getAll(map: options.map, keys: keys, timeout: timeout)
            let elapsed = clock.now - started
            guard entries.count == keys.count else {
                Options.fail("getAll found \(entries.count) of \(keys.count) keys in \(options.map)")
            }
            return elapsed
        } catch {
            Options.fail("getAll failed: \(error)")
        }
    }

    func oneByOne() async -> Duration {
        let started = clock.now
        var found = 0
        for key in keys {
            do {
                if try await client.get(map: options.map, key: key, timeout: timeout) != nil { found += 1 }
            } catch {
                Options.fail("get failed: \(error)")
            }
        }
        let elapsed = clock.now - started
        guard found == keys.count else { Options.fail("get found \(found) of \(keys.count) keys in \(options.map)") }
        return elapsed
    }

    var batchedMs: [Double] = []
    var loopMs: [Double] = []
    for round in 0..<(options.warmup + options.rounds) {
        // Alternate which one goes first, so drifting background load hurts both alike.
        let first = round.isMultiple(of: 2)
        let a = first ? await batched() : await oneByOne()
        let b = first ? await oneByOne() : await batched()
        guard round >= options.warmup else { continue }
        batchedMs.append(nanoseconds(first ? a : b) / 1e6)
        loopMs.append(nanoseconds(first ? b : a) / 1e6)
    }
    await client.shutdown()
    batchedMs.sort()
    loopMs.sort()
    let (b50, b99, l50, l99) = (percentile(batchedMs, 0.5), percentile(batchedMs, 0.99),
                                percentile(loopMs, 0.5), percentile(loopMs, 0.99))
    print("hazelcast assets=\(options.assets.count) rounds=\(options.rounds) getall_p50_ms=\(fmt(b50, 3)) "
        + "getall_p99_ms=\(fmt(b99, 3)) loop_p50_ms=\(fmt(l50, 3)) loop_p99_ms=\(fmt(l99, 3)) "
        + "loop_per_get_p50_us=\(fmt(l50 * 1000 / Double(options.assets.count), 1)) "
        + "ratio_p50=\(fmt(l50 / b50, 2)) ratio_p99=\(fmt(l99 / b99, 2))")
}

// MARK: - main

if CommandLine.arguments.count > 1, CommandLine.arguments[1] == "hazelcast" {
    await benchHazelcast(HazelcastBenchOptions(CommandLine.arguments.dropFirst(2)))
    exit(0)
}
let options = Options(CommandLine.arguments)
// Memory first, so the other benchmarks' garbage does not inflate its baseline.
await benchMemory(assets: options.memAssets, first: options.memSteps1, second: options.memSteps2)
await benchCalculator(assets: options.calcAssets, steps: options.calcSteps)
await benchEngine(assets: 50, steps: options.engineSteps)
await benchEngine(assets: 500, steps: options.engineSteps)
await benchDecode(documents: options.decodeDocuments)
