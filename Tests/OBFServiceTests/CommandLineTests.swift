import Foundation
import Hazelcast
import HazelcastTestMember
import OBFTestSupport
import TestTiming
import Testing

/// The `obf` command line as an operator meets it: help, version, errors, and what `probe`
/// and `push` do when the cluster is away, refuses them, or goes silent.
@Suite struct CommandLineTests {
    static let map = "DOLPHIN_FEATURES"
    /// Far from the few seconds each of these takes on an idle machine.
    static let patience = Duration.seconds(60)

    func obf(_ arguments: [String]) async throws -> ProcessOutput {
        try await ExternalProcess.run(try ExternalProcess.obfBinary(), arguments, environment: Self.environment)
    }

    /// The test's environment without OBF_* variables, so only the flags given count.
    static var environment: [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("OBF_") }
    }

    @Test func helpNamesEachDefaultOnceAndTheCredentialVariables() async throws {
        for command in ["serve", "push", "probe"] {
            let help = try await obf([command, "--help"])
            #expect(help.status == 0)
            let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(text.firstMatch(of: /\(default: ([^)]*)\) \(default: \1\)/) == nil, "obf \(command) --help: \(text)")
            #expect(text.contains("OBF_HZ_USERNAME") && text.contains("OBF_HZ_PASSWORD"), "obf \(command) --help")
        }
        let push = try await obf(["push", "--help"]).stdout
        #expect(push.components(separatedBy: "(default: 100)").count == 2)
    }

    @Test func versionIsPrinted() async throws {
        let version = try await obf(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.wholeMatch(of: /\d+\.\d+\.\d+\n/) != nil, "\(version.stdout)")
    }

    @Test func aSettingRefusedWhileRunningShowsItsSubcommandsUsage() async throws {
        for (arguments, message) in [(["serve", "--max-bars", "0"], "--max-bars must be at least 1"),
                                     (["serve", "--max-clock-offset-s", "0"], "--max-clock-offset-s must be a positive number"),
                                     (["probe", "--watch-ms", "60001"], "--watch-ms must be 0...60000, got 60001"),
                                     (["push", "--source", "kafka"], "--source must be mock or replay")] {
            let run = try await obf(arguments)
            #expect(run.status == 64)
            #expect(run.stderr.contains("Error: \(message)"))
            #expect(run.stderr.contains("Usage: obf \(arguments[0]) <options>"), "\(run.stderr)")
            #expect(run.stderr.contains("See 'obf \(arguments[0]) --help'"))
            #expect(!run.stderr.contains("<subcommand>"))
        }
    }

    @Test func probeReportsAnUnreachableClusterOnStderrOnly() async throws {
        let port = try LoopbackPort.free()
        let probe = try await obf(["probe", "--hz-members", "127.0.0.1:\(port)", "--json"])
        #expect(probe.status == 2)
        #expect(probe.stdout.isEmpty, "stdout: \(probe.stdout)")
        #expect(probe.stderr.contains("cannot read map \(Self.map) from 127.0.0.1:\(port)"))
    }

    func push(port: Int, _ extra: [String] = []) throws -> ChildProcess {
        try ChildProcess(try ExternalProcess.obfBinary(),
                         ["push", "--hz-members", "127.0.0.1:\(port)", "--interval-ms", "50", "--log-level", "debug"] + extra,
                         environment: Self.environment)
    }

    @Test func pushKeepsTickingUntilTheClusterIsThere() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        member.stop()
        defer { member.stop() }
        let pusher = try push(port: port)
        #expect(try await pusher.waitForLog("Hazelcast not reachable yet; pushing anyway", timeout: Self.patience) != nil)
        #expect(pusher.isRunning)
        try member.start()
        #expect(await eventually(timeout: Self.patience) { member.entries(map: Self.map).count == 4 }, "\(pusher.log)")
        #expect(await pusher.stop() == 0)
        #expect(pusher.log.contains("push finished"))
    }

    @Test func pushEndsWithStatus2WhenTheClusterRefusesIt() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort(clusterName: "prod")
        defer { member.stop() }
        let pusher = try push(port: port, ["--hz-cluster", "dev"])
        #expect(await pusher.exitStatus(timeout: Self.patience) == 2)
        #expect(pusher.log.contains("the cluster refused the client"))
        #expect(member.entries(map: Self.map).isEmpty)
    }

    /// A member that stops answering (a hung process, a host gone silent) is given up after the
    /// producer's 5 s heartbeat timeout, not the 60 s default: push opens a new connection and,
    /// once the member answers again, pushes on it at once instead of waiting on the old one.
    @Test func pushGivesUpASilentMemberAndPushesAgainWhenItAnswers() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        let pusher = try push(port: port)
        #expect(await eventually(timeout: Self.patience) { member.entries(map: Self.map).count == 4 }, "\(pusher.log)")
        let connections = member.acceptedConnectionCount
        member.mode = .silent
        // Half the 60 s default heartbeat timeout: only the producer's own one can be met.
        let end = ContinuousClock.now + .seconds(30)
        while member.acceptedConnectionCount == connections && ContinuousClock.now < end {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(member.acceptedConnectionCount > connections, "push kept the silent connection: \(pusher.log)")
        #expect(pusher.log.contains("heartbeat timeout"))
        member.clear()
        member.mode = .normal
        #expect(await eventually(timeout: Self.patience) { member.entries(map: Self.map).count == 4 }, "\(pusher.log)")
        #expect(await pusher.stop() == 0)
    }
}
