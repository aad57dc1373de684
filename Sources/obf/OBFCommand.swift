import ArgumentParser

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
        subcommands: [ServeCommand.self, PushCommand.self, ProbeCommand.self],
        defaultSubcommand: nil)
}
