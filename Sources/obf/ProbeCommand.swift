import ArgumentParser
import Foundation
import HazelcastClient
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
            Exit status: 0 when every asset has a valid, fresh snapshot; 1 when any is missing, \
            stale or invalid; 2 when the cluster cannot be read (the reason on stderr; stdout holds \
            only the table or, with --json, the JSON lines).

            \(HazelcastOptions.credentialsHelp)
            """)

    @OptionGroup var assetOptions: AssetOptions
    @Option(help: "Age in seconds past which a snapshot is stale. [env: OBF_MAX_SNAPSHOT_AGE_S] (default: 10)")
    var maxSnapshotAgeS: Double?
    @OptionGroup var hazelcast: HazelcastOptions
    @Flag(help: "Print one JSON object per asset instead of a table.")
    var json = false
    @Option(help: "Log level. [env: OBF_LOG_LEVEL] (default: warning)")
    var logLevel: String?

    func run() async throws {
        let environment = Environment()
        let logger = try LogSetup.bootstrap(level: environment.string(logLevel, "OBF_LOG_LEVEL", default: "warning"))
        let settings = try hazelcast.settings(environment)
        let assets = try assetOptions.assetList(environment)
        let maxAge = try environment.number(maxSnapshotAgeS, "OBF_MAX_SNAPSHOT_AGE_S",
                                           default: EngineConfiguration().maxSnapshotAge)
        let client = try HazelcastClient(configuration: settings.clientConfiguration(logger: logger),
                                         logger: logger)
        let findings: [ProbeFinding]
        do {
            try await client.connect(timeout: .seconds(5))
            findings = try await SnapshotProbe.run(client: client, map: settings.mapName, assets: assets, maxAge: maxAge)
        } catch {
            FileHandle.standardError.write(Data(
                "cannot read map \(settings.mapName) from \(settings.members.joined(separator: ",")): \(error)\n".utf8))
            await client.shutdown()
            throw ExitCode(2)
        }
        await client.shutdown()
        print(json ? jsonLines(findings) : table(findings), terminator: "")
        if findings.contains(where: { $0.verdict != .ok }) { throw ExitCode(1) }
    }

    private func table(_ findings: [ProbeFinding]) -> String {
        var text = "ASSET".padding(toLength: 14, withPad: " ", startingAt: 0) + "RESULT   AGE_S     DETAIL\n"
        for finding in findings {
            let age = finding.ageSeconds.map { String(format: "%.3f", $0) } ?? "-"
            text += finding.asset.padding(toLength: 14, withPad: " ", startingAt: 0)
                + finding.verdict.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
                + age.padding(toLength: 10, withPad: " ", startingAt: 0) + (finding.detail ?? "") + "\n"
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
            json.field("detail", finding.detail)
            json.endObject()
            return String(decoding: json.bytes, as: UTF8.self)
        }.joined(separator: "\n") + "\n"
    }
}
