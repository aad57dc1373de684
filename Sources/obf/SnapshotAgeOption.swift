import ArgumentParser

/// `--max-snapshot-age-s`, shared by `serve` and `probe`.
struct SnapshotAgeOption: ParsableArguments {
    @Option(help: "Age in seconds past which a snapshot is stale. [env: OBF_MAX_SNAPSHOT_AGE_S] (default: \(Defaults.maxSnapshotAgeS))")
    var maxSnapshotAgeS: Double?

    /// The age limit from the flag, else `OBF_MAX_SNAPSHOT_AGE_S`, else the engine's default.
    func seconds(_ environment: Environment) throws -> Double {
        try environment.number(maxSnapshotAgeS, "OBF_MAX_SNAPSHOT_AGE_S", default: Defaults.engine.maxSnapshotAge)
    }
}
