import ArgumentParser
import Foundation

/// The `obf` command: the feature service and its operator tools.
@main
struct OBFCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "obf",
        abstract: "Order-book features for a live trader, computed per bar from Level-2 snapshots.",
        discussion: """
            Every flag of 'obf serve' can also be set with the OBF_... environment variable named \
            in its help; a flag given on the command line wins over the environment.
            """,
        version: OBFVersion.current,
        subcommands: [ServeCommand.self, PushCommand.self, ProbeCommand.self, ReplayCommand.self],
        defaultSubcommand: nil)

    /// Parses and runs the subcommand. A setting a subcommand refuses while it runs (a value
    /// read from the environment, a combination of flags) is reported with that subcommand's
    /// usage, as a refused flag is while parsing, not with the top-level one.
    static func main() async {
        let parsed: any ParsableCommand
        do {
            parsed = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            var command = parsed
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ValidationError {
            let subcommand = type(of: parsed)
            let name = subcommand.configuration.commandName ?? "\(subcommand)"
            let path = subcommand == OBFCommand.self ? "obf" : "obf \(name)"
            FileHandle.standardError.write(Data("""
                Error: \(error.message)
                Usage: \(usageString(for: subcommand))
                  See '\(path) --help' for more information.

                """.utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}
