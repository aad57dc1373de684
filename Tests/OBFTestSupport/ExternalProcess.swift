import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a finished child process left behind.
public struct ProcessOutput: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// A missing tool the test command installs (Python venv, a built binary).
public struct MissingTool: Error, CustomStringConvertible {
    public var description: String
}

/// Runs child processes for tests: the official Python client and the built `obf` binary.
public enum ExternalProcess {
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The Python interpreter with hazelcast-python-client: `OBF_PYTHON`, else `.venv/bin/python`.
    public static func python() throws -> String {
        if let path = ProcessInfo.processInfo.environment["OBF_PYTHON"], FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        let path = packageRoot.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw MissingTool(description: "no Python venv at \(path): run 'bash scripts/test.sh', which installs it")
        }
        return path
    }

    /// The `obf` binary built beside the tests.
    public static func obfBinary() throws -> String {
        for configuration in ["debug", "release"] {
            let path = packageRoot.appendingPathComponent(".build/\(configuration)/obf").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw MissingTool(description: "no built obf binary under .build: run 'swift build' first")
    }

    /// A script of `Tests/interop`.
    public static func interopScript(_ name: String) -> String {
        packageRoot.appendingPathComponent("Tests/interop/\(name)").path
    }

    /// Runs `executable` to completion (sent SIGTERM after `timeout`), off the concurrency pool,
    /// with `environment` (default: the test's) as its whole environment.
    public static func run(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(60),
                           environment: [String: String]? = nil) async throws -> ProcessOutput {
        let child = try ChildProcess(executable, arguments, environment: environment ?? ProcessInfo.processInfo.environment)
        let status = await child.exitStatus(timeout: timeout)
        return ProcessOutput(status: status, stdout: child.output, stderr: child.log)
    }
}
