import ArgumentParser
import Foundation
import Hazelcast
import JSON
import OBFEngine
import OBFService
import SnapshotSources

/// `obf probe`: the operator's first check of what the producer wrote.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Check each asset's snapshot in Hazelcast: present, age, valid.",
        discussion: """
            AGE_S is the age as `obf serve` judges it, never trusting the producer's clock: the \
            producer's own lag (_pushed_at - timestamp) plus the time since its push arrived, \
            dated by watching the map for --watch-ms (a push seen arriving measures its producer's \
            clock offset, OFFSET_S). CLOCK_AGE_S is this host's clock minus the snapshot's timestamp: \
            far from AGE_S, a clock is off.

            Exit status: 0 when every asset has a valid, fresh snapshot; 1 when any is missing, \
            stale or invalid; 2 when the cluster cannot be read (the reason on stderr; stdout holds \
            only the table or, with --json, the JSON lines).

            \(HazelcastOptions.credentialsHelp)
            """)

    @OptionGroup var assetOptions: AssetOptions
    @OptionGroup var snapshotAge: SnapshotAgeOption
    @Option(help: "Milliseconds to watch the map between two reads, to see pushes arrive; 0 reads once (no offset measured). [env: OBF_PROBE_WATCH_MS] (default: \(Defaults.probeWatchMs))")
    var watchMs: Int?
    @OptionGroup var hazelcast: HazelcastOptions
    @Flag(help: "Print one JSON object per asset instead of a table.")
    var json = false
    @Option(help: "Log level. [env: OBF_LOG_LEVEL] (default: \(Defaults.probeLogLevel))")
    var logLevel: String?

    func run() async throws {
        let environment = Environment()
        let logger = try LogSetup.bootstrap(level: environment.string(logLevel, "OBF_LOG_LEVEL", default: Defaults.probeLogLevel))
        let cluster = try hazelcast.configuration(environment)
        let assets = try assetOptions.assetList(environment)
        let maxAge = try snapshotAge.seconds(environment)
        let watch = try environment.number(watchMs, "OBF_PROBE_WATCH_MS", default: Defaults.probeWatchMs)
        guard (0...60_000).contains(watch) else { throw ValidationError("--watch-ms must be 0...60000, got \(watch)") }
        let client = try HazelcastClient(configuration: cluster.clientConfiguration(logger: logger),
                                         logger: logger)
        let findings: [ProbeFinding]
        do {
            try await client.connect(timeout: .seconds(5))
            findings = try await SnapshotProbe.run(client: client, map: cluster.mapName, assets: assets, maxAge: maxAge,
                                                   watch: .milliseconds(watch))
        } catch {
            FileHandle.standardError.write(Data(
                "cannot read map \(cluster.mapName) from \(cluster.members.joined(separator: ",")): \(error)\n".utf8))
            await client.shutdown()
            throw ExitCode(2)
        }
        await client.shutdown()
        print(json ? jsonLines(findings) : table(findings), terminator: "")
        if findings.contains(where: { $0.verdict != .ok }) { throw ExitCode(1) }
    }

    private func table(_ findings: [ProbeFinding]) -> String {
        func column(_ value: Double?) -> String {
            (value.map { String(format: "%.3f", $0) } ?? "-").padding(toLength: 14, withPad: " ", startingAt: 0)
        }
        var text = "ASSET".padding(toLength: 14, withPad: " ", startingAt: 0)
            + "RESULT   AGE_S         CLOCK_AGE_S   OFFSET_S      DETAIL\n"
        for finding in findings {
            text += finding.asset.padding(toLength: 14, withPad: " ", startingAt: 0)
                + finding.verdict.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
                + column(finding.ageSeconds) + column(finding.clockAgeSeconds) + column(finding.clockOffsetSeconds)
                + (finding.detail ?? "") + "\n"
        }
        return text
    }

    private func jsonLines(_ findings: [ProbeFinding]) -> String {
        findings.map { finding in
            var json = JSONWriter()
            json.beginObject()
            json.field("asset", finding.asset)
            json.field("result", finding.verdict.rawValue)
            json.field("age_s", finding.ageSeconds)
            json.field("clock_age_s", finding.clockAgeSeconds)
            json.field("clock_offset_s", finding.clockOffsetSeconds)
            json.field("detail", finding.detail)
            json.endObject()
            return String(decoding: json.bytes, as: UTF8.self)
        }.joined(separator: "\n") + "\n"
    }
}
