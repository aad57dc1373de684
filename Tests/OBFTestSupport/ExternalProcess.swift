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

    /// Runs `executable` to completion (at most `timeout`), off the concurrency pool.
    public static func run(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(60),
                           environment: [String: String]? = nil) async throws -> ProcessOutput {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe()
        // stderr goes to a file, so a chatty child can never block on a full pipe.
        let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("obf-test-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errPath.path, contents: nil)
        let err = try FileHandle(forWritingTo: errPath)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    try process.run()
                    let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
                    DispatchQueue.global().asyncAfter(deadline: .now() + timeout / .seconds(1), execute: killer)
                    let stdout = out.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    killer.cancel()
                    try? err.close()
                    let stderr = (try? Data(contentsOf: errPath)) ?? Data()
                    try? FileManager.default.removeItem(at: errPath)
                    continuation.resume(returning: ProcessOutput(status: process.terminationStatus,
                                                                 stdout: String(decoding: stdout, as: UTF8.self),
                                                                 stderr: String(decoding: stderr, as: UTF8.self)))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.start()
        }
    }
}
