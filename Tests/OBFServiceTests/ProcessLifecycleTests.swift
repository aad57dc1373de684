import Foundation
import OBFEngine
import OBFPersistence
import OBFTestSupport
import Testing

/// The real `obf serve` process: graceful shutdown on SIGTERM, and a state file that
/// survives `kill -9` in the middle of a write.
@Suite struct ProcessLifecycleTests {
    @Test func sigtermFinishesCleanlyAndSavesState() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("obf-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("state.json").path
        let server = try await ServeProcess.start(["--state-file", path],
                                                  environment: ["OBF_API_TOKEN": "tok-123", "OBF_HZ_PASSWORD": "pw-456"])
        let client = try TestHTTPClient(port: server.port)
        let auth = [("Authorization", "Bearer tok-123")]
        for bar in 1...3 { #expect(try await client.request("POST", "/step/\(bar)", headers: auth).status == 200) }
        #expect(await server.stop() == 0)
        #expect(try StateFile.load(path)?.lastBar == 3)
        #expect(server.log.contains("stopped"))
        #expect(!server.log.contains("tok-123"))
        #expect(!server.log.contains("pw-456"))
    }

    @Test func environmentVariablesConfigureServe() async throws {
        let server = try await ServeProcess.start([], environment: ["OBF_ASSETS": "xrpusdt, ADAUSDT", "OBF_MOCK_SEED": "7",
                                                                    "OBF_MAX_BARS": "2"])
        let client = try TestHTTPClient(port: server.port)
        for bar in 1...3 { _ = try await client.request("POST", "/step/\(bar)") }
        let bars = try await client.request("GET", "/bars/3").json
        #expect(bars["assets"]?.objectValue?.keys.sorted() == ["ADAUSDT", "XRPUSDT"])
        #expect(try await client.request("GET", "/features/XRPUSDT/1").json["source"]?.stringValue == "default")
        #expect(await server.stop() == 0)
    }

    @Test func aBadSettingIsRefusedWithAClearMessage() async throws {
        let binary = try ExternalProcess.obfBinary()
        let flag = try await ExternalProcess.run(binary, ["serve", "--max-bars", "0"])
        #expect(flag.status != 0)
        #expect(flag.stderr.contains("--max-bars must be at least 1"))
        var environment = ProcessInfo.processInfo.environment
        environment["OBF_STEP_DEADLINE_MS"] = "soon"
        let variable = try await ExternalProcess.run(binary, ["serve"], environment: environment)
        #expect(variable.status != 0)
        #expect(variable.stderr.contains("OBF_STEP_DEADLINE_MS='soon'"))
        let replay = try await ExternalProcess.run(binary, ["serve", "--source", "replay"])
        #expect(replay.stderr.contains("--source replay needs --replay-file PATH"))
        let read = try await ExternalProcess.run(binary, ["serve", "--hz-read", "poll"])
        #expect(read.status != 0)
        #expect(read.stderr.contains("--hz-read 'poll' is not one of fetch, listen"))
        environment["OBF_STEP_DEADLINE_MS"] = nil
        environment["OBF_HZ_RESYNC_S"] = "0"
        let resync = try await ExternalProcess.run(binary, ["serve"], environment: environment)
        #expect(resync.status != 0)
        #expect(resync.stderr.contains("--hz-resync-s must be a number of seconds in (0, 86400]"))
    }

    @Test func killDuringAStateWriteLeavesThePreviousFileLoadable() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("obf-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("state.json").path
        // Many assets make each write large enough to be caught in the middle.
        let assets = (0..<1500).map { "A\($0)" }.joined(separator: ",")
        let server = try await ServeProcess.start(["--state-file", path, "--assets", assets])
        let client = try TestHTTPClient(port: server.port)
        for bar in 0..<100 { _ = try await client.request("POST", "/step/\(bar)") }
        // The 100th step triggers the first write; wait until it is in place.
        let firstWritten = ContinuousClock.now + .seconds(60)
        while (try? StateFile.load(path)) == nil, ContinuousClock.now < firstWritten { try await Task.sleep(for: .milliseconds(50)) }
        #expect(try StateFile.load(path)?.lastBar == 99)
        // The 200th step triggers the second write; kill the process while its temporary file exists.
        for bar in 100..<200 { _ = try await client.request("POST", "/step/\(bar)") }
        let temporary = folder.appendingPathComponent(".state.json.tmp-\(server.pid)").path
        let deadline = ContinuousClock.now + .seconds(60)
        var caught = false
        while ContinuousClock.now < deadline {
            if FileManager.default.fileExists(atPath: temporary) { caught = true; break }
            try await Task.sleep(for: .milliseconds(1))
        }
        await server.stop(signal: SIGKILL)
        #expect(caught, "the second write was never seen in progress")
        let survivor = try StateFile.load(path)
        #expect(survivor?.lastBar == 99 || survivor?.lastBar == 199)
        #expect(survivor?.assets.count == 1500)
    }
}
