import Foundation
import Locking

/// A real `obf serve` process for tests that need a process boundary (signals, `kill -9`).
public final class ServeProcess: Sendable {
    public let port: Int
    public let pid: Int32
    private let process: Locked<Process?>
    private let stderrPath: String

    /// Starts `obf serve --port 0 ARGUMENTS` and waits until it logs its address.
    public static func start(_ arguments: [String], environment: [String: String] = [:],
                             timeout: Duration = .seconds(20)) async throws -> ServeProcess {
        let binary = try ExternalProcess.obfBinary()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--port", "0"] + arguments
        // A generous step deadline unless the test sets one: see `RunningService.start`.
        process.environment = ProcessInfo.processInfo.environment
            .merging(["OBF_STEP_DEADLINE_MS": "5000"]) { $1 }
            .merging(environment) { $1 }
        let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("obf-serve-\(UUID().uuidString).err").path
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            let log = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            if let range = log.range(of: #"address=http://127\.0\.0\.1:(\d+)"#, options: .regularExpression),
               let port = Int(log[range].split(separator: ":").last ?? "") {
                return ServeProcess(port: port, pid: process.processIdentifier, process: process, stderrPath: errPath)
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.terminate()
        let log = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: errPath)
        throw MissingTool(description: "obf serve did not start: \(log)")
    }

    private init(port: Int, pid: Int32, process: Process, stderrPath: String) {
        self.port = port
        self.pid = pid
        self.process = Locked(process)
        self.stderrPath = stderrPath
    }

    /// A process the test did not stop is killed; its log file is removed.
    deinit {
        if let process = process.withLock({ $0 }), process.isRunning { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: stderrPath)
    }

    /// Everything the process logged so far.
    public var log: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits (off the concurrency pool) for the process to exit; returns its status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) async -> Int32 {
        guard let process = process.withLock({ $0 }) else { return -1 }
        kill(pid, signal)
        return await withCheckedContinuation { continuation in
            Thread {
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }.start()
        }
    }
}
