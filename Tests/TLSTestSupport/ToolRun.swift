import Foundation

/// Runs a command found on the PATH (`openssl`, `curl`, `sh`) in `directory` and returns what it
/// printed (its standard output and error together); throws `TLSTestError` with that text when it
/// exits with an error.
@available(*, noasync, message: "blocks its thread: call it in blocking { }")
public func runTool(_ arguments: [String], in directory: String? = nil) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0 else {
        throw TLSTestError(description: "\(arguments.first ?? "") exited with \(process.terminationStatus): \(text)")
    }
    return text
}
