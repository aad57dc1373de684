import Foundation
import TestTiming

/// A real `obf serve` process for tests that need a process boundary (signals, `kill -9`).
public final class ServeProcess: Sendable {
    public let port: Int
    /// The plain-HTTP probe port (`--probe-port`), nil without one.
    public let probePort: Int?
    private let child: ChildProcess

    public var pid: Int32 { child.pid }

    /// Starts `obf serve --port 0 ARGUMENTS` and waits until it logs its address. Unless
    /// `environment` or `arguments` set them, the step deadline is `RunningService.stepDeadline`
    /// and the snapshot age limit `RunningService.maxSnapshotAge`, so neither a slow start nor
    /// a slow step turns a test's books missing or stale.
    ///
    /// With `fileSizeLimitKiB` every file the process writes is limited to that size (`ulimit -f`,
    /// SIGXFSZ ignored, so a write past it fails with EFBIG): a disk that fills up.
    public static func start(_ arguments: [String], environment: [String: String] = [:],
                             fileSizeLimitKiB: Int? = nil,
                             timeout: Duration = TestBounds.event) async throws -> ServeProcess {
        let patient = [
            "OBF_STEP_DEADLINE_MS": "\(Int(RunningService.stepDeadline / .milliseconds(1)))",
            "OBF_MAX_SNAPSHOT_AGE_S": "\(Int(RunningService.maxSnapshotAge))",
        ]
        var executable = try ExternalProcess.obfBinary()
        var command = ["serve", "--port", "0"] + arguments
        if let limit = fileSizeLimitKiB {
            command = ["-c", "trap '' XFSZ; ulimit -f \(limit); exec \"$0\" \"$@\"", executable] + command
            executable = "/bin/bash"
        }
        let child = try ChildProcess(executable, command,
                                     environment: ProcessInfo.processInfo.environment.merging(patient) { $1 }
                                        .merging(environment) { $1 })
        let address = try await child.waitForLog(#"address=https?://127\.0\.0\.1:\d+"#, timeout: timeout)
        guard let port = address.flatMap({ Int($0.split(separator: ":").last ?? "") }) else {
            await child.stop(signal: SIGKILL)
            throw MissingTool(description: "obf serve did not start: \(child.log)")
        }
        // The probe address is on the same line as the service's.
        let probe = child.log.firstMatch(of: /probe_address=http:\/\/127\.0\.0\.1:(\d+)/).flatMap { Int($0.output.1) }
        return ServeProcess(port: port, probePort: probe, child: child)
    }

    private init(port: Int, probePort: Int?, child: ChildProcess) {
        self.port = port
        self.probePort = probePort
        self.child = child
    }

    /// Everything the process logged so far.
    public var log: String { child.log }

    /// Sends `signal` and waits (off the concurrency pool) for the process to exit; returns its status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) async -> Int32 {
        await child.stop(signal: signal)
    }
}
