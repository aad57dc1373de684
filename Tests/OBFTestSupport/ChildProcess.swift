import Foundation
import Locking

/// A child process running beside a test (`obf serve`, `obf push`), its stderr kept in a file
/// so a chatty child never blocks on a full pipe. Dropping the handle kills a child still
/// running and removes the file.
public final class ChildProcess: Sendable {
    public let pid: Int32
    private let process: Locked<Process>
    private let stderrPath: String

    /// Starts `executable ARGUMENTS` with the test's environment plus `environment`.
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("obf-child-\(UUID().uuidString).err").path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        pid = process.processIdentifier
        self.process = Locked(process)
        stderrPath = path
    }

    deinit {
        if process.withLock({ $0.isRunning }) { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: stderrPath)
    }

    /// Everything the process logged so far.
    public var log: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    public var isRunning: Bool { process.withLock { $0.isRunning } }

    /// The first match of the regular expression `pattern` in the log, waiting up to `timeout`
    /// for it; nil when it does not appear in time or the process exits first.
    public func waitForLog(_ pattern: String, timeout: Duration = .seconds(20)) async throws -> String? {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            let text = log
            if let range = text.range(of: pattern, options: .regularExpression) { return String(text[range]) }
            if !isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        return log.range(of: pattern, options: .regularExpression).map { String(log[$0]) }
    }

    /// Sends `signal` and waits (off the concurrency pool) for the process to exit; returns its
    /// exit status, or the number of the signal that ended it.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) async -> Int32 {
        kill(pid, signal)
        return await exitStatus()
    }

    /// Waits (off the concurrency pool) for the process to exit on its own.
    public func exitStatus() async -> Int32 {
        let process = self.process.withLock { $0 }
        return await withCheckedContinuation { continuation in
            Thread {
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }.start()
        }
    }
}
