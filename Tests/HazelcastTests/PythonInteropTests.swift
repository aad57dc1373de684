import Dispatch
import Foundation
import HazelcastTestMember
import TestTiming
import Testing
import Hazelcast

/// The official hazelcast-python-client (5.7.0) against the test member, and data written by one
/// client read by the other. Needs the interpreter from OBF_PYTHON or `<package>/.venv/bin/python`.
@Suite("Interoperability with hazelcast-python-client")
struct PythonInteropTests {
    static let mapName = "DOLPHIN_FEATURES"

    /// The package root: three levels above this file, symlinks resolved.
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var script: URL { packageRoot.appendingPathComponent("Tests/interop/python_client_check.py") }

    static var interpreter: String {
        if let configured = ProcessInfo.processInfo.environment["OBF_PYTHON"], !configured.isEmpty { return configured }
        return packageRoot.appendingPathComponent(".venv/bin/python").path
    }

    struct ScriptRun {
        var status: Int32
        var stdout: String
        var stderr: String

        /// The JSON summary: the last line of stdout.
        func summary() throws -> [String: Any] {
            let line = stdout.split(separator: "\n").last.map(String.init) ?? ""
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            return try #require(object as? [String: Any], "summary is not a JSON object: \(line)")
        }
    }

    /// Runs the interop script on its own thread so no Swift concurrency thread blocks.
    static func runScript(_ arguments: [String]) async throws -> ScriptRun {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: interpreter)
                process.arguments = [script.path] + arguments
                let out = Pipe()
                let err = Pipe()
                process.standardOutput = out
                process.standardError = err
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
                DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
                let stderrBox = MutexBox(Data())
                let stderrDone = DispatchSemaphore(value: 0)
                // A thread of its own: a blocking read on Dispatch's global queues (two threads wide on
                // two cores) would hold up the `Task.sleep` timers of every test running meanwhile.
                Thread {
                    let data = err.fileHandleForReading.readDataToEndOfFile()
                    stderrBox.withLock { $0 = data }
                    stderrDone.signal()
                }.start()
                let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
                stderrDone.wait()
                process.waitUntilExit()
                watchdog.cancel()
                continuation.resume(returning: ScriptRun(
                    status: process.terminationStatus,
                    stdout: String(decoding: stdoutData, as: UTF8.self),
                    stderr: String(decoding: stderrBox.withLock { $0 }, as: UTF8.self)))
            }
            thread.start()
        }
    }

    /// Records a failure (never a silent skip) when the interpreter is missing.
    static func requireInterpreter() -> Bool {
        guard FileManager.default.isExecutableFile(atPath: interpreter) else {
            Issue.record("""
                No Python interpreter at \(interpreter). Run the project's test command (it creates \
                .venv with hazelcast-python-client==5.7.0), or set OBF_PYTHON to an interpreter that has \
                hazelcast-python-client 5.7.0 installed.
                """)
            return false
        }
        return true
    }

    @Test func officialPythonClientOverAThreeMemberTestCluster() async throws {
        guard Self.requireInterpreter() else { return }
        let cluster = HazelcastTestCluster(memberCount: 3, logger: testLogger("cluster"))
        let ports = try cluster.start()
        defer { cluster.stop() }
        let run = try await Self.runScript(["127.0.0.1", String(ports[0])])
        #expect(run.status == 0, "python: \(run.stdout)\n\(run.stderr)")
        #expect(try run.summary()["ok"] as? Bool == true)
        // The smart Python client connected to every member and sent requests to each.
        for member in cluster.members {
            #expect(member.acceptedConnectionCount >= 1)
        }
    }

    @Test func officialPythonClientAndSwiftClientShareTheMap() async throws {
        guard Self.requireInterpreter() else { return }
        let (member, port) = try startedMember()
        defer { member.stop() }

        // 1. The Python client, smart routing (its default) and unisocket, writes and reads back.
        var written: [String: Any] = [:]
        for extra in [[], ["--unisocket"]] {
            let run = try await Self.runScript(["127.0.0.1", String(port)] + extra)
            #expect(run.status == 0, "python \(extra): \(run.stdout)\n\(run.stderr)")
            let summary = try run.summary()
            #expect(summary["ok"] as? Bool == true, "\(summary)")
            #expect(summary["client_version"] as? String == "5.7.0", "\(summary)")
            #expect(summary["smart_routing"] as? Bool == extra.isEmpty)
            written = summary["written"] as? [String: Any] ?? [:]
        }
        #expect(member.acceptedConnectionCount >= 2)

        // 2. The Swift client reads what Python wrote.
        let client = try HazelcastClient(configuration: testConfiguration(ports: [port]), logger: testLogger("client"))
        defer { Task { await client.shutdown() } }
        try await client.connect(timeout: TestBounds.unchecked)
        let btc = "asset_BTCUSDT_ob"
        let eth = "asset_ETHUSDT_ob"
        let values = try await client.getAll(map: Self.mapName, keys: [HazelcastData(string: btc), HazelcastData(string: eth)])
        let btcText = try #require(values[HazelcastData(string: btc)]).decodeText()
        let ethText = try #require(values[HazelcastData(string: eth)]).decodeText()
        #expect(btcText.kind == .string)
        #expect(ethText.kind == .jsonValue)
        #expect(btcText.text == (written[btc] as? [String: Any])?["value"] as? String)
        #expect(ethText.text == (written[eth] as? [String: Any])?["value"] as? String)
        let parsed = try JSONSerialization.jsonObject(with: Data(btcText.text.utf8)) as? [String: Any]
        #expect(parsed?["asset"] as? String == "BTCUSDT")

        // 3. Python reads what Swift wrote, through both routing modes.
        let solText = #"{"asset":"SOLUSDT","bids":[[101.5,3.0]],"note":"\u00e9"}"#
        let bnbText = #"{"asset":"BNBUSDT","asks":[[310.25,1.5]]}"#
        try await client.set(map: Self.mapName, key: HazelcastData(string: "asset_SOLUSDT_ob"), value: HazelcastData(string: solText))
        try await client.put(map: Self.mapName, key: HazelcastData(string: "asset_BNBUSDT_ob"), value: HazelcastData(jsonValue: bnbText))
        let expected: [String: [String: String]] = [
            "asset_SOLUSDT_ob": ["kind": "string", "value": solText],
            "asset_BNBUSDT_ob": ["kind": "json", "value": bnbText],
        ]
        let expectation = String(decoding: try JSONSerialization.data(withJSONObject: expected), as: UTF8.self)
        for extra in [[], ["--unisocket"]] {
            let run = try await Self.runScript(["127.0.0.1", String(port), "--mode", "read", "--expect", expectation] + extra)
            #expect(run.status == 0, "python read \(extra): \(run.stdout)\n\(run.stderr)")
            #expect(try run.summary()["ok"] as? Bool == true)
        }
        await client.shutdown()
    }

    @Test func officialPythonClientHearsTheTestMembersEntryEvents() async throws {
        guard Self.requireInterpreter() else { return }
        let (member, port) = try startedMember()
        defer { member.stop() }
        // Unisocket: one registration for the whole map; smart: one per member, local only.
        for extra in [["--unisocket"], []] {
            let run = try await Self.runScript(["127.0.0.1", String(port), "--mode", "listen"] + extra)
            #expect(run.status == 0, "python listen \(extra): \(run.stdout)\n\(run.stderr)")
            #expect(try run.summary()["ok"] as? Bool == true)
            #expect(try run.summary()["events"] as? Int == 11)
        }
        let cluster = HazelcastTestCluster(memberCount: 3, logger: testLogger("cluster"))
        let ports = try cluster.start()
        defer { cluster.stop() }
        let run = try await Self.runScript(["127.0.0.1", String(ports[0]), "--mode", "listen"])
        #expect(run.status == 0, "python listen over a cluster: \(run.stdout)\n\(run.stderr)")
        #expect(try run.summary()["events"] as? Int == 11)
    }
}
