import ArgumentParser
import Foundation
import OBFService

/// `obf replay`: the step record computed again, checked, and written out.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Compute every recorded step again from the record alone and check it against what was answered.",
        discussion: """
            Reads the segments 'obf serve --record-dir' wrote (give every replica's directory to follow \
            the steps across takeovers) and writes one line per step, in the order the steps were \
            answered: {"bar","time","rollover","assets":{ASSET:{"placement","signal"}},"macro"}, with \
            the API's keys and numbers. Exits 0 when every step is identical to the recorded answer, \
            1 naming the first that differs, 2 when the record cannot be read. BAR is a whole number; \
            TIME an ISO 8601 UTC time such as 2026-12-04T12:34:56Z.
            """)

    @Option(name: .customLong("record-dir"), help: "A record directory (repeat for every replica's).")
    var recordDirs: [String] = []
    @Option(help: "The first step replayed: BAR or TIME.")
    var from: String?
    @Option(help: "The last step replayed: BAR or TIME.")
    var to: String?
    @Option(help: "Where the steps go (default: standard output).")
    var out: String?
    @Option(help: "jsonl or csv.")
    var format: String = "jsonl"
    @Option(help: "Explain one asset at one step instead: ASSET@BAR or ASSET@TIME.")
    var explain: String?

    func run() async throws {
        guard !recordDirs.isEmpty else { throw ValidationError("give at least one --record-dir") }
        if let explain {
            guard let explanation = StepExplanation(explain) else {
                throw ValidationError("--explain must be ASSET@BAR or ASSET@TIME, got '\(explain)'")
            }
            let text = try await readable { try await explanation.explain(directories: recordDirs) }
            guard !text.isEmpty else {
                FileHandle.standardError.write(Data("no recorded step of \(explain)\n".utf8))
                throw ExitCode(1)
            }
            print(text, terminator: "")
            return
        }
        guard let format = ReplayFormat(rawValue: format) else { throw ValidationError("--format must be jsonl or csv") }
        let replay = RecordReplay(directories: recordDirs, from: try bound(from, "--from"), to: try bound(to, "--to"),
                                  format: format)
        let output = try await readable { () throws -> OutputFile in try out.map { try OutputFile(path: $0) } ?? OutputFile() }
        let progress = ReplayProgress()
        let summary = try await readable { try await replay.run(output: output, progress: progress.report) }
        progress.finish()
        var lines = ["replayed \(summary.steps) steps (\(summary.assetSteps) asset-steps) from \(summary.segments) segments "
            + "in \(progress.elapsed) s: \(summary.identical) identical, \(summary.steps - summary.identical) different, "
            + "\(summary.gapSteps) answered steps not recorded"]
        lines += summary.notes
        if let first = summary.firstDifference { lines.append("first difference: \(first)") }
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        if summary.firstDifference != nil { throw ExitCode(1) }
    }

    private func bound(_ text: String?, _ flag: String) throws -> ReplayBound? {
        guard let text else { return nil }
        guard let bound = ReplayBound(text) else { throw ValidationError("\(flag) must be a bar or an ISO 8601 time, got '\(text)'") }
        return bound
    }

    /// Runs `work`; an unreadable record or output ends the command with status 2.
    private func readable<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch {
            FileHandle.standardError.write(Data("obf replay: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// The progress line of a long replay, on a terminal only.
final class ReplayProgress: Sendable {
    private let started = Date()
    private let onTerminal = isatty(2) != 0

    var elapsed: String { String(format: "%.2f", Date().timeIntervalSince(started)) }

    var report: @Sendable (Int, Int) -> Void {
        { [self] steps, assetSteps in
            guard onTerminal else { return }
            let seconds = max(0.001, Date().timeIntervalSince(started))
            let line = String(format: "\rreplayed %d steps, %d asset-steps (%.0f asset-steps/s)", steps, assetSteps,
                              Double(assetSteps) / seconds)
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    func finish() {
        if onTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
