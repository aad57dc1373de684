import Foundation
import TestTiming
import Locking

/// A child process beside a test (`obf serve`, `obf push`, `obf probe`, Python clients), its
/// stdout and stderr kept in files so a chatty child never blocks on a full pipe. Dropping
/// the handle kills a child still running and removes the files.
public final class ChildProcess: Sendable {
    public let pid: Int32
    private let process: Locked<Process>
    private let stdoutPath: String
    private let stderrPath: String

    /// Starts `executable ARGUMENTS` with `environment` as its whole environment.
    public init(_ executable: String, _ arguments: [String],
                environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("obf-child-\(UUID().uuidString)").path
        let (stdoutPath, stderrPath) = (base + ".out", base + ".err")
        let removeFiles = { for path in [stdoutPath, stderrPath] { try? FileManager.default.removeItem(atPath: path) } }
        do {
            for path in [stdoutPath, stderrPath] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
            process.standardInput = FileHandle.nullDevice
            try process.run()
        } catch {
            removeFiles()
            throw error
        }
        pid = process.processIdentifier
        self.process = Locked(process)
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
    }

    deinit {
        if process.withLock({ $0.isRunning }) { kill(pid, SIGKILL) }
        for path in [stdoutPath, stderrPath] { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Everything the process wrote to stderr (its log) so far.
    public var log: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Everything the process wrote to stdout so far.
    public var output: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }

    public var isRunning: Bool { process.withLock { $0.isRunning } }

    /// The first match of the regular expression `pattern` in the log, waiting up to `timeout`
    /// for it; nil when it does not appear in time or the process exits first.
    public func waitForLog(_ pattern: String, timeout: Duration = TestBounds.event) async throws -> String? {
        let end = ContinuousClock.now + timeout
        while true {
            let text = log
            if let range = text.range(of: pattern, options: .regularExpression) { return String(text[range]) }
            if !isRunning || ContinuousClock.now >= end { return nil }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Sends `signal` and waits (off the concurrency pool) for the process to exit; returns its
    /// exit status, or the number of the signal that ended it.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) async -> Int32 {
        kill(pid, signal)
        return await exitStatus()
    }

    /// Waits (off the concurrency pool) for the process to exit on its own; after `timeout`,
    /// when given, it is sent SIGTERM.
    public func exitStatus(timeout: Duration? = nil) async -> Int32 {
        let process = self.process.withLock { $0 }
        return await withCheckedContinuation { continuation in
            Thread {
                let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
                if let timeout { DispatchQueue.global().asyncAfter(deadline: .now() + timeout / .seconds(1), execute: killer) }
                process.waitUntilExit()
                killer.cancel()
                continuation.resume(returning: process.terminationStatus)
            }.start()
        }
    }
}
